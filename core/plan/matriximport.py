"""Read a matrix laid out like Appendix I (naptip.plan.matrix) into a plan package.

Every cell that cannot be read is a :class:`CellProblem` (its row, its column, why); the
entries it belongs to are left out, everything readable is kept, so that the secretariat
can fix the sheet and import it again. Pillars, goals, programme areas and parties are
not in a matrix: they come from a base structure (``naptip plan import --structure-from``,
NAPTIP 3.0 by default). docs/plan-packages.md describes the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from naptip.base.model import (
    SECRETARIAT_ID,
    Activity,
    Cadence,
    Committee,
    Indicator,
    IndicatorKind,
    Output,
    Plan,
    PlanStructure,
    SpecificObjective,
    Timeline,
)
from naptip.plan.entrycheck import activity_problem
from naptip.plan.export import plan_order
from naptip.plan.matrix import COLUMNS, Sheet
from naptip.plan.packagewrite import activities_toml, structure_toml, write_text

#: header (case-insensitive) -> column key: the headers as exported, other spellings
#: (Appendix I's own, in the plural), and the keys themselves, the headers winning
_BY_HEADER = {c.key: c.key for c in COLUMNS} | {
    "activities": "activity_text", "indicators": "indicator", "kpi": "indicator",
    "indicator": "indicator", "kpi/indicator": "indicator",
    "assigned responsibility": "responsibility", "pillar": "pillar",
    "linked to strategic goals": "goals", "related strategic goals": "related_goals",
} | {c.header.casefold(): c.key for c in COLUMNS}
_LEVEL = {c.key: c.level for c in COLUMNS}
_HEADER = {c.key: c.header for c in COLUMNS}
_OBJECTIVE_ID = re.compile(r"^S(\d+)$")
_OUTPUT_ID = re.compile(r"^(S\d+)-O(\d+)$")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YES = {"yes", "y", "true", "1", "ya"}
_NO = {"", "no", "n", "false", "0", "tidak"}
PROBLEMS_FILE = "problems.txt"


@dataclass(frozen=True, slots=True)
class CellProblem:
    """A cell that could not be read: its sheet row, its column's key and why."""

    row: int
    column: str | None
    message: str

    def line(self, source: str) -> str:
        where = f"column {_HEADER.get(self.column, self.column)!r}: " if self.column else ""
        return f"{source}:{self.row}: {where}{self.message}"


@dataclass
class MatrixImport:
    """What a matrix gave: the plan's structure, the readable activity entries, and the
    problems (cells that could not be read, then the entries left out because of them)."""

    source: Path
    structure: PlanStructure
    activities: list[Activity]
    sources: dict[str, str] = field(default_factory=dict)  #: "output:S9-O1" or id -> note
    problems: list[CellProblem] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def problem_lines(self) -> list[str]:
        name = str(self.source)
        return [p.line(name) for p in sorted(self.problems, key=lambda p: p.row)] + [
            f"{name}: left out: {entry}" for entry in self.left_out]


@dataclass
class _Group:
    """An objective, output or activity as first read, with the rows it spans."""

    row: int
    cells: dict[str, str]
    rows: list[int] = field(default_factory=list)
    bad: bool = False
    ident: str = ""


def _letter(n: int) -> str:
    """A spreadsheet's column letter for column index ``n`` (0 is A, 26 is AA)."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _items(text: str) -> list[str]:
    return [" ".join(v.split()) for v in re.split(r"[;\n]", text) if v.strip()]


def guess_kind(text: str) -> IndicatorKind:
    """An indicator's kind from its wording, when the sheet has no kind column."""
    low = text.casefold()
    if low.startswith(("number of", "no. of", "bilangan")):
        return IndicatorKind.COUNT
    if low.startswith(("amount", "total amount")) or "fund" in low or "budget" in low:
        return IndicatorKind.AMOUNT
    if "%" in low or "percentage" in low:
        return IndicatorKind.PERCENTAGE
    if low[:1].isdigit():
        return IndicatorKind.DELIVERABLE
    return IndicatorKind.NARRATIVE


class _Reader:
    def __init__(self, sheet: Sheet, base: PlanStructure, plan: Plan,
                 committees: Mapping[str, Committee]) -> None:
        self.sheet = sheet
        self.base = base
        self.plan = plan
        self.committees = committees
        self.names = {n.casefold(): c.id for c in committees.values()
                      for n in (c.id, c.name, c.name_ms, *c.aliases)}
        self.problems: list[CellProblem] = []
        self.columns: dict[str, int] = {}
        self.objectives: dict[str, _Group] = {}
        self.outputs: list[_Group] = []  #: in order; ident "" until numbered
        self.activities: list[_Group] = []
        self.indicators: dict[int, list[tuple[int, dict[str, str]]]] = {}  #: id(group) ->
        self.left_out: list[str] = []

    def problem(self, row: int, column: str | None, message: str) -> None:
        self.problems.append(CellProblem(row, column, message))

    # --- the header ---------------------------------------------------------------------

    def header(self) -> list[str]:
        """Map the columns; the headers it does not know (ignored) are returned. A column
        named twice (or under two of its spellings) is a NaptipError naming it: which of
        the two holds the matrix cannot be guessed."""
        from naptip.base.errors import NaptipError

        ignored = []
        for n, name in enumerate(self.sheet.header):
            key = _BY_HEADER.get(" ".join(name.split()).casefold())
            if key is None:
                ignored.append(name)
                continue
            if key in self.columns:
                first = self.columns[key]
                same = self.sheet.header[first]
                what = (f"column {name!r} appears twice" if same == name else
                        f"columns {same!r} and {name!r} are the same column")
                raise NaptipError(f"{self.sheet.source}: {what} (columns {_letter(first)} "
                                  f"and {_letter(n)}): keep one")
            self.columns[key] = n
        return ignored

    def missing_columns(self) -> list[str]:
        need = [("objective",), ("activity_text",), ("indicator",), ("timeline",),
                ("output", "output_text"), ("lead", "responsibility")]
        return [" or ".join(repr(_HEADER[k]) for k in keys) for keys in need
                if not any(k in self.columns for k in keys)]

    # --- pass 1: group the rows ---------------------------------------------------------

    def cells(self, row: tuple[str, ...]) -> dict[str, str]:
        return {key: row[n].strip() for key, n in self.columns.items()}

    def read(self) -> None:
        objective: _Group | None = None
        output: _Group | None = None
        activity: _Group | None = None
        for number, row in self.sheet.rows:
            cells = self.cells(row)

            def level(name: str, cells: dict[str, str] = cells) -> dict[str, str]:
                return {k: v for k, v in cells.items() if _LEVEL[k] == name}

            if any(level("objective").values()):
                group = self.objective(number, level("objective"))
                if group is not objective:
                    objective, output, activity = group, None, None
            elif objective is None:
                self.problem(number, "objective", "missing objective id")
                continue
            if any(level("output").values()):
                found = self.output(number, level("output"), objective)
                if found is not output:
                    output, activity = found, None
            elif output is None:
                self.problem(number, "output", "missing output (its id or its text)")
                continue
            objective.rows.append(number)
            output.rows.append(number)
            acts = level("activity")
            same = activity is not None and _continues(acts, activity.cells)
            if activity is not None and same:
                self.continued(number, activity, acts)
            else:
                activity = self.activity(number, acts, output)
            activity.rows.append(number)
            self.indicators.setdefault(id(activity), []).append((number, level("indicator")))

    def objective(self, row: int, cells: dict[str, str]) -> _Group:
        ident = cells.get("objective", "").upper()
        if not ident:
            self.problem(row, "objective", "missing objective id (S1, S2...)")
            return _Group(row, cells, bad=True)
        if not _OBJECTIVE_ID.match(ident):
            self.problem(row, "objective", f"objective id {ident!r} is not like S9")
            return _Group(row, cells, bad=True)
        known = self.objectives.get(ident)
        if known is None:
            known = self.objectives[ident] = _Group(row, cells, ident=ident)
            return known
        self.merge(row, cells, known, "objective", f"objective {ident}")
        return known

    def merge(self, row: int, cells: dict[str, str], known: _Group, id_column: str,
              what: str) -> None:
        """A later row of an objective or output already read: its blank cells read as
        merged, a cell that says something else is a problem of that row."""
        for key, value in cells.items():
            if key == id_column or not value:
                continue
            if not known.cells.get(key):
                known.cells[key] = value
            elif value != known.cells[key]:
                self.problem(row, key, f"differs from row {known.row} for {what}")
                known.bad = True

    def output(self, row: int, cells: dict[str, str], objective: _Group) -> _Group:
        ident = cells.get("output", "").upper()
        text = cells.get("output_text", "")
        for known in self.outputs:
            if known.cells.get("_objective") != objective.ident:
                continue
            if (ident and known.ident == ident) or (not ident and text and
                                                    known.cells.get("output_text") == text):
                self.merge(row, cells, known, "output", f"output {known.ident or text[:30]}")
                return known
        group = _Group(row, {**cells, "_objective": objective.ident,
                             "output_text": text}, ident=ident, bad=objective.bad)
        if ident:
            match = _OUTPUT_ID.match(ident)
            if not match:
                self.problem(row, "output", f"output id {ident!r} is not like S9-O1")
                group.bad = True
            elif not objective.ident:
                self.problem(row, "output", f"output {ident} is under an objective without "
                                            f"a valid id (row {objective.row})")
                group.bad = True
            elif match.group(1) != objective.ident:
                self.problem(row, "output", f"output {ident} does not belong to objective "
                                            f"{objective.ident} (it must start with "
                                            f"{objective.ident}-)")
                group.bad = True
            elif any(o.ident == ident for o in self.outputs):
                self.problem(row, "output", f"duplicate id {ident}: already under another "
                                            "objective")
                group.bad = True
        if not text:
            self.problem(row, "output_text", "missing text")
            group.bad = True
        self.outputs.append(group)
        return group

    def activity(self, row: int, cells: dict[str, str], output: _Group) -> _Group:
        group = _Group(row, {**cells, "_output": str(self.outputs.index(output))},
                       ident=cells.get("activity", ""))
        group.bad = output.bad
        if group.ident:
            first = next((a for a in self.activities if a.ident == group.ident), None)
            if first is not None:
                self.problem(row, "activity", f"duplicate id {group.ident} (first at row "
                                              f"{first.row}): this entry is left out")
                group.bad = True
                group.cells["_duplicate"] = "yes"
        if not cells.get("activity_text"):
            self.problem(row, "activity_text", "missing text")
            group.bad = True
        self.activities.append(group)
        return group

    def continued(self, row: int, group: _Group, cells: dict[str, str]) -> None:
        for key, value in cells.items():
            if value and " ".join(value.split()) != " ".join(group.cells.get(key, "").split()):
                self.problem(row, key, f"differs from row {group.row} of the same activity")
                group.bad = True

    # --- pass 2: ids, values, the structure --------------------------------------------

    def number_outputs(self) -> None:
        for group in self.outputs:
            if group.ident:
                continue
            objective = group.cells["_objective"]
            if not objective:  # under an objective without a valid id (a problem already)
                continue
            used = [int(m.group(2)) for o in self.outputs
                    if (m := _OUTPUT_ID.match(o.ident)) and m.group(1) == objective]
            group.ident = f"{objective}-O{max(used, default=0) + 1}"

    def number_activities(self) -> None:
        for group in self.activities:
            if group.ident:
                continue
            output = self.outputs[int(group.cells["_output"])].ident
            parent = group.cells.get("parent", "")
            if not output and not parent:  # no objective id to number it under
                continue
            prefix = f"{parent}-" if parent else f"{output}-"
            taken = {a.ident for a in self.activities if a.ident.startswith(prefix)}
            n = 1
            while True:
                item = chr(ord("a") + n - 1) if parent else _roman(n)
                if f"{prefix}{item}" not in taken:
                    break
                n += 1
            group.ident = f"{prefix}{item}"

    def pillar(self, group: _Group) -> str | None:
        value = group.cells.get("pillar", "")
        if not value:
            self.problem(group.row, "pillar", f"missing for objective {group.ident}")
            return None
        head = value.split()[0].rstrip(":.").upper()
        if head in self.base.pillars:
            return head
        for pillar in self.base.pillars.values():
            if value.casefold() in {pillar.name.casefold(), (pillar.name_ms or "").casefold()}:
                return pillar.id
        self.problem(group.row, "pillar", f"unknown pillar {value!r} (known: "
                                          f"{', '.join(self.base.pillars)})")
        return None

    def goals(self, row: int, key: str, value: str) -> tuple[str, ...] | None:
        goals = tuple(g.upper() for g in re.split(r"[;,\s]+", value) if g)
        unknown = [g for g in goals if g not in self.base.goals]
        if unknown:
            self.problem(row, key, f"unknown goal {unknown[0]!r} (known: "
                                   f"{', '.join(self.base.goals)})")
            return None
        return goals

    def structure(self) -> PlanStructure:
        outputs: dict[str, Output] = {}
        for group in self.outputs:
            if group.bad:
                continue
            goals = self.goals(group.row, "goals", group.cells.get("goals", ""))
            related = self.goals(group.row, "related_goals",
                                 group.cells.get("related_goals", ""))
            if goals is None or related is None:
                group.bad = True
                continue
            outputs[group.ident] = Output(id=group.ident, objective=group.cells["_objective"],
                                          text=group.cells["output_text"], goals=goals,
                                          related_goals=related)
        objectives: dict[str, SpecificObjective] = {}
        for group in self.objectives.values():
            text = " ".join(group.cells.get("objective_text", "").split())
            if not text:
                self.problem(group.row, "objective_text", f"missing text of objective "
                                                          f"{group.ident}")
                group.bad = True
            pillar = self.pillar(group)
            area = self.area(group, outputs)
            if group.bad or pillar is None or area is None:
                group.bad = True
                continue
            objectives[group.ident] = SpecificObjective(
                id=group.ident, text=text, area=area, goal=self.base.areas[area].goal,
                primary_pillar=pillar)
        outputs = {k: v for k, v in outputs.items() if v.objective in objectives}
        objectives = dict(sorted(objectives.items(), key=lambda kv: int(kv[0][1:])))
        outputs = dict(sorted(outputs.items(), key=lambda kv: plan_order(kv[0])))
        base = self.base
        return PlanStructure(plan=self.plan, pillars=base.pillars, goals=base.goals,
                             areas=base.areas, objectives=objectives, outputs=outputs,
                             parties=base.parties,
                             _party_names=base._party_names)

    def area(self, group: _Group, outputs: Mapping[str, Output]) -> str | None:
        value = group.cells.get("area", "").upper()
        if value:
            if value in self.base.areas:
                return value
            self.problem(group.row, "area", f"unknown programme area {value!r} (known: "
                                            f"{', '.join(self.base.areas)})")
            return None
        goals = [g for o in outputs.values() if o.objective == group.ident for g in o.goals]
        areas = [a.id for a in self.base.areas.values() if goals and a.goal == goals[0]]
        if len(areas) == 1:
            return areas[0]
        self.problem(group.row, "area", f"missing programme area of objective {group.ident} "
                                        "(and no single area of its first output's goal)")
        return None

    def committee(self, row: int, key: str, value: str) -> str | None:
        found = self.names.get(" ".join(value.split()).casefold())
        if found is None:
            self.problem(row, key, f"unknown committee {value!r} (known: "
                                   f"{', '.join(sorted(self.committees))})")
        return found

    def timeline(self, row: int, key: str, value: str) -> Timeline | None:
        period = self.plan.years
        if _DATE.match(value):
            # Excel turns "2026-03" or "2026/2030" typed in a cell into a date
            self.problem(row, key, f"timeline {value[:10]} is a date, not years: write the "
                                   f"years, e.g. {period[0]}-{period[-1]} (in Excel, format "
                                   "the column as Text first)")
            return None
        try:
            timeline = Timeline.parse(value)
        except ValueError:
            self.problem(row, key, f"timeline {value!r} is not YEAR or YEAR-YEAR"
                         if value else "missing timeline")
            return None
        if timeline.start > timeline.end:
            self.problem(row, key, f"timeline {value!r} starts after it ends")
            return None
        if timeline.start not in period or timeline.end not in period:
            self.problem(row, key, f"timeline {timeline} is outside the plan period "
                                   f"{period[0]}-{period[-1]}")
            return None
        return timeline

    def responsibility(self, text: str) -> tuple[str | None, list[str], list[str]]:
        """Lead, supporting committees and other parties read from ASSIGNED
        RESPONSIBILITIES, for a sheet without a "Lead committee" column."""
        committees: list[str] = []
        parties: list[str] = []
        for part in re.sub(r"\([^)]*\)", "", text).split(","):
            name = " ".join(part.split())
            if not name:
                continue
            found = self.names.get(name.casefold())
            if found is not None and found != SECRETARIAT_ID:
                committees.append(found)
            else:
                parties.append(name)
        lead = committees[0] if committees else None
        return lead, [c for c in dict.fromkeys(committees[1:]) if c != lead], parties

    def build(self, group: _Group, structure: PlanStructure) -> Activity | None:
        cells, row = group.cells, group.row
        output = self.outputs[int(cells["_output"])]
        if output.bad or output.ident not in structure.outputs:
            return None
        ok = True
        parent = cells.get("parent", "") or None
        if parent and not group.ident.startswith(f"{parent}-"):
            self.problem(row, "parent", f"{group.ident} is not a part of {parent} (its id "
                                        f"must start with {parent}-)")
            ok = False
        if not group.ident.startswith(f"{output.ident}-"):
            self.problem(row, "activity", f"id {group.ident} does not belong to output "
                                          f"{output.ident} (it must start with "
                                          f"{output.ident}-)")
            ok = False
        if "lead" in self.columns:
            lead = (self.committee(row, "lead", cells["lead"]) if cells.get("lead")
                    else None)
            ok = ok and (lead is not None or not cells.get("lead"))
            support = [self.committee(row, "support", s)
                       for s in _items(cells.get("support", ""))]
            ok = ok and None not in support
            parties = _items(cells.get("parties", ""))
        else:
            lead, found, parties = self.responsibility(cells.get("responsibility", ""))
            support = list(found)
        timeline = self.timeline(row, "timeline", cells.get("timeline", ""))
        cadence = None
        if cells.get("cadence"):
            try:
                cadence = Cadence(cells["cadence"].casefold())
            except ValueError:
                self.problem(row, "cadence", f"cadence {cells['cadence']!r} is not one of "
                                             f"{', '.join(c.value for c in Cadence)}")
                ok = False
        related = self.goals(row, "activity_goals", cells.get("activity_goals", ""))
        indicators = [self.indicator(n, c, timeline)
                      for n, c in self.indicators.get(id(group), [])]
        if not ok or timeline is None or related is None or None in indicators:
            return None
        notes = tuple(" ".join(n.split()) for n in cells.get("notes", "").splitlines()
                      if n.strip())
        return Activity(
            id=group.ident, objective=output.cells["_objective"], output=output.ident,
            text=" ".join(cells["activity_text"].split()),
            indicators=tuple(i for i in indicators if i is not None), timeline=timeline,
            lead=lead, support=tuple(s for s in support if s is not None),
            parties=tuple(parties), cadence=cadence,
            responsibility=" ".join(cells.get("responsibility", "").split()) or None,
            parent=parent, related_goals=related, notes=notes)

    def indicator(self, row: int, cells: dict[str, str],
                  timeline: Timeline | None) -> Indicator | None:
        ok = True
        text = " ".join(cells.get("indicator", "").split())
        if not text:
            self.problem(row, "indicator", "missing text")
            ok = False
        kind = guess_kind(text)
        if "kind" in self.columns:
            try:
                kind = IndicatorKind(cells.get("kind", "").casefold())
            except ValueError:
                self.problem(row, "kind", f"kind {cells.get('kind')!r} is not one of "
                             f"{', '.join(k.value for k in IndicatorKind)}"
                             if cells.get("kind") else "missing indicator kind")
                ok = False
        target = " ".join(cells.get("target", "").split()) or None
        value: Decimal | None = None
        if "target_value" in self.columns:
            raw = cells.get("target_value", "")
            if raw:
                cleaned = re.sub(r"^(RM|MYR)\s*|[,%\s]", "", raw, flags=re.IGNORECASE)
                try:
                    value = Decimal(cleaned)
                    if not value.is_finite() or value < 0:
                        raise InvalidOperation
                except InvalidOperation:
                    self.problem(row, "target_value", f"target {raw!r} is not a number "
                                                      "(write 2, 30% or RM 50,000)")
                    ok = False
        elif target:
            numbers = _NUMBER.findall(target.replace(",", ""))
            value = Decimal(numbers[0]) if len(numbers) == 1 else None
        flag = cells.get("disaggregate", "").casefold()
        if flag not in _YES | _NO:
            self.problem(row, "disaggregate", f"{cells['disaggregate']!r} is not yes or no")
            ok = False
        own: Timeline | None = None
        if cells.get("indicator_timeline"):
            own = self.timeline(row, "indicator_timeline", cells["indicator_timeline"])
            if own is None:
                ok = False
            elif timeline is not None and (own.start < timeline.start
                                           or own.end > timeline.end):
                self.problem(row, "indicator_timeline", f"timeline {own} is outside the "
                                                        f"activity's {timeline}")
                ok = False
        if not ok:
            return None
        return Indicator(text=text, kind=kind, target=target, target_value=value,
                         disaggregate=flag in _YES, timeline=own)


#: a date where years were expected: a cell Excel took for a date, as read (2026-01-01 or
#: 2026-01-01 00:00:00), or a date typed as such
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")


def _continues(cells: dict[str, str], previous: dict[str, str]) -> bool:
    """Whether a row's activity cells go on with the previous row's activity (one more
    indicator): both blank, the same id (and text, if given), or no id and the same text."""
    ident, text = cells.get("activity", ""), " ".join(cells.get("activity_text", "").split())
    before = " ".join(previous.get("activity_text", "").split())
    if not ident and not text:
        return True
    if ident:
        return ident == previous.get("activity", "") and (not text or text == before)
    return text == before


def _rows(rows: list[int]) -> str:
    first, last = min(rows), max(rows)
    return f"row {first}" if first == last else f"rows {first}-{last}"


def import_matrix(sheet: Sheet, *, base: PlanStructure, plan: Plan,
                  committees: Mapping[str, Committee],
                  on_ignored_column: Callable[[str], None] | None = None) -> MatrixImport:
    """Read ``sheet`` as the matrix of ``plan``; pillars, goals, areas and parties from
    ``base``; committees by id, name, Malay name or alias. A missing required column is a
    :class:`NaptipError`; every other unreadable cell is a problem in the result."""
    from naptip.base.errors import NaptipError

    reader = _Reader(sheet, base, plan, committees)
    for name in reader.header():
        if on_ignored_column is not None:
            on_ignored_column(name)
    missing = reader.missing_columns()
    if missing:
        raise NaptipError(f"{sheet.source}: missing column {missing[0]} (the header row "
                          "must name the matrix's columns: docs/plan-packages.md)")
    reader.read()
    reader.number_outputs()
    reader.number_activities()
    structure = reader.structure()
    source = sheet.source.name
    result = MatrixImport(source=sheet.source, structure=structure, activities=[])
    for group in reader.objectives.values():
        if group.ident in structure.objectives:
            result.sources[f"objective:{group.ident}"] = f"from {source} row {group.row}"
    for group in reader.outputs:
        if group.ident in structure.outputs:
            result.sources[f"output:{group.ident}"] = f"from {source} row {group.row}"
    for table in ("pillar", "goal", "area", "party"):
        result.sources[table] = (f"from {base.plan.short_title} ({base.plan.id}): a matrix "
                                 f"does not carry {table} entries")
    for group in reader.activities:
        where = (f"{group.ident or 'an entry of an objective without a valid id'} "
                 f"({_rows(group.rows)})")
        # an entry with a bad cell is still read, so that its other bad cells are listed
        activity = None if group.cells.get("_duplicate") else reader.build(group, structure)
        if group.bad:
            activity = None
        if activity is not None:
            problem = activity_problem(activity, structure, committees)
            if problem:
                reader.problem(group.row, None, f"{activity.id}: {problem}")
                activity = None
        if activity is None:
            if not group.cells.get("_duplicate"):
                result.left_out.append(where)
            continue
        result.activities.append(activity)
        result.sources[activity.id] = f"from {source} {_rows(group.rows)}"
    result.activities.sort(key=lambda a: plan_order(a.id))
    result.problems = reader.problems
    return result


def write_package(folder: Path, result: MatrixImport) -> list[Path]:
    """Write the package's files into ``folder`` (which the caller has emptied of an
    earlier package's files): plan.toml, activities/<owner>.toml, and problems.txt when
    something could not be read. The files written."""
    source = result.source.name
    (folder / "activities").mkdir(parents=True, exist_ok=True)
    written = [folder / "plan.toml"]
    write_text(written[0], structure_toml(
        result.structure,
        f"{result.structure.plan.short_title}: the plan's structure, imported from {source} "
        "by `naptip plan import`.\nObjectives and outputs come from the matrix (the row is "
        "given above each); pillars, goals,\nprogramme areas and parties from the plan "
        "named in their comment. Review and edit freely;\ncheck with `naptip plan import` "
        "again or load_plan_package.", result.sources))
    owners: dict[str, list[Activity]] = {}
    for activity in result.activities:
        owners.setdefault(activity.owner, []).append(activity)
    for owner, activities in sorted(owners.items()):
        path = folder / "activities" / f"{owner}.toml"
        note = ("entries that name no committee: the secretariat owns them (no `lead`)"
                if owner == SECRETARIAT_ID else f"entries led by the committee {owner!r}")
        write_text(path, activities_toml(activities, (
            f"{result.structure.plan.short_title}: {note}.\nImported from {source} by "
            "`naptip plan import`; the rows of each entry are given above it.\n"
            "Format: docs/plan-packages.md (as plugins' activities.toml, without "
            "[committee])."), result.sources))
        written.append(path)
    lines = result.problem_lines()
    if lines:
        path = folder / PROBLEMS_FILE
        write_text(path, "\n".join([
            f"# What `naptip plan import` could not read in {source}: one cell per line "
            "(file:row: column: why),",
            "# then the entries left out because of it. Fix the matrix and import it "
            "again (--force).", *lines]) + "\n")
        written.append(path)
    return written
