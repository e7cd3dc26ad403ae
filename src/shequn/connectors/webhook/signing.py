"""HMAC-SHA256 request signing, shared by both directions of the webhook protocol.

A request carries ``X-Shequn-Timestamp`` (Unix seconds) and
``X-Shequn-Signature: v1=<hex>``, where the hex is
``HMAC-SHA256(secret, timestamp + "." + body)``. A receiver refuses requests
whose timestamp is more than five minutes away from its clock, compares in
constant time, and remembers signatures it has seen within that window so an
exact replay is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict

from shequn.errors import BadSignature

TIMESTAMP_HEADER = "X-Shequn-Timestamp"
SIGNATURE_HEADER = "X-Shequn-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
TOLERANCE = 300
"""Seconds a signed request stays valid (either side of the receiver's clock)."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for a body sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """Timestamp and signature headers for a body sent now."""
    timestamp = int(time.time() if now is None else now)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes, *,
           now: float | None = None, tolerance: int = TOLERANCE) -> int:
    """Check a request's signature; returns its timestamp or raises BadSignature saying why."""
    if not timestamp or not signature:
        raise BadSignature(f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature(f"{TIMESTAMP_HEADER} must be Unix seconds, got {timestamp[:40]!r}"
                           ) from None
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance:
        raise BadSignature(f"request timestamp is {int(current - sent)}s away from the server's "
                           f"clock; the limit is {tolerance}s (replayed or clock skew)")
    expected = sign(secret, sent, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise BadSignature("signature does not match the body (wrong secret or altered body)")
    return sent


class ReplayGuard:
    """Signatures seen within the validity window; a second sighting is a replay."""

    def __init__(self, window: int = TOLERANCE, capacity: int = 200_000) -> None:
        self.window = window
        self.capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_sighting(self, signature: str, sent: int) -> bool:
        """Record the signature; False when it was already seen (a replay)."""
        with self._lock:
            if signature in self._seen:
                return False
            self._seen[signature] = sent
            horizon = time.time() - 2 * self.window
            while self._seen and (len(self._seen) > self.capacity
                                  or next(iter(self._seen.values())) < horizon):
                self._seen.popitem(last=False)
            return True
