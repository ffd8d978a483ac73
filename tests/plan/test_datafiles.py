"""The plugins' data files: consistent with their printed wording, strict about mistakes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from naptip.base.errors import DataFileError
from naptip.plan.catalog import Catalog
from naptip.plan.datafiles.datafile import DataPlugin, parse_data
from naptip.time.cadence import default_cadence

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


def _read_responsibility(catalog: Catalog, printed: str) -> tuple[list[str], list[str]]:
    """Committees and parties named in printed ASSIGNED RESPONSIBILITIES, in order."""
    committees: list[str] = []
    parties: list[str] = []
    for item in (s.strip() for s in re.split(r",|\.\s+(?=[A-Z])", printed)):
        match = re.match(r"^(.*?)\s*\(with support from (.*)\)$", item)
        name, extra = (match.group(1), match.group(2)) if match else (item, None)
        name = re.sub(r"\s*\(with [^)]*\)$", "", name)
        if not name or name == "Committee":
            continue
        cid = catalog.committee_id(name, short_names=False)
        if cid and cid not in committees:
            committees.append(cid)
        elif not cid:
            parties.append(name)
        if extra:
            parties.append(extra)
    return committees, parties


def test_lead_support_parties_agree_with_printed_wording(builtin_catalog: Catalog) -> None:
    for a in builtin_catalog.activities.values():
        assert a.responsibility, a.id
        committees, parties = _read_responsibility(builtin_catalog, a.responsibility)
        assert (a.lead, a.support) == (committees[0] if committees else None,
                                       tuple(committees[1:])), a.id
        assert a.parties == tuple(parties), a.id


def test_every_printed_party_is_a_known_party(builtin_catalog: Catalog) -> None:
    s = builtin_catalog.structure
    for a in builtin_catalog.activities.values():
        for name in a.parties:
            assert s.party_id(name) in s.parties, (a.id, name)
    assert s.party_id("International Organisation") == "international-organisations"
    assert s.party_id("other relevant agencies government") == "government-agencies"


def test_stated_cadence_differs_from_the_default_only_with_a_note(
        builtin_catalog: Catalog) -> None:
    for a in builtin_catalog.activities.values():
        assert a.cadence is not None, a.id
        if a.cadence != default_cadence(a):
            assert any("reported on every year" in n for n in a.notes), a.id


def test_default_cadence_rule(builtin_catalog: Catalog) -> None:
    acts = builtin_catalog.activities
    assert default_cadence(acts["S9-O1-ii"]) == "yearly-deliverable"  # annual work plan
    assert default_cadence(acts["S33-O1-i"]) == "yearly-deliverable"  # annual budget
    assert default_cadence(acts["S11-O1-ii"]) == "deliverable"  # 1 toolkit
    assert default_cadence(acts["S1-O1-iii"]) == "deliverable"  # Act is amended
    assert default_cadence(acts["S12-O2-iii"]) == "on-demand"  # "When necessary"
    assert default_cadence(acts["S1-O1-i"]) == "progress-report"  # Number of sessions


def test_every_builtin_file_parses_strictly() -> None:
    """The committee plugins' files hold committees, agencies and duties; NAPTIP 3.0's 210
    entries are its plan package's (issue 19)."""
    files = sorted(PLUGINS.glob("*/committee.toml"))
    assert len(files) == 7
    data = [parse_data(f.read_text(encoding="utf-8"), str(f)) for f in files]
    assert all(d.committee for d in data) and not any(d.activities for d in data)
    package = sorted((PLUGINS.parent / "core/data/plans/naptip-3.0/activities").glob("*.toml"))
    total = sum(len(parse_data(f.read_text(encoding="utf-8"), str(f)).activities)
                for f in package)
    assert total == 210


GOOD = '''
[[activity]]
id = "S1-O1-x"
objective = "S1"
output = "S1-O1"
text = "Something"
lead = "legislative"
timeline = "2021-2025"

[[activity.indicator]]
text = "Number of sessions"
kind = "count"
'''


@pytest.mark.parametrize(("change", "message"), [
    (("timeline = \"2021-2025\"", "timelin = \"2021-2025\""), "unknown key 'timelin'"),
    (("kind = \"count\"", "kind = \"tally\""), "kind 'tally' is not one of"),
    (("\"2021-2025\"", "\"soon\""), "timeline 'soon' is not YEAR or YEAR-YEAR"),
    (("text = \"Something\"", "text = 5"), "'text' must be text"),
    (("[[activity]]", "[[activities]]"), "unknown table 'activities'"),
    (("objective = \"S1\"\n", ""), "missing 'objective'"),
    (("kind = \"count\"", "kind = \"count\"\ndisaggregate = \"yes\""),
     "'disaggregate' must be true or false"),
    (("[[activity.indicator]]", "[[activity.indicator]"), "not valid TOML"),
])
def test_malformed_data_is_one_clear_line(change: tuple[str, str], message: str) -> None:
    text = GOOD.replace(*change)
    with pytest.raises(DataFileError) as info:
        parse_data(text, "agency.toml")
    error = str(info.value)
    assert error.startswith("agency.toml")
    assert message in error
    assert "\n" not in error


Register = Callable[[object, str], Catalog]


def test_data_plugin_from_a_path(tmp_path: Path, register_plugin: Register) -> None:
    data = tmp_path / "extra.toml"
    data.write_text(GOOD, encoding="utf-8")
    catalog = register_plugin(DataPlugin(path=data), "extra")
    assert catalog.plugin_of("activity", "S1-O1-x") == "extra"
    assert catalog.activities["S1-O1-x"].indicators[0].kind == "count"


def test_data_plugin_broken_file_is_reported_not_raised(
        tmp_path: Path, register_plugin: Register) -> None:
    data = tmp_path / "broken.toml"
    data.write_text(GOOD.replace("kind = \"count\"", "kind = \"tally\""), encoding="utf-8")
    catalog = register_plugin(DataPlugin(path=data), "broken")
    assert len(catalog.activities) == 210
    assert any(p.plugin == "broken" and "kind 'tally'" in str(p) for p in catalog.problems)
