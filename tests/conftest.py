"""Shared fixtures: real SQLite and PostgreSQL stores, no network, a pipeline harness."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from shequn.cli.main import app
from shequn.store import migrate
from shequn.store.database import make_engine
from shequn.store.models import Base
from shequn.store.store import Store
from shequn.store.workspaces import create_workspace
from shequn.testing import CommunityHarness

POSTGRES_URL = os.environ.get("SHEQUN_TEST_POSTGRES_URL", "")
NO_POSTGRES = (
    "PostgreSQL tests need a server: set SHEQUN_TEST_POSTGRES_URL "
    "(`.ci/start-postgres` starts one and prints the URL)"
)
BACKENDS = ["sqlite", "postgresql"]


# --- no accidental network ---------------------------------------------------------------

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        if host not in ("localhost", "::1") and not str(host).startswith("127."):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


# --- databases ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    server = make_url(POSTGRES_URL)
    name = f"shequn_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(store: Store) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with store.transaction() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def open_store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A clean, migrated store on ``backend``."""
    if backend == "sqlite":
        path = tmp_path / "shequn.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return Store.open(f"sqlite:///{path}", upgrade=False)
    url = request.getfixturevalue("postgres_url")
    store = Store.open(url, upgrade=False)
    _truncate_all(store)
    return store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A clean store, once on SQLite and once on PostgreSQL."""
    opened = open_store(request.param, request, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A clean SQLite store, for tests about SQLite itself."""
    opened = open_store("sqlite", request, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def workspace_id(store: Store) -> int:
    """A workspace named 'acme' in the store."""
    with store.session() as session:
        return create_workspace(session, slug="acme", name="Acme").id


@pytest.fixture
def harness(store: Store, workspace_id: int) -> CommunityHarness:
    """Drives events through the real intake into the 'acme' workspace."""
    return CommunityHarness(store, workspace_id)


# --- a real HTTP server on loopback ---------------------------------------------------------


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 in a background thread."""

    def __init__(self, app: Any) -> None:
        import threading

        import uvicorn

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       daemon=True)
        self.thread.start()
        import time

        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def api_settings(tmp_path: Path) -> Any:
    """Settings for an API under test (small limits so tests can reach them)."""
    from shequn.config import Settings

    return Settings(data_dir=tmp_path, max_body_bytes=256 * 1024, max_batch_events=100)


@pytest.fixture
def live_api(store: Store, api_settings: Any) -> Iterator[LiveServer]:
    """The real app on the test store, served over HTTP on loopback."""
    from shequn.api.app import create_app

    server = LiveServer(create_app(api_settings, store))
    yield server
    server.stop()


@pytest.fixture
def shequn(store: Store, monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> Callable[..., Result]:
    """Run ``shequn …`` in-process on the test store (after ``shequn init``), console wide
    enough for whole table rows."""
    monkeypatch.setenv("SHEQUN_DATABASE_URL",
                       store.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SHEQUN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("SHEQUN_WORKSPACE", raising=False)
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args))

    initialised = run("init")
    assert initialised.exit_code == 0, initialised.output
    return run
