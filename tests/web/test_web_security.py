"""The portal's security over real HTTP (uvicorn on loopback): IDOR, tokens, CSRF,
escaping, streamed upload limits, forged and revoked sessions, sign-in rate limit."""

from __future__ import annotations

import contextlib
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select

from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.people.signin import issue_link
from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database, open_database
from naptip.store.orm import AuditEntry, Evidence
from tests.conftest import db_env
from tests.web_support import LEAD, OCCURRENCE, OTHER_LEAD, OTHERS, REVIEWER, TODAY, people, serve


@pytest.fixture
def store(tmp_path: Path, builtin_catalog: Catalog) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'naptip.db'}", blobs=tmp_path / "blobs")
    sync(db, builtin_catalog, build_schedule(builtin_catalog))
    people(db)
    yield db
    db.dispose()


def evidence_count(db: Database) -> int:
    with db.reading() as session:
        return int(session.execute(select(func.count()).select_from(Evidence)).scalar_one())


def submit_form(csrf: str | None, **extra: str) -> dict[str, str]:
    data = {"value_1": "3", "sex_female": "2", "sex_male": "1", **extra}
    if csrf is not None:
        data["csrf"] = csrf
    return data


def test_another_committees_occurrence_and_evidence_are_not_found(
        store: Database, builtin_catalog: Catalog, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("Bengkel undang-undang\n", encoding="utf-8")
    theirs = EvidenceService(store, builtin_catalog).submit(
        Submission(occurrence_id=OTHERS, actor=OTHER_LEAD, values={"1": "4"},
                   breakdown={"sex": {"female": "4"}}, files=[str(report)]), today=TODAY)
    with serve(store, builtin_catalog) as web, web.client(LEAD) as lead:
        assert lead.get(f"/occurrence/{OCCURRENCE}").status_code == 200
        assert lead.get(f"/occurrence/{OTHERS}").status_code == 404
        assert lead.get("/occurrence/no-such-thing").status_code == 404
        assert lead.get(f"/evidence/{theirs}").status_code == 404
        with store.reading() as session:
            attachment = session.get(Evidence, theirs).attachments[0].id  # type: ignore[union-attr]
        assert lead.get(f"/evidence/{theirs}/files/{attachment}").status_code == 404
        csrf = web.csrf(lead, f"/occurrence/{OCCURRENCE}")
        posted = lead.post(f"/occurrence/{OTHERS}/evidence",
                           files={"files": ("", b"")}, data=submit_form(csrf))
        assert posted.status_code == 404
        assert lead.get("/committee/legislative").status_code == 404
        assert lead.get("/review").status_code == 404  # not a reviewer
    assert evidence_count(store) == 1


def test_the_secretariats_reviewer_sees_every_committee_as_documented(
        store: Database, builtin_catalog: Catalog) -> None:
    """docs/portal.md: ``reviewer:nso-mapo`` sees everything, as it reviews everything."""
    with serve(store, builtin_catalog) as web, web.client(REVIEWER) as reviewer:
        assert reviewer.get("/committee/legislative").status_code == 200
        assert reviewer.get("/committee/enforcement").status_code == 200
        assert reviewer.get(f"/occurrence/{OTHERS}").status_code == 200
        assert reviewer.get("/review").status_code == 200
    with serve(store, builtin_catalog) as web, web.client(LEAD) as lead:
        assert lead.get("/committee/legislative").status_code == 404  # a lead does not


def test_replayed_and_expired_links_are_refused(store: Database,
                                                builtin_catalog: Catalog) -> None:
    with serve(store, builtin_catalog) as web, web.client() as client:
        token = web.link(LEAD).rsplit("/", 1)[1]
        page = client.get(f"/signin/{token}")  # a mail scanner's GET uses nothing up
        assert page.status_code == 200 and "no-referrer" in page.headers["referrer-policy"]
        first = web.sign_in(client, token)
        assert first.status_code == 303 and first.headers["location"] == "/work"
        cookie = first.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        client.cookies.clear()
        again = web.sign_in(client, token)
        assert again.status_code == 403 and "already used" in again.text
        assert "naptip_session" not in again.headers.get("set-cookie", "")
        old = issue_link(store, LEAD, actor="test",
                         now=datetime.now(UTC) - timedelta(hours=1))
        expired = web.sign_in(client, old)
        assert expired.status_code == 403 and "expired" in expired.text
        assert web.sign_in(client, "guess").status_code == 403
    with store.reading() as session:
        actions = session.execute(select(AuditEntry.actor, AuditEntry.action)).all()
    assert actions.count((LEAD, "web.signed_in")) == 1


def test_forms_without_their_csrf_token_are_refused(store: Database,
                                                    builtin_catalog: Catalog) -> None:
    with serve(store, builtin_catalog) as web, web.client(LEAD) as lead:
        for csrf in (None, "0" * 64):
            refused = lead.post(f"/occurrence/{OCCURRENCE}/evidence",
                                files={"files": ("", b"")}, data=submit_form(csrf))
            assert refused.status_code == 403
        assert lead.post("/signout", data={}).status_code == 403
        assert lead.get("/work").status_code == 200  # still signed in
    assert evidence_count(store) == 0
    ok = EvidenceService(store, builtin_catalog).submit(
        Submission(occurrence_id=OCCURRENCE, actor=LEAD, values={"1": "1"}), today=TODAY)
    with serve(store, builtin_catalog) as web, web.client(REVIEWER) as reviewer:
        assert reviewer.post(f"/evidence/{ok}/review",
                             data={"decision": "accept"}).status_code == 403
    with store.reading() as session:
        assert session.get(Evidence, ok).status == "submitted"  # type: ignore[union-attr]


def test_script_in_a_note_or_file_name_reaches_the_reviewer_escaped(
        store: Database, builtin_catalog: Catalog) -> None:
    name = "<img src=x onerror=alert(1)>.txt"
    with serve(store, builtin_catalog) as web:
        with web.client(LEAD) as lead:
            csrf = web.csrf(lead, f"/occurrence/{OCCURRENCE}")
            sent = lead.post(f"/occurrence/{OCCURRENCE}/evidence",
                             files={"files": (name, b"<script>alert(2)</script>\n",
                                              "text/html")},
                             data=submit_form(csrf, note="<script>alert(1)</script>"))
            assert sent.status_code == 303, sent.text
        with web.client(REVIEWER) as reviewer:
            with store.reading() as session:
                evidence_id = session.execute(select(Evidence.id)).scalar_one()
            page = reviewer.get(f"/evidence/{evidence_id}")
            assert page.status_code == 200
            assert "<script>" not in page.text and "<img src=x" not in page.text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
            assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page.text
            assert "script-src" not in page.headers["content-security-policy"]
            assert "default-src 'self'" in page.headers["content-security-policy"]
            download = reviewer.get(f"/evidence/{evidence_id}/files/1")
            assert download.status_code == 200
            assert download.headers["content-disposition"].startswith("attachment;")
            assert download.headers["content-type"] == "text/plain; charset=utf-8"
            assert download.headers["x-content-type-options"] == "nosniff"
            assert download.content == b"<script>alert(2)</script>\n"
            viewed = reviewer.get(f"/evidence/{evidence_id}/files/1", params={"view": "1"})
            assert viewed.headers["content-disposition"].startswith("attachment;")  # text


def test_an_upload_over_the_limit_is_cut_off_while_streaming(
        store: Database, builtin_catalog: Catalog) -> None:
    before = set(Path(tempfile.gettempdir()).glob("naptip-upload-*"))
    with serve(store, builtin_catalog) as web, web.client(LEAD) as lead:
        web.portal.service.blobs.max_bytes = 1024 * 1024
        csrf = web.csrf(lead, f"/occurrence/{OCCURRENCE}")
        cookie = "; ".join(f"{k}={v}" for k, v in lead.cookies.items())
        boundary = "naptipboundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}"
                f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"value_1\"\r\n\r\n3"
                f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
                f"filename=\"big.txt\"\r\nContent-Type: text/plain\r\n\r\n").encode()
        total = 64 * 1024 * 1024
        port = int(web.url.rsplit(":", 1)[1])
        sent, response = 0, b""
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall((f"POST /occurrence/{OCCURRENCE}/evidence HTTP/1.1\r\n"
                          f"Host: 127.0.0.1\r\nCookie: {cookie}\r\n"
                          f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                          f"Content-Length: {len(head) + total}\r\n\r\n").encode() + head)
            sock.settimeout(0.5)
            chunk = b"a" * 65536
            deadline = time.monotonic() + 60
            while sent < total and time.monotonic() < deadline:
                try:
                    sock.sendall(chunk)
                    sent += len(chunk)
                except OSError:
                    break  # the server closed the connection: it stopped reading
                if sent % (1024 * 1024) == 0:
                    sock.setblocking(False)
                    with contextlib.suppress(BlockingIOError):
                        response += sock.recv(65536)
                    sock.settimeout(0.5)
                    if response:
                        break
            sock.settimeout(5)
            try:
                while data := sock.recv(65536):
                    response += data
            except OSError:
                pass
        assert response.startswith(b"HTTP/1.1 413"), response[:200]
        assert b"larger than the limit of 1 MB" in response
        assert sent < 16 * 1024 * 1024  # cut off long before the 64 MB were sent
    assert evidence_count(store) == 0
    blobs = store.blobs
    assert not blobs.exists() or not any(p.is_file() for p in blobs.rglob("*"))
    assert set(Path(tempfile.gettempdir()).glob("naptip-upload-*")) == before


def test_forged_and_revoked_sessions_are_signed_out(
        store: Database, builtin_catalog: Catalog, run: Callable[..., Result]) -> None:
    with serve(store, builtin_catalog) as web:
        with web.client() as forged:
            forged.cookies.set("naptip_session", "forged-value")
            page = forged.get("/work")
            assert page.status_code == 401 and "signed out" in page.text
            assert 'naptip_session=""' in page.headers["set-cookie"]
        with web.client(LEAD) as lead:
            assert lead.get("/work").status_code == 200
            revoked = run("web", "revoke", LEAD, "--as", "secretariat",
                          env=db_env(store))
            assert revoked.exit_code == 0 and "1 session(s)" in revoked.output
            assert lead.get("/work").status_code == 401
        with web.client(LEAD) as again:  # a new link still works after revocation
            assert again.get("/work").status_code == 200
            csrf = web.csrf(again, "/work")
            out = again.post("/signout", data={"csrf": csrf})
            assert out.status_code == 200 and "signed out" in out.text
            assert again.get("/work").status_code == 401
    with store.reading() as session:
        actions = {(a, b) for a, b in session.execute(
            select(AuditEntry.actor, AuditEntry.action))}
    assert {("secretariat", "web.revoked"), (LEAD, "web.signed_out")} <= actions


def test_sign_in_attempts_are_rate_limited(store: Database, builtin_catalog: Catalog) -> None:
    with serve(store, builtin_catalog, signin_per_minute=3) as web, web.client() as client:
        codes = [client.post("/signin", data={"token": f"guess-{n}"}).status_code
                 for n in range(4)]
        assert codes == [403, 403, 403, 429]
        token = web.link(LEAD).rsplit("/", 1)[1]
        assert web.sign_in(client, token).status_code == 429


def test_web_link_prints_a_working_single_use_link(
        store: Database, builtin_catalog: Catalog, run: Callable[..., Result]) -> None:
    with serve(store, builtin_catalog) as web:
        printed = run("web", "link", LEAD, "--base-url", web.url, env=db_env(store))
        assert printed.exit_code == 0, printed.output
        link = printed.output.strip()
        assert link.startswith(f"{web.url}/signin/")
        with web.client() as client:
            token = link.rsplit("/", 1)[1]
            assert web.sign_in(client, token).status_code == 303
            assert "ACP Lim Wei" in client.get("/work").text
        unknown = run("web", "link", "nobody@rmp.gov.my", env=db_env(store))
        assert unknown.exit_code == 1 and "no contact" in unknown.output


def test_personal_data_is_refused_beside_its_field_and_nothing_is_stored(
        store: Database, builtin_catalog: Catalog) -> None:
    with serve(store, builtin_catalog) as web, web.client(LEAD) as lead:
        csrf = web.csrf(lead, f"/occurrence/{OCCURRENCE}")
        refused = lead.post(f"/occurrence/{OCCURRENCE}/evidence",
                            files={"files": ("senarai.txt", b"Mangsa: 900101-14-5678\n")},
                            data=submit_form(csrf, note="Rescued with help of 012-345 6789"))
        assert refused.status_code == 422
        page = refused.text
        assert 'id="error-note"' in page and "a phone number in the note" in page
        assert "900101" not in page and "012-345" in page  # the note is kept, the file not
    assert evidence_count(store) == 0
    assert not store.blobs.exists() or not any(p.is_file() for p in store.blobs.rglob("*"))


def test_supporting_committee_sees_but_does_not_submit_and_nobody_reviews_their_own(
        store: Database, builtin_catalog: Catalog) -> None:
    supported = "S5-O2-ii@2023"  # legislative's, supported by enforcement
    with serve(store, builtin_catalog) as web, web.client(LEAD) as lead:
        work = lead.get("/work?year=2024").text
        assert supported in work and "supporting" in work
        filtered = lead.get("/work", params={"committee": "enforcement", "year": "2024"}).text
        assert OCCURRENCE in filtered and supported in filtered  # enforcement supports it
        theirs = lead.get("/work", params={"committee": "legislative"}).text
        assert OCCURRENCE not in theirs and OTHERS not in theirs  # not a legislative role
        page = lead.get(f"/occurrence/{supported}")
        assert page.status_code == 200 and 'id="submit"' not in page.text
        csrf = web.csrf(lead, "/work")
        assert lead.post(f"/occurrence/{supported}/evidence", files={"files": ("", b"")},
                         data=submit_form(csrf)).status_code == 404
    own = EvidenceService(store, builtin_catalog).submit(
        Submission(occurrence_id=OCCURRENCE, actor=REVIEWER, values={"1": "1"}), today=TODAY)
    with serve(store, builtin_catalog) as web, web.client(REVIEWER) as reviewer:
        assert f"/evidence/{own}" not in reviewer.get("/review").text
        csrf = web.csrf(reviewer, "/work")
        refused = reviewer.post(f"/evidence/{own}/review",
                                data={"csrf": csrf, "decision": "accept"})
        assert refused.status_code == 422 and "another reviewer" in refused.text
    with store.reading() as session:
        assert session.get(Evidence, own).status == "submitted"  # type: ignore[union-attr]


def test_sign_in_rotates_the_session_and_https_cookies_are_secure(
        store: Database, builtin_catalog: Catalog) -> None:
    with serve(store, builtin_catalog, trusted_proxies=("127.0.0.1",)) as web, \
            web.client(LEAD) as lead:
        first = lead.cookies["naptip_session"]
        token = web.link(LEAD).rsplit("/", 1)[1]
        behind_proxy = web.sign_in(lead, token, **{"x-forwarded-proto": "https"})
        assert behind_proxy.status_code == 303
        assert "secure" in behind_proxy.headers["set-cookie"].lower()
        second = lead.cookies["naptip_session"]
        assert second != first
        with web.client() as old, web.client() as new:
            old.cookies.set("naptip_session", first)
            assert old.get("/work").status_code == 401
            new.cookies.set("naptip_session", second)  # (a Secure cookie: sent by hand)
            assert new.get("/work").status_code == 200


def test_a_pdf_can_be_viewed_sandboxed_and_is_otherwise_downloaded(
        store: Database, builtin_catalog: Catalog) -> None:
    with serve(store, builtin_catalog) as web, web.client(LEAD) as lead:
        csrf = web.csrf(lead, f"/occurrence/{OCCURRENCE}")
        sent = lead.post(f"/occurrence/{OCCURRENCE}/evidence", data=submit_form(csrf),
                         files={"files": ("laporan.pdf", b"%PDF-1.4\n%%EOF\n", "text/html")})
        assert sent.status_code == 303
        page = lead.get("/evidence/1").text
        assert "/evidence/1/files/1?view=1" in page
        viewed = lead.get("/evidence/1/files/1", params={"view": "1"})
        assert viewed.headers["content-type"] == "application/pdf"
        assert viewed.headers["content-disposition"].startswith("inline;")
        assert "sandbox" in viewed.headers.get_list("content-security-policy")
        saved = lead.get("/evidence/1/files/1")
        assert saved.headers["content-disposition"].startswith("attachment;")


def test_a_contact_reads_the_portal_in_their_language_until_they_switch(
        store: Database, builtin_catalog: Catalog) -> None:
    from naptip.people.contacts import ContactDirectory

    with serve(store, builtin_catalog) as web, web.client(OTHER_LEAD) as malay:
        page = malay.get("/work").text
        assert '<html lang="ms">' in page and "Kerja saya" in page and "Lewat" in page
        english = malay.get("/lang", params={"to": "en", "next": "//evil.example/x"})
        assert english.headers["location"] == "/work"  # no open redirect
        assert "My work" in malay.get("/work").text
        ContactDirectory(store).remove(OTHER_LEAD, actor="secretariat")
        assert malay.get("/work").status_code == 401  # a removed contact is signed out


def test_an_occurrence_says_how_its_date_was_set(store: Database,
                                                 builtin_catalog: Catalog) -> None:
    with serve(store, builtin_catalog) as web, web.client(LEAD) as lead:
        moved = lead.get("/occurrence/enforcement-meeting@2021-08-10").text
        assert "2021-08-10 (" in moved and "→ 2021-08-11" in moved
        assert "the working day the rule asks for" in moved
        kept = lead.get(f"/occurrence/{OCCURRENCE}").text
        assert "2024-01-31, the plan&#39;s own date" in kept


def test_calendar_page_lists_the_contacts_own_feed_and_their_committees(
        store: Database, builtin_catalog: Catalog, run: Callable[..., Result],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAPTIP_FEEDS_URL", raising=False)
    with serve(store, builtin_catalog) as web, web.client(LEAD) as lead:
        assert "ask the secretariat" in lead.get("/calendars").text  # no address guessed
        monkeypatch.setenv("NAPTIP_FEEDS_URL", "https://feeds.example.gov.my/naptip")
        page = lead.get("/calendars").text
    listed = run("calendar", "links", "--base-url", "https://feeds.example.gov.my/naptip",
                 env=db_env(store))
    assert listed.exit_code == 0, listed.output
    urls = dict(line.split("\t") for line in listed.stdout.splitlines())
    own = urls[f"contact:{LEAD}"]
    assert own.endswith(".ics") and f'href="{own}"' in page  # the same private token
    assert f'href="{urls["plan"]}"' in page
    others = [u for k, u in urls.items() if k.startswith("contact:") and k != f"contact:{LEAD}"]
    assert others and not any(u in page for u in others)  # nobody else's feed
