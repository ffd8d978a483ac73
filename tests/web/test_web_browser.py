"""The portal in a real browser: Debian's headless Chromium driven by Selenium.

A lead opens the link of a digest delivered to a real SMTP server (aiosmtpd), submits
evidence with a file and a sex breakdown, a reviewer returns it with a reason, the lead
resubmits, the reviewer accepts, and the audit chain verifies. The run saves screenshots
of the main pages into docs/portal/ (the user guide shows them).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from naptip.base.config import parse_settings
from naptip.notifications.dispatch import RunOptions, run_reminders
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from tests.conftest import ROOT, db_env
from tests.smtp_server import SmtpServer, smtp
from tests.web.test_web_security import store
from tests.web_support import LEAD, OCCURRENCE, REVIEWER, TODAY, Served, serve

pytestmark = pytest.mark.slow

__all__ = ["smtp", "store"]

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOTS = ROOT / "docs" / "portal"


def chromium(profile: Path, *, size: tuple[int, int] = (1000, 1400)) -> WebDriver:
    """Debian's headless Chromium through chromedriver, with its profile in ``profile``."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.fail("Chromium is not installed: run scripts/install-browser "
                    "(apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}",
                 f"--window-size={size[0]},{size[1]}", "--lang=en-GB"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    driver.implicitly_wait(10)  # a click's page may still be loading when the test looks
    return driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    driver = chromium(tmp_path / "chromium-profile")
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: WebDriver, folder: Path, name: str) -> None:
    """Kept beside the test until it passes, then copied into docs/portal."""
    folder.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(folder / f"{name}.png"))


def sign_in(driver: WebDriver, link: str) -> None:
    driver.delete_all_cookies()
    driver.get(link)
    driver.find_element(By.ID, "signin").click()
    WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("/work"))


def shows(driver: WebDriver, element: str, text: str) -> None:
    """Wait (a click's page may still be loading) until the element shows the text."""
    WebDriverWait(driver, 20).until(
        expected_conditions.text_to_be_present_in_element((By.ID, element), text),
        f"#{element} never showed {text!r}")


def submit(driver: WebDriver, web: Served, attachment: Path, *, count: str) -> None:
    driver.get(f"{web.url}/occurrence/{OCCURRENCE}")
    driver.find_element(By.ID, "value_1").clear()
    driver.find_element(By.ID, "value_1").send_keys(count)
    driver.find_element(By.ID, "sex_female").clear()
    driver.find_element(By.ID, "sex_female").send_keys("2")
    driver.find_element(By.ID, "sex_male").clear()
    driver.find_element(By.ID, "sex_male").send_keys(str(int(count) - 2))
    driver.find_element(By.ID, "files").send_keys(str(attachment))
    driver.find_element(By.ID, "note").send_keys("Operasi bersepadu, Februari")
    driver.find_element(By.ID, "submit").click()


def test_lead_submits_reviewer_returns_lead_resubmits_reviewer_accepts(
        store: Database, builtin_catalog: Catalog, smtp: SmtpServer, browser: WebDriver,
        tmp_path: Path, run: Callable[..., Result]) -> None:
    taken = tmp_path / "shots"
    report = tmp_path / "laporan-operasi.pdf"
    report.write_bytes(b"%PDF-1.4\n% operation report\n%%EOF\n")
    with serve(store, builtin_catalog) as web:
        settings = parse_settings({"mail": {"url": smtp.url}})
        result = run_reminders(store, builtin_catalog, settings, None, RunOptions(
            today=TODAY, to=LEAD, environ={"NAPTIP_WEB_URL": web.url}))
        assert [o.status for o in result.outcomes] == ["sent"]
        [mail] = smtp.handler.to(LEAD)
        # the digest's own link to My work (its items link to their pages, ?next=...)
        # one personal link (a long digest gives it twice: "see them all" and the footer)
        [link] = set(re.findall(r"(http://127\.0\.0\.1:\d+/signin/[\w-]+)\r?$", mail.text,
                                re.M))
        assert f'href="{link}"' in mail.html

        # the lead: overdue work, then evidence with a file and a sex breakdown
        sign_in(browser, link)
        assert "days overdue" in browser.find_element(By.ID, "group-overdue").text
        browser.get(f"{web.url}/work?year=2024")  # the oldest first: 2024's under its year
        overdue = browser.find_element(By.ID, "group-overdue").text
        assert OCCURRENCE in overdue
        shot(browser, taken, "my-work")
        browser.get(f"{web.url}/occurrence/{OCCURRENCE}")
        shot(browser, taken, "occurrence-form")
        browser.find_element(By.ID, "sex_female").send_keys("9")  # does not add up
        browser.find_element(By.ID, "value_1").send_keys("3")
        browser.find_element(By.ID, "submit").click()
        shows(browser, "error-sex", "adds up to 9")
        shot(browser, taken, "occurrence-error")
        submit(browser, web, report, count="3")
        shows(browser, "notice", "awaits review")
        browser.get(f"{web.url}/work")
        shows(browser, "group-awaiting", OCCURRENCE)
        browser.find_element(By.ID, "signout").click()

        # the reviewer returns it with a reason
        sign_in(browser, web.link(REVIEWER))
        browser.get(f"{web.url}/review")
        shows(browser, "queue", OCCURRENCE)
        shot(browser, taken, "review-queue")
        browser.find_element(By.LINK_TEXT, "#1").click()
        shows(browser, "files", "laporan-operasi.pdf")
        shot(browser, taken, "evidence-review")
        browser.find_element(By.ID, "reason").send_keys("Lampirkan senarai operasi")
        browser.find_element(By.ID, "return").click()
        shows(browser, "status", "returned")

        # the lead sees the reason and resubmits (in Malay this time)
        sign_in(browser, web.link(LEAD))
        returned = browser.find_element(By.ID, "group-returned").text
        assert OCCURRENCE in returned and "Lampirkan senarai operasi" in returned
        browser.find_element(By.ID, "lang-ms").click()
        shows(browser, "nav-work", "Kerja saya")
        submit(browser, web, report, count="4")
        shows(browser, "notice", "menunggu semakan")
        browser.get(f"{web.url}/lang?to=en&next=/work")

        # the reviewer accepts
        sign_in(browser, web.link(REVIEWER))
        browser.get(f"{web.url}/review")
        browser.find_element(By.LINK_TEXT, "#2").click()
        browser.find_element(By.ID, "accept").click()
        shows(browser, "status", "accepted")
        sign_in(browser, web.link(LEAD))
        shows(browser, "group-done", OCCURRENCE)
        browser.get(f"{web.url}/committee/enforcement")
        shot(browser, taken, "committee")
        browser.get(f"{web.url}/calendars")
        shot(browser, taken, "calendars")
        browser.set_window_size(390, 844)  # a phone
        browser.get(f"{web.url}/occurrence/{OCCURRENCE}")
        shows(browser, "progress", "Accepted")
        shot(browser, taken, "phone")
    verify = run("audit", "verify", env=db_env(store))
    assert verify.exit_code == 0, verify.output
    assert {p.name for p in taken.iterdir()} >= {"my-work.png", "occurrence-form.png",
                                                 "review-queue.png", "evidence-review.png",
                                                 "committee.png"}
    shutil.copytree(taken, SHOTS, dirs_exist_ok=True)
