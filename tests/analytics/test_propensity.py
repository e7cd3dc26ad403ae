"""The purchase model: AUC by hand, fitting, ranking potential buyers, out-of-time quality."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from shequn.analytics import propensity
from shequn.analytics.kinds import EngineKind, Stage
from shequn.intake.service import Intake
from shequn.intake.stream import ingest_dicts
from shequn.profiles.tagjob import evaluate_propensity, run_tag_job
from shequn.profiles.tags import potential_buyers
from shequn.simulator import SimulationConfig, simulate
from shequn.store.models import MemberProfile
from shequn.store.store import Store
from shequn.store.workspaces import create_workspace


@pytest.mark.parametrize(
    ("scores", "labels", "expected"),
    [
        ([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.75),   # one of four pairs ranked wrongly
        ([0.5, 0.5, 0.5], [0, 1, 0], 0.5),             # ties count half
        ([0.9, 0.1], [1, 0], 1.0),
    ],
)
def test_auc_by_hand(scores: list[float], labels: list[int], expected: float) -> None:
    assert propensity.auc(np.array(scores), np.array(labels)) == pytest.approx(expected)


def test_auc_needs_both_classes() -> None:
    assert propensity.auc(np.array([0.2, 0.3]), np.array([1, 1])) is None


def _profiles(messages: list[int], recency: list[float | None]) -> pd.DataFrame:
    n = len(messages)
    frame = pd.DataFrame({name: [0] * n for name in propensity.FEATURES})
    frame["member_id"] = range(1, n + 1)
    frame["messages_30d"] = messages
    frame["recency_days"] = recency
    frame["tenure_days"] = 60
    return frame


def test_the_model_learns_which_way_activity_points() -> None:
    train = _profiles([0, 1, 2, 3, 10, 12, 15, 20], [None] * 8)
    labels = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    model = propensity.fit(train, labels)
    assert model is not None
    scores = model.predict(_profiles([0, 5, 25], [None] * 3))
    assert scores[0] < scores[1] < scores[2]
    assert propensity.fit(train, np.zeros(8)) is None  # nobody bought: nothing to learn


def test_potential_buyers_skip_recent_buyers_and_break_ties_by_id() -> None:
    profiles = _profiles([0] * 6, [None, 3, None, None, 45, None])
    scores = pd.Series([0.9, 0.99, 0.5, 0.5, 0.7, 0.1], index=range(1, 7))
    # Member 2 bought 3 days ago; of the other five the top 60% are 1, 5 and then 3 (tie
    # with 4, lower id first).
    assert propensity.potential_buyers(profiles, scores, 0.6) == {1, 3, 5}


def test_out_of_time_auc_on_a_simulated_community(sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        workspace_id = create_workspace(session, slug="p").id
    config = SimulationConfig(members=600, groups=4, days=90, seed=3)
    ingest_dicts(Intake(sqlite_store), workspace_id, simulate(config))
    result = evaluate_propensity(sqlite_store, workspace_id, engine=EngineKind.DUCKDB,
                                 as_of=datetime(2026, 4, 1, tzinfo=UTC))
    assert result.train_buyers > 10 and result.test_buyers > 10
    assert result.auc is not None and result.auc > 0.6

    # The job stores the scores; the likeliest buyers come best first, none bought lately.
    report = run_tag_job(sqlite_store, workspace_id, engine=EngineKind.DUCKDB,
                         as_of=datetime(2026, 4, 1, tzinfo=UTC),
                         stages=(Stage.PROFILES, Stage.PROPENSITY))
    assert report.model_fitted
    with sqlite_store.session() as session:
        ranked = potential_buyers(session, workspace_id=workspace_id, limit=1000)
        recent = {m for (m,) in session.execute(select(MemberProfile.member_id).where(
            MemberProfile.recency_days <= 30))}
        everyone = len(session.scalars(select(MemberProfile.member_id)).all())
    scores = [row["propensity"] for row in ranked]
    assert len(ranked) == int((everyone - len(recent)) * 0.1)  # the default top 10%
    assert scores == sorted(scores, reverse=True)
    assert not {row["member_id"] for row in ranked} & recent
