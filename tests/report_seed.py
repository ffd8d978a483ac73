"""A store seeded with known evidence for the report tests, the sample pages in
docs/reports/ and anyone who wants to look at a report: ``python -m tests.report_seed DIR``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from naptip.progress.evidence import EvidenceService, Submission

AS_OF = date(2024, 6, 30)  #: every 2023 progress report is past due on this day
YEAR = 2023


@dataclass(frozen=True)
class Seeded:
    on_time: int  #: S9-O1-v@2023: 3 stories, accepted, submitted on time
    late: int  #: S9-O1-iii@2023: 10 people (by sex, nationality, age), accepted, late
    pending: int  #: S9-O4-i@2023: 5 people, never reviewed
    returned: int  #: S5-O2-i@2023: returned
    resubmitted: int  #: S5-O2-i@2023: accepted after it was returned
    nil: int  #: S15-O6-iii@2023: on demand, nil return accepted


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=UTC)


def seed(service: EvidenceService, files: Path) -> Seeded:
    files.mkdir(parents=True, exist_ok=True)
    doc = files / "guidelines.pdf"
    doc.write_bytes(b"%PDF-1.7\n% guidelines on victim identification\n")

    def submit(occurrence: str, when: str, **kwargs: object) -> int:
        sub = Submission(occurrence_id=occurrence, actor="kkmm.officer", **kwargs)  # type: ignore[arg-type]
        return service.submit(sub, today=AS_OF, now=_at(when))

    def review(eid: int, when: str, reason: str | None = None) -> None:
        service.review(eid, accept=reason is None, reason=reason, actor="mapo.reviewer",
                       now=_at(when))

    on_time = submit("S9-O1-v@2023", "2024-01-10", values={"1": "3"},
                     done_on=date(2023, 12, 1))
    review(on_time, "2024-01-15")
    late = submit("S9-O1-iii@2023", "2024-03-05", values={"1": "10"},
                  done_on=date(2023, 11, 20),
                  breakdown={"sex": {"female": "6", "male": "4"},
                             "nationality": {"malaysian": "7", "indonesian": "3"},
                             "age": {"child": "2", "adult": "8"}})
    review(late, "2024-03-06")
    pending = submit("S9-O4-i@2023", "2024-01-20", values={"1": "5"},
                     breakdown={"sex": {"female": "5"}})
    returned = submit("S5-O2-i@2023", "2024-01-05", values={"2": "1500.50"},
                      files=[str(doc)])
    review(returned, "2024-01-08", reason="Attach the signed guidelines.")
    resubmitted = submit("S5-O2-i@2023", "2024-01-12", values={"2": "1500.50"},
                         files=[str(doc)], done_on=date(2024, 1, 11))
    review(resubmitted, "2024-01-20")
    nil = submit("S15-O6-iii@2023", "2024-01-02", nil=True)
    review(nil, "2024-01-03")
    return Seeded(on_time, late, pending, returned, resubmitted, nil)


@dataclass(frozen=True)
class SeededMore:
    """Two more indicators that count people, in 2023, so that no figure pools them."""

    officers: int  #: S7-O1-i@2023 (officers trained): 20 = female 15 + male 5, accepted
    victims: int  #: S15-O4-i@2023 (victims received services): 12 = female 12, accepted
    victims_2022: int  #: S15-O4-i@2022: 4 = female 3 + male 1, accepted (final report)
    narratives: dict[str, int]  #: see NARRATIVES: name -> row id


#: the reviewer's note on accepting the officers' row (the annex prints it)
OFFICERS_NOTE = "Attendance sheets checked against the training register."

#: narratives (committee, kind, year, day entered, parts): "media-1" is replaced by
#: "media-2" before AS_OF; "media-late" is entered after it (not in a report as of AS_OF)
NARRATIVES: dict[str, tuple[str, str, int | None, str, dict[str, str | None]]] = {
    "media-1": ("media", "annual", 2023, "2024-02-15", {
        "gaps": "The campaign survey was not done.", "challenges": None,
        "adjustments": None, "actions": None}),
    "media-2": ("media", "annual", 2023, "2024-05-02", {
        "gaps": None, "challenges": "Two vendors withdrew from the radio campaign.",
        "adjustments": "Move S9-O4-i's outreach to community radio in 2024 (S34-O1-ii).",
        "actions": "KKMM re-tenders the radio slots by 30 June."}),
    "media-late": ("media", "annual", 2023, "2024-08-01", {
        "gaps": "Rewritten after the report was presented.", "challenges": None,
        "adjustments": None, "actions": None}),
    "enforcement": ("enforcement", "annual", 2023, "2024-03-01", {
        "gaps": "Labour inspectors were not trained in 2023.", "challenges": None,
        "adjustments": "Join the S7-O1-i courses with JTKSM.", "actions": None}),
    "victim-care-final": ("victim-care", "final", None, "2024-04-01", {
        "gaps": "Shelter capacity in Sabah.", "challenges": "Interpreters for Myanmar "
        "nationals.", "adjustments": None, "actions": "Two interpreters engaged."}),
}


#: what SeededMore adds, per indicator: the figures the tests check, one by one
MORE_PEOPLE = {
    ("S7-O1-i", 1): {"sex": {"female": 15, "male": 5},
                     "nationality": {"malaysian": 20}, "age": {"adult": 20}},
    ("S15-O4-i", 1): {"sex": {"female": 12}, "nationality": {"indonesian": 7, "myanmar": 5},
                      "age": {"adult": 9, "child": 3}},
}


def seed_more(service: EvidenceService) -> SeededMore:
    """Evidence from the Enforcement and Victim Care committees on top of ``seed``."""

    def accepted(occurrence: str, actor: str, when: str, count: int,
                 breakdown: dict[str, dict[str, str]], note: str | None = None) -> int:
        sub = Submission(occurrence_id=occurrence, actor=actor, values={"1": str(count)},
                         breakdown=breakdown, done_on=date.fromisoformat(when))
        eid = service.submit(sub, today=AS_OF, now=_at(when))
        service.review(eid, accept=True, reason=note, actor="mapo.reviewer", now=_at(when))
        return eid

    officers = accepted("S7-O1-i@2023", "rmp.officer", "2024-01-25", 20, {
        "sex": {"female": "15", "male": "5"}, "nationality": {"malaysian": "20"},
        "age": {"adult": "20"}}, note=OFFICERS_NOTE)
    victims = accepted("S15-O4-i@2023", "mwfcd.officer", "2024-01-29", 12, {
        "sex": {"female": "12"}, "nationality": {"indonesian": "7", "myanmar": "5"},
        "age": {"adult": "9", "child": "3"}})
    earlier = accepted("S15-O4-i@2022", "mwfcd.officer", "2023-01-20", 4, {
        "sex": {"female": "3", "male": "1"}})
    from naptip.reports.narrative import save_narrative

    narratives = {
        name: save_narrative(service.db, committee=c, kind=kind, year=year, parts=parts,
                             actor=f"{c}.secretary", now=_at(day)).id
        for name, (c, kind, year, day, parts) in NARRATIVES.items()}
    return SeededMore(officers, victims, earlier, narratives)


def main(argv: list[str]) -> None:
    """Seed a fresh SQLite store in DIR and print the environment to use it."""
    from naptip.occurrences.materialise import sync
    from naptip.occurrences.schedule import build_schedule
    from naptip.plan import pluginmanager
    from naptip.plan.catalog import build_catalog
    from naptip.store.db import open_database

    folder = Path(argv[0]).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    db = open_database(f"sqlite:///{folder / 'naptip.db'}", blobs=folder / "blobs")
    loaded = pluginmanager.build_plugin_manager()
    catalog = build_catalog(loaded)
    sync(db, catalog, build_schedule(catalog))
    service = EvidenceService(db, catalog, loaded)
    seed(service, folder / "files")
    seed_more(service)
    print(f"NAPTIP_DATABASE_URL={db.url} NAPTIP_BLOB_DIR={db.blobs} NAPTIP_AS_OF={AS_OF}")


if __name__ == "__main__":
    main(sys.argv[1:])
