"""A fake bridge on loopback: receives signed actions as a real bridge would, sends events.

    with FakeBridge(secret) as bridge:
        config = WebhookConfig(secret=secret, url=bridge.url)
        ...
        bridge.actions            # actions carried out, once per idempotency key
        bridge.post_events(api_url, connector_id, [event, …])   # signed inbound request
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from shequn.connectors.webhook.signing import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signed_headers,
    verify,
)
from shequn.errors import BadSignature


class FakeBridge:
    """Records the actions shequn sends; dedupes on the idempotency key."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.actions: list[dict[str, Any]] = []
        self.deliveries = 0
        """Requests received, repeats included."""
        self.refused: list[str] = []
        self._keys: set[str] = set()
        self._failures: list[tuple[int, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> FakeBridge:
        fake = self

        class Handler(_Handler):
            bridge = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        """Where shequn should POST actions."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/actions"

    def fail_next(self, status: int, times: int = 1, **headers: str) -> None:
        """Answer the next ``times`` actions with ``status`` (after carrying out nothing)."""
        with self._lock:
            self._failures.extend([(status, headers)] * times)

    def receive(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """Handle one action request: (status, answer)."""
        headers = {name.lower(): value for name, value in headers.items()}
        with self._lock:
            self.deliveries += 1
            try:
                verify(self.secret, headers.get(TIMESTAMP_HEADER.lower()),
                       headers.get(SIGNATURE_HEADER.lower()), body)
            except BadSignature as exc:
                self.refused.append(str(exc))
                return 401, {"error": str(exc)}
            if self._failures:
                status, _ = self._failures.pop(0)
                return status, {"error": "injected failure"}
            envelope = json.loads(body)
            key = headers.get(IDEMPOTENCY_HEADER.lower()) or envelope["id"]
            if key not in self._keys:
                self._keys.add(key)
                self.actions.append(envelope["action"])
            return 200, {"ok": True, "ref": f"ref-{len(self.actions)}"}

    def post_events(self, api_url: str, connector_id: int, events: Sequence[dict[str, Any]], *,
                    secret: str | None = None, at: float | None = None) -> httpx.Response:
        """Send events to shequn as the bridge does (signed with ``secret``, at time ``at``)."""
        body = json.dumps({"events": list(events)}).encode()
        headers = {"Content-Type": "application/json",
                   **signed_headers(secret or self.secret, body,
                                    now=time.time() if at is None else at)}
        return httpx.post(f"{api_url}/hooks/{connector_id}", content=body, headers=headers,
                          timeout=30)


class _Handler(BaseHTTPRequestHandler):
    bridge: FakeBridge
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms stalls

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        """An action from shequn."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, answer = self.bridge.receive(dict(self.headers.items()), body)
        data = json.dumps(answer).encode()
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "2")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
