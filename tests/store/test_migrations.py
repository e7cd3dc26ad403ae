"""Migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from shequn.store import migrate
from shequn.store.models import Base
from shequn.store.store import Store


def test_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent(store: Store) -> None:
    migrate.upgrade(store.engine)
    migrate.upgrade(store.engine)
    assert migrate.is_initialised(store.engine)
    with store.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    heads = migrate.alembic_config(store.engine)
    from alembic.script import ScriptDirectory

    assert version == ScriptDirectory.from_config(heads).get_current_head()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert "event" in inspect(sqlite_store.engine).get_table_names()
