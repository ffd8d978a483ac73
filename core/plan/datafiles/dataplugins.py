"""Data-only plugins: a TOML file, or a folder of TOML files, in the plugins folder.

No Python is needed: a civil servant can keep an agency's activities and duties in a
reviewed text file. The file is checked against the published JSON Schema when the plugin
loads, so an error names the file, the line and the key; the file's ``[plugin]`` table
declares what the plugin needs (``requires``, ``api_version``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from naptip.base.errors import DataFileError
from naptip.plan.datafiles.datafile import DataFile, DataPlugin, parse_data
from naptip.plan.datafiles.dataschema import check_data_text


def _read(path: Path) -> tuple[DataFile, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read: {exc}") from None
    raw = check_data_text(text, str(path))
    return parse_data(text, str(path)), raw.get("plugin", {})


class FolderDataPlugin(DataPlugin):
    """A data-only plugin: one TOML file, or every ``*.toml`` file of a folder, merged."""

    def __init__(self, path: Path) -> None:
        super().__init__(path=path)
        files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
        if not files:
            raise DataFileError(f"{path}: a data-only plugin folder needs a .toml file")
        merged = DataFile(committee=None, agencies=(), activities=(), duties=())
        requires: list[str] = []
        api: int | None = None
        for file in files:
            data, plugin = _read(file)
            if data.committee is not None and merged.committee is not None:
                raise DataFileError(f"{file}: [committee]: a plugin declares one committee")
            merged = replace(merged, committee=merged.committee or data.committee,
                             agencies=merged.agencies + data.agencies,
                             activities=merged.activities + data.activities,
                             duties=merged.duties + data.duties,
                             agency_extensions=merged.agency_extensions
                             + data.agency_extensions)
            requires += plugin.get("requires", [])
            api = plugin.get("api_version", api)
        self._data = merged
        self.NAPTIP_REQUIRES = tuple(dict.fromkeys(requires))
        self.NAPTIP_API_VERSION = api


def is_data_plugin(path: Path) -> bool:
    """A ``.toml`` file, or a folder with ``.toml`` files and no Python, not hidden."""
    if path.name.startswith(("_", ".")):
        return False
    if path.is_file():
        return path.suffix == ".toml"
    return path.is_dir() and any(path.glob("*.toml")) and not any(path.glob("*.py"))
