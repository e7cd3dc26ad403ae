"""The same expressions give the same results on the store, on DuckDB and in pandas."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text

from shequn.analytics.job import Computed, SavedSegment
from shequn.analytics.kinds import ALL_STAGES, EngineKind, Stage
from shequn.analytics.profile import PROFILE_COLUMNS
from shequn.analytics.reference import reference_profiles
from shequn.intake.service import Intake
from shequn.intake.stream import ingest_dicts
from shequn.profiles.settings import KeywordRule, ProfileSettings
from shequn.simulator import SimulationConfig, simulate
from shequn.store.store import Store
from tests.analytics.conftest import AS_OF, run

SETTINGS = ProfileSettings(keywords=(
    KeywordRule(tag="pet:cat", keywords=("猫", "cat", "cats", "kitten")),
    KeywordRule(tag="asks:price", keywords=("多少钱", "价格", "price", "how much")),
))
SEGMENTS = (
    SavedSegment("valuable_quiet", 'rfm in ("champions", "loyal", "cant_lose") '
                                   "and last_message_days > 3"),
    SavedSegment("cat_people", 'has_tag("pet:cat") or tag("stated_interest:猫") = "猫"'),
    SavedSegment("new_lurkers", 'lifecycle = "new" or (lurker and not giveaway_only)'),
)


def rows(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Sorted plain tuples, NaN as None, so frames from any engine compare exactly."""
    out = []
    for record in frame.loc[:, list(columns)].itertuples(index=False, name=None):
        out.append(tuple(None if isinstance(v, float) and v != v else
                         (v.item() if hasattr(v, "item") else v) for v in record))
    return sorted(out, key=lambda r: tuple((x is None, str(x)) for x in r))


@pytest.fixture
def community(store: Store, workspace_id: int) -> None:
    config = SimulationConfig(members=400, groups=4, days=60, seed=11)
    ingest_dicts(Intake(store), workspace_id, simulate(config))


def _run(store: Store, workspace_id: int, engine: EngineKind) -> Computed:
    stages = tuple(s for s in ALL_STAGES if s is not Stage.INTERESTS)
    return run(store, workspace_id, engine, settings=SETTINGS, stages=stages,
               segments=SEGMENTS)


def test_duckdb_and_the_store_agree(store: Store, workspace_id: int, community: None) -> None:
    on_store = _run(store, workspace_id, EngineKind.STORE)
    on_duckdb = _run(store, workspace_id, EngineKind.DUCKDB)
    columns = (*PROFILE_COLUMNS, "potential_buyer")
    assert rows(on_store.profiles, columns) == rows(on_duckdb.profiles, columns)
    store_scores = on_store.profiles.set_index("member_id")["propensity"].sort_index()
    duck_scores = on_duckdb.profiles.set_index("member_id")["propensity"].sort_index()
    assert (store_scores - duck_scores).abs().max() < 1e-9
    tag_columns = ("member_id", "name", "value", "source")
    assert rows(on_store.tags, tag_columns) == rows(on_duckdb.tags, tag_columns)
    # The run is not vacuous: every kind of result is there.
    sizes = on_store.segment_sizes()
    assert set(sizes) == {s.name for s in SEGMENTS} and all(sizes.values())
    names = set(on_store.tags["name"])
    assert {"pet:cat", "asks:price"} <= names
    assert any(name.startswith("stated_interest:") for name in names)
    assert on_store.profiles["rfm_segment"].nunique() >= 5
    assert set(on_store.profiles["layer"]) == {"core", "intention", "potential"}
    assert on_store.profiles["lifecycle"].nunique() >= 4


def test_pandas_reference_agrees(store: Store, workspace_id: int, community: None) -> None:
    on_store = run(store, workspace_id, EngineKind.STORE, settings=SETTINGS)
    with store.engine.connect() as connection:
        def table(sql: str) -> pd.DataFrame:
            return pd.read_sql(text(sql), connection, params={"w": workspace_id})

        reference = reference_profiles(
            table("SELECT * FROM member WHERE workspace_id = :w"),
            table("SELECT id, kind, occurred_at, group_id, member_id, CAST(payload AS TEXT) "
                  "AS payload FROM event WHERE workspace_id = :w"),
            table("SELECT * FROM shop_order WHERE workspace_id = :w"),
            table("SELECT * FROM membership WHERE workspace_id = :w"),
            as_of=int(AS_OF.timestamp()), settings=SETTINGS,
        )
    assert rows(on_store.profiles, PROFILE_COLUMNS) == rows(reference, PROFILE_COLUMNS)
    assert reference["giveaway_only"].sum() > 0  # the simulated giveaway hunters are found
