"""Test helpers shared by several test modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from naptip.store.db import Database

#: the newest migration's revision: the one line to update when a migration is added
SCHEMA_HEAD = "0015_run_plan"


@dataclass
class FakeDist:
    name: str
    version: str = "9.9"


@dataclass
class FakeEntryPoint:
    """Stands in for importlib.metadata.EntryPoint (pytest's test_config pattern)."""

    name: str
    loader: Callable[[], Any]
    package: str = "naptip-fake"
    group: str = "naptip"

    @property
    def value(self) -> str:
        return f"{self.package.replace('-', '_')}:plugin"

    @property
    def dist(self) -> FakeDist:
        return FakeDist(self.package)

    def load(self) -> Any:
        return self.loader()


def adopted_at_start(db: Database) -> Database:
    """Record that this store took up NAPTIP 3.0 on the plan's first day, as a store in use
    since 2021 would have it: its runs on any day of the plan remind and escalate all open
    work. (A fresh install summarises work due before its first run instead:
    tests/work/test_fresh_install.py.) Written directly, not audited, so that the audit log
    is the test's own."""
    import json

    from naptip.plan.plandata import load_plan_structure
    from naptip.store.orm import MetaValue

    plan = load_plan_structure().plan
    db.write(lambda session: session.merge(MetaValue(key=f"plan-life:{plan.id}", value=json.dumps(
        {"adopted_on": plan.start.isoformat(), "adopted_how": "naptip adopt"}))))
    return db
