"""Handlers and the pipeline that runs them in order.

A handler is any object with a ``name``, the event ``kinds`` it wants (``None``
for all) and a pure ``decide(event, context)``. Capabilities register their
handlers in :func:`default_pipeline`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Protocol

from shequn.domain.actions import Action
from shequn.domain.events import EventBase
from shequn.engine.context import Context

log = logging.getLogger(__name__)


class Handler(Protocol):
    """One capability's decision function."""

    @property
    def name(self) -> str:
        """Stable name, recorded with every action the handler returns."""
        ...

    @property
    def kinds(self) -> frozenset[str] | None:
        """Event kinds this handler looks at; ``None`` means every kind."""
        ...

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        """Return the actions this event calls for (no I/O)."""
        ...


class Pipeline:
    """Runs handlers in registration order and collects their actions."""

    def __init__(self, handlers: Iterable[Handler] = ()) -> None:
        self._handlers: list[Handler] = []
        self._by_kind: dict[str, list[Handler]] = {}
        for handler in handlers:
            self.register(handler)

    @property
    def handlers(self) -> tuple[Handler, ...]:
        """The registered handlers, in order."""
        return tuple(self._handlers)

    def register(self, handler: Handler) -> None:
        """Add a handler at the end of the pipeline."""
        self._handlers.append(handler)
        self._by_kind.clear()

    def handles(self, kind: str) -> bool:
        """True when some handler looks at events of this kind."""
        return bool(self._for_kind(kind))

    def _for_kind(self, kind: str) -> list[Handler]:
        handlers = self._by_kind.get(kind)
        if handlers is None:
            handlers = [h for h in self._handlers if h.kinds is None or kind in h.kinds]
            self._by_kind[kind] = handlers
        return handlers

    def decide(self, event: EventBase, context: Context) -> list[Action]:
        """All actions the pipeline decides for one event.

        A handler that raises is logged and skipped: one faulty capability
        must not stop the event from being stored or the others from acting.
        """
        actions: list[Action] = []
        kind: str = getattr(event, "kind")  # noqa: B009 - every concrete event has a kind
        for handler in self._for_kind(kind):
            try:
                decided = handler.decide(event, context)
            except Exception:
                log.exception("handler %s failed on event %s", handler.name, event.external_id)
                continue
            for action in decided:
                if not action.handler:
                    action = action.model_copy(update={"handler": handler.name})
                actions.append(action)
        return actions


def default_pipeline() -> Pipeline:
    """The pipeline with every built-in capability's handlers."""
    from shequn.engine.handlers.commands import BotCommandHandler
    from shequn.engine.handlers.records import RecordHandler

    return Pipeline([RecordHandler(), BotCommandHandler()])
