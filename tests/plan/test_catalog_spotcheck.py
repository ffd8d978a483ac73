"""One activity of every objective, checked against the words of Appendix I."""

from __future__ import annotations

from decimal import Decimal

import pytest

from naptip.base.model import IndicatorKind as K
from naptip.plan.catalog import Catalog

# id: (start of the activity text, [(indicator, kind)], lead, support, timeline)
SPOT = {
    "S1-O1-iii": ("Amend ATIPSOM Act to bring it in line with the TIP Protocol",
                  [("ATIPSOM Act is amended", K.MILESTONE)], "legislative", (), "2021-2025"),
    "S2-O2-i": ("Consultation to incorporate anti-TIP measures into broader national",
                [("Number of sessions", K.COUNT)], "legislative", (), "2021-2025"),
    "S3-O1-i": ("Monitor changing trends in TIP in the local and international context",
                [("Number of sessions", K.COUNT)], "legislative", ("enforcement",), "2021-2025"),
    "S4-O1-i": ("Review of NGHTI for improvement of procedures and practices",
                [("Number of sessions", K.COUNT)], "enforcement", ("legislative",), "2021-2025"),
    "S5-O2-i": ("Develop guidelines and implement measures to identify, trace, seize",
                [("1 set of guidelines", K.DELIVERABLE), ("Value of assets seized", K.AMOUNT)],
                "legislative", ("enforcement",), "2021-2025"),
    "S6-O1-iii": ("Conduct a needs analysis study on the establishment of specialised courts",
                  [("1 needs analysis study", K.DELIVERABLE)], "legislative", (), "2021-2025"),
    "S7-O2-v": ("Enforcement agencies take turns in hosting regular meetings amongst the five",
                [("Number of sessions", K.COUNT)], "enforcement", (), "2021-2025"),
    "S8-O1-ii": ("Host regular meetings on victim case management among AGC (DPPs)",
                 [("Number of sessions", K.COUNT)], None, (), "2021-2025"),
    "S9-O1-i": ("Develop appropriate annual programmes or events in conjunction with World Day",
                [("1 programme/event in conjunction with World Day Against Trafficking in "
                  "Persons", K.DELIVERABLE)], "media", (), "2021-2025"),
    "S10-O1-vii": ("Develop incentive scheme for businesses to take extra steps beyond legal",
                   [("1 incentive scheme for businesses", K.DELIVERABLE)], "forced-labour", (),
                   "2022-2025"),
    "S11-O1-ii": ("Develop a toolkit to raise awareness in schools and higher learning",
                  [("1 toolkit on TIP", K.DELIVERABLE)], None, (), "2021"),
    "S12-O3-i": ("Implement incentives/requirement for businesses to adopt practices leading",
                 [("Number of government agencies involved", K.COUNT),
                  ("Number of businesses involved", K.COUNT)],
                 "forced-labour", ("media",), "2021-2025"),
    "S13-O1-ii": ("Deliver anti-corruption training for law enforcement officers, DPPs",
                  [("Number of law enforcement officers, DPPs and judicial official trained",
                    K.COUNT)], None, (), "2021-2025"),
    "S14-O1-i": ("Establish a formal National Referral Mechanism (NRM)",
                 [("1 NRM in operation", K.DELIVERABLE)], "victim-care", (), "2021-2022"),
    "S15-O6-ii": ("Expedite the process to apply and obtain approval for the permission",
                  [("Completed documents processed within 10 working days upon receipt",
                    K.PERCENTAGE)], "victim-care", (), "2021-2025"),
    "S16-O2-i": ("Conduct needs analysis for shelter services according to geographical zones.",
                 [("1 needs analysis report", K.DELIVERABLE)], "victim-care", (), "2021-2025"),
    "S17-O3-ii": ("Conduct empowerment programmes for all victims of TIP residing",
                  [("1 empowerment programme developed", K.DELIVERABLE),
                   ("Number of victims involved", K.COUNT)], "victim-care", (), "2021-2025"),
    "S18-O1-i": ("Allocate financial support to NGOs that provide direct services",
                 [("Allocations provided to NGOs", K.AMOUNT)], "victim-care", (), "2021-2025"),
    "S19-O1-vi": ("Develop guidelines for recruitment agencies and engage with recruitment",
                  [("1 set of guidelines", K.DELIVERABLE), ("Number of sessions", K.COUNT)],
                  "legislative", ("forced-labour",), "2021-2025"),
    "S20-O2-iv": ("Identify and address gaps in migration and employment frameworks",
                  [("1 gap analysis report", K.DELIVERABLE)], "enforcement", ("forced-labour",),
                  "2021-2025"),
    "S21-O1-ii": ("Conduct knowledge sharing and technical support for the Task Force Committee",
                  [("Number of sessions", K.COUNT)], "enforcement", ("forced-labour",),
                  "2021-2025"),
    "S22-O1-i": ("Conduct a training needs assessment for protection agencies and officials",
                 [("1 consultation workshop on needs assessment", K.DELIVERABLE),
                  ("At least 1 follow-up consultation workshop on needs assessment",
                   K.DELIVERABLE)], "victim-care", (), "2021-2025"),
    "S23-O1-vi": ("Organise local and foreign specialised trainings for IOs",
                  [("Number of IOs", K.COUNT)], None, (), "2021-2025"),
    "S24-O1-i": ("Develop an integrated information management system for victim information.",
                 [("1 system developed", K.DELIVERABLE)], None, (), "2021-2025"),
    "S25-O1-i": ("Establish relevant committee to: a. Provide strategic direction",
                 [("Number of sessions", K.COUNT), ("Number of reports", K.COUNT),
                  ("Integrated Information Management System enhanced", K.MILESTONE)],
                 None, (), "2021-2023"),
    "S26-O2-i": ("Conduct training sessions for relevant users. (eg. eMAPO)",
                 [("Number of training sessions", K.COUNT)], None, (), "2021-2025"),
    "S27-O1-iv": ("Develop user manual for knowledge management system.",
                  [("1 user manual", K.DELIVERABLE)], None, (), "2021-2025"),
    "S28-O1-i": ("Conduct regular meetings/dialogue sessions with relevant stakeholders",
                 [("Number of sessions", K.COUNT)], None, (), "2021-2025"),
    "S29-O1-iii": ("Conduct multi-disciplinary research on different trafficking-related",
                   [("Number of research commissioned", K.COUNT)], None, (), "2021-2025"),
    "S30-O1-i": ("Strengthen cooperation with the international community by sharing",
                 [("Number of sessions", K.COUNT)], None, (), "2021-2025"),
    "S31-O1-iii": ("Negotiate new or review existing bilateral agreements/MOUs",
                   [("Number of sessions", K.COUNT)], "forced-labour", (), "2021-2025"),
    "S32-O1-i": ("Support capacity building of relevant agencies involved in monitoring",
                 [("Number of training sessions", K.COUNT)], None, (), "2021-2025"),
    "S33-O1-i": ("Allocate annual budget for MAPO, other government ministries and agencies",
                 [("Total amount allocated", K.AMOUNT)], None, (), "2021-2025"),
    "S34-O2-i": ("Conduct annual review of NAPTIP through Monitoring and Evaluation Committee.",
                 [("Annual Review Report", K.DELIVERABLE)], None, (), "2022-2025"),
}


def test_every_objective_is_spot_checked(builtin_catalog: Catalog) -> None:
    assert {key.split("-")[0] for key in SPOT} == set(builtin_catalog.structure.objectives)


@pytest.mark.parametrize("activity_id", sorted(SPOT))
def test_activity_matches_the_document(builtin_catalog: Catalog, activity_id: str) -> None:
    text, indicators, lead, support, timeline = SPOT[activity_id]
    a = builtin_catalog.activities[activity_id]
    assert a.text.startswith(text)
    assert [(i.text, i.kind) for i in a.indicators] == indicators
    assert a.lead == lead
    assert a.support == support
    assert str(a.timeline) == timeline


def test_irregular_source_wording_is_kept_and_explained(builtin_catalog: Catalog) -> None:
    acts = builtin_catalog.activities
    # "Special Committee to Review FL Issues" is a variant of the forced labour committee.
    a = acts["S11-O1-vi"]
    assert "Special Committee to Review FL Issues" in (a.responsibility or "")
    assert a.support == ("forced-labour",)
    assert any("Review FL Issues" in n for n in a.notes)
    # "Legislation Committee" is the Legislative Committee.
    assert acts["S19-O1-vi"].lead == "legislative"
    # A bare "Committee" names no one.
    b = acts["S12-O2-i"]
    assert "Committee, Media" in (b.responsibility or "")
    assert b.lead == "forced-labour" and b.support == ("media",)
    # "(with input from other committees)" stays as a note.
    c = acts["S9-O1-iii"]
    assert c.lead == "media" and c.support == () and c.notes
    # "(with support from AMLA)" makes AMLA another party.
    assert "AMLA" in acts["S5-O2-iii"].parties


def test_two_timelines_kept_per_indicator(builtin_catalog: Catalog) -> None:
    a = builtin_catalog.activities["S22-O1-i"]
    assert [str(i.timeline) for i in a.indicators] == ["2021", "2023-2025"]
    b = builtin_catalog.activities["S17-O3-ii"]
    assert [str(i.timeline) for i in b.indicators] == ["2021", "2021-2025"]


def test_explicit_targets(builtin_catalog: Catalog) -> None:
    acts = builtin_catalog.activities
    v = acts["S9-O1-v"].indicators[0]
    assert (v.kind, v.target, v.target_value) == (K.COUNT, "Minimum of 2", Decimal(2))
    w = acts["S10-O1-iii"].indicators[0]
    assert w.target == "at least 30% women and girls"
    t = acts["S11-O1-ii"].indicators[0]
    assert (t.target, t.target_value) == ("1", Decimal(1))


def test_sub_items_of_s9_o2_i(builtin_catalog: Catalog) -> None:
    a, b = (builtin_catalog.activities[f"S9-O2-i-{x}"] for x in "ab")
    assert a.text.endswith("a. ATIP Hotline") and b.text.endswith("b. Chatbot")
    assert a.indicators[0].text == "ATIP Hotline operational during office hours"
    assert b.indicators[0].text == "Number of users for Chatbot"
    assert a.parties == ("NSO MAPO", "MAPO Members", "other relevant government agencies")
    assert b.parties == ("NSO MAPO", "MAPO Members", "CSOs")
