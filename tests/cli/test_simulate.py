"""`shequn simulate` into the database and into a JSON Lines file."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from shequn.cli.main import app
from shequn.domain.events import EVENT_ADAPTER
from shequn.store.models import EventRecord, Group, Member, OrderRecord
from shequn.store.store import Store

runner = CliRunner()


@pytest.fixture
def env(store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHEQUN_DATABASE_URL",
                       store.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SHEQUN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SHEQUN_WORKSPACE", raising=False)
    assert runner.invoke(app, ["init"]).exit_code == 0


def _count(store: Store, model: type) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.usefixtures("env")
def test_simulate_into_the_database_is_repeatable(store: Store) -> None:
    args = ["simulate", "--members", "150", "--groups", "4", "--days", "10", "--seed", "3"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    events = _count(store, EventRecord)
    assert events > 500
    assert _count(store, Member) >= 150
    assert _count(store, Group) == 4
    assert _count(store, OrderRecord) > 0
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "stored 0 events" in again.output.replace("已导入 ", "")
    assert _count(store, EventRecord) == events


@pytest.mark.usefixtures("env")
def test_simulate_to_a_file_writes_valid_canonical_events(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "sim.jsonl"
    args = ["simulate", "--members", "80", "--groups", "3", "--days", "5", "--seed", "9",
            "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().splitlines()
    assert len(lines) > 100
    kinds = {EVENT_ADAPTER.validate_python(orjson.loads(line)).kind for line in lines}
    assert {"profile_updated", "member_joined", "message"} <= kinds
    assert _count(store, EventRecord) == 0
    out2 = tmp_path / "again.jsonl"
    runner.invoke(app, [*args[:-1], str(out2)])
    assert out2.read_bytes() == out.read_bytes()
