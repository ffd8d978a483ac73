"""Example naptip plugin: the Labour Department of Sarawak (JTK Sarawak).

Hook implementations are plain functions marked with ``@naptip.hookimpl``; they return
the model classes that naptip exports. Nothing else from naptip is needed.
"""

from __future__ import annotations

from naptip import Activity, Agency, Indicator, IndicatorKind, Timeline, hookimpl


@hookimpl
def naptip_agencies() -> list[Agency]:
    return [
        Agency(
            id="jtk-sarawak",
            name="Labour Department of Sarawak",
            short_name="JTK Sarawak",
            name_ms="Jabatan Tenaga Kerja Sarawak",
            committees=("forced-labour", "enforcement"),
            state="sarawak",
        )
    ]


@hookimpl
def naptip_activities() -> list[Activity]:
    # Agency activities hang under an existing output of the plan; their ids carry the
    # output id, then an agency tag, then the agency's own item number.
    return [
        Activity(
            id="S21-O1-jtksrw-i",
            objective="S21",
            output="S21-O1",
            text="Conduct joint forced labour inspections at oil palm plantations in Sarawak "
                 "with the Enforcement Committee's agencies.",
            indicators=(
                Indicator(text="Number of plantation inspections in Sarawak",
                          kind=IndicatorKind.COUNT),
                Indicator(text="Number of workers interviewed", kind=IndicatorKind.COUNT,
                          disaggregate=True),
            ),
            timeline=Timeline(start=2023, end=2025),
            lead="forced-labour",
            support=("enforcement",),
            parties=("JTK Sarawak",),
        )
    ]
