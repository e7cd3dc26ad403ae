"""RFM by hand: five buyers, ties, one-order customers, a refund and a cancellation."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from shequn.analytics.kinds import EngineKind
from shequn.analytics.reference import reference_profiles
from shequn.profiles.settings import ProfileSettings, RfmSettings
from shequn.store.store import Store
from tests.analytics.conftest import AS_OF, Timeline, by_user, days_ago, run

# (user, amount, days ago, status)
ORDERS = [
    ("ann", "100.00", 40, "paid"), ("ann", "200.00", 20, "paid"), ("ann", "300.00", 2, "paid"),
    ("ben", "50.00", 2, "paid"),                      # one order, same recency as ann's last
    ("cai", "100.00", 60, "paid"), ("cai", "100.00", 30, "paid"),
    ("dan", "500.00", 90, "paid"), ("dan", "999.00", 1, "refunded"),  # refund: not counted
    ("eve", "80.00", 5, "cancelled"),                 # only a cancelled order: not a buyer
    ("fay", "20.00", 10, "paid"),
]

# Five buyers, cuts 0.2/0.4/0.6/0.8: a score is 1 + the number of buyers strictly worse.
#   recency days: dan 90, cai 30, fay 10, ann 2, ben 2 (tie)  -> R dan 1, cai 2, fay 3, ann 4, ben 4
#   orders:       ben 1, dan 1, fay 1 (tie), cai 2, ann 3     -> F ben/dan/fay 1, cai 4, ann 5
#   money:        fay 20, ben 50, cai 200, dan 500, ann 600   -> M fay 1, ben 2, cai 3, dan 4, ann 5
#   FM = floor((F + M) / 2): ann 5, ben 1, cai 3, dan 2, fay 1
EXPECTED = {
    #       orders, cents,  recency, R, F, M, segment,          aov band
    "ann": (3, 60000, 2, 4, 5, 5, "champions", "medium"),     # 200 a order
    "ben": (1, 5000, 2, 4, 1, 2, "promising", "low"),
    "cai": (2, 20000, 30, 2, 4, 3, "at_risk", "medium"),      # exactly 100 a order: >= edge
    "dan": (1, 50000, 90, 1, 1, 4, "hibernating", "high"),
    "fay": (1, 2000, 10, 3, 1, 1, "about_to_sleep", "low"),
}
COLUMNS = ("orders", "monetary_cents", "recency_days", "r_score", "f_score", "m_score",
           "rfm_segment", "aov_band")


@pytest.fixture
def orders(timeline: Timeline) -> None:
    for number, (user, amount, ago, status) in enumerate(ORDERS):
        timeline.send("order", user, days_ago(ago), order_id=f"o{number}", amount=amount,
                      status=status)


@pytest.mark.parametrize("engine", [EngineKind.STORE, EngineKind.DUCKDB])
def test_rfm_scores_and_segments_by_hand(
    store: Store, workspace_id: int, orders: None, engine: EngineKind
) -> None:
    rows = by_user(store, run(store, workspace_id, engine).profiles)
    got = {user: tuple(row[c] for c in COLUMNS) for user, row in rows.items()
           if row["rfm_segment"] is not None}
    assert got == EXPECTED
    assert rows["eve"]["orders"] == 0 and rows["eve"]["r_score"] is None


def test_configurable_bins(store: Store, workspace_id: int, orders: None) -> None:
    # One cut at 0.5: with 5 buyers a score needs 3 buyers strictly worse (3/5 >= 0.5).
    grid = (("new", "champions"), ("lost", "at_risk"))  # rows R = 2, 1; columns FM = 1, 2
    settings = ProfileSettings(rfm=RfmSettings(cuts=(0.5,), grid=grid))
    rows = by_user(store, run(store, workspace_id, settings=settings).profiles)
    assert {u: rows[u]["r_score"] for u in EXPECTED} == {
        "ann": 2, "ben": 2, "cai": 1, "dan": 1, "fay": 1}
    # F is 2 for cai (3 worse) and ann (4 worse); M is 2 for dan and ann; FM = floor((F+M)/2)
    # is 2 only for ann.
    assert {u: rows[u]["rfm_segment"] for u in EXPECTED} == {
        "ann": "champions", "ben": "new", "cai": "lost", "dan": "lost", "fay": "lost"}


def test_pandas_reference_gives_the_same_scores(
    store: Store, workspace_id: int, orders: None
) -> None:
    import pandas as pd

    with store.engine.connect() as connection:
        def table(sql: str) -> pd.DataFrame:
            return pd.read_sql(text(sql), connection, params={"w": workspace_id})

        frames = [table("SELECT * FROM member WHERE workspace_id = :w"),
                  table("SELECT id, kind, occurred_at, group_id, member_id, "
                        "CAST(payload AS TEXT) AS payload FROM event WHERE workspace_id = :w"),
                  table("SELECT * FROM shop_order WHERE workspace_id = :w"),
                  table("SELECT * FROM membership WHERE workspace_id = :w")]
    reference = reference_profiles(*frames, as_of=int(AS_OF.timestamp()),
                                   settings=ProfileSettings())
    rows = by_user(store, reference)
    got = {user: tuple(row[c] for c in COLUMNS) for user, row in rows.items()
           if row["rfm_segment"] is not None}
    assert got == EXPECTED


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"cuts": [0.5, 0.4]}, "increasing"),
        ({"cuts": [0.5], "grid": [["champions"]]}, "2x2"),
        ({"grid": [["vip"] * 5] * 5}, "unknown segment names"),
        ({"aov_bands": [100], "aov_names": ["a"]}, "one name more"),
    ],
)
def test_bad_rfm_settings_name_the_problem(data: dict[str, object], problem: str) -> None:
    from shequn.errors import InputError
    from shequn.profiles.settings import parse_settings

    with pytest.raises(InputError, match=problem):
        parse_settings({"rfm": data})
