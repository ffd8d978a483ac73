"""What people type is matched like the docs promise, and a miss says what is close:
contact roles in any case, occurrence ids, bare pillar numbers, committees' short names."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result

from naptip.people.contacts import ContactDirectory
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from tests.conftest import db_env


def test_contact_roles_match_in_any_case_and_a_miss_is_suggested(
        db: Database, run: Callable[..., Result]) -> None:
    env = db_env(db)
    added = run("contacts", "add", "m@kkmm.gov.my", "--name", "Encik Media", "--role",
                "Lead:Media", "--role", "member:NSO-MAPO", env=env)
    assert added.exit_code == 0, added.output
    [stored] = ContactDirectory(db).all()
    assert [str(r) for r in stored.roles] == ["lead:media", "member:nso-mapo"]
    scope = run("contacts", "add", "x@kkmm.gov.my", "--name", "X", "--role", "lead:medai",
                env=env)
    assert scope.exit_code == 1
    assert scope.stderr.strip().endswith("no committee or agency 'medai'; did you mean media, "
                                         "mmea?")
    kind = run("contacts", "add", "x@kkmm.gov.my", "--name", "X", "--role", "leed:media",
               env=env)
    assert kind.exit_code == 1 and "did you mean lead?" in kind.stderr
    assert len(ContactDirectory(db).all()) == 1


def test_an_occurrence_id_typo_is_suggested(synced: Database,
                                            run: Callable[..., Result]) -> None:
    env = {**db_env(synced), "NAPTIP_AS_OF": "2024-03-01"}
    for typo in ("S1-01-i@2023", "S1-O1-i@2033"):
        result = run("evidence", "submit", typo, "--value", "1=2", env=env)
        assert result.exit_code == 1
        assert f"no occurrence has the id '{typo}'; did you mean S1-O1-i@2023" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("option", "given", "hint"), [
    ("--pillar", "2", "did you mean P2?"), ("--goal", "7", "did you mean G7?"),
    ("--objective", "12", "did you mean S12?"), ("--pillar", "P9", "unknown id 'P9'")])
def test_a_bare_number_is_pointed_to_its_id(run: Callable[..., Result], option: str,
                                            given: str, hint: str) -> None:
    result = run("plan", "show", option, given)
    assert result.exit_code == 2 and hint in result.stderr


@pytest.mark.parametrize(("given", "committee"), [
    ("media and publicity", "media"), ("Media & Publicity", "media"),
    ("victim care", "victim-care"), ("forced labour", "forced-labour"),
    ("buruh paksa", "forced-labour"), ("monitoring and evaluation", "monitoring"),
    ("Perundangan", "legislative")])
def test_a_committees_short_name_is_accepted(builtin_catalog: Catalog, given: str,
                                             committee: str) -> None:
    assert builtin_catalog.committee_id(given) == committee


@pytest.mark.parametrize("given", ["committee", "and", "Jawatankuasa", "co", "issues"])
def test_words_of_several_committees_name_none(builtin_catalog: Catalog, given: str) -> None:
    assert builtin_catalog.committee_id(given) is None


def test_commands_take_the_short_name(run: Callable[..., Result]) -> None:
    shown = run("plan", "show", "-c", "media and publicity")
    assert shown.exit_code == 0, shown.output
    assert "S5-O1-i" in shown.stdout or "activity entries" in shown.stdout
    scheduled = run("--as-of", "2024-07-01", "schedule", "-c", "media and publicity",
                    "--from", "2024-07-01",
                    "--to", "2024-08-31", "--format", "json")
    assert scheduled.exit_code == 0, scheduled.output
    owners = {o["owner"] for o in json.loads(scheduled.stdout)["occurrences"]}
    assert "media" in owners
    refused = run("schedule", "-c", "committee")
    assert refused.exit_code != 0 and "committee" in refused.stderr
