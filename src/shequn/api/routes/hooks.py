"""Inbound webhooks from platforms and bridges (authenticated per connector, not by API key).

This is the hottest route: a busy bot POSTs a thousand updates a second. Two
things in FastAPI cost more than the route's own work, so :func:`install` avoids
them: matching a request against every included router before this one, and the
per-request parameter machinery (solving, endpoint introspection, response
validation). The route is added to the app itself, ahead of every router, as a
:class:`_BareRoute`, which hands the ``Request`` straight to the endpoint. The
app's middleware (body size limit) and exception handlers still apply, and the
OpenAPI schema documents it like any other route.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shequn.connectors.inbound import Inbound
from shequn.errors import BadSignature, NotFound


class _BareRoute(APIRoute):
    """An APIRoute whose endpoint takes the ``Request`` and returns the ``Response`` itself."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint: Callable[[Request], Coroutine[Any, Any, Response]] = self.endpoint
        return endpoint


class HookAccepted(BaseModel):
    """The request's events are stored (repeats of stored events are absorbed)."""

    ok: bool = True
    events: int


_CONNECTOR_ID = {"name": "connector_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "title": "Connector Id"}}


def install(app: FastAPI) -> None:
    """Add ``POST /hooks/{connector_id}`` to ``app``; call it before including any router."""
    app.router.add_api_route(
        "/hooks/{connector_id}", receive, methods=["POST"], route_class_override=_BareRoute,
        tags=["hooks"], response_model=HookAccepted, response_class=Response,
        openapi_extra={"parameters": [_CONNECTOR_ID]},
        responses={200: {"model": HookAccepted, "content": {"application/json": {}}},
                   401: {"description": "missing, wrong, stale or replayed signature"},
                   404: {"description": "no such active connector"}})


async def receive(request: Request) -> Response:
    """Receive a Telegram update or a signed event batch for one connector.

    Telegram sends ``X-Telegram-Bot-Api-Secret-Token``. A bridge signs with
    ``X-Shequn-Timestamp`` and ``X-Shequn-Signature: v1=HMAC-SHA256(secret,
    timestamp + "." + body)``; see docs/connectors.md. Answers once the events are stored.
    """
    raw_id: str = request.path_params["connector_id"]
    if not raw_id.isdigit():
        raise NotFound(f"no connector {raw_id!r}")
    inbound: Inbound = request.app.state.inbound
    body = await request.body()
    try:
        count = await inbound.receive(int(raw_id), request.headers, body)
    except BadSignature as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from None
    return Response(b'{"ok":true,"events":%d}' % count, media_type="application/json")
