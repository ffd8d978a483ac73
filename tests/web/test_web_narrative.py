"""The committee's narrative entered in the portal, over HTTP, and printed in the report."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from click.testing import Result

from naptip.plan.catalog import Catalog
from naptip.reports.narrative import latest_narratives
from naptip.store.db import Database
from tests.conftest import db_env
from tests.web_support import LEAD, OTHER_LEAD, REVIEWER, people, serve


def _count(db: Database) -> int:
    with db.reading() as session:
        return len(latest_narratives(session, ["enforcement"], "annual", 2023, None))


def test_a_committee_lead_enters_the_narrative_in_the_portal(
        synced: Database, builtin_catalog: Catalog, run: Callable[..., Result]) -> None:
    people(synced)
    with serve(synced, builtin_catalog) as web:
        with web.client(LEAD) as lead:
            page = lead.get("/committee/enforcement")
            assert page.status_code == 200 and 'id="narrative-form"' in page.text
            assert '<option value="2024" selected>' in page.text  # the portal's day
            csrf = web.csrf(lead, "/committee/enforcement")
            posted = lead.post("/committee/enforcement/narrative", data={
                "csrf": csrf, "report": "2023", "gaps": "Labour inspectors untrained.",
                "challenges": "", "adjustments": "Train them with JTKSM in 2024.",
                "actions": ""}, follow_redirects=False)
            assert posted.status_code == 303
            assert posted.headers["location"] == "/committee/enforcement?done=1"
            shown = lead.get("/committee/enforcement?done=1").text
            assert 'id="narrative-saved"' in shown
            assert "<dd>Labour inspectors untrained.</dd>" in shown
            assert "<dd>Train them with JTKSM in 2024.</dd>" in shown
            assert "ACP Lim Wei &lt;lead@rmp.gov.my&gt;" in shown

            # refused: personal data (one line, nothing stored), a year outside the plan
            bad = lead.post("/committee/enforcement/narrative", data={
                "csrf": csrf, "report": "2023", "gaps": "Call the victim at 012-345 6789."})
            assert bad.status_code == 422
            assert ("narrative refused: found what looks like a phone number in the gaps "
                    "part" in bad.text)  # the page names the form's part, not a CLI option
            outside = lead.post("/committee/enforcement/narrative", data={
                "csrf": csrf, "report": "2031", "gaps": "x"})
            assert outside.status_code == 422 and 'id="error-report"' in outside.text
            forged = lead.post("/committee/enforcement/narrative", data={
                "csrf": "forged", "report": "2023", "gaps": "x"})
            assert forged.status_code == 403
            # not its committee: not found, as everywhere in the portal
            theirs = lead.post("/committee/legislative/narrative", data={
                "csrf": csrf, "report": "2023", "gaps": "x"})
            assert theirs.status_code == 404
        with web.client(OTHER_LEAD) as other:
            csrf = web.csrf(other, "/committee/legislative")
            assert other.post("/committee/enforcement/narrative", data={
                "csrf": csrf, "report": "2023", "gaps": "x"}).status_code == 404
        with web.client(REVIEWER) as reviewer:  # reviews all, so sees all; speaks for none
            page = reviewer.get("/committee/enforcement")
            assert page.status_code == 200 and 'id="narrative-form"' not in page.text
            csrf = web.csrf(reviewer, "/committee/enforcement")
            assert reviewer.post("/committee/enforcement/narrative", data={
                "csrf": csrf, "report": "2023", "gaps": "x"}).status_code == 403
    assert _count(synced) == 1

    # the report prints it, with who entered it
    result = run("--as-of", "2026-12-31", "report", "annual", "--year", "2023", "--format",
                 "json", env=db_env(synced))
    assert result.exit_code == 0, result.output
    said = json.loads(result.stdout)["narrative"]["enforcement"]
    assert (said["gaps"], said["adjustments"], said["challenges"], said["entered_by"]) == (
        "Labour inspectors untrained.", "Train them with JTKSM in 2024.", "",
        "ACP Lim Wei <lead@rmp.gov.my>")
    assert date.fromisoformat(said["entered_at"][:10]) <= date(2026, 12, 31)
