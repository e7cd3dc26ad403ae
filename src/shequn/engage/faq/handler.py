"""FAQ answers: reply to a member's question with the best FAQ entry, or queue it for people.

A question is answered when an entry scores above the group's threshold, the entry was
not answered in the group within the cool-down, and the group's daily bot-message cap
has room. Otherwise a message that reads like a question is logged as *open*: operators
see it in the queue (and can answer it into the FAQ), and in groups with experts the
scheduler calls one if nobody answers within ``wait_minutes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal

from shequn.domain.actions import Action, Reply
from shequn.domain.events import EventBase, Message
from shequn.engage.changes import CounterBumped, QuestionLogged
from shequn.engage.config import EngageConfig
from shequn.engage.faq.matcher import FaqMatch
from shequn.engage.faq.text import is_chinese, looks_like_question, normalize
from shequn.engage.fatigue import faq_cooldown_key, group_day_key, local_date, under_cap
from shequn.engage.snapshot import FaqBook, GroupEngage, scope_of
from shequn.engage.templates import render
from shequn.engage.welcome import display_name
from shequn.engine.context import Context

TOPIC_FLOOR = 0.0
"""A below-threshold candidate still names the question's topic when it scores above this."""


def answer_text(book: FaqBook, config: EngageConfig, entry_id: int, question: str,
                values: Mapping[str, str]) -> str:
    """The entry's answer in the asker's language (or the group's), variables filled."""
    zh, en = book.answers[entry_id]
    prefer_zh = is_chinese(question) if config.language == "both" else config.language == "zh"
    chosen = (zh or en) if prefer_zh else (en or zh)
    return render(chosen or "", {**book.variables, **config.variables, **values})


def topic_of(book: FaqBook | None, config: EngageConfig, text: str,
             best: FaqMatch | None) -> str | None:
    """The expert topic of a question: the group's topic keywords, else the nearest entry's."""
    norm = normalize(text)
    for topic, words in config.experts.topics.items():
        if any(normalize(word) in norm for word in words):
            return topic
    if book is not None and best is not None and best.score > TOPIC_FLOOR:
        return book.topics.get(best.entry_id)
    return None


class FaqHandler:
    """Answers questions from the FAQ; logs the rest as open questions."""

    name = "faq"
    kinds: frozenset[str] | None = frozenset({"message"})

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        """Answer, stay quiet (cool-down, conversation) or queue the question."""
        scope = scope_of(context)
        if scope is None or not isinstance(event, Message) or not scope.engage.config.faq.enabled:
            return []
        snapshot, engage, group, member = scope.snapshot, scope.engage, scope.group, scope.member
        settings = engage.config.faq
        text = event.text.strip()
        if event.reply_to or not 2 <= len(text) <= settings.max_chars:
            return []
        if snapshot.pending_for(group.id, member.id) is not None:
            return []
        book = snapshot.faq
        ranked = book.matcher.rank(text, group_id=group.id, limit=1) if book else []
        best = ranked[0] if ranked else None
        at = event.occurred_at
        day = group_day_key(group.id, local_date(at, engage.config.zone))
        if book is not None and best is not None and best.score >= settings.threshold:
            last = snapshot.last(faq_cooldown_key(group.id, best.entry_id))
            if last is not None and at - last < timedelta(minutes=settings.cooldown_minutes):
                return []
            if under_cap(snapshot.count(day), engage.config.fatigue.group_per_day):
                return self._answer(event, context, engage, book, best, day)
        if not settings.queue_unanswered or not looks_like_question(text):
            return []
        return [self._log(event, context, engage, "open", best,
                          topic_of(book, engage.config, text, best), at)]

    def _answer(self, event: Message, context: Context, engage: GroupEngage, book: FaqBook,
                best: FaqMatch, day: str) -> list[Action]:
        at = event.occurred_at
        values = {"nickname": display_name(event, context), "group": engage.name,
                  "date": local_date(at, engage.config.zone).isoformat()}
        text = answer_text(book, engage.config, best.entry_id, event.text, values)
        return [
            Reply(group_id=event.group_id, user_id=event.user_id, text=text,
                  reply_to=event.message_id, reason=f"FAQ #{best.entry_id}: {best.explain()}"),
            CounterBumped(key=faq_cooldown_key(engage.group_id, best.entry_id), at=at),
            CounterBumped(key=day, at=at),
            self._log(event, context, engage, "faq", best, book.topics.get(best.entry_id), at),
        ]

    @staticmethod
    def _log(event: Message, context: Context, engage: GroupEngage,
             status: Literal["faq", "open"],
             best: FaqMatch | None, topic: str | None, at: datetime) -> QuestionLogged:
        experts = engage.config.experts
        route_at = (at + timedelta(minutes=experts.wait_minutes)
                    if status == "open" and experts.enabled and topic else None)
        return QuestionLogged(
            group_pk=engage.group_id, member_pk=context.member.id if context.member else None,
            message_id=event.message_id, user_id=event.user_id,
            user_name=display_name(event, context), text=event.text, at=at,
            status=status,
            entry_id=best.entry_id if best and status == "faq" else None,
            score=round(best.score, 4) if best else None, topic=topic, route_at=route_at)
