"""Reminder delivery: digests from templates, e-mail built with the stdlib and sent with
smtplib (apprise parses the URLs and carries the other channels), the local outbox."""
