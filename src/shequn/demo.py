"""The demo community that ``shequn serve --demo`` starts with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shequn.domain.enums import Role
from shequn.intake.service import Intake
from shequn.intake.stream import ingest_dicts
from shequn.simulator import SimulationConfig, simulate
from shequn.store.apikeys import create_api_key
from shequn.store.store import Store
from shequn.store.workspaces import create_workspace

DEMO_SLUG = "demo"


@dataclass(frozen=True, slots=True)
class Demo:
    """The seeded demo: where it lives and the admin key to use it."""

    store: Store
    workspace_id: int
    api_key: str
    events: int


def seed_demo(
    path: Path,
    *,
    members: int = 400,
    groups: int = 8,
    days: int = 30,
    seed: int = 2026,
    progress: Callable[[int], None] | None = None,
) -> Demo:
    """Create a fresh demo database at ``path`` with a simulated community."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    store = Store.open(f"sqlite:///{path}")
    with store.session() as session:
        workspace_id = create_workspace(session, slug=DEMO_SLUG, name="Demo community 演示社群").id
        _, secret = create_api_key(session, workspace_id=workspace_id, name="demo", role=Role.ADMIN)
    config = SimulationConfig(members=members, groups=groups, days=days, seed=seed)
    result = ingest_dicts(Intake(store), workspace_id, simulate(config), progress=progress)
    return Demo(store=store, workspace_id=workspace_id, api_key=secret, events=result.stored)
