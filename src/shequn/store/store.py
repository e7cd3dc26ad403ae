"""The Store: one engine plus session factory, opened from settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from shequn.config import Settings
from shequn.store import migrate
from shequn.store.database import make_engine


class Store:
    """Access to the database: Core connections for hot paths, ORM sessions elsewhere."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Connect to ``url`` and, unless told otherwise, migrate it to the latest schema."""
        store = cls(make_engine(url))
        if upgrade:
            migrate.upgrade(store.engine)
        return store

    @classmethod
    def from_settings(cls, settings: Settings, *, upgrade: bool = True) -> Store:
        """Open the database the settings name."""
        return cls.open(settings.effective_database_url, upgrade=upgrade)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A Core connection inside one transaction."""
        with self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
