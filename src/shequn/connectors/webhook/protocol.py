"""The webhook protocol's JSON: inbound event batches and outbound action envelopes."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError

from shequn.connectors.base import OutboundAction
from shequn.domain.events import EVENT_ADAPTER, EventBase
from shequn.errors import InputError

MAX_EVENTS = 1000
"""Most events one inbound request may carry."""


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "event"


def parse_events(body: bytes, *, platform: str, default_source: str) -> list[EventBase]:
    """Canonical events from an inbound body ``{"events": [...]}``; InputError names the problem.

    ``source`` defaults to the connector's own; ``platform`` is the connector's
    platform and may be omitted (an event naming another platform is refused).
    """
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise InputError('body must be an object {"events": [ … ]}')
    raw = data["events"]
    if len(raw) > MAX_EVENTS:
        raise InputError(f"{len(raw)} events in one request; the limit is {MAX_EVENTS}")
    events: list[EventBase] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InputError(f"events[{index}] must be an object")
        given = item.get("platform", platform)
        if given != platform:
            raise InputError(f"events[{index}].platform is {given!r} but this connector is for "
                             f"{platform!r}")
        try:
            event = EVENT_ADAPTER.validate_python(
                {"source": default_source, **item, "platform": platform})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InputError(f"events[{index}].{_where(tuple(first['loc']))}: {first['msg']}"
                             ) from None
        events.append(event)
    return events


def action_body(action: OutboundAction) -> bytes:
    """The JSON shequn POSTs to a bridge for one action."""
    envelope = {"id": action.idempotency_key, "attempt": action.attempt,
                "action": {**action.payload, "kind": action.kind, "group_id": action.group,
                           "user_id": action.user}}
    return orjson.dumps(envelope)
