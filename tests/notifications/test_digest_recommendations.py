"""The digest's section of recommendations before an HLC-MAPO meeting, rendered from items
(the sending, the ledger and the cap over SMTP: tests/work/test_recommendation_digest.py)."""

from __future__ import annotations

from datetime import date

from naptip.notifications.digest import render
from naptip.notifications.recommendations import rec_stage
from naptip.people.reminders import Item, RecommendationNote

MEETING = date(2024, 6, 26)


def rec(n: int, status: str = "not-started", *, awaiting: bool = False) -> Item:
    return Item(occurrence_id="hlc-mapo-meeting@2024-06-26", title=f"Text {n}.",
                kind="recommendation", section="recommendations",
                stage=rec_stage("us-tip-2025", f"R{n}"), due=MEETING, days=5,
                unshifted=None, owner="media", owner_name="Media and Publicity Committee",
                owner_name_ms="Jawatankuasa Media dan Publisiti",
                recommendation=RecommendationNote(
                    set_id="us-tip-2025", source="US TIP Report 2025 — Malaysia",
                    item=f"R{n}", text=f"Text {n}.", status=status,
                    last_update=date(2024, 5, 2) if awaiting else None,
                    awaiting=((("implemented", date(2024, 5, 2)),) if awaiting else ())))


def test_each_item_of_one_meeting_is_listed() -> None:
    digest = render([rec(1, "in-progress", awaiting=True), rec(2)], name="Aminah",
                    language="en", today=date(2024, 6, 21))
    assert digest.subject == ("NAPTIP: 2 recommendations for HLC-MAPO — "
                              "Media and Publicity Committee")
    text = digest.text
    assert "== Recommendations for the HLC-MAPO meeting on Wednesday, 26 June 2024 ==" in text
    assert "* R1 (US TIP Report 2025 — Malaysia): Text 1." in text
    assert "Status: in progress; last update Thursday, 2 May 2024" in text
    assert "Awaiting review: implemented, submitted Thursday, 2 May 2024" in text
    # R1's update awaits review: a new one would be refused, so none is asked for
    r1 = text[text.index("* R1 "):text.index("* R2 ")]
    assert "Update: none now: your update awaits the secretariat's review" in r1
    assert "naptip recommendations update" not in r1
    assert "Update: none now: your update awaits" in digest.html
    assert "* R2 (US TIP Report 2025 — Malaysia): Text 2." in text
    assert "Status: not started; no update yet" in text
    assert 'naptip recommendations update us-tip-2025 R2 --status STATUS --narrative "..."' \
        in text
    assert "US TIP Report 2025 — Malaysia" in digest.html  # escaped, as any text
    assert "<h2>Recommendations for the HLC-MAPO meeting on Wednesday, 26 June 2024</h2>" \
        in digest.html


def test_in_malay() -> None:
    digest = render([rec(1, "in-progress", awaiting=True)], name="Aminah", language="ms",
                    today=date(2024, 6, 21))
    assert digest.subject == "NAPTIP: 1 syor untuk HLC-MAPO — Jawatankuasa Media dan Publisiti"
    assert "== Syor untuk mesyuarat HLC-MAPO pada Rabu, 26 Jun 2024 ==" in digest.text
    assert "Status: sedang dilaksanakan; kemas kini terakhir Khamis, 2 Mei 2024" in digest.text
    assert "Kemas kini: tiada buat masa ini: kemas kini anda menunggu semakan sekretariat" \
        in digest.text


def test_the_cap_names_the_command_even_with_a_portal_link() -> None:
    items = [rec(n) for n in range(1, 6)]
    plain = render(items, name="A", language="en", today=date(2024, 6, 21), limit=2)
    assert "+ 3 more recommendations for the HLC-MAPO meeting — see them all: " \
        "naptip recommendations list --committee media" in plain.text
    linked = render(items, name="A", language="en", today=date(2024, 6, 21), limit=2,
                    link="https://naptip.example/signin/SECRET")
    assert "(recommendations: naptip recommendations list --committee media)" in linked.text
    assert "(recommendations: <code>naptip recommendations list --committee media</code>)" \
        in linked.html
    assert linked.text.count("* R") == 2


def test_a_long_stage_is_hashed_to_fit_the_ledger() -> None:
    assert rec_stage("us-tip-2025", "R1") == "rec:us-tip-2025:R1"
    long = rec_stage("x" * 60, "item-" + "y" * 35)
    assert len(long) == 40 and long.startswith("rec:")
    assert long != rec_stage("x" * 60, "item-" + "y" * 34 + "z")


def overdue(n: int) -> Item:
    return Item(occurrence_id=f"media-report@2024-0{1 + n % 5}-{10 + n}", title=f"Report {n}",
                kind="report", section="overdue", stage="overdue", due=date(2024, 5, 1),
                days=-50 - n, unshifted=None, owner="media",
                owner_name="Media and Publicity Committee",
                owner_name_ms="Jawatankuasa Media dan Publisiti")


def test_the_meetings_recommendations_are_listed_before_the_cap_cuts_the_rest() -> None:
    """A lead with more overdue items than the cap still sees the meeting's agenda: the
    subject counts it, so the body lists it (hred 3)."""
    items = [overdue(n) for n in range(1, 31)] + [rec(1), rec(2)]
    digest = render(items, name="A", language="en", today=date(2024, 6, 21), limit=25)
    assert "2 recommendations for HLC-MAPO" in digest.subject
    text = digest.text
    assert "== Recommendations for the HLC-MAPO meeting on Wednesday, 26 June 2024 ==" in text
    assert "* R1 (US TIP Report 2025 — Malaysia)" in text and "* R2 (" in text
    assert "+ 7 more overdue items — see them all" in text
    assert "It lists the 25 most urgent of your 32 items" in text
    assert "more recommendation" not in text
    # a cap smaller than the agenda still shows the meeting, and counts the rest of it
    small = render(items, name="A", language="en", today=date(2024, 6, 21), limit=1).text
    assert "* R1 (" in small and "* R2 (" not in small and "Report 1" not in small
    assert "+ 30 more overdue items, 1 more recommendation for the HLC-MAPO meeting" in small
