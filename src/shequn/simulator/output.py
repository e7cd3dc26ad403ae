"""Write simulated events to files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson

from shequn.simulator.config import SimulationConfig
from shequn.simulator.generator import simulate

_BATCH = 10_000


def write_jsonl(
    config: SimulationConfig, path: str | Path, progress: Callable[[int], None] | None = None
) -> int:
    """Write the simulation as JSON lines; return how many events were written.

    ``progress`` is called with the number of events written since its last
    call (every ten thousand and at the end), e.g. ``lambda n: bar.advance(task, n)``.
    """
    count = 0
    pending = 0
    lines: list[bytes] = []
    dumps = orjson.dumps
    with open(path, "wb") as out:
        for event in simulate(config):
            lines.append(dumps(event))
            pending += 1
            if pending == _BATCH:
                lines.append(b"")
                out.write(b"\n".join(lines))
                lines.clear()
                count += pending
                if progress is not None:
                    progress(pending)
                pending = 0
        if lines:
            lines.append(b"")
            out.write(b"\n".join(lines))
        count += pending
        if progress is not None and pending:
            progress(pending)
    return count
