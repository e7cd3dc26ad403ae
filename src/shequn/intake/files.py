"""Reading import files (CSV or JSON Lines) into canonical events.

Every row becomes one event: ``events`` files hold canonical events directly;
``members`` rows become ``profile_updated`` events and ``orders`` rows become
``order`` events, so imports take the same path as everything else.

A bad row raises :class:`ImportFileError` naming the file, line and field.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from shequn.domain.events import EVENT_ADAPTER, EventBase, Order, ProfileUpdated
from shequn.errors import ImportFileError

_LIST_FIELDS = frozenset({"links", "mentions", "items", "qr_codes"})
_DICT_FIELDS = frozenset({"attributes", "data"})
_MEMBER_FIELDS = frozenset({
    "user_id", "user_name", "display_name", "phone", "email", "union_id", "city", "job",
    "gender", "age_band", "source_channel",
})
_MEMBER_ALIASES = {"name": "display_name", "nickname": "display_name", "source": "source_channel",
                   "channel": "source_channel", "mobile": "phone"}
_ORDER_ALIASES = {"paid_at": "ordered_at", "created_at": "ordered_at", "mobile": "phone",
                  "total": "amount"}


class FileKind(StrEnum):
    """What an import file holds."""

    EVENTS = "events"
    MEMBERS = "members"
    ORDERS = "orders"


@dataclass(frozen=True, slots=True)
class Row:
    """One raw row and the line it starts on."""

    line: int
    text: str
    fields: dict[str, Any] | None
    """Parsed fields, or None when the line is not valid JSON."""


@dataclass(frozen=True, slots=True)
class RowResult:
    """A row turned into an event, or the error that stopped it."""

    row: Row
    event: EventBase | None
    error: ImportFileError | None


def read_rows(path: Path) -> Iterator[Row]:
    """Raw rows of a CSV (header line first) or JSON Lines file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        yield from _jsonl_rows(path)
    else:
        raise ImportFileError(str(path), 0, "(file)",
                              "unknown format: use .csv or .jsonl (JSON Lines)")


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            return
        blank = [i + 1 for i, name in enumerate(reader.fieldnames) if not (name or "").strip()]
        if blank:
            raise ImportFileError(str(path), 1, f"column {blank[0]}", "header has an empty name")
        line = reader.line_num
        for record in reader:
            if None in record:
                raise ImportFileError(str(path), line + 1, "(row)",
                                      "more cells than the header has columns")
            cells = {k.strip(): v for k, v in record.items() if v is not None and v.strip() != ""}
            yield Row(line + 1, ",".join(v or "" for v in record.values()), cells)
            line = reader.line_num


def _jsonl_rows(path: Path) -> Iterator[Row]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            text = raw.decode("utf-8", errors="replace").rstrip("\n")
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                yield Row(number, text, None)
                continue
            yield Row(number, text, value if isinstance(value, dict) else None)


def convert(
    path: Path, kind: FileKind, *, source: str, platform: str, now: datetime | None = None
) -> Iterator[RowResult]:
    """Every row of the file as an event or an error, in file order."""
    now = now or datetime.now(UTC)
    build = _BUILDERS[kind]
    for row in read_rows(path):
        if row.fields is None:
            error = ImportFileError(str(path), row.line, "(json)",
                                    "not a JSON object on one line")
            yield RowResult(row, None, error)
            continue
        try:
            event = build(dict(row.fields), source, platform, now)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"] if not isinstance(p, int)) or "(row)"
            field = field.split(".", 1)[1] if field.split(".", 1)[0] in _KINDS else field
            yield RowResult(row, None, ImportFileError(str(path), row.line, field, first["msg"]))
            continue
        except _RowProblem as exc:
            yield RowResult(row, None, ImportFileError(str(path), row.line, exc.field, exc.problem))
            continue
        yield RowResult(row, event, None)


_KINDS = frozenset({"member_joined", "member_left", "member_renamed", "message", "checkin",
                    "order", "referral", "reward", "survey_answer", "profile_updated", "custom"})


class _RowProblem(Exception):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _cells(fields: dict[str, Any]) -> dict[str, Any]:
    """CSV cells are strings: split list columns on '|' and parse JSON object columns."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, str) and name in _LIST_FIELDS:
            out[name] = [part.strip() for part in value.split("|") if part.strip()]
        elif isinstance(value, str) and name in _DICT_FIELDS:
            try:
                out[name] = orjson.loads(value)
            except orjson.JSONDecodeError as exc:
                raise _RowProblem(name, "must be a JSON object") from exc
        else:
            out[name] = value
    return out


def _event_row(fields: dict[str, Any], source: str, platform: str, now: datetime) -> EventBase:
    fields = _cells(fields)
    fields.setdefault("source", source)
    fields.setdefault("platform", platform)
    if "kind" not in fields:
        raise _RowProblem("kind", "missing: every event needs a kind (message, member_joined …)")
    event: EventBase = EVENT_ADAPTER.validate_python(fields)
    return event


def _content_id(prefix: str, fields: dict[str, Any]) -> str:
    digest = hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f"{prefix}:{digest[:32]}"


def _member_row(fields: dict[str, Any], source: str, platform: str, now: datetime) -> EventBase:
    named = {_MEMBER_ALIASES.get(k, k): v for k, v in _cells(fields).items()}
    if not any(named.get(k) for k in ("user_id", "phone", "email", "union_id")):
        raise _RowProblem("user_id", "a member row needs user_id, phone, email or union_id")
    known = {k: v for k, v in named.items() if k in _MEMBER_FIELDS}
    extra = {k: str(v) for k, v in named.items()
             if k not in _MEMBER_FIELDS and k not in ("platform", "attributes")}
    attributes = {**named.get("attributes", {}), **extra}
    row_platform = named.get("platform", platform)
    return ProfileUpdated(
        source=source, external_id=_content_id("member", {**known, **attributes}),
        occurred_at=named.get("updated_at", now), platform=row_platform,
        attributes=attributes, **{k: v for k, v in known.items() if k != "updated_at"},
    )


def _order_row(fields: dict[str, Any], source: str, platform: str, now: datetime) -> EventBase:
    named = {_ORDER_ALIASES.get(k, k): v for k, v in _cells(fields).items()}
    for required in ("order_id", "amount", "ordered_at"):
        if not named.get(required):
            raise _RowProblem(required, "missing")
    if not any(named.get(k) for k in ("user_id", "phone", "email")):
        raise _RowProblem("user_id", "an order row needs user_id, phone or email")
    status = named.get("status", "paid")
    return Order(
        source=source, external_id=f"order:{named['order_id']}:{status}",
        occurred_at=named.pop("ordered_at"), platform=named.pop("platform", platform),
        **{k: v for k, v in named.items()
           if k in ("order_id", "amount", "currency", "status", "items", "phone", "email",
                    "user_id", "user_name")},
    )


_BUILDERS: dict[FileKind, Callable[[dict[str, Any], str, str, datetime], EventBase]] = {
    FileKind.EVENTS: _event_row,
    FileKind.MEMBERS: _member_row,
    FileKind.ORDERS: _order_row,
}
