"""Tables and lists fit the terminal (80 columns too): nothing printed wider, owners and
ids whole, a title that does not fit cut with "…", `runs list` with a header."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.store.db import Database
from tests.conftest import db_env


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_every_list_fits_80_columns(synced: Database, run: Callable[..., Result]) -> None:
    ContactDirectory(synced).upsert([
        ContactInfo(name="Encik Sekretariat Dengan Nama Yang Sangat Panjang",
                    email="sekretariat.utama@mapo.gov.my",
                    roles=(Role(role="secretariat", scope="nso-mapo"),
                           Role(role="chair", scope="enforcement")),
                    urls=("tgram://${TELEGRAM_TOKEN}/123456789",)),
        ContactInfo(name="ACP Lim Wei", email="lead@rmp.gov.my",
                    roles=(Role(role="lead", scope="enforcement"),))], actor="test")
    env = {**db_env(synced), "NAPTIP_AS_OF": "2024-07-30", "COLUMNS": "80"}
    invites = run("calendar", "invite", "--dry-run", env=env)  # before the run sends them
    assert invites.exit_code == 0, invites.output
    assert _widest(invites.stdout) <= 80 and "enforcement-meeting@2024-08-13" in invites.stdout
    assert run("run", env=env).exit_code in (0, 1)
    outputs = {}
    for args in (["contacts", "list"], ["agencies", "list"], ["schedule"],
                 ["status", "--list"], ["status", "--list", "-c", "media"], ["runs", "list"],
                 ["status"]):
        result = run(*args, env=env)
        assert result.exit_code == 0, (args, result.output)
        assert _widest(result.stdout) <= 80, (args, result.stdout)
        outputs[" ".join(args)] = result.stdout
    contacts = outputs["contacts list"]
    for whole in ("sekretariat.utama@mapo.gov.my", "secretariat:nso-mapo", "chair:enforcement",
                  "lead@rmp.gov.my", "URL: tgram://${TELEGRAM_TOKEN}/123456789"):
        assert whole in contacts
    assert "forced-labour" in outputs["agencies list"]  # ids whole
    schedule = outputs["schedule"]
    assert "meeting · nso-mapo" in schedule  # the owner whole, not "nso-map"
    assert "host jtksm" in schedule
    listed = outputs["status --list"].splitlines()
    assert any(line.endswith("…") for line in listed)
    assert ("  nso-mapo: Victim case management meeting (AGC, enforcement and protection "
            "age…") in listed
    media = outputs["status --list -c media"].splitlines()
    assert any(line.endswith("…") for line in media)
    header = outputs["runs list"].splitlines()[0]
    assert header.split() == ["run", "plan", "days", "covered", "status", "trigger", "host"]


def test_a_wider_terminal_is_used(synced: Database, run: Callable[..., Result]) -> None:
    ContactDirectory(synced).upsert([ContactInfo(
        name="Encik Sekretariat Dengan Nama Yang Sangat Panjang Sekali Lagi",
        email="sekretariat.utama@mapo.gov.my",
        roles=(Role(role="secretariat", scope="nso-mapo"),))], actor="test")
    env = {**db_env(synced), "NAPTIP_AS_OF": "2024-07-30", "COLUMNS": "120"}
    contacts = run("contacts", "list", env=env).stdout
    assert _widest(contacts) <= 120
    assert ("sekretariat.utama@mapo.gov.my  Encik Sekretariat Dengan Nama Yang Sangat Panjang "
            "Sekali Lagi") in contacts
    listed = run("status", "--list", env=env).stdout.splitlines()
    assert _widest("\n".join(listed)) <= 120
    assert any(line.endswith("  legislative: Legislative Committee meeting")
               for line in listed)  # beside its id, whole
