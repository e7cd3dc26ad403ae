"""Engagement, FAQ and timeline over the real HTTP API (uvicorn on loopback), both databases."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shequn.domain.enums import Role
from shequn.store.apikeys import create_api_key
from shequn.store.store import Store
from tests.conftest import LiveServer
from tests.engage.conftest import FAQ_FILE


@pytest.fixture
def api(live_api: LiveServer, store: Store, workspace_id: int) -> Iterator[httpx.Client]:
    """An admin client of the 'acme' workspace."""
    with store.session() as session:
        _, secret = create_api_key(session, workspace_id=workspace_id, name="t", role=Role.ADMIN)
    with httpx.Client(base_url=live_api.url, headers={"Authorization": f"Bearer {secret}"},
                      timeout=30) as client:
        yield client


def _events(*events: dict[str, Any]) -> dict[str, Any]:
    base = {"source": "api", "platform": "telegram", "group_id": "g1", "group_name": "护肤交流群"}
    return {"events": [{**base, **e} for e in events]}


def test_configure_a_group_then_members_get_screened_answered_and_welcomed(
        api: httpx.Client) -> None:
    group = api.post("/api/v1/groups", json={"platform": "telegram", "external_id": "g1",
                                             "name": "护肤交流群", "theme": "activity"}).json()
    bad = api.put(f"/api/v1/groups/{group['id']}/engage",
                  json={"welcome": {"merge_seconds": -5}})
    assert bad.status_code == 422 and "welcome.merge_seconds" in bad.json()["detail"]
    bad = api.put(f"/api/v1/groups/{group['id']}/engage",
                  json={"welcome": {"template_zh": "你好 {nick}"}})
    assert bad.status_code == 422 and "unknown placeholder {nick}" in bad.json()["detail"]
    saved = api.put(f"/api/v1/groups/{group['id']}/engage", json={
        "language": "zh", "welcome": {"merge_seconds": 0},
        "gate": {"enabled": True, "captcha": {"kind": "question", "question": "本群卖什么？",
                                              "answers": ["护肤品", "护肤"]}}})
    assert saved.status_code == 200 and saved.json()["version"] == 1
    assert api.get(f"/api/v1/groups/{group['id']}/engage").json()["config"]["gate"]["enabled"]

    faq = tomllib.loads(FAQ_FILE.read_text(encoding="utf-8"))
    imported = api.post("/api/v1/faq/import", json=faq).json()
    assert imported["created"] == 47

    at = "2026-03-02T10:00:{:02d}+08:00"
    api.post("/api/v1/events", json=_events(
        {"kind": "member_joined", "external_id": "j1", "occurred_at": at.format(0),
         "user_id": "u1", "user_name": "Alice"},
        {"kind": "message", "external_id": "m1", "occurred_at": at.format(5), "user_id": "u1",
         "message_id": "x1", "text": "护肤品"},
        {"kind": "message", "external_id": "m2", "occurred_at": at.format(9), "user_id": "u2",
         "message_id": "x2", "text": "可以开发票吗？"},
        {"kind": "message", "external_id": "m3", "occurred_at": at.format(12), "user_id": "u2",
         "message_id": "x3", "text": "你们家的面膜适合男生吗？"},
    )).raise_for_status()
    kinds = [a["kind"] for a in reversed(api.get("/api/v1/outbox").json()["items"])]
    assert kinds == ["mute", "post", "unmute", "post", "reply"]
    gate = api.get("/api/v1/engage/gate", params={"status": "passed"}).json()
    assert gate["total"] == 1 and gate["items"][0]["user_id"] == "u1"
    assert api.get("/api/v1/engage/gate", params={"status": "won"}).status_code == 400

    queue = api.get("/api/v1/faq/questions", params={"status": "open"}).json()
    assert [q["text"] for q in queue["items"]] == ["你们家的面膜适合男生吗？"]
    answered = api.post(f"/api/v1/faq/questions/{queue['items'][0]['id']}/answer",
                        json={"text": "适合，男女通用。", "add_to_faq": True})
    assert answered.status_code == 200 and answered.json()["entry_id"] is not None
    match = api.post("/api/v1/faq/match", json={"text": "男生适合用你们的面膜吗"}).json()
    assert match["answered"] and match["candidates"][0]["entry_id"] == answered.json()["entry_id"]
    assert "similar to" in match["candidates"][0]["explain"]


def test_faq_entries_are_crud_with_clear_errors(api: httpx.Client) -> None:
    created = api.post("/api/v1/faq", json={"key": "hours", "question": "几点上班？",
                                            "answer_zh": "9 点", "keywords": ["上班"]})
    assert created.status_code == 201
    entry = created.json()
    assert entry["keywords"] == [{"pattern": "上班", "mode": "contains"}]
    duplicate = api.post("/api/v1/faq", json={"key": "hours", "question": "x", "answer_en": "y"})
    assert duplicate.status_code == 400 and "key" in duplicate.json()["detail"]
    no_answer = api.post("/api/v1/faq", json={"question": "x"})
    assert no_answer.status_code == 422 and "answer_zh, answer_en" in no_answer.json()["detail"]
    regex = api.post("/api/v1/faq", json={"question": "x", "answer_en": "y",
                                          "keywords": [{"pattern": "(", "mode": "regex"}]})
    assert regex.status_code == 422 and "keywords[0]" in regex.json()["detail"]
    updated = api.put(f"/api/v1/faq/{entry['id']}", json={**{k: entry[k] for k in (
        "key", "question", "answer_zh", "keywords")}, "answer_en": "9 am"})
    assert updated.json()["answer_en"] == "9 am"
    assert api.delete(f"/api/v1/faq/{entry['id']}").status_code == 204
    assert api.get(f"/api/v1/faq/{entry['id']}").status_code == 404
    assert api.put("/api/v1/faq/ignore", json={"examples": ["谁想打球"]}).status_code == 200
    assert api.get("/api/v1/faq/ignore").json() == {"examples": ["谁想打球"]}


def test_timelines_preview_and_a_tick_over_the_api(api: httpx.Client) -> None:
    api.post("/api/v1/groups", json={"platform": "telegram", "external_id": "g9",
                                     "name": "讲座群", "theme": "lecture"}).raise_for_status()
    assert api.post("/api/v1/timelines/defaults").json()["timelines"] == 6
    lectures = api.get("/api/v1/timelines/preview", params={"days": 7}).json()
    assert {p["rule"] for p in lectures} >= {"morning", "lecture"}
    assert all(p["group"] == "讲座群" for p in lectures)
    unknown = api.put("/api/v1/timelines/extra", json={"rules": [
        {"id": "x", "at": "09:00", "every": "day", "content": "nope"}]})
    assert unknown.status_code == 400 and "'nope'" in unknown.json()["detail"]
    bad = api.put("/api/v1/timelines/extra", json={"rules": [
        {"id": "x", "at": "9am", "every": "day", "text_zh": "早"}]})
    assert bad.status_code == 422 and "rules[0].at" in bad.json()["detail"]
    assert api.get("/api/v1/timelines/preview", params={"days": 99}).status_code == 422
    tick = api.post("/api/v1/scheduler/tick").json()
    assert "timeline" in tick["summary"]
