"""Each tag kind end to end: facts from profiles and imported columns, keyword capture,
interests, algorithm tags and strategy tags on the card, written back by the tag job."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from shequn.analytics.interests import interest_rows, terms
from shequn.analytics.kinds import EngineKind
from shequn.domain.events import SurveyAnswer
from shequn.intake.files import FileKind
from shequn.intake.importer import import_file
from shequn.intake.service import Intake
from shequn.profiles.settings import (
    FactColumn,
    KeywordRule,
    ProfileSettings,
    load_settings,
    save_settings,
)
from shequn.profiles.tagjob import run_tag_job
from shequn.segments.service import save_segment
from shequn.store.models import MemberProfile
from shequn.store.queries import member_card
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.profiles.conftest import member_of

AS_OF = datetime(2026, 1, 6, tzinfo=UTC)  # the harness clock starts on 2026-01-05

MEMBERS_CSV = """\
user_id,name,city,job,source,interests,会员等级,updated_at
wx_001,王小明,深圳,设计师,直播,猫|摄影,gold,2026-01-05T08:00:00+00:00
wx_002,Lily Chen,上海,teacher,referral,,silver,2026-01-05T08:00:00+00:00
"""




def _tags(store: Store, workspace_id: int, user: str) -> dict[str, tuple[str, str, str]]:
    with store.session() as session:
        card = member_card(session, workspace_id=workspace_id, member_id=member_of(store, user))
    return {t["name"]: (t["kind"], t["value"], t["source"]) for t in card["tags"]}


@pytest.fixture
def tagged(store: Store, workspace_id: int, harness: CommunityHarness, tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS_CSV, encoding="utf-8")
    import_file(Intake(store), workspace_id, path, FileKind.MEMBERS, platform="telegram")
    harness.join("wx_001", "g1")
    harness.say("wx_001", "我家的猫最近不爱吃猫粮，猫砂也要换了", group="g1")
    harness.join("wx_002", "g1")
    harness.say("wx_002", "This category of lens is great for portraits", group="g1")
    harness.say("wx_002", "my camera and lens arrived", group="g1")
    harness.send(SurveyAnswer(source="harness", external_id="s1", occurred_at=harness.tick(),
                              platform=harness.platform, user_id="wx_002", survey_id="q",
                              question_id="pets", answer="Two CATS at home"))
    harness.order("wx_002", "o1", "399.00")
    with store.session() as session:
        settings = load_settings(session, workspace_id=workspace_id).model_copy(update={
            "keywords": (KeywordRule(tag="pet:cat", keywords=("猫", "cat", "cats")),),
            "fact_columns": (FactColumn(column="interests", tag="stated_interest",
                                        separator="|"),
                             FactColumn(column="会员等级", tag="vip_level")),
        })
        save_settings(session, workspace_id=workspace_id, settings=settings, actor="test")
        save_segment(session, workspace_id=workspace_id, name="cat_buyers",
                     rule='has_tag("pet:cat") and orders >= 1', actor="test")


@pytest.mark.parametrize("engine", [EngineKind.STORE, EngineKind.DUCKDB])
def test_every_kind_of_tag_reaches_the_card(
    store: Store, workspace_id: int, tagged: None, engine: EngineKind
) -> None:
    report = run_tag_job(store, workspace_id, engine=engine, as_of=AS_OF)
    assert report.members == 2 and report.segments == {"cat_buyers": 1}
    first = _tags(store, workspace_id, "wx_001")
    second = _tags(store, workspace_id, "wx_002")
    # Facts: profile columns, and imported columns through the mapping.
    assert first["city"] == ("fact", "深圳", "profile")
    assert first["source"] == ("fact", "直播", "profile")
    assert first["stated_interest:猫"] == ("fact", "猫", "import")
    assert first["stated_interest:摄影"] == ("fact", "摄影", "import")
    assert first["vip_level"] == ("fact", "gold", "import")
    # Keyword capture: 猫 in chat; "cats" in a survey answer; "category" is not "cat".
    assert first["pet:cat"] == ("fact", "1", "keyword")
    assert second["pet:cat"] == ("fact", "1", "keyword")
    # Interests from what they wrote (jieba for Chinese).
    assert first["interest:pets"][0:2] == ("algorithm", "猫|猫粮|猫砂")
    assert second["interest:photography"][1] == "lens|camera"
    # Algorithm and strategy tags.
    # The only buyer: nobody is strictly worse, so R = F = M = 1.
    assert second["rfm"][0:2] == ("algorithm", "lost")
    assert second["layer"][1] == "core" and first["layer"][1] == "intention"
    assert first["lifecycle"][1] == "new"
    assert second["cat_buyers"] == ("strategy", "1", "segment")
    assert "cat_buyers" not in first


def test_a_second_run_replaces_the_first(store: Store, workspace_id: int, tagged: None) -> None:
    run_tag_job(store, workspace_id, as_of=AS_OF)
    with store.session() as session:
        settings = load_settings(session, workspace_id=workspace_id)
        save_settings(session, workspace_id=workspace_id, actor="test",
                      settings=settings.model_copy(update={"keywords": ()}))
    run_tag_job(store, workspace_id, as_of=AS_OF)
    assert "pet:cat" not in _tags(store, workspace_id, "wx_001")
    assert "cat_buyers" not in _tags(store, workspace_id, "wx_002")
    with store.session() as session:
        assert len(session.scalars(select(MemberProfile)).all()) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我家的猫最近不爱吃猫粮", ["我家", "猫", "最近", "不爱", "猫粮"]),
        ("@alice check https://x.cn/a my new Camera!", ["check", "new", "camera"]),
        ("the lens, the LENS", ["lens", "lens"]),
    ],
)
def test_terms_segment_chinese_and_tokenise_english(text: str, expected: list[str]) -> None:
    assert list(terms(text)) == expected


def test_an_interest_needs_two_mentions() -> None:
    rows = interest_rows([(1, "camera"), (2, "camera lens"), (2, "跑步 配速")])
    assert (1, "interest:photography", "camera") not in rows
    assert (2, "interest:photography", "camera|lens") in rows
    assert (2, "interest:running", "跑步|配速") in rows


def test_default_settings_round_trip() -> None:
    assert ProfileSettings.model_validate(ProfileSettings().model_dump()) == ProfileSettings()
