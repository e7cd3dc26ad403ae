"""Members answering members: notice answers to open questions and the thanks they earn.

A reply to an open question marks it answered by the replier; when the asker replies
to that answer with thanks ("谢谢", "thanks", "解决了" …) the answer counts as helpful.
Helpful answers per member (:func:`shequn.engage.readers.helpful_answers`) feed layers
and rewards. Calling experts for questions nobody answered is the scheduler's job
(:mod:`shequn.scheduler.jobs`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shequn.domain.actions import Action
from shequn.domain.events import EventBase, Message
from shequn.engage.changes import AnswerThanked, QuestionAnswered
from shequn.engage.faq.text import normalize
from shequn.engage.snapshot import scope_of
from shequn.engine.context import Context

_THANKS = re.compile(r"谢谢|感谢|多谢|谢啦|谢了|3q|有用|解决了|明白了|懂了|学到了|👍|🙏|"
                     r"\bthanks?\b|\bthank you\b|\bthx\b|\bty\b|\bhelpful\b|\bsolved\b|"
                     r"\bthat works\b|\bgot it\b")


def is_thanks(text: str) -> bool:
    """True when the message thanks someone or says the problem is solved."""
    return bool(_THANKS.search(normalize(text)))


class ExpertHandler:
    """Records who answered which open question, and which answers were thanked."""

    name = "experts"
    kinds: frozenset[str] | None = frozenset({"message"})

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        """Look at replies: an answer to an open question, or the asker's thanks."""
        scope = scope_of(context)
        if scope is None or not isinstance(event, Message) or not event.reply_to:
            return []
        snapshot, group, member = scope.snapshot, scope.group, scope.member
        question = snapshot.question(group.id, event.reply_to)
        if (question is not None and question.status in ("open", "routed")
                and question.member_pk != member.id):
            return [QuestionAnswered(group_pk=group.id, question_message_id=event.reply_to,
                                     member_pk=member.id, message_id=event.message_id,
                                     at=event.occurred_at)]
        answered = snapshot.answer(group.id, event.reply_to)
        if (answered is not None and answered.member_pk == member.id and not answered.helpful
                and is_thanks(event.text)):
            return [AnswerThanked(group_pk=group.id, answer_message_id=event.reply_to)]
        return []
