"""A lead's week on a 360 px phone in Chromium: from a digest item's link straight to its
page, My work in the to-do order with counts and "show more", the occurrence sentence, a
form error that keeps the values and names the file to attach again; no page wider than
the screen."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from naptip.base.config import parse_settings
from naptip.notifications.dispatch import RunOptions, run_reminders
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from tests.smtp_server import SmtpServer, smtp
from tests.web.test_web_browser import SHOTS, browser, shot, shows
from tests.web.test_web_security import store
from tests.web_support import LEAD, TODAY, serve

pytestmark = pytest.mark.slow

__all__ = ["browser", "smtp", "store"]
PHONE = 360


def fits(driver: WebDriver) -> None:
    """No horizontal scrolling: the page is no wider than the screen."""
    wide, screen = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= screen, f"{driver.current_url}: {wide} px wide on a {screen} px screen"


def test_a_lead_on_a_phone_goes_from_the_digest_to_the_item_and_through_my_work(
        store: Database, builtin_catalog: Catalog, smtp: SmtpServer, browser: WebDriver,
        tmp_path: Path) -> None:
    taken = tmp_path / "shots"
    browser.set_window_size(PHONE, 800)
    with serve(store, builtin_catalog) as web:
        settings = parse_settings({"mail": {"url": smtp.url}})
        run_reminders(store, builtin_catalog, settings, None, RunOptions(
            today=TODAY, since=TODAY.replace(month=1, day=1), to=LEAD,
            environ={"NAPTIP_WEB_URL": web.url}))
        [mail] = smtp.handler.to(LEAD)
        first = re.findall(r"Open: (\S+)", mail.text)[0]
        oid = re.findall(r"^\* (\S+):", mail.text, re.M)[0]

        # the item's link: the sign-in button, then the item's own page
        browser.get(first)
        browser.find_element(By.ID, "signin").click()
        WebDriverWait(browser, 20).until(lambda d: f"/occurrence/{oid}" in d.current_url)
        assert "is asked for" in browser.find_element(By.ID, "ask").text
        fits(browser)

        # My work: counts first, the groups in the to-do order, 25 more at a time
        browser.get(f"{web.url}/work")
        counts = browser.find_element(By.ID, "counts").text.splitlines()
        assert [c.split(":")[0] for c in counts] == [
            "Returned", "Overdue", "Due in the next 30 days", "Awaiting review", "Done",
            "Supporting other committees"]
        overdue = int(counts[1].split(":")[1])
        assert overdue > 25
        sections = [s.get_attribute("id") for s in browser.find_elements(By.TAG_NAME, "section")]
        assert sections == ["group-returned", "group-overdue", "group-due", "group-awaiting",
                            "group-done", "group-supporting"]
        fits(browser)
        shot(browser, taken, "phone-my-work")
        browser.find_element(By.ID, "more-overdue").click()
        WebDriverWait(browser, 20).until(lambda d: "show_overdue=50" in d.current_url)
        shown = browser.find_element(By.ID, "group-overdue").find_elements(By.CLASS_NAME, "id")
        assert len(shown) == min(50, overdue)

        # a form error keeps what was typed and names the file to attach again
        report = tmp_path / "laporan-operasi.pdf"
        report.write_bytes(b"%PDF-1.4\n% operation report\n%%EOF\n")
        browser.get(f"{web.url}/occurrence/S19-O1-viii@2023")
        browser.find_element(By.ID, "value_1").send_keys("3")
        browser.find_element(By.ID, "sex_female").send_keys("9")  # does not add up
        browser.find_element(By.ID, "note").send_keys("Operasi Pintas")
        browser.find_element(By.ID, "files").send_keys(str(report))
        browser.find_element(By.ID, "submit").click()
        shows(browser, "error-sex", "adds up to 9")
        assert browser.find_element(By.ID, "value_1").get_attribute("value") == "3"
        assert browser.find_element(By.ID, "note").get_attribute("value") == "Operasi Pintas"
        shows(browser, "attach-again", "laporan-operasi.pdf")
        fits(browser)
        browser.execute_script("document.getElementById('form-errors').scrollIntoView()")
        shot(browser, taken, "phone-occurrence-error")
    shutil.copytree(taken, SHOTS, dirs_exist_ok=True)
