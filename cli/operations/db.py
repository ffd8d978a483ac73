"""``naptip db``: the store's schema and housekeeping."""

from __future__ import annotations

import json

import click

from naptip.cli.app import App, pass_app


@click.group("db")
def db_group() -> None:
    """The store: schema upgrades, status, orphan sweep (NAPTIP_DATABASE_URL)."""


@db_group.command("upgrade")
def upgrade() -> None:
    """Bring the database schema up to date (Alembic migrations)."""
    from naptip.store.db import database_url, make_engine
    from naptip.store.migrate import schema_state
    from naptip.store.migrate import upgrade_locked as run_upgrade

    engine = make_engine(database_url())
    try:
        before = run_upgrade(engine)
        after = schema_state(engine)
    finally:
        engine.dispose()
    if before == after.current:
        click.echo(f"database is up to date (schema {after.current})")
    else:
        click.echo(f"database upgraded from schema {before or 'none'} to {after.current}")


@db_group.command("status")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def db_status(app: App, as_json: bool) -> None:
    """Where the store is, its schema, and how much it holds."""
    from sqlalchemy import func, select

    from naptip.store.migrate import schema_state
    from naptip.store.orm import Attachment, AuditEntry, Evidence, OccurrenceRow
    from naptip.time.clock import shown_time
    from naptip.time.workdays import holiday_data

    db = app.db
    state = schema_state(db.engine)
    with db.reading() as session:
        counts = {name: session.execute(select(func.count()).select_from(table)).scalar_one()
                  for name, table in (("occurrences", OccurrenceRow), ("evidence", Evidence),
                                      ("attachments", Attachment), ("audit entries", AuditEntry))}
        from naptip.occurrences.materialise import stored_provenance

        synced = stored_provenance(session, app.catalog.structure.plan.id)
    info = {"database": db.describe(), "backend": db.backend, "schema": state.current,
            "schema_head": state.head, "up_to_date": state.current == state.head,
            "blobs": str(db.blobs), "holiday data": holiday_data(), **counts,
            "last sync": (f"{shown_time(synced['at'])} by {synced['by']}, "
                          f"{len(synced['plugins'])} plugins, config {synced['config']}"
                          if synced else "never: run `naptip sync`")}
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        click.echo(f"{key:>14}: {value}")


@db_group.command("sweep")
@click.option("--grace-minutes", type=click.IntRange(min=0, max=10**6), default=60,
              show_default=True,
              help="Keep unreferenced blobs younger than this (a submission may be writing).")
@pass_app
def sweep(app: App, grace_minutes: int) -> None:
    """Remove attachment blobs that no evidence or recommendation update refers to (left
    by interrupted submissions)."""
    from sqlalchemy import select

    from naptip.progress.recommendations.updates import referenced_blobs
    from naptip.store.blobs import BlobStore
    from naptip.store.orm import Attachment

    db = app.db

    def referenced() -> set[str]:
        with db.reading() as session:
            return set(session.execute(select(Attachment.sha256)).scalars()) | \
                referenced_blobs(session)

    removed = BlobStore(db.blobs).sweep(referenced, grace_seconds=grace_minutes * 60)
    click.echo(f"removed {len(removed)} unreferenced blob(s) from {db.blobs}")
