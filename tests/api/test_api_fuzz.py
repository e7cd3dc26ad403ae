"""Whatever a client sends, the event endpoint answers 2xx or a readable 4xx, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shequn.config import Settings
from shequn.domain.enums import Role
from shequn.store.apikeys import create_api_key
from shequn.store.store import Store
from shequn.store.workspaces import create_workspace
from tests.conftest import LiveServer

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=25,
)
event_like = st.fixed_dictionaries(
    {"kind": st.sampled_from(["message", "order", "member_joined", "checkin", "nope"])},
    optional={
        "source": st.text(max_size=300), "external_id": st.text(max_size=300),
        "occurred_at": st.one_of(st.text(max_size=40), st.datetimes().map(str)),
        "platform": st.text(max_size=12), "text": st.text(), "amount": json_values,
        "links": json_values, "group_id": st.text(max_size=300), "user_id": json_values,
    },
)
bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.lists(event_like, max_size=5).map(lambda events: json.dumps({"events": events}).encode()),
    st.binary(max_size=2000),
)


def test_no_request_body_makes_the_server_fail(sqlite_store: Store, tmp_path: Any) -> None:
    with sqlite_store.session() as session:
        workspace_id = create_workspace(session, slug="fuzz").id
        _, key = create_api_key(session, workspace_id=workspace_id, name="fuzz",
                                role=Role.OPERATOR)
    from shequn.api.app import create_app

    server = LiveServer(create_app(Settings(data_dir=tmp_path, max_body_bytes=64 * 1024),
                                   sqlite_store))
    try:
        with httpx.Client(base_url=server.url, timeout=30,
                          headers={"X-API-Key": key, "content-type": "application/json"}) as http:

            @settings(max_examples=150, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])
            @given(body=bodies)
            def post(body: bytes) -> None:
                response = http.post("/api/v1/events", content=body)
                assert response.status_code < 500, response.text
                if response.status_code >= 400:
                    assert response.json()["detail"]

            post()
            assert http.get("/health").json()["status"] == "ok"
    finally:
        server.stop()
