"""The SQLAlchemy store: schema and migrations, audit chain, blobs, the outbox, run liveness,
who acted. Knows no plugin.
"""
