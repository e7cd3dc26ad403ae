"""Actions to a bridge: a signed POST per action, with an idempotency key.

The bridge answers 2xx when done (optionally ``{"ref": "<platform id>"}``), 429
with ``Retry-After`` to slow shequn down, another 4xx to refuse for good, 5xx to
ask for a retry. Every retry carries the same ``Idempotency-Key``, so a bridge
that remembers keys carries each action out once even when an answer is lost.
"""

from __future__ import annotations

import httpx
import orjson

from shequn.connectors.accounts import WebhookConfig
from shequn.connectors.base import MESSAGE_KINDS, Delivered, OutboundAction, RateLimits
from shequn.connectors.webhook.protocol import action_body
from shequn.connectors.webhook.signing import IDEMPOTENCY_HEADER, signed_headers
from shequn.errors import ActionRejected, ConnectorError, OutcomeUnknown, RateLimited
from shequn.outbox.ratelimit import Limit

ACTION_KINDS = frozenset({"reply", "post", "dm", "warn", "delete_message", "mute", "unmute",
                          "kick", "ban", "unban", "approve_join", "decline_join", "pin"})


class WebhookConnector:
    """POSTs actions to one bridge."""

    kinds = ACTION_KINDS
    retries_are_safe = True  # the bridge dedupes on Idempotency-Key

    def __init__(self, config: WebhookConfig, *, account_id: int,
                 client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self.account_id = account_id
        self.limits = RateLimits(
            account=Limit(count=config.per_second, per=1.0, burst=min(5, config.per_second)),
            group=Limit(count=config.per_group_per_minute, per=60.0,
                        burst=min(3, config.per_group_per_minute)),
            group_kinds=MESSAGE_KINDS,
        )
        self._client = client or httpx.AsyncClient(timeout=config.timeout)

    async def execute(self, action: OutboundAction) -> Delivered:
        """POST the action; map the bridge's answer to done or a ConnectorError."""
        if self.config.url is None:
            raise ActionRejected("this webhook connector has no bridge URL for actions")
        body = action_body(action)
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: action.idempotency_key,
                   **signed_headers(self.config.secret.get_secret_value(), body)}
        try:
            response = await self._client.post(self.config.url, content=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ConnectorError(f"bridge unreachable: {exc!r}") from exc
        except httpx.HTTPError as exc:
            raise OutcomeUnknown(f"no answer from the bridge: {exc!r}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return Delivered(ref=_ref(response.content))
        detail = response.text[:300]
        if status == 429:
            raise RateLimited(_retry_after(response), "bridge asked to slow down")
        if 400 <= status < 500:
            raise ActionRejected(f"bridge refused ({status}): {detail}")
        raise ConnectorError(f"bridge failed ({status}): {detail}")

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def _ref(content: bytes) -> str | None:
    try:
        data = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None
    ref = data.get("ref") if isinstance(data, dict) else None
    return str(ref)[:256] if ref is not None else None


def _retry_after(response: httpx.Response) -> float:
    header = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(header))
    except ValueError:
        return 30.0
