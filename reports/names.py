"""How reports name committees, pillars and the words stored in English, in the report's
language: the same name in every table and chart."""

from __future__ import annotations

from naptip.plan.catalog import Catalog
from naptip.reports.labels import t

__all__ = ["category_label", "committee_name", "kind_label", "pillar_name"]


def committee_name(catalog: Catalog, committee_id: str, lang: str) -> str:
    """The committee's name (its Malay ``name_ms`` for ``ms``); the id when unknown."""
    c = catalog.committees.get(committee_id)
    if c is None:
        return committee_id
    return c.name_ms if lang == "ms" and c.name_ms else c.name


def pillar_name(catalog: Catalog, pillar_id: str, lang: str) -> str:
    """``P1 Prevention`` (``P1 Pencegahan``); the id when unknown."""
    p = catalog.structure.pillars.get(pillar_id)
    if p is None:
        return pillar_id
    return f"{pillar_id} {p.name_ms if lang == 'ms' and p.name_ms else p.name}"


_CATEGORIES = {"female", "male", "unknown", "child", "adult"}
_KINDS = {"count", "amount", "percentage", "milestone", "deliverable", "narrative"}


def category_label(category: str, lang: str) -> str:
    """A sex or age category in the report's language (nationalities as entered)."""
    return t(f"cat_{category}", lang) if category in _CATEGORIES else category


def kind_label(kind: str, lang: str) -> str:
    """An indicator kind (count, amount...) in the report's language."""
    return t(f"kind_{kind}", lang) if kind in _KINDS else kind
