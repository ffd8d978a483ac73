"""``[mail]``: the sender in its own key works with a URL apprise cannot derive a sender
from (an IP address, no user), and a literal password in the URL is refused as it is in
contact URLs (a real SMTP server on loopback, aiosmtpd)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from naptip.base.config import parse_settings
from naptip.base.contact_types import ContactInfo, Role
from naptip.base.errors import NaptipError
from naptip.base.secret_urls import mask_url
from naptip.notifications.transport import with_sender
from naptip.people.contacts import ContactDirectory
from naptip.store.db import Database
from tests.conftest import db_env
from tests.smtp_server import SmtpServer, smtp

__all__ = ["smtp"]

LEAD = "lead@rmp.gov.my"


def test_from_in_its_own_key_sends_through_an_ip_only_url(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    ContactDirectory(synced).upsert([ContactInfo(
        name="ACP Lim Wei", email=LEAD, roles=(Role(role="lead", scope="enforcement"),))],
        actor="test")
    config = tmp_path / "naptip.toml"
    config.write_text(f'[mail]\nurl = "mailto://127.0.0.1:{smtp.port}?mode=insecure"\n'
                      'from = "naptip@mapo.gov.my"\n', encoding="utf-8")
    checked = run("--config", str(config), "contacts", "check", env=db_env(synced))
    assert checked.exit_code == 0, checked.output
    assert f"[mail] smtp://127.0.0.1:{smtp.port} (insecure)" in checked.stdout
    sent = run("--config", str(config), "remind", "--as-of", "2024-01-24", "--to", LEAD,
               env=db_env(synced))
    assert sent.exit_code == 0, sent.output
    [received] = smtp.handler.messages
    assert received.rcpt_tos == [LEAD]
    assert received.message["From"].addresses[0].addr_spec == "naptip@mapo.gov.my"


def test_with_sender_adds_from_only_when_the_url_has_none() -> None:
    assert (with_sender("mailto://127.0.0.1:25?mode=insecure", "a@b.gov.my")
            == "mailto://127.0.0.1:25?mode=insecure&from=a@b.gov.my")
    assert with_sender("mailto://h:25", "a b@c.gov.my") == "mailto://h:25?from=a%20b@c.gov.my"
    assert with_sender("mailto://h?From=x@y.gov.my", "a@b.gov.my") == "mailto://h?From=x@y.gov.my"
    assert with_sender("mailto://h", None) == "mailto://h"


@pytest.mark.parametrize("url", ["mailtos://naptip:hunter2@smtp.gov.my",
                                 "mailto://naptip:s3cret@127.0.0.1:25?mode=insecure"])
def test_a_literal_password_in_mail_url_is_refused(url: str) -> None:
    with pytest.raises(NaptipError) as info:
        parse_settings({"mail": {"url": url, "from": "naptip@mapo.gov.my"}})
    text = str(info.value)
    assert "mail.url" in text and "${ENV_NAME}" in text and "\n" not in text
    assert "hunter2" not in text and "s3cret" not in text


def test_a_port_and_a_from_address_are_not_a_password() -> None:
    url = "mailto://127.0.0.1:2525?mode=insecure&from=naptip@mapo.gov.my"
    assert parse_settings({"mail": {"url": url}}).mail is not None
    assert mask_url(url) == url


def test_a_password_from_the_environment_is_accepted() -> None:
    settings = parse_settings({"mail": {"url": "mailtos://naptip:${SMTP_PASSWORD}@smtp.gov.my"}})
    assert settings.mail is not None


def test_cli_refuses_the_literal_password_in_one_line(
        run: Callable[..., Result], tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text('[mail]\nurl = "mailtos://naptip:hunter2@smtp.gov.my"\n',
                      encoding="utf-8")
    result = run("--config", str(config), "contacts", "check")
    assert result.exit_code != 0
    assert "hunter2" not in result.output
    assert "write the password as ${ENV_NAME}" in result.stderr
    assert "Traceback" not in result.output
