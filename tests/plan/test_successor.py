"""The successor plan beside NAPTIP 3.0 and the duties it carries on (issue 19, "Must
show"): a synthetic NAPTIP 4.0 made with ``plan import``, its plan.toml given
``predecessor`` and ``continues`` as the secretariat would, loaded and synced beside 3.0 in
one store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from naptip.base.config import parse_settings
from naptip.cli import cli
from naptip.occurrences.schedule import build_schedule
from naptip.plan import pluginmanager
from naptip.plan.catalog import Catalog
from naptip.plan.plans import ENV, load_plans, plan_catalog
from naptip.plan.pluginmanager import LoadedPlugins, build_plugin_manager
from naptip.store.db import Database
from naptip.store.orm import Evidence, OccurrenceRow

from ..conftest import db_env
from ..web_support import LEAD, OCCURRENCE, people, serve

Run = Callable[..., Result]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plans" / "naptip-4.0-draft.csv"
CONTINUES = ["world-day", "enforcement-meeting", "enforcement-committee-meeting",
             "media-committee-meeting", "mapo-meeting"]


def _make(folder: Path, continues: list[str]) -> Path:
    result = CliRunner().invoke(cli, [
        "plan", "import", str(EXAMPLE), "-o", str(folder), "--id", "naptip-4.0",
        "--title", "NAPTIP 2026-2030 (synthetic draft)", "--period", "2026-2030"],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    plan_toml = folder / "plan.toml"
    text = plan_toml.read_text(encoding="utf-8")
    head, rest = text.split("timezone = ", 1)
    zone, rest = rest.split("\n", 1)
    listed = ", ".join(f'"{d}"' for d in continues)
    plan_toml.write_text(f'{head}timezone = {zone}\npredecessor = "naptip-3.0"\n'
                         f"continues = [{listed}]\n{rest}", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def successor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make(tmp_path_factory.mktemp("plans") / "naptip-4.0", CONTINUES)


@pytest.fixture(scope="module")
def builtins() -> LoadedPlugins:
    return build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": ",".join(
        pluginmanager.BUILTIN_PLUGINS)})


def _catalogs(loaded: LoadedPlugins, package: Path) -> tuple[Catalog, Catalog]:
    registry = load_plans(loaded, parse_settings({}), environ={ENV: str(package)})
    return (plan_catalog(loaded, registry, "naptip-3.0"),
            plan_catalog(loaded, registry, "naptip-4.0"))


def test_continued_duties_go_on_with_the_host_rotation(builtins: LoadedPlugins,
                                                        successor: Path,
                                                        builtin_catalog: Catalog) -> None:
    old, new = _catalogs(builtins, successor)
    assert new.problems == [] and old.problems == []
    assert set(new.duties) == set(CONTINUES)
    # NAPTIP 3.0's own schedule is the same as without a successor, id for id, host for host
    alone = build_schedule(builtin_catalog)
    assert [(o.id, o.due, o.host, o.rule) for o in build_schedule(old).occurrences] == [
        (o.id, o.due, o.host, o.rule) for o in alone.occurrences]
    schedule = build_schedule(new)
    meetings = [o for o in schedule.occurrences if o.duty == "enforcement-meeting"]
    assert [o.id for o in meetings[:2]] == ["enforcement-meeting@2026-02-10",
                                            "enforcement-meeting@2026-05-12"]
    assert all(o.id == f"enforcement-meeting@{o.unshifted}" for o in meetings)
    assert meetings[-1].unshifted.year == 2030 and len(meetings) == 20
    before = [o for o in alone.occurrences if o.duty == "enforcement-meeting"]
    hosts = ["rmp", "jim", "customs", "mmea", "jtksm"]
    # 20 meetings in 2021-2025 (turns 1-20, the last hosted by jtksm): 2026's first is
    # turn 21 of the same series, and the sequence runs on across the boundary
    sequence = [o.host for o in before] + [o.host for o in meetings]
    assert sequence == [hosts[n % 5] for n in range(len(sequence))]
    assert before[-1].host == "jtksm" and meetings[0].host == "rmp"
    assert "turn 21 of the series" in meetings[0].rule
    assert "carried on from naptip-3.0" in meetings[0].source
    # World Day goes on, but the 3.0 activity it fulfilled stays 3.0's
    days = [o for o in schedule.occurrences if o.duty == "world-day"]
    assert [o.id for o in days if "/" not in o.id][:2] == ["world-day@2026-07-30",
                                                          "world-day@2027-07-30"]
    assert "world-day@2026-07-30/report" in schedule.by_id
    assert all(o.activity is None for o in days)
    assert {o.id.split("@")[0] for o in schedule.occurrences if o.duty} <= set(CONTINUES)
    assert all(o.due.year >= 2026 for o in schedule.occurrences)
    assert "annual-review" not in new.duties and "final-evaluation" not in new.duties


def test_an_unknown_continued_duty_is_a_problem_naming_the_package(
        builtins: LoadedPlugins, tmp_path: Path) -> None:
    folder = _make(tmp_path / "naptip-4.0", ["world-day", "enforcement-meetings"])
    _old, new = _catalogs(builtins, folder)
    [problem] = new.problems
    assert str(folder) in str(problem.source)
    assert "continues: naptip-3.0 has no duty 'enforcement-meetings'" in problem.message
    assert set(new.duties) == {"world-day"}


def _status(run: Run, plan: str, env: dict[str, str]) -> dict[str, object]:
    result = run("--plan", plan, "status", "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def test_the_successor_beside_naptip_3_in_one_store(run: Run, db: Database,
                                                    successor: Path) -> None:
    from sqlalchemy import select

    env = {**db_env(db), ENV: str(successor), "NAPTIP_USER": "agc-officer"}
    old = {**env, "NAPTIP_AS_OF": "2024-03-01"}
    today = {**env, "NAPTIP_AS_OF": "2026-12-07"}
    assert run("--plan", "naptip-3.0", "sync", env=old).exit_code == 0
    submitted = run("--plan", "naptip-3.0", "evidence", "submit", "S1-O1-i@2023",
                    "--value", "1=2", env=old)
    assert submitted.exit_code == 0, submitted.output
    with db.reading() as session:
        evidence = [(e.id, e.occurrence_id, e.submitted_at) for e in session
                    .execute(select(Evidence)).scalars()]
        old_rows = [(r.id, r.progress, r.due, r.fingerprint) for r in session.execute(
            select(OccurrenceRow).order_by(OccurrenceRow.id)).scalars()]
    synced = run("--plan", "naptip-4.0", "sync", env=today)
    assert synced.exit_code == 0, synced.output
    with db.reading() as session:
        assert [(e.id, e.occurrence_id, e.submitted_at) for e in session
                .execute(select(Evidence)).scalars()] == evidence
        assert [(r.id, r.progress, r.due, r.fingerprint) for r in session.execute(
            select(OccurrenceRow).where(OccurrenceRow.plan_id == "naptip-3.0")
            .order_by(OccurrenceRow.id)).scalars()] == old_rows
        # the continued meetings are stored as the successor's, ids unchanged in form
        plans = dict(session.execute(select(OccurrenceRow.id, OccurrenceRow.plan_id).where(
            OccurrenceRow.id.like("enforcement-meeting@%"))).all())
    assert plans["enforcement-meeting@2025-11-11"] == "naptip-3.0"
    assert plans["enforcement-meeting@2026-02-10"] == "naptip-4.0"
    assert sum(p == "naptip-4.0" for p in plans.values()) == 20
    assert run("audit", "verify", env=today).exit_code == 0

    # both schedules, each its own plan's
    new_schedule = run("--plan", "naptip-4.0", "schedule", "--from", "2025-10-01", "--to",
                       "2026-06-30", "--format", "json", env=today)
    assert new_schedule.exit_code == 0, new_schedule.output
    rows = json.loads(new_schedule.stdout)
    rows = rows if isinstance(rows, list) else rows["occurrences"]
    assert rows and all(r["due"] >= "2026-01-01" for r in rows)
    hosts = [r.get("host") for r in rows if r["id"].startswith("enforcement-meeting@")]
    assert hosts[:2] == ["rmp", "jim"]
    old_schedule = run("--plan", "naptip-3.0", "schedule", "--from", "2025-10-01", "--to",
                       "2026-06-30", "--format", "json", env=today)
    rows = json.loads(old_schedule.stdout)
    rows = rows if isinstance(rows, list) else rows["occurrences"]
    assert [r.get("host") for r in rows if r["id"].startswith("enforcement-meeting@")] == [
        "jtksm"]

    # status of each plan counts only its own occurrences
    with db.reading() as session:
        from sqlalchemy import func

        counts = dict(session.execute(select(OccurrenceRow.plan_id, func.count())
                                      .group_by(OccurrenceRow.plan_id)).all())
    for plan in ("naptip-3.0", "naptip-4.0"):
        doc = _status(run, plan, today)
        assert doc["total"]["total"] == counts[plan]  # type: ignore[index]

    # an annual report for each plan: its own title, its own occurrences
    new_report = run("--plan", "naptip-4.0", "report", "annual", "--year", "2026",
                     "--format", "json", env=today)
    assert new_report.exit_code == 0, new_report.output
    old_report = run("--plan", "naptip-3.0", "report", "annual", "--year", "2024",
                     "--format", "json", env=today)
    assert old_report.exit_code == 0, old_report.output
    new, old_doc = json.loads(new_report.stdout), json.loads(old_report.stdout)
    assert len(new["activities"]) == 20  # the successor's 20 activities, none of 3.0's
    assert all(o.startswith("naptip-4.0:") for a in new["activities"]
               for o in a["occurrences"])
    assert {o["occurrence"] for o in new["overdue"]} >= {"enforcement-meeting@2026-02-10"}
    assert all(o["occurrence"].startswith("naptip-4.0:") or "@2026-" in o["occurrence"]
               for o in new["overdue"])
    assert new["plan_state"]["state"] == "running"
    assert len(old_doc["activities"]) > 150
    assert not any(o.startswith("naptip-4.0:") for a in old_doc["activities"]
                   for o in a["occurrences"])
    assert old_doc["plan_state"] == {"state": "closed", "closed_since": "2026-01-01"}
    assert "S1-O1-i@2023" not in new_report.stdout
    # the title page names each plan by its own short title
    html = run("--plan", "naptip-4.0", "report", "annual", "--year", "2026", env=today)
    assert html.exit_code == 0, html.output
    assert "Anti-Trafficking in Persons (NAPTIP 4.0)" in html.stdout
    assert "NAPTIP 3.0" not in html.stdout
    old_html = run("--plan", "naptip-3.0", "report", "annual", "--year", "2024", env=today)
    assert "Anti-Trafficking in Persons (NAPTIP 3.0)" in old_html.stdout

    # the portal serving the successor's catalog: My work is 4.0's, none of 3.0's
    loaded = build_plugin_manager(environ={})
    _old, catalog = _catalogs(loaded, successor)
    people(db)
    with serve(db, catalog, today=date(2026, 12, 7)) as served, served.client(LEAD) as client:
        page = client.get("/work")
        assert page.status_code == 200, page.text
        assert "NAPTIP 4.0 evidence portal" in page.text
        assert "NAPTIP 3.0" not in page.text
        shown = re.findall(r'<a href="/occurrence/([^"]+)" class="id">', page.text)
        assert "enforcement-meeting@2026-02-10" in shown
        assert any(i.startswith("naptip-4.0:") for i in shown)
        assert all(i.startswith("naptip-4.0:") or re.search(r"@20(2[6-9]|30)-", i)
                   for i in shown), shown
        assert OCCURRENCE not in page.text  # 3.0's enforcement item of 2023
        # a 3.0 occurrence is not this portal's to show
        assert client.get(f"/occurrence/{OCCURRENCE}").status_code == 404
    with serve(db, _old, today=date(2026, 12, 7)) as served, served.client(LEAD) as client:
        page = client.get("/work")
        assert "NAPTIP 3.0 evidence portal" in page.text
        shown = re.findall(r'<a href="/occurrence/([^"]+)" class="id">', page.text)
        assert shown and not any(i.startswith("naptip-4.0:") or "@2026-" in i
                                 for i in shown)

    # the reminders of each plan: 4.0's digest speaks of 4.0's work only
    soon = {**today, "NAPTIP_AS_OF": "2027-01-25"}
    reminded = run("--plan", "naptip-4.0", "remind", "--dry-run", "--to", LEAD, env=soon)
    assert reminded.exit_code == 0, reminded.output
    assert "NAPTIP 4.0 reminder" in reminded.stdout
    assert "NAPTIP 3.0" not in reminded.stdout
    assert "enforcement-committee-meeting@2027-01-07" in reminded.stdout  # continued
    assert "naptip-4.0:S2-O1-i@2026" in reminded.stdout
    assert "S19-O1-viii" not in reminded.stdout

    # each plan's day's work publishes its own feeds beside the other's, and the same
    # subscribed feeds spanning both (docs/calendars.md#feeds-across-plans)
    feeds = db.blobs.parent / "feeds"
    contacts = {**today, "NAPTIP_CALENDAR_DIR": str(feeds)}
    for plan in ("naptip-3.0", "naptip-4.0", "naptip-3.0"):
        published = run("--plan", plan, "run", env=contacts)
        assert published.exit_code == 0, published.output
    names = sorted(p.name for p in feeds.glob("*.ics"))
    assert {"plan.ics", "committee-enforcement.ics", "naptip-4.0-plan.ics",
            "naptip-4.0-committee-enforcement.ics"} <= set(names)
    old_feed = (feeds / "plan.ics").read_text(encoding="utf-8")
    new_feed = (feeds / "naptip-4.0-plan.ics").read_text(encoding="utf-8")
    assert "S1-O1-i@2023" in old_feed and "naptip-4.0:S2-O1-i@2026" in old_feed
    assert "naptip-4.0:S2-O1-i@2026" in new_feed and "S1-O1-i@2023" not in new_feed
    private = [n for n in names if not n.startswith(("plan", "committee", "naptip-4.0-"))]
    assert len(private) == len(people_emails(db))  # each contact: one feed for both plans


@pytest.mark.parametrize(("lines", "message"), [
    ('continues = ["world-day"]', "'continues' needs 'predecessor'"),
    ('predecessor = "naptip-3.0"\ncontinues = "world-day"', "'continues' must be a list"),
    ('predecessor = "naptip-3.0"\ncontinues = ["world-day", "world-day"]', "names a duty twice"),
    ('predecessor = 3', "'predecessor' must be another plan's id"),
])
def test_predecessor_and_continues_are_checked(lines: str, message: str) -> None:
    from naptip.base.errors import NaptipError
    from naptip.plan.plandata import parse_structure

    text = ('[plan]\nid = "naptip-4.0"\ntitle = "T"\nshort_title = "NAPTIP 4.0"\n'
            'start = 2026-01-01\nend = 2030-12-31\ntimezone = "Asia/Kuala_Lumpur"\n'
            f"{lines}\n")
    with pytest.raises(NaptipError, match=r"^x/plan.toml: \[plan\]: .*" + re.escape(message)):
        parse_structure(text, "x/plan.toml")


def test_a_continued_duty_adds_no_step_before_the_successor_starts(
        builtins: LoadedPlugins, successor: Path) -> None:
    from dataclasses import replace

    from naptip.base.model import Milestone

    _old, new = _catalogs(builtins, successor)
    early = Milestone(id="book-venue", title="Venue booked", offset_days=-400)
    [version] = new.versions["world-day"]
    duty = replace(version.duty, milestones=(early,))
    new.versions["world-day"] = (replace(version, duty=duty),)
    new.duties["world-day"] = duty
    steps = [o for o in build_schedule(new).occurrences if o.id.endswith("/book-venue")]
    # 2026-07-30's step would fall in June 2025, NAPTIP 3.0's time: left out
    assert [o.id for o in steps][:1] == ["world-day@2027-07-30/book-venue"]
    assert steps[0].due.year == 2026


def people_emails(db: Database) -> list[str]:
    from naptip.people.contacts import ContactDirectory

    return [c.email for c in ContactDirectory(db).all() if c.active]


WEDNESDAYS = {"duties": {"enforcement-meeting": {
    "from": date(2027, 1, 1),
    "recurrence": "DTSTART;TZID=Asia/Kuala_Lumpur:20270210T100000\n"
                  "RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE;UNTIL=20301231T155959Z"}}}


def test_a_configured_change_from_a_day_of_the_successor_changes_the_continued_duty(
        builtins: LoadedPlugins, successor: Path, builtin_catalog: Catalog) -> None:
    registry = load_plans(builtins, parse_settings(WEDNESDAYS), environ={ENV: str(successor)})
    old = plan_catalog(builtins, registry, "naptip-3.0", settings=parse_settings(WEDNESDAYS))
    new = plan_catalog(builtins, registry, "naptip-4.0", settings=parse_settings(WEDNESDAYS))
    assert old.problems == [] and new.problems == []
    # NAPTIP 3.0 is untouched by a change from 2027
    assert [(o.id, o.due, o.host) for o in build_schedule(old).occurrences
            if o.duty == "enforcement-meeting"] == [
        (o.id, o.due, o.host) for o in build_schedule(builtin_catalog).occurrences
        if o.duty == "enforcement-meeting"]
    meetings = [o for o in build_schedule(new).occurrences if o.duty == "enforcement-meeting"]
    assert [o.unshifted.weekday() for o in meetings if o.due.year == 2026] == [1] * 4  # Tue
    later = [o for o in meetings if o.due.year >= 2027]
    assert len(later) == 16 and {o.unshifted.weekday() for o in later} == {2}  # Wed
    assert later[0].due == date(2027, 2, 10)
    assert later[0].id == "enforcement-meeting@2027-02-09"  # keeps its month's id
    hosts = ["rmp", "jim", "customs", "mmea", "jtksm"]
    assert [o.host for o in meetings] == [hosts[n % 5] for n in range(len(meetings))]
    assert "turn 25 of the series" in later[0].rule and "version 2 of 2" in later[0].rule
    versions = new.versions["enforcement-meeting"]
    assert [(v.start, v.end) for v in versions] == [(date(2026, 1, 1), date(2027, 1, 1)),
                                                    (date(2027, 1, 1), None)]
    assert "carried on from naptip-3.0" in versions[0].sources[0]
    assert versions[1].sources[-1] == "configuration [duties.enforcement-meeting]"


@pytest.mark.parametrize(("change", "message"), [
    ({"annual-review": {"from": date(2027, 1, 1), "lead_times": [7]}},
     "from: 2027-01-01 is in naptip-4.0, which has no duty 'annual-review'"),
    ({"enforcement-meeting": {"from": date(2027, 1, 1), "hosts": ["rmp", "nobody"]}},
     "hosts: unknown agency or committee 'nobody'"),
])
def test_a_change_for_the_successor_that_it_cannot_apply_is_one_line(
        builtins: LoadedPlugins, successor: Path, change: dict[str, object],
        message: str) -> None:
    from naptip.base.errors import NaptipError

    settings = parse_settings({"duties": change})
    registry = load_plans(builtins, settings, environ={ENV: str(successor)})
    plan_catalog(builtins, registry, "naptip-3.0", settings=settings)  # 3.0 leaves it be
    with pytest.raises(NaptipError, match=re.escape(message)):
        plan_catalog(builtins, registry, "naptip-4.0", settings=settings)


def test_the_command_line_applies_the_change_to_the_successor(
        run: Run, tmp_path: Path, successor: Path) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text('[duties.enforcement-meeting]\nfrom = 2027-01-01\nrecurrence = """\n'
                      "DTSTART;TZID=Asia/Kuala_Lumpur:20270210T100000\n"
                      "RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE;UNTIL=20301231T155959Z\n"
                      '"""\n', encoding="utf-8")
    env = {ENV: str(successor), "NAPTIP_CONFIG": str(config), "NAPTIP_AS_OF": "2026-12-07"}
    explained = run("--plan", "naptip-4.0", "schedule", "explain",
                    "enforcement-meeting@2027-02-09", env=env)
    assert explained.exit_code == 0, explained.output
    assert "2027-02-10" in explained.output and "version 2 of 2" in explained.output
    checked = run("--plan", "naptip-3.0", "plugins", "check", env=env)
    assert checked.exit_code == 0, checked.output
