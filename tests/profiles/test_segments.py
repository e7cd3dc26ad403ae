"""The segment language: parsing, errors that point at the problem, and what rules select."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from shequn.analytics.backends import duckdb_backend
from shequn.segments.compiler import check, compile_rule
from shequn.segments.language import SegmentSyntaxError
from shequn.segments.service import export_rows, preview, save_segment, write_csv
from shequn.store.store import Store
from shequn.testing import CommunityHarness


@pytest.mark.parametrize(
    ("rule", "column", "problem"),
    [
        ("", 1, "the rule is empty"),
        ('city == "深圳"', 6, "'==' is not an operator; use '='"),
        ('cty = "深圳"', 1, "unknown field 'cty' — did you mean 'city'?"),
        ('city > "深圳"', 6, "operator '>' needs a number; 'city' is text"),
        ("orders >= \"3\"", 11, "'orders' is a number; write it without quotes"),
        ("city = 3", 8, "'city' is text; put the value in quotes"),
        ('rfm in ("at_risk", "hibernate")', 20, "unknown rfm value 'hibernate'"),
        ('city = "深圳" and', 16, "the rule ends too early"),
        ('city = "深圳" city = "上海"', 13, "unexpected 'city'"),
        ("orders > 1 # comment", 12, "unexpected character '#'"),
        ('(orders > 1', 12, "expected ')'"),
        ("orders", 1, "'orders' is number; compare it"),
        ('tag("vip") > "a"', 5, "tags compare with = or !="),
        ("lurker = 1", 10, "'lurker' is true or false"),
    ],
)
def test_errors_name_the_problem_and_its_column(rule: str, column: int, problem: str) -> None:
    with pytest.raises(SegmentSyntaxError) as caught:
        check(rule)
    assert caught.value.column == column
    assert problem in caught.value.problem
    assert f"column {column}" in str(caught.value) and "^" in str(caught.value)


@pytest.mark.parametrize(
    "rule",
    [
        'city = "深圳" and rfm in ("at_risk", "hibernating") and last_message_days > 30',
        "LAYER = 'core' OR (has_tag(\"pet:cat\") AND NOT lurker)",
        'tag("interest:pets") != "" and propensity >= 0.6 and monetary > 99.5',
        "city is not null and job is null and rfm not in ('lost',)",
    ],
)
def test_valid_rules_parse(rule: str) -> None:
    check(rule)


WIDE = pd.DataFrame({
    "member_id": [1, 2, 3, 4],
    "city": ["深圳", "深圳", "上海", None],
    "rfm_segment": ["at_risk", "champions", "hibernating", None],
    "last_message_days": [40, 2, 31, None],
    "monetary_cents": [10_000, 9_950, 0, 0],
    "lurker": [True, False, False, None],
    "layer": ["core", "core", "potential", "potential"],
})
TAGS = pd.DataFrame({"member_id": [2, 3], "name": ["pet:cat", "pet:cat"],
                     "value": ["3", "1"]})


@pytest.mark.parametrize(
    ("rule", "members"),
    [
        ('city = "深圳" and rfm in ("at_risk", "hibernating") and last_message_days > 30', [1]),
        ('rfm in ("at_risk", "hibernating") and last_message_days > 30', [1, 3]),
        ("last_message_days > 30 or last_message_days is null", [1, 3, 4]),
        ('city != "深圳"', [3]),  # a missing city is neither = nor != a value
        ('rfm not in ("champions")', [1, 3]),
        ("monetary >= 99.5", [1, 2]),  # yuan in the rule, cents in the column
        ("not lurker", [2, 3, 4]),
        ('has_tag("pet:cat") and layer = "core"', [2]),
        ('tag("pet:cat") = "1"', [3]),
        ('has_tag("pet:dog")', []),
    ],
)
def test_what_rules_select(rule: str, members: list[int]) -> None:
    backend = duckdb_backend()
    try:
        wide, tags = backend.upload(WIDE), backend.upload(TAGS)
        chosen = wide.filter(compile_rule(rule, wide, tags)).order_by("member_id")
        assert backend.con.execute(chosen)["member_id"].tolist() == members
    finally:
        backend.close()


def test_preview_and_export_on_the_store(
    store: Store, workspace_id: int, harness: CommunityHarness
) -> None:
    harness.profile("a", city="深圳")
    harness.profile("b", city="上海")
    harness.profile("c", city="深圳")
    result = preview(store, workspace_id=workspace_id, rule='city = "深圳"', sample=1)
    assert result.count == 2 and len(result.sample) == 1
    assert result.sample[0]["city"] == "深圳" and not result.profiles_computed
    out = io.StringIO()
    assert write_csv(export_rows(store, workspace_id=workspace_id, rule='city = "深圳"'),
                     out) == 2
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("member_id,display_name,city,")
    assert [line.split(",")[2] for line in lines[1:]] == ["深圳", "深圳"]
    with store.session() as session, pytest.raises(SegmentSyntaxError, match="unknown field"):
        save_segment(session, workspace_id=workspace_id, name="bad", rule="towm = 1",
                     actor="t")
