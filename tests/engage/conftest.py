"""Engagement fixtures: a configured group, the benchmark FAQ, a scheduler on the harness clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shequn.engage import service
from shequn.engage.faq import service as faq_service
from shequn.engage.faq.spec import read_faq_file
from shequn.scheduler import Scheduler
from shequn.store import queries
from shequn.store.models import FaqQuestion, MemberIdentity, OutboxAction
from shequn.store.store import Store
from shequn.testing import CommunityHarness

FAQ_FILE = Path(__file__).parents[2] / "benchmarks" / "data" / "faq_entries.toml"

Configure = Callable[..., int]
EXPERTS = {"experts": {"enabled": True, "wait_minutes": 10, "per_expert_per_day": 1,
                       "topics": {"travel": ["飞机", "出国", "旅行"]}},
           "language": "zh", "welcome": {"enabled": False}}
"""A group config that calls ``expert:travel`` members for travel questions after 10 minutes."""


@pytest.fixture
def configure(store: Store, workspace_id: int) -> Configure:
    """``configure("g1", {...})`` saves a group's engagement config (creating the group)."""

    def run(group: str, doc: dict[str, Any], *, name: str = "护肤交流群",
            positioning: str = "护肤心得交流") -> int:
        with store.session() as session:
            try:
                found = service.find_group(session, workspace_id=workspace_id, ref=group)
                group_id = found.id
            except Exception:
                group_id = queries.create_group(
                    session, workspace_id=workspace_id, actor="test", platform="telegram",
                    external_id=group, name=name, theme="activity", positioning=positioning,
                    capacity=500)["id"]
            service.set_config(session, workspace_id=workspace_id, group_id=group_id, doc=doc,
                               actor="test")
        return group_id

    return run


@pytest.fixture
def faq(store: Store, workspace_id: int) -> None:
    """The benchmark FAQ (47 bilingual entries) in the workspace."""
    with store.session() as session:
        faq_service.import_faq(session, workspace_id=workspace_id,
                               faq_file=read_faq_file(FAQ_FILE), actor="test")


@pytest.fixture
def scheduler(store: Store) -> Scheduler:
    """A scheduler on the test store (ticked with explicit times)."""
    return Scheduler(store)


def sent(harness: CommunityHarness, *kinds: str) -> list[OutboxAction]:
    """Outbox actions of the given kinds (all when none given), oldest first."""
    return [a for a in harness.outbox() if not kinds or a.kind in kinds]


def texts(harness: CommunityHarness, *kinds: str) -> list[str]:
    """Texts of the outbox actions of the given kinds."""
    return [str(a.payload.get("text", "")) for a in sent(harness, *kinds)]


def member_id(store: Store, user: str) -> int:
    """The member behind a platform user id."""
    with store.session() as session:
        found = session.scalar(select(MemberIdentity.member_id)
                               .where(MemberIdentity.value == user))
    assert found is not None, f"no member for {user}"
    return found


def question_status(store: Store) -> list[str]:
    """The status of every logged FAQ question, oldest first."""
    with store.session() as session:
        return list(session.scalars(select(FaqQuestion.status).order_by(FaqQuestion.id)))


def ask_and_wait(harness: CommunityHarness, scheduler: Scheduler, message_id: str) -> None:
    """A travel question nobody answers, then the scheduler once the wait is over."""
    harness.say("asker", "面霜可以带上飞机吗？", group="g1", message_id=message_id)
    scheduler.tick(harness.clock + timedelta(minutes=10))
