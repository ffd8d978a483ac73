"""``naptip doctor`` and ``naptip deploy``'s folder check: the store, the Prefect API, and
folders that must be the same on every machine sharing a PostgreSQL store. Real SQLite
and PostgreSQL; "machines" are separate homes and data folders on the shared store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from naptip.flows.serve import free_port
from naptip.store.db import Database, make_engine
from naptip.store.migrate import upgrade
from naptip.work.doctor import BUILTIN, Checked, Setup, run_checks
from tests.support import SCHEMA_HEAD


def machine(db: Database, tmp_path: Path, name: str, *, shared: Path | None = None,
            ) -> dict[str, str]:
    """One machine: the shared store, its own home and data folder; its folders in
    ``shared`` when given, else in its own home."""
    home = tmp_path / name
    base = shared or home
    return {"NAPTIP_DATABASE_URL": db.url, "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"), "NAPTIP_BLOB_DIR": str(base / "blobs"),
            "NAPTIP_CALENDAR_DIR": str(base / "calendars"),
            "NAPTIP_REPORTS_DIR": str(base / "reports")}


def lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line]


def test_a_sound_store_passes(synced: Database, run: Callable[..., Result],
                              tmp_path: Path) -> None:
    done = run("doctor", env=machine(synced, tmp_path, "a"))
    assert done.exit_code == 0, done.output
    [store, prefect, folders] = lines(done)[:3]
    assert store.startswith("ok       store: ") and f"at schema {SCHEMA_HEAD}" in store
    assert prefect.startswith("ok       prefect: PREFECT_API_URL not set")
    assert folders.startswith("ok       folders: ")
    if synced.backend == "sqlite":
        assert "one machine" in folders


def test_no_store_an_old_schema_and_a_silent_prefect_are_one_line_each(
        run: Callable[..., Result], tmp_path: Path) -> None:
    missing = run("doctor", env={"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'no.db'}",
                                 "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api"})
    assert missing.exit_code == 1
    out = lines(missing)
    assert out[0].startswith("problem  store: no naptip store at ")
    assert out[1].startswith("problem  prefect: the Prefect server at http://127.0.0.1:")
    assert out[1].endswith("/api does not answer")
    assert out[2] == "ok       folders: not checked: no store"
    assert out[3] == "ok       contacts: not checked: no store"
    assert out[-1] == "2 problem(s): see docs/deployment.md"
    assert "Traceback" not in missing.output

    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    upgrade(engine, "0006_runs")
    engine.dispose()
    outdated = run("doctor", env={"NAPTIP_DATABASE_URL": f"sqlite:///{old}"})
    assert outdated.exit_code == 1
    assert lines(outdated)[0] == (f"problem  store: the database sqlite:///{old} is at schema "
                                  f"0006_runs, naptip needs {SCHEMA_HEAD}: run "
                                  "`naptip db upgrade`")


def test_a_second_machine_with_its_own_folders_is_refused(
        db: Database, run: Callable[..., Result], tmp_path: Path) -> None:
    first = run("doctor", env=machine(db, tmp_path, "a"))
    assert first.exit_code == 0, first.output
    second = run("doctor", env=machine(db, tmp_path, "b"))
    if db.backend == "sqlite":  # one machine by construction: nothing to compare
        assert second.exit_code == 0, second.output
        return
    assert second.exit_code == 1
    problems = [line for line in lines(second) if line.startswith("problem")]
    assert len(problems) == 3, second.output
    calendars = next(p for p in problems if "calendars folder" in p)
    assert calendars.startswith(f"problem  folders: calendars folder {tmp_path / 'b'}")
    assert f"is not the one the other machines use ({tmp_path / 'a' / 'calendars'} on " \
        in calendars
    assert calendars.endswith("set NAPTIP_CALENDAR_DIR to the shared folder")
    # machines whose folders are the shared ones agree
    shared = tmp_path / "a"
    for name in ("c", "d"):
        agreed = run("doctor", env=machine(db, tmp_path, name, shared=shared))
        assert agreed.exit_code == 0, agreed.output


def test_deploy_refuses_workers_writing_into_their_own_data_folder(
        db: Database, run: Callable[..., Result], tmp_path: Path) -> None:
    env = {"NAPTIP_DATABASE_URL": db.url, "XDG_DATA_HOME": str(tmp_path / "data"),
           "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api"}
    done = run("deploy", "--work-pool", "pool", env=env)
    assert done.exit_code == 1
    if db.backend == "sqlite":  # one machine: no folder to share; the server is down
        assert "does not answer" in done.output
        return
    assert done.output.count("\n") == 1 and "Traceback" not in done.output
    assert done.output.startswith("Error: NAPTIP_BLOB_DIR is not set: with workers, the "
                                  "attachments would stay in each machine's own ")
    assert done.output.rstrip().endswith("(and 2 more: naptip doctor)")


def test_checks_can_be_added_and_a_failing_one_is_a_line(db: Database) -> None:
    from naptip.base.errors import NaptipError

    def broken(setup: Setup) -> Checked:
        raise NaptipError("the portal does not answer")

    results = run_checks(Setup(environ={}, open_store=lambda: db), [*BUILTIN, broken])
    assert [r.name for r in results] == ["store", "prefect", "folders", "broken"]
    assert results[-1].problems == ("the portal does not answer",)
    assert not any(r.problems for r in results[:-1])


#: CliRunner removes a variable given as None
UNSET: dict[str, Any] = {"NAPTIP_WEB_URL": None, "NAPTIP_FEEDS_URL": None,
                         "NAPTIP_CONFIG": None}


def test_what_is_not_set_up_is_one_warning_line_each_and_exit_stays_0(
        synced: Database, run: Callable[..., Result], tmp_path: Path) -> None:
    from naptip.base.contact_types import ContactInfo, Role
    from naptip.people.contacts import ContactDirectory

    directory = ContactDirectory(synced)
    directory.upsert([ContactInfo(name="ACP Lim Wei", email="lead@rmp.gov.my",
                                  roles=(Role(role="lead", scope="enforcement"),)),
                      ContactInfo(name="Encik Tiada", email="nobody@mapo.gov.my")],
                     actor="test")
    env = {**machine(synced, tmp_path, "a"), **UNSET}
    bare = run("doctor", env=env)
    assert bare.exit_code == 0, bare.output
    warnings = [line for line in lines(bare) if line.startswith("warning")]
    assert warnings == [
        "warning  contacts: nobody@mapo.gov.my has no role: gets no reminder",
        *(f"warning  contacts: no lead for {c}: reminders reach nobody"
          for c in ("legislative", "victim-care", "media", "forced-labour", "monitoring",
                    "nso-mapo")),
        "warning  feeds: NAPTIP_FEEDS_URL not set: no feed addresses in the portal",
        "warning  mail: [mail] not set: digests stay in the outbox (naptip outbox list)",
        "warning  portal: NAPTIP_WEB_URL not set: digests give CLI lines, no portal links",
    ]
    assert all(len(line) <= 80 for line in warnings)

    directory.upsert([ContactInfo(name=f"Lead {c}", email=f"lead@{c}.gov.my",
                                  roles=(Role(role="lead", scope=c),))
                      for c in ("legislative", "victim-care", "media", "forced-labour",
                                "monitoring", "nso-mapo")]
                     + [ContactInfo(name="Encik Tiada", email="nobody@mapo.gov.my",
                                    roles=(Role(role="member", scope="media"),))],
                     actor="test")
    config = tmp_path / "naptip.toml"
    config.write_text('[mail]\nurl = "mailtos://naptip:${SMTP_PASSWORD}@smtp.mapo.gov.my"\n',
                      encoding="utf-8")
    ready = run("doctor", env={**env, "NAPTIP_CONFIG": str(config),
                               "NAPTIP_WEB_URL": "https://naptip.mapo.gov.my",
                               "NAPTIP_FEEDS_URL": "https://naptip.mapo.gov.my/feeds"})
    assert ready.exit_code == 0, ready.output
    out = lines(ready)
    assert not [line for line in out if not line.startswith("ok")], out
    assert "ok       contacts: 8 contact(s); every committee has a lead" in out
    assert "ok       mail: digests sent by e-mail through smtp.mapo.gov.my" in out
    assert "ok       portal: digests link to https://naptip.mapo.gov.my" in out
    assert "SMTP_PASSWORD" not in ready.output

    wrong = run("doctor", env={**env, "NAPTIP_WEB_URL": "naptip.mapo.gov.my"})
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
    assert ("problem  portal: NAPTIP_WEB_URL is 'naptip.mapo.gov.my': give the public "
            "address, https://host/...") in lines(wrong)
