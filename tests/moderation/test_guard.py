"""The guard end to end: verdicts, outcomes, the ladder's commands, joins and renames."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shequn.domain.actions import Blocklist, DeleteMessage, Kick, Mute, Reply, Warn
from shequn.domain.enums import MediaKind, MemberRole
from shequn.domain.events import MemberJoined, MemberRenamed
from shequn.engine.context import Context, MemberInfo
from shequn.moderation.classifier.default import default_model
from shequn.moderation.decision import Outcome
from shequn.moderation.guard import Guard
from shequn.moderation.ladder import Violation
from shequn.moderation.rulebook import KeywordList, NicknameRule, Rulebook
from tests.moderation.conftest import T0, make_message, seconds


@pytest.fixture
def guard() -> Guard:
    return Guard(Rulebook(), model=default_model())


@pytest.mark.parametrize(
    "text",
    [
        "我家猫今天好可爱",
        "meeting at 3pm, room 1208",
        "刚下单了，¥199 还挺划算",
        "明天下午三点在 1208 会议室开会",
        "谁知道怎么把微信聊天记录迁移到新手机？",
        "Thanks for sharing, this was really helpful",
        "大家早上好，今天天气不错",
    ],
)
def test_normal_chat_is_never_punished(guard: Guard, text: str) -> None:
    decision = guard.check_message(make_message(text))
    assert decision.outcome != Outcome.ACT
    assert decision.actions == ()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("加我vx: abc_123 领资料", "contact"),
        ("🐧 1919 5505 59 进群", "contact"),
        ("便宜VPN看这里 https://cheap.top/x", "link"),
        ("真人荷官在线发牌，首充送彩金", "category:gambling"),
        ("黑户可下，不看征信，秒到账", "category:loans"),
    ],
)
def test_adverts_are_acted_on_with_a_reason(guard: Guard, text: str, reason: str) -> None:
    decision = guard.check_message(make_message(text))
    assert decision.outcome == Outcome.ACT
    assert decision.reason == reason
    assert isinstance(decision.actions[0], DeleteMessage)
    assert reason in decision.explain()


def test_every_verdict_is_kept(guard: Guard) -> None:
    decision = guard.check_message(make_message("加我vx: abc_123"))
    names = {v.name for v in decision.verdicts}
    assert {"newcomer", "link", "contact", "flood", "classifier", "category:porn"} <= names
    contact = decision.verdict("contact")
    assert contact is not None and contact.matched and contact.evidence == ("id:abc_123",)
    assert {"newcomer", "contact"} <= {v.name for v in decision.matched}


def test_ladder_escalates_for_repeat_offenders(guard: Guard) -> None:
    kinds = []
    for i in range(5):
        message = make_message("加我vx: abc_123", at=T0 + timedelta(minutes=i), user="spammer")
        kinds.append([type(a) for a in guard.check_message(message).actions])
    assert kinds == [
        [DeleteMessage],
        [DeleteMessage, Warn],
        [DeleteMessage, Mute, Warn],
        [DeleteMessage, Kick],
        [DeleteMessage, Blocklist, Kick],
    ]


def test_warning_is_bilingual_and_names_the_next_step(guard: Guard) -> None:
    history = [Violation("contact", T0 - timedelta(hours=1))]
    decision = guard.check_message(
        make_message("加我vx: abc_123", user_name="小王"), history=history
    )
    warn = next(a for a in decision.actions if isinstance(a, Warn))
    assert (
        "@小王" in warn.text and "联系方式" in warn.text and "contact details" in warn.text.lower()
    )
    assert "禁言" in warn.text and "muted" in warn.text
    assert warn.rule == "contact" and warn.group_id == "g1" and warn.user_id == "u1"


def test_mute_lasts_the_step_duration(guard: Guard) -> None:
    history = [Violation("contact", T0 - timedelta(hours=h)) for h in (1, 2)]
    decision = guard.check_message(make_message("加我vx: abc_123"), history=history)
    mute = next(a for a in decision.actions if isinstance(a, Mute))
    assert mute.until == T0 + timedelta(hours=1)


@pytest.mark.parametrize("role", [MemberRole.OWNER, MemberRole.ADMIN, MemberRole.KOL])
def test_exempt_roles_pass(guard: Guard, role: MemberRole) -> None:
    decision = guard.check_message(make_message("加我vx: abc_123 https://x.top"), role=role)
    assert decision.outcome == Outcome.ALLOW and decision.actions == ()
    assert decision.verdicts[0].name == "exempt"


def test_dry_run_decides_but_returns_no_actions() -> None:
    guard = Guard(Rulebook(dry_run=True))
    decision = guard.check_message(make_message("加我vx: abc_123"))
    assert decision.outcome == Outcome.ACT and decision.dry_run
    assert decision.actions == ()
    assert "dry run" in decision.explain()
    assert guard.violations.history("u1") == ()


def test_review_rules_escalate_for_newcomers_only() -> None:
    guard = Guard(Rulebook(categories={"selling": "review"}))
    text = "高仿包包，A货原单"
    first = guard.check_message(make_message(text, user="new"))
    veteran = guard.check_message(make_message(text, user="old"), prior_messages=50)
    assert first.outcome == Outcome.ACT
    assert veteran.outcome == Outcome.REVIEW and veteran.actions == ()


def test_trusted_sites_are_fine_for_established_members_only() -> None:
    guard = Guard(Rulebook())
    text = "这个讲得好 https://www.bilibili.com/video/BV1xx"
    assert (
        guard.check_message(make_message(text, user="a"), prior_messages=20).outcome
        == Outcome.ALLOW
    )
    assert guard.check_message(make_message(text, user="b")).outcome == Outcome.ACT


def test_flood_is_acted_on() -> None:
    guard = Guard(Rulebook())
    outcomes = [
        guard.check_message(
            make_message(f"刷屏 {i}", at=T0 + seconds(i), user="f"), prior_messages=99
        ).reason
        for i in range(7)
    ]
    assert outcomes[:5] == [""] * 5 and outcomes[5] == "flood"


def test_mini_program_and_qr_payloads(guard: Guard) -> None:
    card = guard.check_message(make_message("", media=MediaKind.MINI_PROGRAM))
    qr = guard.check_message(
        make_message("看图", media=MediaKind.IMAGE), qr_payloads=("https://u.wechat.com/x",)
    )
    assert card.reason == "share" and qr.reason == "qr_code"


def test_operator_keyword_lists() -> None:
    book = Rulebook(keywords=[KeywordList(name="rivals", terms=["竞品店"], action="review")])
    decision = Guard(book).check_message(make_message("去竞品店买更便宜"), prior_messages=30)
    assert decision.outcome == Outcome.REVIEW and decision.reason == "keywords:rivals"


def test_seed_model_alone_never_deletes() -> None:
    guard = Guard(Rulebook(categories={}), model=default_model())
    decision = guard.check_message(make_message("私聊我有惊喜"), prior_messages=30)
    classifier = decision.verdict("classifier")
    assert classifier is not None and classifier.score is not None and classifier.score >= 0.9
    assert decision.outcome == Outcome.REVIEW and decision.actions == ()
    assert classifier.evidence  # the features that drove it


def test_a_trusted_model_acts_on_its_own() -> None:
    model = default_model()
    model.meta.pop("review_only")
    guard = Guard(Rulebook(categories={}), model=model)
    decision = guard.check_message(make_message("私聊我有惊喜"), prior_messages=30)
    assert decision.outcome == Outcome.ACT and decision.reason == "classifier"


def test_join_with_ad_name_and_bad_format() -> None:
    book = Rulebook(nickname=NicknameRule(format="{city}-{nickname}", ad_action="act"))
    guard = Guard(book)
    bad = MemberJoined(
        source="t",
        external_id="j1",
        occurred_at=T0,
        group_id="g1",
        user_id="u5",
        user_name="加V abc12345",
    )
    ok = MemberJoined(
        source="t",
        external_id="j2",
        occurred_at=T0,
        group_id="g1",
        user_id="u6",
        user_name="深圳-小王",
    )
    unformatted = MemberRenamed(
        source="t", external_id="r1", occurred_at=T0, group_id="g1", user_id="u7", new_name="小王"
    )
    assert guard.check_member(bad).outcome == Outcome.ACT
    assert [type(a) for a in guard.check_member(bad).actions] == [Kick]
    assert guard.check_member(ok).outcome == Outcome.ALLOW and guard.check_member(ok).actions == ()
    reminder = guard.check_member(unformatted)
    assert reminder.outcome == Outcome.ALLOW
    assert (
        isinstance(reminder.actions[0], Reply) and "{city}-{nickname}" in reminder.actions[0].text
    )


def test_guard_is_an_engine_handler(guard: Guard) -> None:
    context = Context(workspace_id=1, now=T0, member=MemberInfo(id=1, role=MemberRole.MEMBER))
    actions = guard.decide(make_message("加我vx: abc_123"), context)
    admin = Context(workspace_id=1, now=T0, member=MemberInfo(id=2, role=MemberRole.ADMIN))
    assert isinstance(actions[0], DeleteMessage)
    assert guard.decide(make_message("加我vx: abc_123", user="u2"), admin) == []
    assert guard.name == "moderation" and guard.kinds is not None and "message" in guard.kinds
