"""Built-in plugin: Media and Publicity Committee.

Its committee, agencies and duties are data, in `committee.toml` beside this module; its
NAPTIP 3.0 activities are in the plan package naptip/data/plans/naptip-3.0.
"""

from __future__ import annotations

from naptip.plan.datafiles.datafile import DataPlugin

plugin = DataPlugin(__name__, filename="committee.toml")
