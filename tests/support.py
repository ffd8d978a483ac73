"""Test helpers shared by several test modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: the newest migration's revision: the one line to update when a migration is added
SCHEMA_HEAD = "0013_evidence_import"


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
