"""What every command shares: settings, the store, the console and error display."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from shequn.config import Settings, load_settings
from shequn.errors import ShequnError
from shequn.store.store import Store
from shequn.store.workspaces import get_workspace

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class CliState:
    """Options given before the command, and the store opened from them."""

    overrides: dict[str, Any] = field(default_factory=dict)
    _settings: Settings | None = None
    _store: Store | None = None

    @property
    def settings(self) -> Settings:
        """Settings, read once."""
        if self._settings is None:
            self._settings = load_settings(**self.overrides)
        return self._settings

    @property
    def store(self) -> Store:
        """The store, opened (and migrated) once."""
        if self._store is None:
            self._store = Store.from_settings(self.settings)
        return self._store

    def use_store(self, store: Store) -> None:
        """Use an already opened store (closed with the CLI like an own one)."""
        self._store = store

    def close(self) -> None:
        """Release the store's connections when the command ends."""
        if self._store is not None:
            self._store.close()
            self._store = None


def state(ctx: typer.Context) -> CliState:
    """The CLI state stored on the root context."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def workspace_id(ctx: typer.Context, slug: str) -> int:
    """Id of the workspace called ``slug``."""
    with state(ctx).store.session() as session:
        return get_workspace(session, slug=slug).id


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Show a ShequnError as a one-line message and exit 1, instead of a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ShequnError as exc:
            err_console.print(f"[bold red]错误 error:[/] {escape(str(exc))}", highlight=False,
                              soft_wrap=True)
            raise typer.Exit(1) from exc

    return wrapper


@contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner while something slow runs."""
    with console.status(message):
        yield


WorkspaceOption = typer.Option(
    "default", "--workspace", "-w", envvar="SHEQUN_WORKSPACE",
    help="Workspace slug / 工作区标识",
)
