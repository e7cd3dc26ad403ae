"""Ingesting a long stream of event dicts (simulator output, JSONL) in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from shequn.domain.events import EVENT_LIST_ADAPTER
from shequn.intake.collector import collector_paused
from shequn.intake.service import IngestResult, Intake


def ingest_dicts(
    intake: Intake,
    workspace_id: int,
    rows: Iterable[dict[str, Any]],
    *,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Validate and ingest JSON-like event dicts, one transaction per batch."""
    total = IngestResult()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if not batch:
            return
        with collector_paused():
            result = intake.ingest(workspace_id, EVENT_LIST_ADAPTER.validate_python(batch))
        result.event_ids.clear()
        total.add(result)
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            flush()
    flush()
    return total
