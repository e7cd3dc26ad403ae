"""Spark runs the same expressions and gets the same profiles (local Spark; slow)."""

from __future__ import annotations

import pytest

from shequn.analytics.backends import spark_available
from shequn.analytics.kinds import EngineKind, Stage
from shequn.analytics.profile import PROFILE_COLUMNS
from shequn.intake.service import Intake
from shequn.intake.stream import ingest_dicts
from shequn.simulator import SimulationConfig, simulate
from shequn.store.store import Store
from tests.analytics.conftest import run
from tests.analytics.test_engines import SEGMENTS, SETTINGS, rows

pytestmark = [
    pytest.mark.slow,
    # py4j (Spark's Java gateway) leaves its loopback sockets to the garbage collector.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_spark_and_the_store_agree(sqlite_store: Store) -> None:
    reason = spark_available()
    if reason is not None:
        pytest.skip(f"Spark test skipped: {reason}")
    from shequn.store.workspaces import create_workspace

    with sqlite_store.session() as session:
        workspace_id = create_workspace(session, slug="spark").id
    config = SimulationConfig(members=200, groups=3, days=45, seed=5)
    ingest_dicts(Intake(sqlite_store), workspace_id, simulate(config))
    stages = (Stage.PROFILES, Stage.KEYWORDS, Stage.FACTS, Stage.SEGMENTS)
    on_store = run(sqlite_store, workspace_id, EngineKind.STORE, settings=SETTINGS,
                   stages=stages, segments=SEGMENTS)
    on_spark = run(sqlite_store, workspace_id, EngineKind.SPARK, settings=SETTINGS,
                   stages=stages, segments=SEGMENTS)
    assert rows(on_store.profiles, PROFILE_COLUMNS) == rows(on_spark.profiles, PROFILE_COLUMNS)
    tag_columns = ("member_id", "name", "value", "source")
    assert rows(on_store.tags, tag_columns) == rows(on_spark.tags, tag_columns)
    assert len(on_store.tags) > 0
