"""iCalendar feeds and invitations, CalDAV publishing."""
