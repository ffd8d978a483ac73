"""Check a plugin's hook implementations against the hook specifications, before pluggy does.

pluggy refuses a plugin whose hook name or argument names are unknown, in words that name
neither the hook that was probably meant nor its arguments. These checks run first and say
"did you mean ..." with the expected signature, so a typo is a one-line fix.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable

import pluggy

from naptip.plan import hookspecs

HOOK_PREFIX = "naptip_"


def hook_names() -> list[str]:
    """Every hook a plugin can implement, in the order of the hookspec module."""
    return [name for name, value in vars(hookspecs).items()
            if name.startswith(HOOK_PREFIX) and callable(value)]


def spec_arguments(hook: str) -> tuple[str, ...]:
    """The argument names a hook passes (an implementation may take any subset)."""
    function: Callable[..., object] = getattr(hookspecs, hook)
    return tuple(inspect.signature(function).parameters)


def signature(hook: str) -> str:
    return f"{hook}({', '.join(spec_arguments(hook))})"


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def _arguments(function: Callable[..., object]) -> list[str]:
    try:
        params = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY, p.POSITIONAL_ONLY)]


def hook_problems(pm: pluggy.PluginManager, plugin: object) -> dict[str, str]:
    """What is wrong with the plugin's hooks, by attribute name: unknown hook names and
    unknown arguments; also a ``naptip_*`` function without ``@naptip.hookimpl`` (which
    pluggy ignores silently).
    """
    known = hook_names()
    problems: dict[str, str] = {}
    for attr in sorted(dir(plugin)):
        if not attr.startswith(HOOK_PREFIX):
            continue
        try:
            value = getattr(plugin, attr)
        except KeyboardInterrupt:
            raise
        except BaseException:  # a property that fails is the plugin's business, later
            continue
        if not inspect.isroutine(value):
            continue
        marked = pm.parse_hookimpl_opts(plugin, attr) is not None
        if attr not in known:
            close = difflib.get_close_matches(attr, known, n=1, cutoff=0.6)
            if marked:
                hint = (f"did you mean {signature(close[0])}?" if close
                        else f"known hooks: {', '.join(known)}")
                problems[attr] = (f"unknown hook {attr!r}: {hint}")
            elif close and difflib.SequenceMatcher(None, attr, close[0]).ratio() >= 0.8:
                problems[attr] = (f"{attr!r} is not a hook: did you mean {signature(close[0])} "
                                "(marked @naptip.hookimpl)?")
            continue
        if not marked:
            problems[attr] = (f"{attr} is not marked @naptip.hookimpl, so naptip never calls "
                            f"it; expected @hookimpl def {signature(attr)}")
            continue
        expected = list(spec_arguments(attr))
        for name in _arguments(value):
            if name not in expected:
                problems[attr] = (f"hook {attr}: unknown argument {name!r}: "
                                f"{_did_you_mean(name, expected)}"
                                f"expected {signature(attr)} (any of these arguments, "
                                f"by name)")
    return problems
