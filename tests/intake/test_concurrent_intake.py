"""Several writers ingesting overlapping batches at once, on both databases.

Each writer has its own connection (as separate processes would). Whatever the
interleaving, every event is stored once, every platform id belongs to exactly
one member, and no writer fails.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from shequn.domain.events import Message
from shequn.intake.service import Intake
from shequn.store.models import EventRecord, Member, MemberIdentity
from shequn.store.store import Store
from shequn.testing import START

WRITERS = 4
USERS = 30


def _batch(writer: int, round_: int) -> list[Message]:
    # Every writer sends the same events about the same, not yet known, users.
    return [
        Message(source="tg", external_id=f"r{round_}-m{user}", occurred_at=START,
                platform="telegram", group_id="g1", user_id=f"user-{user}",
                user_name=f"成员{user} from writer {writer}", text="早上好 good morning")
        for user in range(USERS)
    ]


def test_overlapping_writers_store_each_event_and_person_once(
    store: Store, workspace_id: int
) -> None:
    intake = Intake(store)
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(writer: int) -> None:
        try:
            start.wait()
            for round_ in range(5):
                intake.ingest(workspace_id, _batch(writer, round_))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(EventRecord)) == 5 * USERS
        assert session.scalar(select(func.count()).select_from(Member)) == USERS
        identities = session.execute(
            select(MemberIdentity.value, func.count()).group_by(MemberIdentity.value)
        ).all()
    assert len(identities) == USERS
    assert all(count == 1 for _, count in identities)
