"""The plan and the plugins that declare it: hook specifications, the plugin manager, the
catalog, agencies, checks and scaffolding.
"""
