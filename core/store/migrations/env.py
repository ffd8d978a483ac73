"""Alembic environment: uses the engine naptip hands over, or NAPTIP_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from naptip.store.db import database_url, make_engine
from naptip.store.orm import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(database_url())

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
