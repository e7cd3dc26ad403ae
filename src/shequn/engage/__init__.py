"""Keeping groups talking: entry gate, welcome, FAQ answers, expert routing.

Handlers (pure, in the engine pipeline) read a per-batch
:class:`~shequn.engage.snapshot.EngageSnapshot` that the
:class:`~shequn.engage.companion.EngageCompanion` loads for groups with an engagement
configuration. Time-based work (gate timeouts, merged welcomes, expert calls, the
content timeline) runs in :mod:`shequn.scheduler`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shequn.engage.companion import EngageCompanion
    from shequn.engine.pipeline import Handler


def engage_handlers() -> list[Handler]:
    """The engagement handlers, in pipeline order (the gate decides first)."""
    from shequn.engage.experts import ExpertHandler
    from shequn.engage.faq.handler import FaqHandler
    from shequn.engage.gate import GateHandler
    from shequn.engage.welcome import WelcomeHandler

    return [GateHandler(), WelcomeHandler(), FaqHandler(), ExpertHandler()]


def engage_companion() -> EngageCompanion:
    """The store side that loads the handlers' snapshot, reading moderation's blocklist."""
    from shequn.engage.companion import EngageCompanion
    from shequn.moderation.blocklist import StoreBlocklist

    return EngageCompanion(StoreBlocklist())
