"""Commands that run things: the day's work, sync, reminders, Prefect, the outbox,
doctor, the store's schema, the portal."""
