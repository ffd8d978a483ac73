"""Built-in plugin: Media and Publicity Committee.

Its committee and activities are data, in `activities.toml` beside this module.
"""

from __future__ import annotations

from naptip.plan.datafiles.datafile import DataPlugin

plugin = DataPlugin(__name__)
