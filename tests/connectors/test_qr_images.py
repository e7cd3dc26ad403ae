"""QR codes posted in a guarded group are caught: Telegram photos, bridges and the events API.

Real parts throughout: the fake Bot API serves real PNGs, zxing-cpp decodes
them, the app runs on loopback, and the outbox worker deletes the message.
"""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from shequn.connectors.accounts import TelegramConfig
from shequn.connectors.telegram.convert import update_to_events
from shequn.connectors.telegram.fake import FakeBotApi
from shequn.connectors.telegram.photos import PhotoScanner
from shequn.connectors.webhook.fake import FakeBridge
from shequn.domain.enums import MediaKind, Role
from shequn.domain.events import EventBase, Message
from shequn.outbox.clock import ManualClock
from shequn.outbox.worker import Worker
from shequn.store.apikeys import create_api_key
from shequn.store.models import EventRecord, ModerationVerdict, OutboxAction
from shequn.store.store import Store
from shequn.store.types import utcnow
from tests.conftest import LiveServer
from tests.connectors.conftest import GROUP, connect_bot
from tests.connectors.test_signed_webhook import bridge, connector  # noqa: F401 - fixtures
from tests.connectors.test_telegram import poll_once
from tests.moderation.test_integration_intake import set_rules
from tests.moderation.test_qr import qr_png

SPAM_QR = "https://u.wechat.com/EAbCdEfGh123"
SECRET = "s" * 32


def _plain_png() -> bytes:
    """A photo with no QR code in it."""
    picture = Image.new("RGB", (640, 480), (120, 160, 200))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _messages(store: Store) -> list[dict[str, Any]]:
    """Stored message events' payloads, oldest first."""
    with store.session() as session:
        rows = session.scalars(select(EventRecord).where(EventRecord.kind == "message")
                               .order_by(EventRecord.id))
        return [dict(row.payload) for row in rows]


def _verdict_rules(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.scalars(select(ModerationVerdict.rule).order_by(ModerationVerdict.id)))


def _pending(store: Store) -> list[tuple[str, Any]]:
    with store.session() as session:
        rows = session.scalars(select(OutboxAction).where(OutboxAction.status == "pending")
                               .order_by(OutboxAction.id))
        return [(row.kind, row.payload.get("message_id")) for row in rows]


def _drain(store: Store) -> None:
    async def run() -> None:
        worker = Worker(store, clock=ManualClock(utcnow()))
        await worker.drain()
        await worker.aclose()

    asyncio.run(run())


def _webhook_bot(store: Store, workspace_id: int, api: FakeBotApi, url: str) -> int:
    account = connect_bot(store, workspace_id, api, mode="webhook", secret=SECRET)
    api._api_setWebhook({"url": f"{url}/hooks/{account}", "secret_token": SECRET})
    return account


def test_a_qr_photo_in_a_guarded_group_is_deleted_end_to_end(
    live_api: LiveServer, store: Store, workspace_id: int, fake_api: FakeBotApi
) -> None:
    """Photo → webhook → getFile + download → decoded → stored → qr_code verdict → deleteMessage."""
    set_rules(store, workspace_id)
    _webhook_bot(store, workspace_id, fake_api, live_api.url)
    fake_api.user_joins(GROUP, 42, name="Alice")
    photo = fake_api.user_sends_photo(GROUP, 42, qr_png(SPAM_QR), caption="看图👆")
    [message] = _messages(store)
    assert message["qr_codes"] == [SPAM_QR]
    assert message["media"] == "image" and message["media_ref"].startswith("telegram:file:")
    assert _verdict_rules(store) == ["qr_code"]
    assert _pending(store) == [("delete_message", str(photo))]
    # The largest size was fetched, and only it.
    [download] = fake_api.downloads
    largest = max(fake_api.files.values(), key=lambda f: f.size)
    assert download == largest.path

    _drain(store)
    [deleted] = fake_api.calls_of("deleteMessage")
    assert int(deleted.params["message_id"]) == photo
    assert photo not in fake_api.chats[GROUP].messages


def test_photos_without_a_qr_code_or_that_cannot_be_fetched_are_stored_unjudged(
    live_api: LiveServer, store: Store, workspace_id: int, fake_api: FakeBotApi
) -> None:
    set_rules(store, workspace_id)
    _webhook_bot(store, workspace_id, fake_api, live_api.url)
    fake_api.user_sends_photo(GROUP, 42, _plain_png(), caption="今天的晚霞")
    fake_api.user_sends_photo(GROUP, 42, b"\x89PNG\r\n\x1a\n not really an image")
    gone = fake_api.add_file(qr_png(SPAM_QR), folder="photos")
    fake_api.lose_file(gone.file_id)
    fake_api.user_says(GROUP, 42, "", photo=[{"file_id": gone.file_id, "width": 512,
                                              "height": 512, "file_size": gone.size,
                                              "file_unique_id": gone.file_unique_id}])
    fake_api.user_says(GROUP, 42, "", photo=[{"file_id": "AgACunknown", "width": 90,
                                              "height": 90, "file_unique_id": "u"}])
    fake_api.user_says(GROUP, 42, "谢谢群主")
    messages = _messages(store)
    assert [m.get("qr_codes", []) for m in messages] == [[], [], [], [], []]
    assert [m.get("media") for m in messages] == ["image"] * 4 + [None]
    assert _verdict_rules(store) == [] and _pending(store) == []
    # Three downloads tried (the lost one answered 404); the unknown file stopped at getFile.
    assert len(fake_api.downloads) == 3 and gone.path in fake_api.downloads
    assert len(fake_api.calls_of("getFile")) == 3
    # The text message cost no Bot API call: four getFile attempts in all, one refused.
    assert len([c for c in fake_api.calls if c.method == "getFile"]) == 4


def test_an_image_sent_as_a_document_is_scanned_too(
    live_api: LiveServer, store: Store, workspace_id: int, fake_api: FakeBotApi
) -> None:
    set_rules(store, workspace_id)
    _webhook_bot(store, workspace_id, fake_api, live_api.url)
    file = fake_api.add_file(qr_png(SPAM_QR))
    fake_api.user_says(GROUP, 42, "", document={
        "file_id": file.file_id, "file_unique_id": file.file_unique_id,
        "file_name": "poster.png", "mime_type": "image/png", "file_size": file.size})
    [message] = _messages(store)
    assert message["qr_codes"] == [SPAM_QR] and message["media"] == "image"
    assert _verdict_rules(store) == ["qr_code"]


def test_polling_mode_decodes_photos_before_storing(
    store: Store, workspace_id: int, fake_api: FakeBotApi
) -> None:
    set_rules(store, workspace_id)
    account = connect_bot(store, workspace_id, fake_api)
    fake_api.user_sends_photo(GROUP, 42, qr_png(SPAM_QR))
    fake_api.user_says(GROUP, 43, "早上好")
    poller = poll_once(store, workspace_id, account, fake_api)
    assert [m.get("qr_codes", []) for m in _messages(store)] == [[SPAM_QR], []]
    assert _verdict_rules(store) == ["qr_code"]
    assert poller.photos.stats["with_codes"] == 1


def _photo_events(api: FakeBotApi, image: bytes) -> list[EventBase]:
    """The events of a photo message, as converted from the fake's update."""
    message_id = api.user_sends_photo(GROUP, 42, image)
    update = {"update_id": 1, "message": api.chats[GROUP].messages[message_id]}
    return update_to_events(update, bot_id="1")


def test_a_slow_file_server_costs_the_timeout_and_no_more(fake_api: FakeBotApi) -> None:
    events = _photo_events(fake_api, qr_png(SPAM_QR))
    config = TelegramConfig(token=fake_api.token, api_url=fake_api.url)
    scanner = PhotoScanner(timeout=0.3)
    release = fake_api.hold_next("getFile")

    async def run() -> tuple[list[EventBase], float]:
        started = time.monotonic()
        out = await scanner.with_qr_codes(config, events)
        took = time.monotonic() - started
        await scanner.aclose()
        return out, took

    try:
        out, took = asyncio.run(run())
    finally:
        release.set()
    assert out == events and isinstance(out[0], Message) and out[0].qr_codes == []
    assert 0.25 <= took < 3.0
    assert scanner.stats["failed"] == 1 and fake_api.downloads == []


def test_files_over_the_size_bound_are_not_downloaded(fake_api: FakeBotApi) -> None:
    image = qr_png(SPAM_QR)
    events = _photo_events(fake_api, image)
    config = TelegramConfig(token=fake_api.token, api_url=fake_api.url)
    small, roomy = PhotoScanner(max_bytes=len(image) - 1), PhotoScanner()

    async def run() -> tuple[list[EventBase], list[EventBase]]:
        skipped = await small.with_qr_codes(config, events)
        found = await roomy.with_qr_codes(config, events)
        await small.aclose()
        await roomy.aclose()
        return skipped, found

    skipped, found = asyncio.run(run())
    assert isinstance(skipped[0], Message) and skipped[0].qr_codes == []
    assert small.stats["skipped"] == 1 and len(fake_api.downloads) == 1
    assert isinstance(found[0], Message) and found[0].qr_codes == [SPAM_QR]
    assert found[0].media == MediaKind.IMAGE


def test_a_bridge_that_decoded_a_qr_code_gets_the_message_deleted(
    live_api: LiveServer, store: Store, workspace_id: int, bridge: FakeBridge,  # noqa: F811
    connector: int,  # noqa: F811
) -> None:
    set_rules(store, workspace_id)
    message = {"kind": "message", "external_id": "wx-qr", "occurred_at": "2026-03-01T08:00:00Z",
               "group_id": "wr-group-1", "user_id": "wm-9", "message_id": "wx-qr",
               "media": "image", "qr_codes": [SPAM_QR]}
    answer = bridge.post_events(live_api.url, connector, [message])
    assert answer.status_code == 200, answer.text
    assert _verdict_rules(store) == ["qr_code"]
    assert _pending(store) == [("delete_message", "wx-qr")]


@pytest.mark.parametrize(("codes", "rules"), [([SPAM_QR], ["qr_code"]), ([], [])])
def test_events_posted_to_the_api_with_qr_codes_are_acted_on(
    live_api: LiveServer, store: Store, workspace_id: int, codes: list[str], rules: list[str]
) -> None:
    set_rules(store, workspace_id)
    with store.session() as session:
        _, key = create_api_key(session, workspace_id=workspace_id, name="app", role=Role.ADMIN)
    event = {"kind": "message", "source": "app", "external_id": "e1", "platform": "telegram",
             "occurred_at": "2026-03-01T08:00:00+08:00", "group_id": "g1", "user_id": "u1",
             "message_id": "m1", "media": "image", "text": "", "qr_codes": codes}
    answer = httpx.post(f"{live_api.url}/api/v1/events", json={"events": [event]},
                        headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert _verdict_rules(store) == rules
    too_many = {**event, "external_id": "e2", "qr_codes": [SPAM_QR] * 21}
    refused = httpx.post(f"{live_api.url}/api/v1/events", json={"events": [too_many]},
                         headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert refused.status_code == 422
