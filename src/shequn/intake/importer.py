"""Importing a whole file: validate every row first, then write in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from shequn.domain.events import EventBase
from shequn.errors import ImportFileError
from shequn.intake.files import FileKind, convert
from shequn.intake.service import IngestResult, Intake

BATCH = 1000


@dataclass(slots=True)
class ImportReport:
    """What an import did."""

    rows: int
    rejected: int
    result: IngestResult


def import_file(
    intake: Intake,
    workspace_id: int,
    path: Path,
    kind: FileKind,
    *,
    source: str = "import",
    platform: str = "other",
    rejects: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``path`` into the workspace.

    Without ``rejects`` the first bad row raises ImportFileError and nothing is
    written. With it, bad rows are written there (the row, then the error, as
    tab-separated lines) and the good rows are imported.
    """
    if not path.is_file():
        raise ImportFileError(str(path), 0, "(file)", "no such file")
    # Pass 1 validates everything without keeping events, so memory stays flat for huge files.
    rows = 0
    bad: list[tuple[str, ImportFileError]] = []
    for outcome in convert(path, kind, source=source, platform=platform):
        rows += 1
        if outcome.error is not None:
            if rejects is None:
                raise outcome.error
            bad.append((outcome.row.text, outcome.error))
    if rejects is not None:
        with rejects.open("w", encoding="utf-8") as out:
            for text, error in bad:
                out.write(f"{error.line}\t{error.field}\t{error.problem}\t{text}\n")

    # Pass 2 writes the good rows in one transaction: all of them or none.
    total = IngestResult()
    batch: list[EventBase] = []
    with intake.store.transaction() as connection:
        for outcome in convert(path, kind, source=source, platform=platform):
            if outcome.event is None:
                continue
            batch.append(outcome.event)
            if len(batch) >= BATCH:
                _flush(intake, connection, workspace_id, batch, total, progress)
        _flush(intake, connection, workspace_id, batch, total, progress)
    return ImportReport(rows=rows, rejected=len(bad), result=total)


def _flush(
    intake: Intake,
    connection: Connection,
    workspace_id: int,
    batch: list[EventBase],
    total: IngestResult,
    progress: Callable[[int], None] | None,
) -> None:
    if not batch:
        return
    result = intake.ingest_in(connection, workspace_id, batch)
    result.event_ids.clear()
    total.add(result)
    if progress is not None:
        progress(len(batch))
    batch.clear()
