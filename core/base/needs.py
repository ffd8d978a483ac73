"""What a plugin declares it needs: other plugins, and the plugin API version it targets.

A plugin module (or object) may set two attributes::

    NAPTIP_REQUIRES = ("enforcement",)   # plugins that must be loaded too
    NAPTIP_API_VERSION = 1               # the plugin API it was written for

Data-only plugins say the same in their file's ``[plugin]`` table (``requires``,
``api_version``). An unmet need is one line naming both plugins; the plugin is then not
loaded at all (rather than producing a line for every activity it can no longer place).

Compatibility policy: :data:`PLUGIN_API_VERSION` grows only when a hook is removed or what
a hook receives or must return changes incompatibly. Adding a hook, an optional argument or
a model field with a default does not change it. A plugin written for a higher version than
this naptip provides is refused; any lower or equal version is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The plugin API this naptip provides (see the compatibility policy above).
PLUGIN_API_VERSION = 1


@dataclass(frozen=True, slots=True)
class Needs:
    requires: tuple[str, ...] = ()
    api_version: int | None = None


def needs_of(plugin: object) -> Needs:
    """Read a plugin's declared needs; a malformed declaration raises ``TypeError``."""
    requires = getattr(plugin, "NAPTIP_REQUIRES", ())
    if isinstance(requires, str):
        requires = (requires,)
    if not isinstance(requires, tuple | list) or not all(isinstance(r, str) for r in requires):
        raise TypeError("NAPTIP_REQUIRES must be a list of plugin names")
    api = getattr(plugin, "NAPTIP_API_VERSION", None)
    if api is not None and (isinstance(api, bool) or not isinstance(api, int)):
        raise TypeError("NAPTIP_API_VERSION must be a whole number")
    return Needs(requires=tuple(requires), api_version=api)


def unmet(needs: Needs, loaded: set[str], failed: set[str]) -> str | None:
    """One line saying what is missing, or ``None``."""
    if needs.api_version is not None and needs.api_version > PLUGIN_API_VERSION:
        return (f"written for plugin API {needs.api_version}, but this naptip provides "
                f"API {PLUGIN_API_VERSION}: upgrade naptip")
    for name in needs.requires:
        if name in failed:
            return f"needs plugin {name!r}, which failed to load"
        if name not in loaded:
            return f"needs plugin {name!r}, which is not loaded (not installed or disabled)"
    return None
