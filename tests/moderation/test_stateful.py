"""Flood, cross-group duplicates, newcomers, the bounded state, and the predicate algebra."""

from __future__ import annotations

from shequn.domain.enums import MemberRole
from shequn.moderation.state import GuardState, fingerprint
from shequn.moderation.stateful import DuplicateCheck, FloodCheck, NewcomerCheck
from shequn.moderation.structural import LinkCheck
from shequn.moderation.verdict import always, from_roles, newcomer
from tests.moderation.conftest import T0, make_ctx, make_message, seconds


def feed(
    state: GuardState, text: str, at_seconds: float, group: str = "g1", user: str = "u1"
) -> None:
    ctx = make_ctx(text, state=state, at=T0 + seconds(at_seconds), group=group, user=user)
    state.observe(group, user, ctx.fingerprint, ctx.now)


def test_flood_matches_the_nth_message_in_the_window() -> None:
    state = GuardState()
    check = FloodCheck(limit=4, window=10)
    for i in range(3):
        feed(state, f"msg {i}", i)
    assert check.check(
        make_message("again"), make_ctx("again", state=state, at=T0 + seconds(3))
    ).matched
    later = make_ctx("later", state=state, at=T0 + seconds(30))
    assert not check.check(make_message("later"), later).matched
    other = make_ctx("hi", state=state, at=T0 + seconds(3), user="u2")
    assert not check.check(make_message("hi"), other).matched


def test_duplicate_across_groups_from_one_sender() -> None:
    state = GuardState()
    text = "全网最低价VPN，稳定翻墙，月付10元"
    feed(state, text, 0, group="g1")
    feed(state, text, 60, group="g2")
    check = DuplicateCheck(min_groups=3, window=3600)
    verdict = check.check(
        make_message(text), make_ctx(text, state=state, at=T0 + seconds(120), group="g3")
    )
    assert verdict.matched and set(verdict.evidence) == {"g1", "g2"}
    # Another member saying the same thing is not the spammer's copy.
    other = make_ctx(text, state=state, at=T0 + seconds(120), group="g3", user="u9")
    assert not check.check(make_message(text), other).matched
    assert DuplicateCheck(min_groups=3, per_member=False).check(make_message(text), other).matched


def test_duplicate_ignores_old_copies_and_short_texts() -> None:
    state = GuardState()
    text = "全网最低价VPN，稳定翻墙，月付10元"
    feed(state, text, 0, group="g1")
    feed(state, text, 10, group="g2")
    late = make_ctx(text, state=state, at=T0 + seconds(7200), group="g3")
    assert not DuplicateCheck(min_groups=3, window=3600).check(make_message(text), late).matched
    assert fingerprint("哈哈") is None
    for group in ("g1", "g2"):
        feed(state, "好的", 20, group=group)
    short = make_ctx("好的", state=state, at=T0 + seconds(30), group="g3")
    assert not DuplicateCheck(min_groups=3).check(make_message("好的"), short).matched


def test_newcomer_counts_prior_messages() -> None:
    state = GuardState()
    check = NewcomerCheck(first_messages=2)
    assert check.check(make_message("hi"), make_ctx("hi", state=state)).matched
    feed(state, "one", 0)
    feed(state, "two", 1)
    assert not check.check(make_message("hi"), make_ctx("hi", state=state)).matched
    assert not check.check(make_message("hi"), make_ctx("hi", prior=10)).matched


def test_state_memory_is_bounded() -> None:
    state = GuardState(max_members=50, max_texts=40)
    for i in range(1000):
        feed(state, f"a distinct message number {i}", i, user=f"u{i}")
    assert len(state) <= 90
    assert state.prior_messages("g1", "u0") == 0  # evicted, least recently used
    assert state.prior_messages("g1", "u999") == 1


def test_predicates_compose_and_explain() -> None:
    rule = LinkCheck() & ~from_roles(MemberRole.ADMIN)
    text = "看这里 https://spam.top/x"
    member = rule.check(make_message(text), make_ctx(text))
    admin = rule.check(make_message(text), make_ctx(text, role=MemberRole.ADMIN))
    assert member.matched and member.evidence == ("spam.top",)
    assert not admin.matched and "~from_roles(admin)=no" in admin.details
    either = (LinkCheck() | newcomer(3)).named("links_or_new")
    verdict = either.check(make_message("hello"), make_ctx("hello", prior=0))
    assert verdict.matched and verdict.name == "links_or_new"
    assert not (~always()).check(make_message("x"), make_ctx("x")).matched
