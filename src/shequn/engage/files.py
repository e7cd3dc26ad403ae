"""Reading operator-written TOML and JSON files, with errors that name file, line and field.

Pydantic reports *where* in the data a value is wrong (``faq[3].keywords[0].mode``);
operators need the *line*. :func:`locate` finds it by walking the TOML text:
the n-th ``[[table]]`` header for an array index, then the key inside that block.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shequn.errors import ImportFileError

M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest operator file read (8 MiB); a FAQ or timeline is far smaller."""


def field_path(loc: Sequence[int | str]) -> str:
    """``("faq", 3, "mode")`` → ``faq[3].mode``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def locate(text: str, loc: Sequence[int | str]) -> int:
    """Best-effort line number (1-based) of the value at ``loc`` in a TOML text."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    parts = list(loc)
    position = 0
    while position < len(parts):
        part = parts[position]
        following = parts[position + 1] if position + 1 < len(parts) else None
        if isinstance(part, str) and isinstance(following, int):
            header = re.compile(rf"^\s*\[\[\s*{re.escape(part)}\s*\]\]")
            starts = [i for i in range(start, end) if header.match(lines[i])]
            if following < len(starts):
                start = starts[following]
                block_end = next((i for i in range(start + 1, end)
                                  if lines[i].lstrip().startswith("[")), end)
                end = block_end
                position += 2
                continue
        if isinstance(part, str):
            name = re.escape(part)
            key = re.compile(rf"^\s*\"?{name}\"?\s*[=:]|^\s*\[\s*{name}\s*\]")
            found = next((i for i in range(start, end) if key.match(lines[i])), None)
            if found is not None:
                start = found
        position += 1
    return start + 1


def read_text(path: Path) -> str:
    """A UTF-8 file's text, refusing missing, huge or undecodable files with a clear error."""
    if not path.is_file():
        raise ImportFileError(str(path), 0, "(file)", "no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError(str(path), 0, "(file)",
                              f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(str(path), 0, "(file)", f"not UTF-8 text: {exc.reason}") from exc


def load_document(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a ``.toml`` or ``.json`` file into a dict; returns it with the raw text."""
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        try:
            return tomllib.loads(text), text
        except tomllib.TOMLDecodeError as exc:
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
            raise ImportFileError(str(path), line, "(syntax)", str(exc)) from exc
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(str(path), exc.lineno, "(syntax)", exc.msg) from exc
        if not isinstance(data, dict):
            raise ImportFileError(str(path), 1, "(file)", "expected a JSON object")
        return data, text
    raise ImportFileError(str(path), 0, "(file)", "unknown format: use .toml or .json")


def validate(model: type[M], data: Any, *, path: Path, text: str, prefix: Sequence[int | str] = (),
             ) -> M:
    """Validate ``data`` as ``model``; the first problem becomes an ImportFileError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [*prefix, *error["loc"]]
        raise ImportFileError(str(path), locate(text, loc), field_path(loc),
                              str(error["msg"])) from exc
