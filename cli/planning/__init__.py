"""Commands about the plan: its structure, plugins, agencies, schedule and calendars."""
