"""The HTTP API over a real server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shequn.domain.enums import Role
from shequn.store.apikeys import create_api_key
from shequn.store.store import Store
from shequn.store.workspaces import create_workspace
from tests.conftest import LiveServer


def _key(store: Store, slug: str, role: Role = Role.ADMIN) -> str:
    with store.session() as session:
        from sqlalchemy import select

        from shequn.store.models import Workspace

        workspace_id = session.scalar(select(Workspace.id).where(Workspace.slug == slug))
        if workspace_id is None:
            workspace_id = create_workspace(session, slug=slug).id
        return create_api_key(session, workspace_id=workspace_id, name=f"{slug}-{role}",
                              role=role)[1]


@pytest.fixture
def client(live_api: LiveServer, store: Store) -> Iterator[httpx.Client]:
    """An admin client of workspace 'acme'."""
    headers = {"Authorization": f"Bearer {_key(store, 'acme')}"}
    with httpx.Client(base_url=live_api.url, headers=headers, timeout=30) as http:
        yield http


def _event(n: int, **extra: Any) -> dict[str, Any]:
    return {"kind": "message", "source": "api-test", "external_id": f"e{n}",
            "occurred_at": "2026-03-01T08:00:00+08:00", "platform": "telegram",
            "group_id": "g1", "group_name": "深圳宝妈群", "user_id": f"u{n % 3}",
            "text": f"message {n}", **extra}


def test_health_reports_database(live_api: LiveServer) -> None:
    response = httpx.get(f"{live_api.url}/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_openapi_documents_the_event_batch(live_api: LiveServer) -> None:
    spec = httpx.get(f"{live_api.url}/openapi.json").json()
    assert "/api/v1/events" in spec["paths"]
    assert "EventBatch" in spec["components"]["schemas"]


def test_batch_ingest_counts_duplicates(client: httpx.Client) -> None:
    first = client.post("/api/v1/events", json={"events": [_event(1), _event(2)]})
    again = client.post("/api/v1/events", json={"events": [_event(2), _event(3)]})
    assert first.status_code == 200, first.text
    assert first.json()["stored"] == 2
    assert again.json() | {} == {"received": 2, "stored": 1, "duplicates": 1, "commands": 0,
                                 "state_changes": 0}
    listed = client.get("/api/v1/events", params={"kind": "message"}).json()
    assert listed["total"] == 3
    assert listed["items"][0]["occurred_at"].startswith("2026-03-01T00:00:00")


def test_member_card_and_groups(client: httpx.Client) -> None:
    events = [
        {"kind": "member_joined", "source": "t", "external_id": "j1", "platform": "telegram",
         "occurred_at": "2026-03-01T08:00:00Z", "group_id": "g1", "user_id": "alice",
         "user_name": "Alice"},
        {"kind": "profile_updated", "source": "t", "external_id": "p1", "platform": "telegram",
         "occurred_at": "2026-03-01T08:01:00Z", "user_id": "alice", "city": "深圳",
         "phone": "13800138000"},
        {"kind": "order", "source": "shop", "external_id": "o1", "platform": "shop",
         "occurred_at": "2026-03-02T08:00:00Z", "order_id": "A-1", "amount": "259.90",
         "phone": "138 0013 8000"},
    ]
    assert client.post("/api/v1/events", json={"events": events}).status_code == 200
    members = client.get("/api/v1/members").json()
    assert members["total"] == 1
    card = client.get(f"/api/v1/members/{members['items'][0]['id']}").json()
    assert card["city"] == "深圳"
    assert {i["kind"] for i in card["identities"]} == {"platform", "phone"}
    assert card["orders"] == 1 and card["spent"] == "259.90"
    assert [g["group_name"] for g in card["groups"]] == ["g1"]
    groups = client.get("/api/v1/groups").json()
    assert groups[0]["members"] == 1


def test_group_create_and_update(client: httpx.Client) -> None:
    created = client.post("/api/v1/groups", json={
        "platform": "wecom", "external_id": "wr-1", "name": "杭州读书会", "theme": "lecture",
        "positioning": "每周一本书", "capacity": 200})
    assert created.status_code == 201, created.text
    group_id = created.json()["id"]
    again = client.post("/api/v1/groups", json={"platform": "wecom", "external_id": "wr-1",
                                                 "name": "dup"})
    assert again.status_code == 400 and "already exists" in again.json()["detail"]
    patched = client.patch(f"/api/v1/groups/{group_id}", json={"status": "active"})
    assert patched.json()["status"] == "active"
    assert client.get(f"/api/v1/groups/{group_id}").json()["name"] == "杭州读书会"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"{not json", 422, "not valid JSON"),
        (b'{"events": []}', 422, "events"),
        (b'{"events": [{"kind": "message"}]}', 422, "events[0].message.source"),
        (b'{"events": [{"kind": "telepathy", "source": "x"}]}', 422, "kind"),
    ],
)
def test_malformed_requests_get_readable_4xx(
    client: httpx.Client, body: bytes, status: int, words: str
) -> None:
    response = client.post("/api/v1/events", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_oversized_body_and_batch_are_refused(client: httpx.Client) -> None:
    huge = client.post("/api/v1/events", json={"events": [_event(1, text="x" * 300_000)]})
    assert huge.status_code == 413
    too_many = client.post("/api/v1/events", json={"events": [_event(n) for n in range(101)]})
    assert too_many.status_code == 413 and "limit is 100" in too_many.json()["detail"]
    assert client.get("/api/v1/events").json()["total"] == 0


def test_keys_are_required_and_roles_enforced(live_api: LiveServer, store: Store) -> None:
    url = f"{live_api.url}/api/v1/events"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"X-API-Key": "shq_forged"}).status_code == 401
    viewer = {"X-API-Key": _key(store, "acme", Role.VIEWER)}
    assert httpx.get(url, headers=viewer).status_code == 200
    denied = httpx.post(url, headers=viewer, json={"events": [_event(1)]})
    assert denied.status_code == 403 and "operator" in denied.json()["detail"]


def test_a_workspace_key_cannot_see_or_touch_another_workspace(
    live_api: LiveServer, store: Store
) -> None:
    acme = {"X-API-Key": _key(store, "acme")}
    other = {"X-API-Key": _key(store, "globex")}
    with httpx.Client(base_url=live_api.url, timeout=30) as http:
        http.post("/api/v1/events", headers=acme, json={"events": [_event(1)]})
        http.post("/api/v1/groups", headers=acme, json={"platform": "qq", "external_id": "q1",
                                                        "name": "acme only"})
        acme_member = http.get("/api/v1/members", headers=acme).json()["items"][0]["id"]
        acme_group = next(g["id"] for g in http.get("/api/v1/groups", headers=acme).json()
                          if g["name"] == "acme only")

        assert http.get("/api/v1/events", headers=other).json()["total"] == 0
        assert http.get("/api/v1/members", headers=other).json()["total"] == 0
        assert http.get("/api/v1/groups", headers=other).json() == []
        assert http.get(f"/api/v1/members/{acme_member}", headers=other).status_code == 404
        assert http.get(f"/api/v1/groups/{acme_group}", headers=other).status_code == 404
        assert http.patch(f"/api/v1/groups/{acme_group}", headers=other,
                          json={"name": "hijacked"}).status_code == 404
        # The same external id in another workspace is a different event, not a duplicate.
        stored = http.post("/api/v1/events", headers=other, json={"events": [_event(1)]}).json()
        assert stored["stored"] == 1
        assert http.get("/api/v1/events", headers=acme).json()["total"] == 1
        assert http.get(f"/api/v1/groups/{acme_group}", headers=acme).json()["name"] == "acme only"
