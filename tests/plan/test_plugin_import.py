"""``naptip plugin import FILE.csv``: a spreadsheet becomes a data-only plugin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

SHEET = (
    "id,objective,output,text,timeline,lead,parties,indicator,indicator_kind,target,"
    "disaggregate\n"
    'S21-O1-mmsb-i,S21,S21-O1,"Joint patrols, Sabah coast",2024-2025,enforcement,'
    "MMEA Sabah;JIM,Number of patrols,count,4 a year,\n"
    "S21-O1-mmsb-i,,,,,,,Number of people rescued,count,,yes\n"
    "S21-O1-mmsb-ii,S21,S21-O1,Patrol report to the committee,2025,enforcement,,Report,"
    "deliverable,1,\n"
)


def test_a_csv_becomes_a_plugin_that_loads(tmp_path: Path, run: Callable[..., Result]) -> None:
    sheet = tmp_path / "activities.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    made = run("plugin", "import", str(sheet), "-o", str(plugins / "mmea_sabah.toml"))
    assert made.exit_code == 0, made.stderr
    assert made.stdout.startswith("wrote 2 activities to ")
    check = run("--plugins-dir", str(plugins), "plugins", "check")
    assert check.exit_code == 0, check.stdout
    assert "212 activity entries" in check.stdout
    shown = run("--plugins-dir", str(plugins), "plan", "show", "S21-O1-mmsb-i")
    assert "Number of people rescued" in shown.stdout and "by sex" in shown.stdout


def test_a_bad_sheet_is_one_line(tmp_path: Path, run: Callable[..., Result]) -> None:
    sheet = tmp_path / "activities.csv"
    sheet.write_text(SHEET.replace(",count,4 a year", ",cuont,4 a year"), encoding="utf-8")
    result = run("plugin", "import", str(sheet), "-o", str(tmp_path / "x.toml"))
    assert result.exit_code == 1
    assert f"{sheet}:2: column 'indicator_kind': 'cuont' is not one of count," in result.stderr
    assert not (tmp_path / "x.toml").exists()
    sheet.write_text(SHEET.replace("2024-2025", "2024-2027"), encoding="utf-8")
    result = run("plugin", "import", str(sheet), "-o", str(tmp_path / "x.toml"))
    assert result.exit_code == 0  # the schema accepts it; `plugins check` reports the years
    sheet.write_text(SHEET.replace("Number of people rescued,count", "Rescued,cuont"),
                     encoding="utf-8")
    result = run("plugin", "import", str(sheet), "-o", str(tmp_path / "y.toml"))
    assert f"{sheet}:3: column 'indicator_kind': 'cuont'" in result.stderr
    sheet.write_text("id,text\nx,y\n", encoding="utf-8")
    result = run("plugin", "import", str(sheet), "-o", str(tmp_path / "x.toml"))
    assert "missing column 'objective'" in result.stderr
