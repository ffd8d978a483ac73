"""Reminder delivery through apprise: templates, digests, the local outbox."""
