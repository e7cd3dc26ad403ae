"""Welcome: greet newcomers, merging joins that arrive close together into one message.

A join (or a passed entry check) queues the newcomer; the scheduler posts one welcome
per group ``merge_seconds`` after the first queued join, naming everyone who joined in
between. Platforms throttle bots and a wall of welcomes buries the conversation.
With ``merge_seconds = 0`` the welcome is posted at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from shequn.domain.actions import Action, Post
from shequn.domain.enums import MemberRole
from shequn.domain.events import EventBase, MemberJoined
from shequn.engage.changes import CounterBumped, WelcomeQueued
from shequn.engage.fatigue import group_day_key, local_date
from shequn.engage.snapshot import GroupEngage, scope_of
from shequn.engage.templates import bilingual, join_names, render
from shequn.engine.context import Context

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def welcome_text(engage: GroupEngage, names: Sequence[str], at: datetime) -> str:
    """The (merged) welcome for ``names`` in the group's language(s)."""
    config = engage.config
    local = at.astimezone(config.zone)
    activity = config.welcome.activities.get(_WEEKDAYS[local.weekday()],  # type: ignore[call-overload]
                                             config.welcome.activity)
    values = {**config.variables, "group": engage.name, "positioning": engage.positioning,
              "rules": config.welcome.rules, "activity": activity,
              "date": local.date().isoformat(), "count": str(len(names))}
    zh = render(config.welcome.template_zh, {**values, "nickname": join_names(list(names), "zh")})
    en = render(config.welcome.template_en, {**values, "nickname": join_names(list(names), "en")})
    return bilingual(zh, en, config.language)


def welcome_after(engage: GroupEngage, *, group_external: str, member_pk: int, name: str,
                  at: datetime) -> list[Action]:
    """What greeting a newcomer takes: a queued (merged) welcome, or a post right away."""
    settings = engage.config.welcome
    if not settings.enabled:
        return []
    if settings.merge_seconds == 0:
        day = group_day_key(engage.group_id, local_date(at, engage.config.zone))
        return [Post(group_id=group_external, text=welcome_text(engage, [name], at),
                     reason="welcome"), CounterBumped(key=day, at=at)]
    return [WelcomeQueued(group_pk=engage.group_id, member_pk=member_pk, name=name, at=at,
                          due=at + timedelta(seconds=settings.merge_seconds))]


def display_name(event: EventBase, context: Context) -> str:
    """What to call the person: their name on the platform, else their id."""
    if event.user_name:
        return event.user_name
    if context.member is not None and context.member.display_name:
        return context.member.display_name
    return event.user_id or "?"


class WelcomeHandler:
    """Queues a welcome for every join into a group with welcomes on and no entry gate."""

    name = "welcome"
    kinds: frozenset[str] | None = frozenset({"member_joined"})

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        """Queue (or post) the newcomer's welcome; gated groups welcome after the check."""
        scope = scope_of(context)
        if scope is None or not isinstance(event, MemberJoined) or scope.engage.config.gate.enabled:
            return []
        engage, group, member = scope.engage, scope.group, scope.member
        if member.role in (MemberRole.OWNER, MemberRole.ADMIN):
            return []
        return welcome_after(engage, group_external=group.external_id, member_pk=member.id,
                             name=display_name(event, context), at=event.occurred_at)
