"""Alembic migrations of the naptip store (``naptip db upgrade``)."""
