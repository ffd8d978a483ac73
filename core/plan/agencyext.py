"""Apply plugins' extensions of agencies declared by other plugins (``naptip_agency_extensions``).

A plugin for MMEA's Sabah region adds a unit (and perhaps a committee or a state) to the
built-in ``mmea`` agency rather than declaring MMEA again, which would be a duplicate id.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from naptip.base.errors import Problem
from naptip.base.model import AgencyExtension

if TYPE_CHECKING:
    from naptip.plan.catalog import Catalog
    from naptip.plan.pluginmanager import LoadedPlugins


def apply_agency_extensions(catalog: Catalog, loaded: LoadedPlugins) -> None:
    state_set_by: dict[str, str] = {}
    for plugin, result in loaded.call_each("naptip_agency_extensions", catalog.problems):
        package = loaded.infos[plugin].package if plugin in loaded.infos else None

        def problem(subject: str, message: str, plugin: str = plugin,
                    package: str | None = package) -> None:
            catalog.problems.append(Problem(plugin=plugin, subject=subject, message=message,
                                            package=package))

        for ext in result or ():
            if not isinstance(ext, AgencyExtension):
                problem("naptip_agency_extensions", f"returned {type(ext).__name__}; expected "
                                                    "AgencyExtension")
                continue
            subject = f"agency extension {ext.agency}"
            agency = catalog.agencies.get(ext.agency)
            if agency is None:
                problem(subject, f"unknown agency {ext.agency!r} (see `naptip agencies list`)")
                continue
            unknown = [c for c in ext.committees if c not in catalog.committees]
            if unknown:
                problem(subject, f"unknown committee {unknown[0]!r}")
                continue
            if ext.state and ext.agency in state_set_by and ext.state != agency.state:
                problem(subject, f"state {ext.state!r} conflicts with {agency.state!r} set by "
                                 f"plugin {state_set_by[ext.agency]!r}")
                continue
            if ext.state:
                state_set_by[ext.agency] = plugin
            catalog.agencies[ext.agency] = replace(
                agency,
                units=tuple(dict.fromkeys((*agency.units, *ext.units))),
                committees=tuple(dict.fromkeys((*agency.committees, *ext.committees))),
                state=ext.state or agency.state,
            )
            catalog.agency_extended_by.setdefault(ext.agency, []).append(plugin)
