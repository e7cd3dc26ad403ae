"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from shequn import __version__
from shequn.api import errors
from shequn.api.limits import BodySizeLimit
from shequn.api.routes import (
    engage,
    events,
    faq,
    groups,
    health,
    hooks,
    members,
    merges,
    moderation,
    outbox,
    segments,
    tags,
    timeline,
    workspace,
)
from shequn.config import Settings
from shequn.connectors.inbound import Inbound
from shequn.intake.service import Intake
from shequn.store.store import Store

DESCRIPTION = """
shequn (社群) community-operations API.

Authenticate with a workspace API key: `Authorization: Bearer shq_…` (or `X-API-Key`).
Roles: viewer (read), operator (send events), admin (manage groups), owner.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # What exists at startup lives as long as the process; frozen, it is left out
    # of the collector's full passes, which would otherwise stall requests 100+ ms.
    gc.collect()
    gc.freeze()
    yield
    await app.state.inbound.aclose()


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the application on ``store`` (opened from settings when not given)."""
    store = store or Store.from_settings(settings)
    app = FastAPI(title="shequn", version=__version__, description=DESCRIPTION,
                  lifespan=_lifespan)
    app.state.settings = settings
    app.state.store = store
    app.state.intake = Intake(store)
    app.state.inbound = Inbound(app.state.intake)
    errors.install(app)
    hooks.install(app)  # first: matched before every router (see its docstring)
    for module in (health, events, members, groups, outbox, workspace, tags, segments, merges,
                   engage, faq, timeline, moderation):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
