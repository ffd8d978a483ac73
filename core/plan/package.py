"""Plan packages: a plan's structure and activities as a folder of data (issue 19).

::

    DIR/plan.toml                        the structure (pillars ... outputs, period)
    DIR/activities/<committee-id>.toml   [[activity]] entries that committee owns

An activity file has the format of a plugin's ``activities.toml`` (docs/plugin-authors.md)
without a ``[committee]`` table (nor agencies or duties): committees exist across plans
and come from the committee plugins. Its entries' ``lead`` is the file's committee (it may
be left out); entries of the secretariat's file (``nso-mapo.toml``) name no committee as
lead, as in NAPTIP 3.0, and the secretariat owns them. The format is in
docs/plan-packages.md. This module only reads: ``naptip plan import`` writes packages.

NAPTIP 3.0 is the first plan package, shipped with naptip in ``naptip/data/plans/naptip-3.0``
(:func:`load_builtin_package`). It is read like any other, flagged ``built_in``: its
occurrence ids have no prefix (stores in use since 2021 hold them as they are), and the
``[[activity]]`` entries plugins declare (``naptip_activities``) join it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from pathlib import Path

from naptip.base.errors import DataFileError, NaptipError
from naptip.base.model import SECRETARIAT_ID, Activity, PlanStructure
from naptip.plan.datafiles.datafile import parse_data
from naptip.plan.entrycheck import activity_problem
from naptip.plan.plandata import BUILT_IN_FOLDER, BUILT_IN_PLAN, parse_structure

__all__ = ["BUILT_IN_PLAN", "PlanPackage", "builtin_package_folder", "load_builtin_package",
           "load_plan_package"]


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanPackage:
    """A plan read from a data-only folder: its structure and its activity entries (in
    the order of their files, by committee id, then as written)."""

    structure: PlanStructure
    activities: tuple[Activity, ...]
    source: Path
    #: the plan shipped with naptip (NAPTIP 3.0): occurrence ids without the plan's prefix,
    #: and the plugins' own activity entries join it
    built_in: bool = False
    #: activity id -> the file it is written in
    files: Mapping[str, Path] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """What its entries are declared by, and problems with them attributed to (as a
        plugin's name)."""
        return f"plan package {self.structure.plan.id}"

    def where(self, activity_id: str) -> str:
        """Where an entry is written: the package and its file (for one-line problems)."""
        file = self.files.get(activity_id)
        return f"{self.name} ({file})" if file is not None else self.name

    def by_id(self) -> dict[str, Activity]:
        return {a.id: a for a in self.activities}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror}") from None


def builtin_package_folder() -> Path:
    """The folder of NAPTIP 3.0's package inside the installed naptip."""
    return Path(str(files("naptip.data").joinpath(*BUILT_IN_FOLDER)))


@cache
def load_builtin_package() -> PlanPackage:
    """NAPTIP 3.0, the plan package shipped with naptip (read once per process). Its
    committees are checked entry by entry when a catalog is built, as plugins' entries are:
    a disabled committee plugin leaves out the entries that name it, not the plan."""
    return load_plan_package(builtin_package_folder(), None, built_in=True)


def load_plan_package(path: Path, committees: Collection[str] | None, *,
                      built_in: bool = False) -> PlanPackage:
    """Read and check the plan package in folder ``path``.

    ``committees`` are the committee ids known (a catalog's ``committees``): every activity
    file must be named after one, and every lead and supporting committee must be one
    (``None``: not checked here; the catalog checks each entry).
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
        if committees is not None and committee not in committees:
            raise DataFileError(f"{file}: unknown committee {committee!r} (the file's name "
                                f"must be a committee id: {', '.join(sorted(committees))})")
        for activity in _activities(file, committee, committees, structure):
            if activity.id in where:
                raise DataFileError(f"{file}: activity {activity.id}: duplicate id (also in "
                                    f"{where[activity.id]})")
            where[activity.id] = file
            activities.append(activity)
    return PlanPackage(structure=structure, activities=tuple(activities), source=path,
                       built_in=built_in, files=where)


def _activities(file: Path, committee: str, committees: Collection[str] | None,
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
