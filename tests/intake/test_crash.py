"""A crash between storing an event and writing its actions loses and doubles nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from shequn.store.models import EventRecord, OutboxAction
from shequn.store.store import Store
from tests.intake import crashing_intake

SCRIPT = Path(crashing_intake.__file__)


def _counts(store: Store) -> tuple[int, int]:
    with store.session() as session:
        events = session.scalar(select(func.count()).select_from(EventRecord)) or 0
        actions = session.scalar(select(func.count()).select_from(OutboxAction)) or 0
    return events, actions


def test_sigkill_mid_batch_keeps_event_and_outbox_together(
    store: Store, workspace_id: int
) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parents[2])}
    process = subprocess.run([sys.executable, str(SCRIPT), url, str(workspace_id)], env=env,
                             capture_output=True, timeout=60)
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()

    # The first batch committed whole; the killed batch left no event and no action.
    assert _counts(store) == (1, 1)

    # The sender retries the lost batch (and, carelessly, the first one): each is stored once.
    retry = crashing_intake.intake(url, die=False)
    result = retry.ingest(workspace_id, crashing_intake.FIRST + crashing_intake.SECOND)
    retry.store.close()
    assert (result.stored, result.duplicates) == (2, 1)
    assert _counts(store) == (3, 2)
    with store.session() as session:
        texts = sorted(a.payload["text"] for a in session.scalars(select(OutboxAction)))
    assert texts == ["announce one", "announce two"]
