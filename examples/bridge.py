"""A minimal bridge for shequn's signed webhook protocol, standard library only.

It shows both directions a real bridge (a WeCom, QQ or WeChat bot, a shop) implements:

* ``send_events`` signs canonical events and POSTs them to ``/hooks/{connector_id}``;
* the HTTP server receives actions from shequn, checks their signature and age,
  carries each idempotency key out once, and answers 2xx (or 429 / 4xx / 5xx).

    shequn webhook create wecom-main --platform wecom --url http://127.0.0.1:9000/actions
    SHEQUN_URL=http://127.0.0.1:8000 CONNECTOR=1 SECRET=… python examples/bridge.py
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

SHEQUN_URL = os.environ.get("SHEQUN_URL", "http://127.0.0.1:8000")
CONNECTOR = os.environ.get("CONNECTOR", "1")
SECRET = os.environ.get("SECRET", "")
TOLERANCE = 300  # seconds; shequn refuses older requests, and so does this bridge
seen_keys: set[str] = set()  # a real bridge keeps these for a day, in its own store


def sign(timestamp: int, body: bytes) -> str:
    """v1=HMAC-SHA256(secret, timestamp + "." + body), hex."""
    mac = hmac.new(SECRET.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def send_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """POST canonical events to shequn, signed."""
    body = json.dumps({"events": events}).encode()
    now = int(time.time())
    request = urllib.request.Request(
        f"{SHEQUN_URL}/hooks/{CONNECTOR}", data=body, method="POST",
        headers={"Content-Type": "application/json", "X-Shequn-Timestamp": str(now),
                 "X-Shequn-Signature": sign(now, body)})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.load(response)
        return answer


class Actions(BaseHTTPRequestHandler):
    """Receives actions from shequn."""

    def do_POST(self) -> None:
        """Check the signature, carry the action out once, answer."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        stamp = self.headers.get("X-Shequn-Timestamp") or "0"
        given = self.headers.get("X-Shequn-Signature") or ""
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= TOLERANCE
        if not fresh or not hmac.compare_digest(sign(int(stamp or 0), body), given):
            return self._answer(401, {"error": "bad or stale signature"})
        envelope = json.loads(body)
        key = self.headers.get("Idempotency-Key") or envelope["id"]
        if key not in seen_keys:
            action = envelope["action"]
            # Here a real bridge calls its platform: send action["text"] to action["group_id"] …
            print(f"{action['kind']} in {action.get('group_id')}: {action.get('text', '')}")
            seen_keys.add(key)
        return self._answer(200, {"ok": True, "ref": key})

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


if __name__ == "__main__":
    if not SECRET:
        raise SystemExit("set SECRET to the signing secret `shequn webhook create` printed")
    print(send_events([{
        "kind": "message", "external_id": "wx-demo-1",
        "occurred_at": datetime.now(UTC).isoformat(), "group_id": "wr-demo",
        "group_name": "演示群 demo", "user_id": "wm-alice", "user_name": "Alice",
        "message_id": "m1", "text": "/rules",
    }]))
    HTTPServer(("127.0.0.1", 9000), Actions).serve_forever()
