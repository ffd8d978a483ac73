"""Plan packages: a plan's structure and activities as a folder of data (issue 19).

::

    DIR/plan.toml                        the structure, in the schema of naptip/data/plan.toml
    DIR/activities/<committee-id>.toml   [[activity]] entries that committee owns

An activity file has the format of a plugin's ``activities.toml`` (docs/plugin-authors.md)
without a ``[committee]`` table (nor agencies or duties): committees exist across plans
and come from the committee plugins. Its entries' ``lead`` is the file's committee (it may
be left out); entries of the secretariat's file (``nso-mapo.toml``) name no committee as
lead, as in NAPTIP 3.0, and the secretariat owns them. The format is in
docs/plan-packages.md. This module only reads: ``naptip plan import`` writes packages.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from naptip.base.errors import DataFileError, NaptipError
from naptip.base.model import SECRETARIAT_ID, Activity, PlanStructure
from naptip.plan.catalog import activity_problem
from naptip.plan.datafiles.datafile import parse_data
from naptip.plan.plandata import parse_structure

__all__ = ["PlanPackage", "load_plan_package"]


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanPackage:
    """A plan read from a data-only folder: its structure and its activity entries (in
    the order of their files, by committee id, then as written)."""

    structure: PlanStructure
    activities: tuple[Activity, ...]
    source: Path

    @property
    def name(self) -> str:
        """What problems with its entries are attributed to (as a plugin's name)."""
        return f"plan package {self.structure.plan.id}"

    def by_id(self) -> dict[str, Activity]:
        return {a.id: a for a in self.activities}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror}") from None


def load_plan_package(path: Path, committees: Collection[str]) -> PlanPackage:
    """Read and check the plan package in folder ``path``.

    ``committees`` are the committee ids known (a catalog's ``committees``): every activity
    file must be named after one, and every lead and supporting committee must be one.
    Objective and output ids must exist in the package's plan.toml and timelines lie
    inside its period. Anything wrong raises :class:`DataFileError` (or
    :class:`NaptipError` for a missing folder) naming the file, the entry and the field.
    """
    path = Path(path)
    if not path.is_dir():
        raise NaptipError(f"{path}: not a folder (a plan package is a folder with plan.toml "
                          "and activities/)")
    plan_file = path / "plan.toml"
    if not plan_file.is_file():
        raise DataFileError(f"{plan_file}: missing (a plan package needs its structure)")
    structure = parse_structure(_read(plan_file), str(plan_file))
    folder = path / "activities"
    if not folder.is_dir():
        raise DataFileError(f"{folder}: missing (a plan package keeps its activities there, "
                            "one file per committee)")
    stray = sorted(p.name for p in folder.iterdir()
                   if p.suffix != ".toml" and not p.name.startswith("."))
    if stray:
        raise DataFileError(f"{folder / stray[0]}: not an activity file (expected "
                            "<committee-id>.toml)")
    activities: list[Activity] = []
    where: dict[str, Path] = {}
    for file in sorted(folder.glob("*.toml")):
        committee = file.stem
        if committee not in committees:
            raise DataFileError(f"{file}: unknown committee {committee!r} (the file's name "
                                f"must be a committee id: {', '.join(sorted(committees))})")
        for activity in _activities(file, committee, committees, structure):
            if activity.id in where:
                raise DataFileError(f"{file}: activity {activity.id}: duplicate id (also in "
                                    f"{where[activity.id]})")
            where[activity.id] = file
            activities.append(activity)
    return PlanPackage(structure=structure, activities=tuple(activities), source=path)


def _activities(file: Path, committee: str, committees: Collection[str],
                structure: PlanStructure) -> list[Activity]:
    text = _read(file)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{file}: not valid TOML: {exc}") from None
    other = sorted(set(raw) - {"activity"})
    if other:
        raise DataFileError(
            f"{file}: top level: {other[0]!r} does not belong in a plan package's activity "
            "file (only [[activity]] entries: committees, agencies and duties come from "
            "the committee plugins)")
    result = []
    for activity in parse_data(text, str(file)).activities:
        where = f"{file}: activity {activity.id}"
        if activity.lead is None and committee != SECRETARIAT_ID:
            activity = replace(activity, lead=committee)
        elif activity.lead is not None and activity.lead != committee:
            raise DataFileError(f"{where}: lead {activity.lead!r} is not this file's "
                                f"committee {committee!r} (move it to activities/"
                                f"{activity.lead}.toml)")
        problem = activity_problem(activity, structure, committees)
        if problem:
            raise DataFileError(f"{where}: {problem}")
        result.append(activity)
    return result
