"""docs/plugin-authors.md cannot drift from the code: its hook reference is generated."""

from __future__ import annotations

import re
from pathlib import Path

from naptip.plan import hookspecs
from naptip.plan.hookcheck import hook_names, signature
from naptip.plan.hookref import embedded, render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugin-authors.md"


def test_the_reference_in_the_doc_is_the_generated_one() -> None:
    # If this fails: python -m naptip.plan.hookref --write docs/plugin-authors.md
    assert embedded(DOC.read_text(encoding="utf-8")) == render_reference()


def test_every_hook_is_in_the_reference_with_its_signature() -> None:
    reference = render_reference()
    names = hook_names()
    assert names == [n for n in vars(hookspecs) if n.startswith("naptip_")]
    for name in names:
        assert f"### `{signature(name)}`" in reference
    # ...and the objects plugins receive, with their fields
    for heading in ("EvidenceDraft", "Value", "Indicator", "AgencyExtension", "Duty"):
        assert f"### `{heading}`" in reference
    assert "| `values` | `tuple[tuple[int, Indicator, Value], ...]` | required |" in reference


def test_the_doc_no_longer_calls_evidence_validation_a_future_hook() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert not re.search(r"More hooks \(.*evidence validation", text)
    # and the testing recipe that failed once the plugin was installed is gone
    assert "loaded.pm.register(" not in text
