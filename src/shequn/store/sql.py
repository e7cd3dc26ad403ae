"""Small SQL helpers that hide the SQLite/PostgreSQL differences."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar, cast

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.dml import Insert

T = TypeVar("T")


def upsert_insert(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that supports ``on_conflict_do_nothing/update`` on the connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignore(connection: Connection, table: Table, *conflict_columns: str) -> Insert:
    """INSERT … ON CONFLICT (columns) DO NOTHING."""
    return upsert_insert(connection, table).on_conflict_do_nothing(
        index_elements=list(conflict_columns)
    )


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (keeps IN lists under driver limits)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table behind an ORM model, typed as a Table."""
    return cast(Table, model.__table__)
