"""Handlers and the pipeline that runs them in order.

A handler is any object with a ``name``, the event ``kinds`` it wants (``None``
for all) and a pure ``decide(event, context)``. Capabilities register their
handlers in :func:`default_pipeline`.

A capability whose handlers need stored state (pending entry checks, FAQ entries,
cool-downs) also registers a :class:`Companion`: intake calls its ``load`` once per
batch, hands the snapshot to the handlers through ``Context.snapshots``, lets it
``observe`` the state changes they return (so later events of the same batch see
them), and ``flush`` them in the batch's transaction. Handlers stay pure.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shequn.domain.actions import Action, StateChange
from shequn.domain.events import EventBase
from shequn.engine.context import Context, GroupInfo

if TYPE_CHECKING:
    from sqlalchemy import Connection

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


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One new event of a batch, as a companion sees it before the handlers run."""

    event: EventBase
    event_id: int
    group: GroupInfo | None
    member_id: int | None


class Snapshot(Protocol):
    """What a companion loaded for one batch; it also collects the changes to store."""

    def observe(self, change: StateChange, item: BatchItem) -> bool:
        """Take a state change a handler returned (True when it is this capability's)."""
        ...

    def flush(self, connection: Connection) -> None:
        """Store the observed changes, inside the batch's transaction."""
        ...


class Companion(Protocol):
    """The store side of a capability: loads what its handlers read, per batch."""

    @property
    def name(self) -> str:
        """Key of the snapshot in ``Context.snapshots``."""
        ...

    def load(self, connection: Connection, workspace_id: int,
             items: Sequence[BatchItem]) -> Snapshot | None:
        """The snapshot for these events, or None when the capability has nothing to do."""
        ...


class Pipeline:
    """Runs handlers in registration order and collects their actions."""

    def __init__(self, handlers: Iterable[Handler] = (),
                 companions: Iterable[Companion] = ()) -> None:
        self._handlers: list[Handler] = []
        self._by_kind: dict[str, list[Handler]] = {}
        self.companions: list[Companion] = list(companions)
        for handler in handlers:
            self.register(handler)

    def load(self, connection: Connection, workspace_id: int,
             items: Sequence[BatchItem]) -> dict[str, Any]:
        """Every companion's snapshot for a batch, by name (companions with nothing left out)."""
        snapshots: dict[str, Any] = {}
        for companion in self.companions:
            loaded = companion.load(connection, workspace_id, items)
            if loaded is not None:
                snapshots[companion.name] = loaded
        return snapshots

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
    from shequn.engage import engage_companion, engage_handlers
    from shequn.engine.handlers.commands import BotCommandHandler
    from shequn.engine.handlers.records import RecordHandler
    from shequn.moderation.companion import ModerationCompanion
    from shequn.moderation.handler import ModerationHandler

    return Pipeline([RecordHandler(), ModerationHandler(), BotCommandHandler(), *engage_handlers()],
                    [ModerationCompanion(), engage_companion()])
