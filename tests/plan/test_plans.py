"""Several plans: the registry of the built-in NAPTIP 3.0 and plan packages, a catalog per
plan, ``naptip --plan ID`` and a successor synced beside NAPTIP 3.0 (issue 19, parts
1-2)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

from naptip.base.config import parse_settings
from naptip.base.errors import NaptipError
from naptip.occurrences.schedule import build_schedule
from naptip.plan import pluginmanager
from naptip.plan.catalog import Catalog
from naptip.plan.plans import ENV, load_plans, plan_catalog
from naptip.plan.pluginmanager import LoadedPlugins, build_plugin_manager
from naptip.store.db import Database
from naptip.store.orm import Evidence, OccurrenceRow

from ..conftest import db_env

Run = Callable[..., Result]



@pytest.fixture(scope="module")
def builtins() -> LoadedPlugins:
    return build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": ",".join(
        pluginmanager.BUILTIN_PLUGINS)})


def _env(package: Path, **more: str) -> dict[str, str]:
    return {ENV: str(package), **more}


# --- the registry ------------------------------------------------------------------------

def test_without_packages_only_the_builtin_plan(builtins: LoadedPlugins) -> None:
    registry = load_plans(builtins, parse_settings({}), environ={})
    assert list(registry.plans) == ["naptip-3.0"]
    assert registry.problems == []
    # today, after 3.0's end, the most recent plan that started is still 3.0
    assert registry.default(date(2026, 12, 7)).id == "naptip-3.0"
    with pytest.raises(NaptipError, match=r"unknown plan 'naptip-9'; known: naptip-3.0"):
        registry.get("naptip-9")


def test_packages_from_config_env_and_the_default_by_date(
        builtins: LoadedPlugins, package: Path, tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    copy = tmp_path / "plans" / "naptip-4.0"
    shutil.copytree(package, copy)
    settings = parse_settings({"plans": {"packages": ["plans/naptip-4.0"]}}, config)
    assert settings.plan_packages == (copy,)  # relative to the configuration's folder
    registry = load_plans(builtins, settings, environ={})
    assert list(registry.plans) == ["naptip-3.0", "naptip-4.0"]
    assert str(copy) in registry.plans["naptip-4.0"].origin
    assert "plans.packages" in registry.plans["naptip-4.0"].origin
    assert registry.plans["naptip-3.0"].origin == "built-in"
    # running today: 4.0; inside 3.0's period: 3.0; before either: the first to start
    assert registry.default(date(2026, 12, 7)).id == "naptip-4.0"
    assert registry.default(date(2023, 5, 1)).id == "naptip-3.0"
    assert registry.default(date(2019, 1, 1)).id == "naptip-3.0"
    # through the environment variable too (the same folder twice is one plan)
    registry = load_plans(builtins, settings, environ={ENV: os.pathsep.join(
        [str(copy), str(package)])})
    assert registry.problems and "already taken" in str(registry.problems[0])
    assert list(registry.plans) == ["naptip-3.0", "naptip-4.0"]


def test_a_bad_package_is_named_and_the_others_load(builtins: LoadedPlugins, package: Path,
                                                     tmp_path: Path) -> None:
    bad = tmp_path / "broken"
    shutil.copytree(package, bad)
    (bad / "activities" / "pirates.toml").write_text("")
    missing = tmp_path / "nowhere"
    registry = load_plans(builtins, parse_settings({}), environ={ENV: os.pathsep.join(
        [str(bad), str(missing), str(package)])})
    assert list(registry.plans) == ["naptip-3.0", "naptip-4.0"]
    lines = [str(p) for p in registry.problems]
    assert len(lines) == 2
    assert lines[0].startswith(f"plan package {bad} (named by NAPTIP_PLAN_PACKAGES): ")
    assert "unknown committee 'pirates'" in lines[0]
    assert lines[1].startswith(f"plan package {missing} ")
    assert "not a folder" in lines[1]


def test_a_plan_id_taken_twice_is_a_problem(builtins: LoadedPlugins, package: Path,
                                            tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(package, twin)
    same_as_builtin = tmp_path / "again-3.0"
    shutil.copytree(package, same_as_builtin)
    toml = same_as_builtin / "plan.toml"
    toml.write_text(toml.read_text().replace('id = "naptip-4.0"', 'id = "naptip-3.0"', 1))
    registry = load_plans(builtins, parse_settings({}), environ={ENV: os.pathsep.join(
        [str(package), str(twin), str(same_as_builtin)])})
    assert list(registry.plans) == ["naptip-3.0", "naptip-4.0"]
    lines = [str(p) for p in registry.problems]
    assert len(lines) == 2
    assert f"plan package {twin}" in lines[0]
    assert "plan id 'naptip-4.0' is already taken by " + str(package) in lines[0]
    assert "plan id 'naptip-3.0' is already taken by built-in" in lines[1]


def test_the_config_key_is_validated() -> None:
    with pytest.raises(NaptipError, match=r"plans.packages: must be a list of folder"):
        parse_settings({"plans": {"packages": "naptip-4.0"}})
    with pytest.raises(NaptipError, match=r"plans.folders: unknown key"):
        parse_settings({"plans": {"folders": []}})


def test_a_plugin_names_packages(register_plugin: Callable[[object, str], Catalog],
                                 loaded: LoadedPlugins, package: Path) -> None:
    from naptip import hookimpl

    class Successor:
        @hookimpl
        def naptip_plan_packages(self) -> list[Path]:
            return [package]

    class Wrong:
        @hookimpl
        def naptip_plan_packages(self) -> list[object]:
            return [42]

    register_plugin(Successor(), "successor")
    register_plugin(Wrong(), "wrong")
    registry = load_plans(loaded, parse_settings({}), environ={})
    assert registry.plans["naptip-4.0"].origin == f"{package} (plugin 'successor')"
    assert [str(p) for p in registry.problems] == [
        "plugin 'wrong': hook naptip_plan_packages returned int; expected a folder path"]


# --- a catalog per plan -------------------------------------------------------------------

def test_the_package_plans_catalog(builtins: LoadedPlugins, package: Path,
                                   builtin_catalog: Catalog) -> None:
    registry = load_plans(builtins, parse_settings({}), environ={ENV: str(package)})
    catalog = plan_catalog(builtins, registry, "naptip-4.0")
    assert catalog.problems == []
    assert catalog.structure.plan.id == "naptip-4.0"
    assert len(catalog.activities) == 20  # the package's, none of the plugins' 210
    assert set(catalog.activities) == {a.id for a in registry.plans["naptip-4.0"].package
                                       .activities}  # type: ignore[union-attr]
    assert catalog.committees.keys() == builtin_catalog.committees.keys()
    assert catalog.agencies.keys() == builtin_catalog.agencies.keys()
    # NAPTIP 3.0's duties all fall in 2021-2025: none serves 4.0 in this slice
    assert catalog.duties == {}
    assert catalog.other_plan_duties == set(builtin_catalog.duties)
    schedule = build_schedule(catalog)
    ids = [o.id for o in schedule.occurrences]
    assert ids and all(i.startswith("naptip-4.0:S") for i in ids)
    assert "naptip-4.0:S1-O1-i@2026" in ids
    assert all(2026 <= o.due.year <= 2031 for o in schedule.occurrences)
    # ...and NAPTIP 3.0's catalog, with the package known, is the same as ever
    old = plan_catalog(builtins, registry, "naptip-3.0")
    assert old.problems == []
    assert len(old.activities) == 210
    assert old.activities == builtin_catalog.activities
    assert old.duties.keys() == builtin_catalog.duties.keys()
    assert [o.id for o in build_schedule(old).occurrences] == [
        o.id for o in build_schedule(builtin_catalog).occurrences]
    assert "S1-O1-i@2021" in build_schedule(old).by_id


# --- the command line ---------------------------------------------------------------------

def test_plan_option_on_show_schedule_and_export(run: Run, package: Path,
                                                 tmp_path: Path) -> None:
    env = _env(package, NAPTIP_AS_OF="2026-12-07")
    shown = run("--plan", "naptip-4.0", "plan", "show", env=env)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("NAPTIP 2026-2030 (synthetic draft)  (20 activity")
    # the default today is the running plan: the same without --plan
    assert run("plan", "show", env=env).stdout == shown.stdout
    old = run("--plan", "naptip-3.0", "plan", "show", env=env)
    assert old.exit_code == 0 and "(NAPTIP) 2021-2025  (210" in old.stdout
    schedule = run("--plan", "naptip-4.0", "schedule", "--from", "2027-01-01",
                   "--to", "2027-12-31", "--format", "json", env=env)
    assert schedule.exit_code == 0, schedule.output
    items = json.loads(schedule.stdout)
    rows = items if isinstance(items, list) else items["occurrences"]
    assert rows and all(r["id"].startswith("naptip-4.0:") for r in rows)
    matrix = tmp_path / "m.csv"
    exported = run("--plan", "naptip-4.0", "plan", "export", "--format", "matrix", "-o",
                   str(matrix), env=env)
    assert exported.exit_code == 0, exported.output
    assert "naptip-4.0" not in matrix.read_text(encoding="utf-8-sig").split("\n", 1)[0]
    assert len(matrix.read_text(encoding="utf-8-sig").splitlines()) > 20
    checked = run("--plan", "naptip-4.0", "plugins", "check", env=env)
    assert checked.exit_code == 0, checked.output


def test_unknown_plan_is_one_line(run: Run, package: Path) -> None:
    result = run("--plan", "naptip-5.0", "plan", "show", env=_env(package))
    assert result.exit_code != 0
    assert result.stderr.strip() == ("Error: unknown plan 'naptip-5.0'; known: naptip-3.0, "
                                     "naptip-4.0 (`naptip plan list` shows them)")
    by_env = run("schedule", env={**_env(package), "NAPTIP_PLAN": "nope"})
    assert by_env.exit_code != 0 and "unknown plan 'nope'" in by_env.stderr
    assert "Traceback" not in by_env.output


def test_plan_list_shows_every_plan(run: Run, package: Path) -> None:
    listed = run("plan", "list", env=_env(package, NAPTIP_AS_OF="2026-12-07"))
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert lines[0] == ("  naptip-3.0  NAPTIP 3.0  2021-01-01 to 2025-12-31  closed since "
                        "2026-01-01")
    assert lines[2] == "    from: built-in"
    assert lines[3] == "* naptip-4.0  NAPTIP 4.0  2026-01-01 to 2030-12-31  running"
    assert lines[5] == f"    from: {package} (NAPTIP_PLAN_PACKAGES)"
    assert all(len(line) <= 80 for line in lines if "from:" not in line)
    early = run("plan", "list", "--format", "json", env=_env(package, NAPTIP_AS_OF="2023-06-01"))
    doc = json.loads(early.stdout)
    assert [(p["id"], p["state"], p["chosen"]) for p in doc] == [
        ("naptip-3.0", "running", True), ("naptip-4.0", "draft", False)]
    assert doc[1]["package"] == str(package)


# --- two plans in one store ----------------------------------------------------------------

def _counts(db: Database) -> dict[str, int]:
    from sqlalchemy import func, select

    with db.reading() as session:
        return dict(session.execute(select(OccurrenceRow.plan_id, func.count())
                                    .group_by(OccurrenceRow.plan_id)).all())


def test_a_successor_synced_beside_naptip_3(run: Run, db: Database, package: Path,
                                            tmp_path: Path) -> None:
    from sqlalchemy import func, select

    env = {**db_env(db), ENV: str(package), "NAPTIP_USER": "agc-officer"}
    old = {**env, "NAPTIP_AS_OF": "2024-03-01"}
    assert run("--plan", "naptip-3.0", "sync", env=old).exit_code == 0
    submitted = run("--plan", "naptip-3.0", "evidence", "submit", "S1-O1-i@2023",
                    "--value", "1=2", env=old)
    assert submitted.exit_code == 0, submitted.output
    counts = _counts(db)
    with db.reading() as session:
        before = [(r.id, r.progress, r.withdrawn, r.due, r.fingerprint) for r in session
                  .execute(select(OccurrenceRow).order_by(OccurrenceRow.id)).scalars()]
        evidence = [(e.id, e.occurrence_id, e.submitted_at) for e in session
                    .execute(select(Evidence)).scalars()]
    assert evidence and evidence[0][1] == "S1-O1-i@2023"

    today = {**env, "NAPTIP_AS_OF": "2026-12-07"}
    synced = run("--plan", "naptip-4.0", "sync", env=today)
    assert synced.exit_code == 0, synced.output
    again = run("sync", env=today)  # today's default plan is 4.0: nothing more to do
    assert again.exit_code == 0 and "nothing to change" in again.output
    after = _counts(db)
    assert after["naptip-3.0"] == counts["naptip-3.0"]
    assert after["naptip-4.0"] > 20
    with db.reading() as session:
        old_rows = [(r.id, r.progress, r.withdrawn, r.due, r.fingerprint) for r in session
                    .execute(select(OccurrenceRow).where(OccurrenceRow.plan_id == "naptip-3.0")
                             .order_by(OccurrenceRow.id)).scalars()]
        assert old_rows == before
        assert [(e.id, e.occurrence_id, e.submitted_at) for e in session
                .execute(select(Evidence)).scalars()] == evidence
        new_ids = session.execute(select(OccurrenceRow.id).where(
            OccurrenceRow.plan_id == "naptip-4.0")).scalars().all()
        assert all(i.startswith("naptip-4.0:") for i in new_ids)
    verified = run("audit", "verify", env=today)
    assert verified.exit_code == 0, verified.output

    status_new = run("--plan", "naptip-4.0", "status", "--format", "json", env=today)
    status_old = run("--plan", "naptip-3.0", "status", "--format", "json", env=today)
    assert status_new.exit_code == 0, status_new.output
    assert status_old.exit_code == 0, status_old.output
    assert _total(json.loads(status_new.stdout)) == after["naptip-4.0"]
    assert _total(json.loads(status_old.stdout)) == after["naptip-3.0"]
    # publishing one plan's calendars never cancels the other's entries
    from naptip.store.orm import CalendarEntry

    assert run("--plan", "naptip-3.0", "calendar", "publish", "--to", str(tmp_path / "c3"),
               env=today).exit_code == 0
    with db.reading() as session:
        old_entries = session.execute(select(func.count()).select_from(CalendarEntry).where(
            CalendarEntry.status == "confirmed")).scalar()
    assert old_entries
    published = run("--plan", "naptip-4.0", "calendar", "publish", "--to",
                    str(tmp_path / "c4"), env=today)
    assert published.exit_code == 0, published.output
    with db.reading() as session:
        statuses = dict(session.execute(select(CalendarEntry.status, func.count())
                                        .group_by(CalendarEntry.status)).all())
    assert statuses.get("cancelled", 0) == 0
    assert statuses["confirmed"] > old_entries
    # the reminders read only the chosen plan's occurrences
    from naptip.people.reminders import remindable_occurrences

    loaded = build_plugin_manager(environ={})
    registry = load_plans(loaded, parse_settings({}), environ={ENV: str(package)})
    for plan_id in ("naptip-3.0", "naptip-4.0"):
        rows = remindable_occurrences(db, plan_catalog(loaded, registry, plan_id))
        assert rows and {r.plan_id for r in rows} == {plan_id}
    # syncing 3.0 again withdraws nothing of 4.0 either
    assert run("--plan", "naptip-3.0", "sync", env=old).exit_code == 0
    assert _counts(db) == after


def _total(doc: dict[str, dict[str, int]]) -> int:
    """The number of occurrences a status document counts."""
    return doc["total"]["total"]


def test_a_successors_first_run_adopts_it_on_its_own(run: Run, db: Database,
                                                     package: Path) -> None:
    """Runs of NAPTIP 3.0 in the store do not make the successor a store that "ran before
    adoption days were recorded": its own first run adopts it."""
    env = {**db_env(db), ENV: str(package)}
    first = run("--as-of", "2024-03-01", "run", env=env)
    assert first.exit_code == 0, first.output
    later = run("--as-of", "2026-12-07", "run", env=env)
    assert later.exit_code == 0, later.output
    assert "NAPTIP 4.0 adopted on" in later.output
    listed = json.loads(run("plan", "list", "--format", "json",
                            env={**env, "NAPTIP_AS_OF": "2026-12-07"}).stdout)
    assert listed[1]["id"] == "naptip-4.0"
    assert listed[1]["adopted_how"] == "first run"
