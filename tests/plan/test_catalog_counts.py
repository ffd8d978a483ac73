"""The built-in plugins declare the whole Appendix I matrix, exactly once."""

from __future__ import annotations

from collections import Counter

from naptip.base.model import SECRETARIAT_ID
from naptip.plan.catalog import Catalog
from naptip.plan.package import builtin_package_folder, load_builtin_package

# Entries per specific objective, counted in Appendix I (S9 includes S9-O2-i-a and -b).
PER_OBJECTIVE = {
    "S1": 5, "S2": 2, "S3": 1, "S4": 4, "S5": 6, "S6": 8, "S7": 14, "S8": 9, "S9": 14,
    "S10": 9, "S11": 8, "S12": 10, "S13": 5, "S14": 9, "S15": 21, "S16": 6, "S17": 5,
    "S18": 6, "S19": 9, "S20": 8, "S21": 2, "S22": 12, "S23": 10, "S24": 1, "S25": 2,
    "S26": 4, "S27": 4, "S28": 2, "S29": 3, "S30": 1, "S31": 3, "S32": 1, "S33": 3, "S34": 3,
}

PER_OUTPUT = {
    "S1-O1": 5, "S2-O1": 1, "S2-O2": 1, "S3-O1": 1, "S4-O1": 3, "S4-O2": 1, "S5-O1": 2,
    "S5-O2": 4, "S6-O1": 3, "S6-O2": 2, "S6-O3": 3, "S7-O1": 6, "S7-O2": 8, "S8-O1": 2,
    "S8-O2": 5, "S8-O3": 2, "S9-O1": 6, "S9-O2": 5, "S9-O3": 1, "S9-O4": 1, "S9-O5": 1,
    "S10-O1": 7, "S10-O2": 2, "S11-O1": 8, "S12-O1": 4, "S12-O2": 3, "S12-O3": 1,
    "S12-O4": 1, "S12-O5": 1, "S13-O1": 3, "S13-O2": 2, "S14-O1": 3, "S14-O2": 3,
    "S14-O3": 3, "S15-O1": 3, "S15-O2": 4, "S15-O3": 1, "S15-O4": 3, "S15-O5": 2,
    "S15-O6": 3, "S15-O7": 2, "S15-O8": 2, "S15-O9": 1, "S16-O1": 2, "S16-O2": 2,
    "S16-O3": 2, "S17-O1": 1, "S17-O2": 1, "S17-O3": 2, "S17-O4": 1, "S18-O1": 4,
    "S18-O2": 1, "S18-O3": 1, "S19-O1": 9, "S20-O1": 2, "S20-O2": 5, "S20-O3": 1,
    "S21-O1": 2, "S22-O1": 6, "S22-O2": 3, "S22-O3": 3, "S23-O1": 7, "S23-O2": 3,
    "S24-O1": 1, "S25-O1": 1, "S25-O2": 1, "S26-O1": 2, "S26-O2": 2, "S27-O1": 4,
    "S28-O1": 1, "S28-O2": 1, "S29-O1": 3, "S30-O1": 1, "S31-O1": 3, "S32-O1": 1,
    "S33-O1": 3, "S34-O1": 2, "S34-O2": 1,
}

# Entries owned per committee: the committee named first, else the secretariat.
OWNED = {"victim-care": 56, SECRETARIAT_ID: 47, "enforcement": 37, "legislative": 30,
         "media": 22, "forced-labour": 18}
SUPPORTING = {"forced-labour": 15, "enforcement": 10, "media": 7, "legislative": 4,
              "victim-care": 2, "monitoring": 1}


def test_totals(builtin_catalog: Catalog) -> None:
    c = builtin_catalog
    assert c.problems == []
    assert len(c.structure.objectives) == 34
    assert len(c.structure.outputs) == 78
    assert len(c.activities) == 210
    activities = {a.parent or a.id for a in c.activities.values()}
    assert len(activities) == 209
    assert {a.id for a in c.activities.values() if a.parent} == {"S9-O2-i-a", "S9-O2-i-b"}


def test_counts_per_objective(builtin_catalog: Catalog) -> None:
    counts = Counter(a.objective for a in builtin_catalog.activities.values())
    assert dict(counts) == PER_OBJECTIVE


def test_counts_per_output(builtin_catalog: Catalog) -> None:
    counts = Counter(a.output for a in builtin_catalog.activities.values())
    assert dict(counts) == PER_OUTPUT
    assert set(PER_OUTPUT) == set(builtin_catalog.structure.outputs)


def test_counts_per_committee(builtin_catalog: Catalog) -> None:
    acts = builtin_catalog.activities.values()
    assert dict(Counter(a.owner for a in acts)) == OWNED
    assert dict(Counter(s for a in acts for s in a.support)) == SUPPORTING


def test_46_activities_name_no_committee(builtin_catalog: Catalog) -> None:
    """The design brief's count: 46 activities (47 entries, S9-O2-i split) name none."""
    unowned = {a.parent or a.id for a in builtin_catalog.activities.values() if a.lead is None}
    assert len(unowned) == 46


def test_every_activity_declared_by_the_plan_package_in_its_owners_file(
        builtin_catalog: Catalog) -> None:
    """NAPTIP 3.0's entries are its plan package's (issue 19), one file per owner; the
    committee plugins declare none."""
    package = load_builtin_package()
    folder = builtin_package_folder() / "activities"
    for a in builtin_catalog.activities.values():
        assert builtin_catalog.plugin_of("activity", a.id) == "plan package naptip-3.0", a.id
        assert package.files[a.id] == folder / f"{a.owner}.toml", a.id
    assert builtin_catalog.counts_by_plugin()["plan package naptip-3.0"]["activities"] == 210
    assert not any(n["activities"] for p, n in builtin_catalog.counts_by_plugin().items()
                   if p != "plan package naptip-3.0")


def test_committees_of_section_5_1(builtin_catalog: Catalog) -> None:
    c = builtin_catalog.committees
    leads = {cid: (x.name, x.lead_agency_short, x.pillars) for cid, x in c.items()}
    assert leads == {
        "legislative": ("Legislative Committee", "AGC", ("P2",)),
        "enforcement": ("Enforcement Committee", "RMP", ("P2",)),
        "victim-care": ("Victim Care and Protection Committee", "MWFCD", ("P3",)),
        "media": ("Media and Publicity Committee", "KKMM", ("P1",)),
        "forced-labour": ("Special Committee to Oversee Forced Labour Issues", "MOHR",
                          ("P2", "P1")),
        "monitoring": ("Monitoring and Evaluation Committee", "NSO MAPO", ("P4",)),
        SECRETARIAT_ID: ("NSO MAPO (secretariat)", "NSO MAPO", ("P1", "P2", "P3", "P4")),
    }
    assert all(x.name_ms for x in c.values())


def test_structure_of_sections_4_3_to_4_5(builtin_catalog: Catalog) -> None:
    s = builtin_catalog.structure
    assert list(s.pillars) == ["P1", "P2", "P3", "P4"]
    assert [p.name for p in s.pillars.values()] == [
        "Prevention", "Prosecution & Enforcement", "Protection", "Partnership"]
    assert s.goals["G3"].pillars == ("P1", "P3", "P4")
    assert s.goals["G8"].pillars == ("P1", "P2", "P3", "P4")
    assert len(s.areas) == 9 and s.areas["A6"].title == "Capacity Building"
    by_pillar = Counter(o.primary_pillar for o in s.objectives.values())
    assert by_pillar == {"P1": 5, "P2": 12, "P3": 7, "P4": 10}
    assert s.objectives["S22"].primary_pillar == "P3"
    assert s.objectives["S23"].primary_pillar == "P2"
    assert s.objectives["S24"].goal == "G7"
    assert s.outputs["S30-O1"].goals == ("G7",)
    assert s.outputs["S30-O1"].related_goals == ("G2", "G4", "G6")
    assert s.plan.timezone == "Asia/Kuala_Lumpur"
    assert (s.plan.start.isoformat(), s.plan.end.isoformat()) == ("2021-01-01", "2025-12-31")
