"""Inbound webhooks from platforms and bridges (authenticated per connector, not by API key)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel

from shequn.connectors.inbound import Inbound
from shequn.errors import BadSignature

router = APIRouter(prefix="/hooks", tags=["hooks"])


class HookAccepted(BaseModel):
    """The request's events are stored (repeats of stored events are absorbed)."""

    ok: bool = True
    events: int


@router.post("/{connector_id}", response_model=HookAccepted, response_class=Response,
             responses={200: {"model": HookAccepted, "content": {"application/json": {}}},
                        401: {"description": "missing, wrong, stale or replayed signature"},
                        404: {"description": "no such active connector"}})
async def receive(connector_id: int, request: Request) -> Response:
    """Receive a Telegram update or a signed event batch for one connector.

    Telegram sends ``X-Telegram-Bot-Api-Secret-Token``. A bridge signs with
    ``X-Shequn-Timestamp`` and ``X-Shequn-Signature: v1=HMAC-SHA256(secret,
    timestamp + "." + body)``; see docs/connectors.md. Answers once the events are stored.
    """
    inbound: Inbound = request.app.state.inbound
    body = await request.body()
    try:
        count = await inbound.receive(connector_id, request.headers, body)
    except BadSignature as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from None
    # Written by hand: this is the hottest route, and the answer has one number in it.
    return Response(b'{"ok":true,"events":%d}' % count, media_type="application/json")
