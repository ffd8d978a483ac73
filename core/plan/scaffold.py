"""``naptip plugin new``: write a complete, installable agency plugin package.

The package has a data file (agency, activity, duty, with commented examples), a module
for the hooks that need code (an evidence validator and a command), tests that pass out of
the box with :mod:`naptip.testing`, a README, and a pyproject whose entry point and
package-data make ``naptip plugins check`` pass as soon as it is installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from naptip.base.errors import NaptipError
from naptip.base.model import Agency

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Scaffold:
    name: str  #: the plugin's name as given: "mmea-sabah"
    agency: str  #: the agency id the plugin works for
    agency_known: Agency | None  #: set when the agency is already declared (built-in)

    @property
    def distribution(self) -> str:
        return f"naptip-{self.name}"

    @property
    def module(self) -> str:
        return f"naptip_{self.name.replace('-', '_')}"

    @property
    def plugin(self) -> str:
        """The entry-point name: the plugin's name in naptip."""
        return self.name.replace("-", "_")

    @property
    def tag(self) -> str:
        """The agency tag in activity ids: letters and digits only."""
        return self.name.replace("-", "")[:12]


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise NaptipError(f"plugin name {name!r} must be lower-case words joined by '-', "
                          "like mmea-sabah")
    return name


def write_scaffold(s: Scaffold, parent: Path) -> Path:
    """Write the package into ``parent/naptip-NAME`` and return that folder."""
    root = parent / s.distribution
    if root.exists():
        raise NaptipError(f"{root} already exists; choose another --dir or name")
    values = {
        "name": s.name, "dist": s.distribution, "module": s.module, "plugin": s.plugin,
        "tag": s.tag, "agency": s.agency,
        "agency_block": _agency_block(s),
        "party": s.agency_known.short_name if s.agency_known else s.agency.upper(),
    }
    files = {
        "pyproject.toml": PYPROJECT,
        "README.md": README,
        f"{s.module}/__init__.py": MODULE,
        f"{s.module}/activities.toml": DATA,
        "tests/test_plugin.py": TESTS,
    }
    try:
        for relative, template in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(Template(template).substitute(values), encoding="utf-8")
    except OSError as exc:
        raise NaptipError(f"cannot write {root}: {exc.strerror}") from None
    return root


def _agency_block(s: Scaffold) -> str:
    if s.agency_known is not None:
        a = s.agency_known
        return (f"# The agency {a.id!r} ({a.name}) is already declared by naptip: do not\n"
                f"# declare it again. Refer to it by id (hosts, below) and by name (parties).\n"
                f"# Other agencies this plugin adds would look like this:\n"
                f"#\n# [[agency]]\n# id = \"{s.agency}-sabah\"\n# name = \"...\"\n"
                f"# short_name = \"...\"\n# committees = [\"enforcement\"]\n# state = \"sabah\"\n")
    return (f"[[agency]]\nid = \"{s.agency}\"\n"
            f"name = \"{s.agency.upper()} (write the agency's official English name)\"\n"
            f"short_name = \"{s.agency.upper()}\"\n"
            f"# name_ms = \"the Malay name\"\n"
            f"committees = [\"enforcement\"]  # the committees it is a member of\n"
            f"state = \"putrajaya\"  # whose working days and holidays apply\n")


PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "$dist"
version = "0.1.0"
description = "naptip plugin: $name's own NAPTIP 3.0 activities and duties."
requires-python = ">=3.11"
dependencies = ["naptip"]

[project.optional-dependencies]
test = ["pytest>=8"]

# This is what makes it a naptip plugin: the entry-point group `naptip`.
[project.entry-points.naptip]
$plugin = "$module:plugin"

[tool.setuptools]
packages = ["$module"]

# Without this the data file works in an editable install and is missing after a normal
# one. `naptip plugins check --path .` checks it before you install.
[tool.setuptools.package-data]
"$module" = ["*.toml"]
"""

README = """\
# $dist

A [naptip](https://github.com/) plugin: the NAPTIP 3.0 activities and duties of $name.

- `$module/activities.toml`: the agency, activities and duties, as data (reviewable
  text; its format is checked against naptip's JSON Schema, `naptip plugin schema`).
- `$module/__init__.py`: hooks that need code: an evidence validator and a command.
- `tests/`: tests using `naptip.testing` (its pytest fixtures need no set-up).

```sh
naptip plugins check --path .     # before installing: entry point, data files, hooks
pip install .                     # or: pip install -e .
naptip plugins check              # after installing
python -m pytest                  # this plugin's tests
naptip plan show --plugin $plugin
naptip schedule --plugin $plugin --from 2024-01-01 --to 2024-12-31
```
"""

MODULE = '''\
"""naptip plugin $name: data in activities.toml, code for what data cannot say."""

from __future__ import annotations

import click

from naptip import DataPlugin, EvidenceDraft, IndicatorKind

from naptip import hookimpl

#: Plugins this one needs loaded (the committees and agencies it refers to).
NAPTIP_REQUIRES = ("enforcement",)
#: The naptip plugin API this plugin was written for.
NAPTIP_API_VERSION = 1


class Plugin(DataPlugin):
    """Serves activities.toml (agencies, activities, duties) and adds two hooks."""

    NAPTIP_REQUIRES = NAPTIP_REQUIRES
    NAPTIP_API_VERSION = NAPTIP_API_VERSION

    @hookimpl
    def naptip_validate_evidence(self, draft: EvidenceDraft) -> str | None:
        """Refuse counts that cannot be true; return None to accept."""
        if draft.activity_id is None or not draft.activity_id.startswith("S21-O1-$tag-"):
            return None  # not ours
        for number, indicator, value in draft.values:
            if indicator.kind is IndicatorKind.COUNT and (value.count or 0) > 10_000:
                return f"indicator {number}: more than 10,000 is not credible, check the figure"
        return None

    @hookimpl
    def naptip_register_commands(self, cli: click.Group) -> None:
        @cli.command("$name-summary")
        def summary() -> None:
            """What the $name plugin declares."""
            data = self.data
            click.echo(f"$name: {len(data.activities)} activities, {len(data.duties)} duties")


plugin = Plugin(__name__)
'''

DATA = """\
# Data of the naptip plugin `$plugin`. Format: naptip's docs/plugin-authors.md; JSON
# Schema: `naptip plugin schema` (point your editor's TOML support at it).
# After editing: `naptip plugins check` (or `naptip plugins check --path .` before install).

# What this plugin needs (other plugins, the plugin API version) is declared in
# __init__.py (NAPTIP_REQUIRES, NAPTIP_API_VERSION). A data-only plugin (this file alone
# in a plugins folder) says it in a [plugin] table instead: requires = [...], api_version.

$agency_block
# An agency activity hangs under an existing output of the plan (S21-O1 here). Its id is
# the output id, a tag for the agency, and the agency's own item: S21-O1-$tag-i.
[[activity]]
id = "S21-O1-$tag-i"
objective = "S21"
output = "S21-O1"
text = "Conduct joint inspections with the Enforcement Committee's agencies."
lead = "enforcement"              # the committee that leads it
# support = ["forced-labour"]     # committees that support it
parties = ["$party"]
timeline = "2024-2025"            # years, inside the plan period 2021-2025
# cadence = "progress-report"     # default rule: docs/plugin-authors.md

[[activity.indicator]]
text = "Number of joint inspections"
kind = "count"                    # count, amount, percentage, milestone, deliverable, narrative
# target = "4 per year"

[[activity.indicator]]
text = "Number of workers interviewed"
kind = "count"
disaggregate = true               # asks for sex, nationality and age

# A recurring duty: an RFC 5545 recurrence with DTSTART in Kuala Lumpur time and UNTIL in UTC.
[[duty]]
id = "$name-coordination"
title = "$name coordination meeting"
kind = "meeting"                  # meeting, review, event, deadline
owner = "enforcement"
hosts = ["$agency"]
duration_minutes = 120
recurrence = \"\"\"
DTSTART;TZID=Asia/Kuala_Lumpur:20240110T100000
RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE;UNTIL=20251231T155959Z
\"\"\"
# lead_times = [14, 3]            # reminder days before; default 30, 7, 1
"""

TESTS = '''\
"""Tests of the $name plugin, with naptip.testing's fixtures (no conftest needed)."""

from __future__ import annotations

from datetime import date

import pytest

from naptip.testing import occurrences, problems, submit_evidence
from naptip.base.values import EvidenceError

from $module import plugin as this_plugin

PLUGIN = "$plugin"
#: The working copy replaces the installed plugin (if any): tests run before installing too.
ONLY_THIS = {PLUGIN: this_plugin}


def test_the_plugin_is_valid(naptip_plugins):
    loaded = naptip_plugins(PLUGIN, plugins=ONLY_THIS)
    assert problems(loaded, PLUGIN) == []


def test_its_duty_has_dates(naptip_plugins):
    loaded = naptip_plugins(PLUGIN, plugins=ONLY_THIS)
    meetings = [o for o in occurrences(loaded, plugin=PLUGIN) if o.duty]
    assert meetings[0].due == date(2024, 1, 10)
    assert meetings[0].host == "$agency"


def test_its_activity_reports_each_year(naptip_plugins):
    loaded = naptip_plugins(PLUGIN, plugins=ONLY_THIS)
    years = [o.period for o in occurrences(loaded, plugin=PLUGIN) if o.activity]
    assert years == [2024, 2025]


def test_the_validator_refuses_an_incredible_count(naptip_plugins, naptip_store, naptip_clock):
    loaded = naptip_plugins(PLUGIN, plugins=ONLY_THIS)
    report = next(o for o in occurrences(loaded, plugin=PLUGIN) if o.activity)
    with pytest.raises(EvidenceError, match="refused by plugin"):
        submit_evidence(naptip_store, loaded, report.id, {"1": "99999", "2": "3"},
                        breakdown={"sex": {"female": "1", "male": "2"}})


def test_its_command_runs(naptip_cli):
    result = naptip_cli("$name-summary", plugins=[], objects=ONLY_THIS)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("$name: 1 activities, 1 duties")
'''
