"""``naptip recommendations`` from the command line (issue 22): one-line errors, exit
codes, 80 columns, the whole path from import to a reviewed update and `audit verify`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from naptip.cli import cli
from naptip.store.db import Database
from tests.conftest import db_env

Run = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "recommendations" / "synthetic-review.toml"
DRAFT_4 = ROOT / "examples" / "plans" / "naptip-4.0-draft.csv"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic 4.0 draft made into a plan package (as tests/plan do)."""
    folder = tmp_path_factory.mktemp("plans") / "naptip-4.0"
    result = CliRunner().invoke(cli, ["plan", "import", str(DRAFT_4), "-o", str(folder),
                                      "--id", "naptip-4.0", "--title", "NAPTIP 4.0 draft",
                                      "--period", "2026-2030"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def env(synced: Database, run: Run) -> dict[str, str]:
    given = {**db_env(synced), "NAPTIP_AS_OF": "2023-06-30", "COLUMNS": "80"}
    for email, name, role in (("siti@moha.gov.my", "Siti", "secretariat:nso-mapo"),
                              ("nora@moha.gov.my", "Nora", "secretariat:nso-mapo"),
                              ("aminah@rmp.gov.my", "Aminah", "lead:enforcement")):
        added = run("contacts", "add", email, "--name", name, "--role", role, "--as", "setup",
                    env=given)
        assert added.exit_code == 0, added.output
    return given


def _fits(result: Result) -> None:
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout


def test_import_with_bad_rows_names_each_and_exits_1(run: Run, env: dict[str, str],
                                                     tmp_path: Path) -> None:
    sheet = tmp_path / "tip.csv"
    sheet.write_text("id,text,lead,activities\n"
                     "T1,Identify victims.,enforcement,S4-O1-i\n"
                     "T2,Bad lead.,Police,\n"
                     "T3,Bad activity.,,S4-O1-zz\n", encoding="utf-8")
    args = ("recommendations", "import", str(sheet), "--set", "tip-2025", "--source",
            "Synthetic test set", "--issued", "2025-09-30", "--as", "Siti")
    dry = run(*args, "--dry-run", env=env)
    assert dry.exit_code == 1
    assert dry.stdout.splitlines()[-1] == ("tip.csv: set tip-2025 (new): would store 1, "
                                           "refused 2, already imported 0; dry run: nothing "
                                           "was stored")
    first = run(*args, env=env)
    assert first.exit_code == 1
    assert first.stdout.splitlines()[0] == "tip.csv:2: T1: stored"
    assert first.stdout.splitlines()[1].startswith("tip.csv:3: column 'lead': unknown "
                                                   "committee 'Police' (known:")
    assert first.stdout.splitlines()[2].startswith("tip.csv:4: column 'activities': "
                                                   "unknown activity 'S4-O1-zz' of naptip-3.0")
    again = run(*args, "-q", env=env)
    assert again.exit_code == 1 and "T1" not in again.stdout
    assert again.stdout.splitlines()[-1] == ("tip.csv: set tip-2025: stored 0, refused 2, "
                                             "already imported 1")
    example = run("recommendations", "import", str(EXAMPLE), "--set", "synthetic-review",
                  "--as", "Siti", env=env)
    assert example.exit_code == 0, example.output
    sets = run("recommendations", "sets", env=env)
    _fits(sets)
    assert "synthetic-review" in sets.stdout and "tip-2025" in sets.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("import", "missing.csv", "--set", "x"), "Error: missing.csv: no such file"),
    (("import", "set.txt", "--set", "x"), "Error: set.txt: import a .toml, .csv or .xlsx "
                                          "file (this one is .txt)"),
    (("import", "EXAMPLE", "--set", "Bad Id"), "Error: --set 'Bad Id': a set id is "
                                               "lower-case letters"),
    (("show", "nosuch", "R1"), "Error: no recommendation set 'nosuch'"),
    (("link", "synthetic-review", "R1", "S4-O1-i", "--as", "Aminah"),
     "Error: 'Aminah' may not link recommendations: only the secretariat may"),
    (("review", "synthetic-review", "R1", "--accept", "--as", "Siti"),
     "Error: synthetic-review R1 has no update awaiting review"),
    (("update", "synthetic-review", "R1", "--status", "implemented", "--narrative", "x",
      "--as", "nobody"), "Error: 'nobody' is not an active contact"),
    (("update", "synthetic-review", "R1", "--status", "implemented", "--narrative", "x",
      "--as", ""), "Error: --as '': an empty name; give who is doing this"),
    (("review", "synthetic-review", "R1", "--accept", "--as", "  "),
     "Error: --as '  ': an empty name"),
    (("import", "EXAMPLE", "--set", "other", "--as", " "), "Error: --as ' ': an empty name"),
    (("update", "synthetic-review", "R1", "--status", "implemented", "--narrative",
      "Call 0123456789", "--as", "Aminah"), "Error: update refused: found what looks like "
                                            "a phone number in the narrative"),
])
def test_errors_are_one_line(run: Run, env: dict[str, str], tmp_path: Path,
                             args: tuple[str, ...], message: str) -> None:
    assert run("recommendations", "import", str(EXAMPLE), "--set", "synthetic-review",
               "--as", "Siti", env=env).exit_code == 0
    (tmp_path / "set.txt").write_text("x")
    given = [str(EXAMPLE) if a == "EXAMPLE" else str(tmp_path / a) if a.endswith(
        (".csv", ".txt")) else a for a in args]
    result = run("recommendations", *given, env=env)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert message.removeprefix("Error: ") in lines[0]
    assert "Traceback" not in result.output


def test_link_list_show_update_review_and_audit_verify(run: Run, env: dict[str, str],
                                                       synced: Database, package: Path,
                                                       tmp_path: Path) -> None:
    env = {**env, "NAPTIP_PLAN_PACKAGES": str(package), "NAPTIP_USER": "Siti"}
    assert run("recommendations", "import", str(EXAMPLE), "--set", "synthetic-review",
               env=env).exit_code == 0
    linked = run("recommendations", "link", "synthetic-review", "R5", "S20-O2-v",
                 "naptip-4.0:S1-O1-i", env=env)
    assert linked.exit_code == 0, linked.output
    assert linked.stdout.strip() == ("synthetic-review R5: linked naptip-3.0:S20-O2-v, "
                                     "naptip-4.0:S1-O1-i")
    assigned = run("recommendations", "assign", "synthetic-review", "R6", "--lead",
                   "Monitoring and Evaluation Committee", "--support", "media", env=env)
    assert assigned.stdout.strip() == ("synthetic-review R6: lead - -> monitoring; support "
                                       "- -> media")
    listed = run("recommendations", "list", env=env)
    _fits(listed)
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert rows[-2][:6] == ["synthetic-review", "R6", "not-started", "monitoring", "0", "GAP"]
    gaps = json.loads(run("recommendations", "list", "--gaps", "--format", "json",
                          env=env).stdout)
    assert [i["item"] for i in gaps["items"]] == ["R6"]
    mine = json.loads(run("recommendations", "list", "-c", "enforcement", "--format", "json",
                          env=env).stdout)
    assert [i["item"] for i in mine["items"]] == ["R1", "R2", "R4"]

    doc = tmp_path / "sop.txt"
    doc.write_text("Standard operating procedure on victim identification.\n")
    updated = run("recommendations", "update", "synthetic-review", "R1", "--status",
                  "in-progress", "--narrative", "SOP reviewed with the agencies.", "--link",
                  "https://example.org/sop", "--file", str(doc), "--as", "Aminah", env=env)
    assert updated.exit_code == 0, updated.output
    assert updated.stdout.strip() == ("update #1 submitted for synthetic-review R1 "
                                      "(in-progress); it awaits review")
    own = run("recommendations", "review", "synthetic-review", "R1", "--accept", "--as",
              "aminah@rmp.gov.my", env=env)
    assert own.exit_code == 1 and "self-review refused" in own.stderr
    both = run("recommendations", "review", "synthetic-review", "R1", "--accept", "--return",
               "x", env=env)
    assert both.exit_code == 2 and "give exactly one of --accept or --return" in both.stderr
    accepted = run("recommendations", "review", "synthetic-review", "R1", "--accept", "--as",
                   "Nora", env=env)
    assert accepted.stdout.strip() == ("update #1 accepted; synthetic-review R1 is now "
                                       "in-progress")
    # the update was made today (the real day): as of 2023-06-30 it was not known yet;
    # show, list and the report say the same status on either day (the read model)
    today = {k: v for k, v in env.items() if k != "NAPTIP_AS_OF"}
    for day_env, status in ((env, "not-started"), (today, "in-progress")):
        shown = run("recommendations", "show", "synthetic-review", "R1", env=day_env)
        _fits(shown)
        assert f"status:  {status}" in shown.stdout and "lead:    enforcement" in shown.stdout
        listed_then = json.loads(run("recommendations", "list", "--set", "synthetic-review",
                                     "--format", "json", env=day_env).stdout)
        assert [i["status"] for i in listed_then["items"] if i["item"] == "R1"] == [status]
        made = run("--plan", "naptip-3.0", "report", "recommendations", "--set",
                   "synthetic-review", "--format",
                   "json", env=day_env)
        assert made.exit_code == 0, made.output
        report = json.loads(made.stdout)
        counted = [i["status"] for i in listed_then["items"]]
        assert report["by_status"] == {s: counted.count(s) for s in report["by_status"]}
    then = run("recommendations", "show", "synthetic-review", "R1", env=env).stdout
    assert "Linked activities, occurrences as of 2023-06-30" in then
    assert "No update yet" in then and "sop.txt" not in then
    out = run("recommendations", "show", "synthetic-review", "R1", env=today).stdout
    assert "file: sop.txt" in out and "accepted" in out and "by nora@moha.gov.my" in out
    detail = json.loads(run("recommendations", "show", "synthetic-review", "R5", "--format",
                            "json", env=env).stdout)
    assert [(k["plan"], k["activity"]) for k in detail["links"]] == [
        ("naptip-3.0", "S20-O2-v"), ("naptip-4.0", "S1-O1-i")]

    swept = run("db", "sweep", "--grace-minutes", "0", env=env)
    assert swept.stdout.startswith("removed 0 unreferenced blob(s)"), swept.output
    ok = run("audit", "verify", env=env)  # reads the document's bytes: still there
    assert ok.exit_code == 0, ok.output
    with synced.engine.begin() as conn:
        conn.execute(text("UPDATE recommendation SET status = 'implemented' "
                          "WHERE item = 'R1'"))
    tampered = run("audit", "verify", env=env)
    assert tampered.exit_code == 1
    assert "tampered: recommendation #1 (synthetic-review R1): does not match what audit " \
           "entry" in tampered.stderr


def test_a_plain_activity_id_is_the_commands_plan(run: Run, env: dict[str, str],
                                                  package: Path, tmp_path: Path) -> None:
    """With NAPTIP 4.0 loaded and running (2026-12-07), S2-O1-i is 4.0's, as in every
    command; --plan or a prefix names another; the output always names the plan."""
    env = {**env, "NAPTIP_PLAN_PACKAGES": str(package), "NAPTIP_USER": "Siti",
           "NAPTIP_AS_OF": "2026-12-07"}
    sheet = tmp_path / "old.csv"
    sheet.write_text("id,text,lead,activities\nA1,Identify victims.,enforcement,S21-O1-i\n",
                     encoding="utf-8")
    new = ("--source", "Old review", "--issued", "2025-01-01")
    plain = run("recommendations", "import", str(sheet), "--set", "old", *new, env=env)
    assert plain.exit_code == 1  # a plain NAPTIP 3.0 id is not 4.0's
    assert "unknown activity 'S21-O1-i' of naptip-4.0; did you mean" in plain.stdout
    old_plan = run("--plan", "naptip-3.0", "recommendations", "import", str(sheet), "--set",
                   "old", *new, env=env)
    assert old_plan.exit_code == 0, old_plan.output
    assert "old.csv:2: A1: stored" in old_plan.stdout
    imported = run("recommendations", "import", str(EXAMPLE), "--set", "synthetic-review",
                   env=env)  # the example names its plan: the same whatever plan runs
    assert imported.exit_code == 0, imported.output
    linked = run("recommendations", "link", "synthetic-review", "R5", "S2-O1-i", env=env)
    assert linked.stdout == "synthetic-review R5: linked naptip-4.0:S2-O1-i\n", linked.output
    old = run("--plan", "naptip-3.0", "recommendations", "link", "synthetic-review", "R5",
              "S2-O1-i", env=env)
    assert old.stdout == "synthetic-review R5: linked naptip-3.0:S2-O1-i\n", old.output
    again = run("recommendations", "link", "synthetic-review", "R5", "NAPTIP-3.0:s2-o1-i",
                env=env)
    assert again.stdout == ("synthetic-review R5: already linked: naptip-3.0:S2-O1-i\n")


@pytest.mark.parametrize("where", ["import", "close"])
def test_ctrl_c_is_one_line_and_exit_130(run: Run, env: dict[str, str],
                                         monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Ctrl-C during the import (nothing stored) or while the store's connections close
    after it (the rows stored): one line saying which, exit 130, no traceback."""
    from naptip.progress.recommendations import sets
    from naptip.work.context import App

    close = App.close
    pressed: list[bool] = []

    def interrupt(*args: object, **kwargs: object) -> None:
        if not pressed:  # once: as a person presses Ctrl-C
            pressed.append(True)
            raise KeyboardInterrupt
        close(*args)  # type: ignore[arg-type]

    if where == "import":
        monkeypatch.setattr(sets, "read_set_file", interrupt)
    else:
        monkeypatch.setattr(App, "close", interrupt)
    result = run("recommendations", "import", str(EXAMPLE), "--set", "synthetic-review",
                 "--as", "Siti", env=env)
    assert result.exit_code == 130 and "Traceback" not in result.output, result.output
    (line,) = result.stderr.splitlines()
    if where == "import":
        assert line == ("synthetic-review.toml: interrupted: nothing was stored; import the "
                        "file again")
    else:
        assert line.startswith("synthetic-review.toml: interrupted after the import: "
                               "synthetic-review.toml: set synthetic-review (new): stored 6")
