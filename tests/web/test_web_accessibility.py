"""Every portal page on a 360 px phone and on a desktop, in English and in Malay, in
Debian's headless Chromium: no horizontal scrolling, and axe-core (from the npm registry,
pinned by scripts/install-axe) finds no serious or critical WCAG 2.1 A/AA violation. A lead
submits evidence with the keyboard alone. The run saves screenshots (360 px and desktop,
English and Malay) into docs/portal/.

One browser and one portal serve the whole module; the store is seeded once with evidence
in every state (returned with a reason, awaiting review, accepted) and a committee
narrative, so that each page shows all it can.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import select

from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.reports.narrative import save_narrative
from naptip.store.db import Database, open_database
from naptip.store.orm import Evidence
from naptip.web.calendar_links import FEEDS_ENV
from tests.conftest import ROOT
from tests.web.test_web_browser import SHOTS, chromium, shot, shows
from tests.web_support import LEAD, OCCURRENCE, REVIEWER, TODAY, Served, people, serve

pytestmark = pytest.mark.slow

PHONE, DESKTOP = (360, 800), (1024, 768)
REFLOW = 320  #: WCAG 2.1's reflow criterion (1.4.10): no horizontal scrolling at 320 px
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
RETURNED, QUEUED, ACCEPTED = "S19-O1-viii@2021", "S19-O1-viii@2022", "S7-O1-i@2021"
SEEDED = datetime(2024, 2, 12, 1, 30, tzinfo=UTC)  #: 09:30 in Kuala Lumpur
BY_KEYBOARD = "S7-O1-i@2022"  #: counts people too; only the keyboard test submits on it
#: axe-core's rule tags for WCAG 2.0 and 2.1, levels A and AA
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def axe_version() -> str:
    """The axe-core version scripts/install-axe pins."""
    script = (ROOT / "scripts" / "install-axe").read_text(encoding="utf-8")
    found = re.search(r"^VERSION=(\S+)$", script, re.M)
    assert found, "scripts/install-axe names no VERSION"
    return found.group(1)


AXE = ROOT / ".browser" / f"axe-core-{axe_version()}" / "axe.min.js"


@dataclass
class Portal:
    web: Served
    browser: WebDriver
    evidence: dict[str, int]  #: occurrence id → the id of its seeded evidence


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, builtin_catalog: Catalog,
           ) -> Iterator[Portal]:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed ({AXE.relative_to(ROOT)} is missing): run "
                    "scripts/install-browser")
    folder = tmp_path_factory.mktemp("a11y")
    env = pytest.MonkeyPatch()  # the calendars page shows the feeds' long addresses
    env.setenv(FEEDS_ENV, "https://kalendar.mapo.gov.my/naptip-3.0/feeds/published")
    db = open_database(f"sqlite:///{folder / 'naptip.db'}", blobs=folder / "blobs")
    try:
        evidence = seed(db, builtin_catalog, folder)
        browser = chromium(folder / "chromium-profile", size=DESKTOP)
        browser.set_script_timeout(60)
        try:
            with serve(db, builtin_catalog) as web:
                yield Portal(web, browser, evidence)
        finally:
            browser.quit()
    finally:
        db.dispose()
        env.undo()


def seed(db: Database, catalog: Catalog, folder: Path) -> dict[str, int]:
    """Evidence returned with a reason, awaiting review and accepted; a narrative."""
    sync(db, catalog, build_schedule(catalog))
    people(db)
    service = EvidenceService(db, catalog)
    report = folder / "laporan-latihan-pegawai-penguatkuasa-2021.pdf"
    report.write_bytes(b"%PDF-1.4\n% training report\n%%EOF\n")
    ids = {oid: service.submit(Submission(
        occurrence_id=oid, actor=LEAD, values={"1": "12"},
        breakdown={"sex": {"female": "5", "male": "7"}}, files=[str(report)],
        note="Kursus latihan pegawai di Pusat Latihan Polis Kuala Lumpur",
        links=["https://www.rmp.gov.my/laporan/2021/latihan-pegawai-penguatkuasa"]),
        today=TODAY, now=SEEDED) for oid in (RETURNED, QUEUED, ACCEPTED)}
    service.review(ids[RETURNED], accept=False, actor=REVIEWER, now=SEEDED,
                   reason="Lampirkan senarai kehadiran yang ditandatangani")
    service.review(ids[ACCEPTED], accept=True, reason=None, actor=REVIEWER, now=SEEDED)
    save_narrative(db, committee="enforcement", kind="annual", year=2023, parts={
        "gaps": "Latihan belum sampai ke semua kontinjen negeri",
        "challenges": "Peruntukan latihan terhad"}, actor=f"ACP Lim Wei <{LEAD}>",
        now=SEEDED)
    return ids


def sign_in(portal: Portal, email: str, language: str) -> None:
    driver, web = portal.browser, portal.web
    driver.delete_all_cookies()
    driver.get(f"{web.url}/lang?to={language}&next=/")
    driver.get(web.link(email))
    driver.find_element(By.ID, "signin").click()
    WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("/work"))


def form_error(driver: WebDriver) -> None:
    """Send the evidence form with a breakdown that does not add up: the 422 page."""
    driver.find_element(By.ID, "value_1").send_keys("3")
    driver.find_element(By.ID, "sex_female").send_keys("9")
    driver.find_element(By.ID, "submit").click()
    driver.find_element(By.ID, "error-sex")  # and the fieldset points screen readers to it
    sex = driver.find_element(By.CSS_SELECTOR, "fieldset[aria-describedby='error-sex']")
    assert sex.get_attribute("aria-invalid") == "true"


def no_reason(driver: WebDriver) -> None:
    """Return evidence without a reason: the 422 page."""
    driver.find_element(By.ID, "return").click()
    driver.find_element(By.ID, "error-reason")
    assert driver.find_element(By.ID, "reason").get_attribute("aria-describedby") == (
        "error-reason")


Action = Callable[[WebDriver], None] | None


def pages(portal: Portal) -> dict[str, tuple[str | None, str, Action]]:
    """Every page of the portal: name → (who is signed in, path, what they do there)."""
    queued = portal.evidence[QUEUED]
    return {
        "sign-in": (None, "/signin/" + "x" * 43, None),
        "signed-out": (None, "/work", None),
        "my-work": (LEAD, "/work", None),
        "my-work-2021": (LEAD, "/work?year=2021&committee=enforcement", None),
        "occurrence": (LEAD, f"/occurrence/{OCCURRENCE}", None),
        "occurrence-error": (LEAD, f"/occurrence/{OCCURRENCE}", form_error),
        "occurrence-returned": (LEAD, f"/occurrence/{RETURNED}", None),
        "evidence-own": (LEAD, f"/evidence/{portal.evidence[ACCEPTED]}", None),
        "committee": (LEAD, "/committee/enforcement", None),
        "calendars": (LEAD, "/calendars", None),
        "not-found": (LEAD, "/occurrence/no-such-thing", None),
        "review-queue": (REVIEWER, "/review", None),
        "evidence-review": (REVIEWER, f"/evidence/{queued}", None),
        "evidence-no-reason": (REVIEWER, f"/evidence/{queued}", no_reason),
    }


def visit(portal: Portal, language: str) -> Iterator[tuple[str, str]]:
    """Open every page in ``language``, signed in as its viewer: yields (name, url)."""
    driver, web = portal.browser, portal.web
    signed_in: str | None = "?"
    for name, (who, path, action) in pages(portal).items():
        if who != signed_in:
            if who is None:
                driver.delete_all_cookies()
                driver.get(f"{web.url}/lang?to={language}&next=/")
            else:
                sign_in(portal, who, language)
            signed_in = who
        driver.get(web.url + path)
        if action is not None:
            action(driver)
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
        yield name, driver.current_url


def overflow(driver: WebDriver) -> str | None:
    """What makes the page wider than the window, or None when it fits."""
    wide, screen, culprits = driver.execute_script("""
        const screen = document.documentElement.clientWidth;  // less its scroll bar
        const culprits = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > screen + 0.5)
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + ' ' + Math.round(e.getBoundingClientRect().right) + ' px');
        return [document.documentElement.scrollWidth, screen, culprits];
    """)
    if wide <= screen:
        return None
    return f"{wide} px wide on a {screen} px screen ({', '.join(culprits)})"


def axe(driver: WebDriver) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations of the page shown."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    assert driver.execute_script("return axe.version") == axe_version()
    found: dict[str, Any] = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},
                           resultTypes: ['violations']})
           .then(r => done({violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))}))
           .catch(e => done({error: String(e)}));
    """, WCAG_21_AA)
    assert "error" not in found, found
    violations: list[dict[str, Any]] = found["violations"]
    return violations


@pytest.mark.parametrize("screen", [PHONE[0], REFLOW])
@pytest.mark.parametrize("language", ["en", "ms"])
def test_every_page_fits_a_phone(portal: Portal, language: str, screen: int) -> None:
    portal.browser.set_window_size(screen, PHONE[1])
    wide = [f"{name} ({url}): {problem}" for name, url in visit(portal, language)
            if (problem := overflow(portal.browser))]
    assert not wide, "\n".join(wide)


@pytest.mark.parametrize("width", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "ms"])
def test_axe_finds_no_serious_violation(portal: Portal, language: str, width: str) -> None:
    portal.browser.set_window_size(*WIDTHS[width])
    found = []
    checked = set()
    for name, url in visit(portal, language):
        checked.add(name)
        for v in axe(portal.browser):
            if v["impact"] in BLOCKING:
                found.append(f"{name} ({url}): {v['impact']} {v['id']}: {v['help']} "
                             f"at {'; '.join(v['nodes'])}")
    assert {"my-work", "occurrence", "review-queue"} <= checked
    assert not found, "\n".join(found)


def test_screenshots_for_the_guide(portal: Portal, tmp_path: Path) -> None:
    """My work, an occurrence and the review queue, on a 360 px phone and a desktop, in
    English and in Malay (docs/portal/360-*.png, desktop-*.png; -ms: in Malay)."""
    driver, web = portal.browser, portal.web
    taken = tmp_path / "shots"
    for language, suffix in (("en", ""), ("ms", "-ms")):
        for width, size in (("360", PHONE), ("desktop", DESKTOP)):
            driver.set_window_size(*size)
            sign_in(portal, LEAD, language)
            driver.get(f"{web.url}/work")
            shot(driver, taken, f"{width}-my-work{suffix}")
            driver.get(f"{web.url}/occurrence/{OCCURRENCE}")
            shot(driver, taken, f"{width}-occurrence{suffix}")
            sign_in(portal, REVIEWER, language)
            driver.get(f"{web.url}/review")
            shows(driver, "queue", QUEUED)
            shot(driver, taken, f"{width}-review-queue{suffix}")
    assert len(list(taken.iterdir())) == 12
    shutil.copytree(taken, SHOTS, dirs_exist_ok=True)


def test_a_lead_submits_evidence_with_the_keyboard_alone(portal: Portal) -> None:
    driver, web = portal.browser, portal.web
    driver.set_window_size(*PHONE)
    sign_in(portal, LEAD, "en")
    driver.get(f"{web.url}/occurrence/{BY_KEYBOARD}")
    keys = ActionChains(driver)

    def focused() -> str:
        return str(driver.execute_script("return document.activeElement.id || ''"))

    def tab_to(target: str, limit: int = 60) -> None:
        for _ in range(limit):
            keys.send_keys(Keys.TAB).perform()
            if focused() == target:
                return
        raise AssertionError(f"#{target} is not reached with the Tab key")

    keys.send_keys(Keys.TAB).perform()  # the first stop skips the menu
    assert driver.switch_to.active_element.text == "Skip to the content"
    keys.send_keys(Keys.ENTER).perform()
    assert focused() == "main"
    for field, typed in (("value_1", "8"), ("sex_female", "3"), ("sex_male", "5"),
                         ("note", "Latihan di Pusat Latihan Polis, Februari")):
        tab_to(field)
        keys.send_keys(typed).perform()
    tab_to("submit")
    keys.send_keys(Keys.ENTER).perform()
    WebDriverWait(driver, 20).until(lambda d: "done=1" in d.current_url)
    assert "awaits review" in driver.find_element(By.ID, "notice").text
    with web.portal.db.reading() as session:
        stored = session.execute(select(Evidence).where(
            Evidence.occurrence_id == BY_KEYBOARD)).scalars().one()
        assert stored.status == "submitted" and stored.submitted_by == LEAD
        assert stored.note == "Latihan di Pusat Latihan Polis, Februari"
        assert [(b.category, b.count) for b in stored.breakdown if b.count] == [
            ("female", 3), ("male", 5)]
        assert [v.count for v in stored.values] == [8]


def test_axe_sees_a_field_without_a_label(portal: Portal) -> None:
    """The check itself can fail: an input without a label is a critical violation."""
    driver, web = portal.browser, portal.web
    sign_in(portal, LEAD, "en")
    driver.get(f"{web.url}/work")
    assert not [v for v in axe(driver) if v["impact"] in BLOCKING]
    driver.execute_script("document.querySelector('main').insertAdjacentHTML("
                          "'beforeend', '<input id=\"unlabelled\">')")
    found = {(v["id"], v["impact"]): v["nodes"] for v in axe(driver)}
    assert found.get(("label", "critical")) == ["#unlabelled"]
