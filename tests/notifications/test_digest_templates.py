"""The digest templates: en/ and ms/ hold the same files, and each renders in both
languages with StrictUndefined, for every kind of item."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from jinja2 import StrictUndefined

from naptip.notifications.digest import LANGUAGES, TEMPLATES, environment, format_day, render
from naptip.people.reminders import Item

ROOT = Path(__file__).resolve().parents[2] / "notifications" / "templates"


def items() -> list[Item]:
    base = dict(title="Progress <report> & more", kind="progress-report", due=date(2025, 7, 30),
                owner="enforcement", owner_name="Enforcement Committee",
                owner_name_ms="Jawatankuasa Penguatkuasaan", unshifted=None)
    return [
        Item(occurrence_id="S1-O1-i@2024", section="overdue", stage="overdue-1", days=3,
             returned_reason="Missing figures", indicators=(("Number of cases", "Minimum 2"),
                                                            ("Report", None)),
             **base),  # type: ignore[arg-type]
        Item(occurrence_id="S1-O1-ii@2025", section="due", stage="before-7", days=5,
             supporting=True, **{**base, "unshifted": date(2025, 8, 2)},  # type: ignore[arg-type]
             moved_why="Saturday, the weekend"),
        Item(occurrence_id="S1-O1-iii@2025", section="due", stage="before-30", days=20,
             **base),  # type: ignore[arg-type]
        Item(occurrence_id="meeting@2025-08-01", section="meeting", stage="meeting-2", days=2,
             host="Royal Malaysian Customs (JKDM)", **{**base, "kind": "meeting"}),  # type: ignore[arg-type]
    ]


def test_both_languages_have_the_same_templates() -> None:
    folders = {lang: sorted(p.name for p in (ROOT / lang).iterdir()) for lang in LANGUAGES}
    assert folders["en"] == folders["ms"] == sorted(TEMPLATES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_renders_strictly(language: str) -> None:
    env = environment(language)
    assert env.undefined is StrictUndefined
    digest = render(items(), name="Ali", language=language, today=date(2025, 7, 28),
                    audience=[("Enforcement Committee", "Jawatankuasa Penguatkuasaan")])
    assert "\n" not in digest.subject
    if language == "en":
        assert digest.subject == ("NAPTIP: 1 overdue, 1 due this week, 1 due later, 1 meeting "
                                  "— Enforcement Committee")
        assert "Returned by the reviewer: Missing figures" in digest.text
        assert "Host: Royal Malaysian Customs (JKDM)" in digest.text
        assert "[supporting: led by Enforcement Committee]" in digest.text
        assert "Moved from Saturday, 2 August 2025: Saturday, the weekend" in digest.text
    else:
        assert digest.subject == ("NAPTIP: 1 tertunggak, 1 tarikh akhir minggu ini, 1 tarikh "
                                  "akhir akan datang, 1 mesyuarat — Jawatankuasa Penguatkuasaan")
        assert "Dikembalikan oleh penyemak: Missing figures" in digest.text
        assert "Agensi tuan rumah: Royal Malaysian Customs (JKDM)" in digest.text
        assert "Rabu, 30 Julai 2025" in digest.text
    assert "Progress &lt;report&gt; &amp; more" in digest.html
    assert "<report>" not in digest.html and "<report>" in digest.text


def test_missing_value_is_an_error_not_blank() -> None:
    from jinja2 import UndefinedError

    template = environment("en").get_template("digest.txt.j2")
    with pytest.raises(UndefinedError):
        template.render(name="x", today=date(2025, 1, 1))


def test_dates_per_language() -> None:
    assert format_day(date(2025, 7, 30), "en") == "Wednesday, 30 July 2025"
    assert format_day(date(2025, 8, 31), "ms") == "Ahad, 31 Ogos 2025"


def test_an_occurrence_shows_once_for_a_person_in_two_roles() -> None:
    from dataclasses import replace

    lead_stage = items()[0]
    chair_stage = replace(lead_stage, stage="overdue-14", days=14)
    digest = render([lead_stage, chair_stage], name="Ali", language="en",
                    today=date(2025, 8, 13))
    assert digest.text.count("S1-O1-i@2024:") == 1
    assert digest.subject.startswith("NAPTIP: 1 overdue —")


@pytest.mark.parametrize(("language", "says"), [
    ("en", "Re-opened by the secretariat: audit <asked>; due Thursday, 31 December 2026"),
    ("ms", "Dibuka semula oleh urus setia: audit <asked>; tarikh akhir Khamis, "
           "31 Disember 2026")])
def test_a_reopened_item_says_why_and_its_new_deadline(language: str, says: str) -> None:
    base = items()[2]
    from dataclasses import replace

    item = replace(base, due=date(2026, 12, 31), reopened_reason="audit <asked>")
    digest = render([item], name="Lead", language=language, today=date(2026, 12, 24))
    assert says in digest.text
    assert says.replace("<", "&lt;").replace(">", "&gt;") in digest.html
