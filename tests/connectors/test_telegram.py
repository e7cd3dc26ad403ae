"""Telegram: updates to events (table-driven), webhook and polling modes end to end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shequn.connectors.ingest import IngestQueue
from shequn.connectors.telegram.convert import update_to_events
from shequn.connectors.telegram.fake import FakeBotApi
from shequn.connectors.telegram.polling import Poller
from shequn.connectors.telegram.updates import UpdateFactory, chat_json, user_json
from shequn.domain.enums import MediaKind
from shequn.domain.events import Custom, EventBase, MemberJoined, MemberLeft, Message
from shequn.intake.service import Intake
from shequn.outbox.clock import ManualClock
from shequn.outbox.worker import Worker
from shequn.store.models import EventRecord, Group
from shequn.store.store import Store
from shequn.store.types import utcnow
from tests.conftest import LiveServer
from tests.connectors.conftest import GROUP, connect_bot

U = UpdateFactory()
CHAT = chat_json(-100555, "深圳宝妈群")
ALICE = user_json(42, "Alice")
ADMIN = user_json(7, "Admin")
T = 1_780_000_000


def _one(update: dict[str, Any]) -> EventBase:
    [event] = update_to_events((update), bot_id="9")
    return event


def test_text_message_with_links_and_a_reply() -> None:
    original = U.message(CHAT, ADMIN, 10, T, "rules here")["message"]
    event = _one(U.message(CHAT, ALICE, 11, T, "加我 https://spam.example/x 看看 www.x.cn",
                           reply_to_message=original))
    assert isinstance(event, Message)
    assert (event.external_id, event.group_id, event.group_name) == ("-100555:11", "-100555",
                                                                     "深圳宝妈群")
    assert (event.user_id, event.user_name, event.message_id) == ("42", "Alice", "11")
    assert event.links == ["https://spam.example/x", "www.x.cn"]
    assert event.reply_to == "10" and event.mentions == ["7"]
    assert event.occurred_at == datetime.fromtimestamp(T, UTC)


def test_entity_offsets_count_utf16_units() -> None:
    event = _one(U.message(CHAT, ALICE, 16, T, "👍👍 好货 https://x.cn/a 🐧 www.y.com"))
    assert isinstance(event, Message) and event.links == ["https://x.cn/a", "www.y.com"]


@pytest.mark.parametrize(("extra", "media"), [
    ({"photo": [{"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
                {"file_id": "big", "file_unique_id": "b", "width": 800, "height": 800}],
      "caption": "扫码领红包"}, MediaKind.IMAGE),
    ({"sticker": {"file_id": "st", "file_unique_id": "st", "width": 1, "height": 1,
                  "is_animated": False, "is_video": False, "type": "regular"}},
     MediaKind.STICKER),
    ({"contact": {"phone_number": "13800138000", "first_name": "A"}}, MediaKind.CONTACT_CARD),
    ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}, MediaKind.VOICE),
])
def test_media_kinds_and_photo_reference(extra: dict[str, Any], media: MediaKind) -> None:
    event = _one(U.message(CHAT, ALICE, 12, T, **extra))
    assert isinstance(event, Message) and event.media == media
    if media == MediaKind.IMAGE:
        assert event.media_ref == "telegram:file:big" and event.text == "扫码领红包"


def test_text_mention_names_the_person() -> None:
    body = U.message(CHAT, ADMIN, 13, T, "/warn spam")
    body["message"]["entities"].append({"type": "text_mention", "offset": 6, "length": 4,
                                        "user": ALICE})
    event = _one(body)
    assert isinstance(event, Message) and event.mentions == ["42"]


@pytest.mark.parametrize(("old", "new", "actor", "expected"), [
    ("left", "member", ALICE, (MemberJoined, None, "other")),
    ("left", "member", ADMIN, (MemberJoined, "7", "added")),
    ("kicked", "member", ALICE, (MemberJoined, None, "other")),
    ("member", "left", ALICE, (MemberLeft, None, None)),
    ("member", "kicked", ADMIN, (MemberLeft, "7", None)),
    ("member", "administrator", ADMIN, None),
    ("member", "restricted", ADMIN, None),  # muted, still in the group
])
def test_chat_member_changes(old: str, new: str, actor: dict[str, Any],
                             expected: tuple[type, str | None, str | None] | None) -> None:
    events = update_to_events(U.chat_member(CHAT, actor, ALICE, T, old, new), bot_id="9")
    if expected is None:
        assert events == []
        return
    [event] = events
    kind, by, via = expected
    assert isinstance(event, kind) and event.user_id == "42"
    if isinstance(event, MemberJoined):
        assert (event.invited_by, event.via) == (by, via)
    else:
        assert isinstance(event, MemberLeft) and event.removed_by == by


def test_join_via_request_and_join_request_and_rename() -> None:
    joined = _one(U.chat_member(CHAT, ADMIN, ALICE, T, "left", "member", via_join_request=True))
    assert isinstance(joined, MemberJoined) and (joined.via, joined.invited_by) == ("request",
                                                                                   None)
    asked = _one(U.join_request(CHAT, ALICE, T, bio="宝妈，深圳"))
    assert isinstance(asked, Custom) and asked.name == "join_requested"
    assert asked.data["bio"] == "宝妈，深圳"
    renamed = _one(U.message(CHAT, ADMIN, 14, T, new_chat_title="深圳宝妈群 2"))
    assert isinstance(renamed, Custom) and renamed.data == {"title": "深圳宝妈群 2"}


def test_service_join_messages_and_channels_are_skipped() -> None:
    joined = U.message(CHAT, ALICE, 15, T, new_chat_members=[ALICE])
    channel = U.message(chat_json(-100777, "news", kind="channel"), ALICE, 1, T, "post")
    assert update_to_events((joined), bot_id="9") == []
    assert update_to_events((channel), bot_id="9") == []


@pytest.mark.parametrize(("bad", "problem"), [
    ({}, "update_id"), ({"update_id": "x"}, "update_id"), ([], "update_id"),
    ({"update_id": 1, "message": {"date": 1}}, "'chat'"),
])
def test_not_an_update(bad: Any, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        update_to_events(bad, bot_id="9")


def test_webhook_mode_end_to_end(
    live_api: LiveServer, store: Store, workspace_id: int, fake_api: FakeBotApi
) -> None:
    """Fake group → webhook update → event → /rules decision → outbox → sendMessage."""
    account = connect_bot(store, workspace_id, fake_api, mode="webhook", secret="s" * 32)
    fake_api._api_setWebhook({"url": f"{live_api.url}/hooks/{account}",
                              "secret_token": "s" * 32})
    fake_api.user_joins(GROUP, 42, name="Alice")
    fake_api.user_says(GROUP, 42, "/rules", name="Alice")
    fake_api.user_says(GROUP, 42, "/rules", name="Alice")
    with store.session() as session:
        kinds = list(session.scalars(select(EventRecord.kind).order_by(EventRecord.id)))
        group = session.scalar(select(Group).where(Group.external_id == str(GROUP)))
    assert kinds == ["member_joined", "message", "message"]
    assert group is not None and group.platform_account_id == account

    clock = ManualClock(utcnow())

    async def run() -> None:
        worker = Worker(store, clock=clock)
        await worker.drain()
        await worker.aclose()

    asyncio.run(run())
    sent = fake_api.sent(GROUP)
    assert [m["reply_to_message"]["text"] for m in sent] == ["/rules", "/rules"]
    assert all("This group has no rules set yet." in m["text"] for m in sent)


def test_webhook_secret_is_checked(
    live_api: LiveServer, store: Store, workspace_id: int, fake_api: FakeBotApi
) -> None:
    account = connect_bot(store, workspace_id, fake_api, mode="webhook", secret="s" * 32)
    update = U.message(CHAT, ALICE, 1, T, "hi")
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "t" * 32}):
        response = httpx.post(f"{live_api.url}/hooks/{account}", json=update, headers=headers)
        assert response.status_code == 401
    good = {"X-Telegram-Bot-Api-Secret-Token": "s" * 32}
    bad = httpx.post(f"{live_api.url}/hooks/{account}", json={"x": 1}, headers=good)
    assert bad.status_code == 400 and "update_id" in bad.json()["detail"]
    ok = httpx.post(f"{live_api.url}/hooks/{account}", json=update, headers=good)
    assert ok.status_code == 200 and ok.json()["events"] == 1


def test_polling_mode_stores_updates_then_moves_the_offset(
    store: Store, workspace_id: int, fake_api: FakeBotApi
) -> None:
    account = connect_bot(store, workspace_id, fake_api)
    fake_api.user_says(GROUP, 42, "早上好")
    fake_api.request_join(GROUP, 43, bio="想加入")
    poller = poll_once(store, workspace_id, account, fake_api)
    with store.session() as session:
        kinds = list(session.scalars(select(EventRecord.kind).order_by(EventRecord.id)))
    assert kinds == ["message", "custom"]
    updates = fake_api.calls_of("getUpdates")
    assert poller.offset is not None and poller.offset > 1000
    assert "chat_member" in updates[0].params["allowed_updates"]


def poll_once(store: Store, workspace_id: int, account: int, api: FakeBotApi) -> Poller:
    """Run a poller until it has stored the first page of updates; returns it."""
    from shequn.connectors.accounts import TelegramConfig

    config = TelegramConfig(token=api.token, api_url=api.url)
    poller = Poller(IngestQueue(Intake(store)), account_id=account, workspace_id=workspace_id,
                    config=config, timeout=0)

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(poller.run(stop))
        for _ in range(500):
            if poller.offset is not None:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await task

    asyncio.run(run())
    return poller


def test_a_renamed_group_takes_its_new_title_over_the_webhook(
    live_api: LiveServer, store: Store, workspace_id: int, fake_api: FakeBotApi
) -> None:
    account = connect_bot(store, workspace_id, fake_api, mode="webhook", secret="s" * 32)
    good = {"X-Telegram-Bot-Api-Secret-Token": "s" * 32}
    renamed = chat_json(-100555, "深圳宝妈群 2 · Shenzhen Moms")
    for update in (U.message(CHAT, ALICE, 1, T, "hi"),
                   U.message(renamed, ADMIN, 2, T + 60, new_chat_title=renamed["title"])):
        response = httpx.post(f"{live_api.url}/hooks/{account}", json=update, headers=good)
        assert response.status_code == 200
    with store.session() as session:
        names = list(session.scalars(select(Group.name).where(Group.external_id == "-100555")))
        kinds = list(session.scalars(select(EventRecord.kind).order_by(EventRecord.id)))
    assert names == ["深圳宝妈群 2 · Shenzhen Moms"]
    assert kinds == ["message", "custom"]  # the rename is kept in the log too
