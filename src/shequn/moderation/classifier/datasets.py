"""Reading labelled messages from files: the formats operators and public corpora use.

* CSV with a header naming a label column (``target``, ``label``, ``is_spam``,
  ``class``) and a text column (``input``, ``text``, ``message``, ``content``);
* TSV without header, ``ham|spam<TAB>text`` (the SMS Spam Collection layout);
* JSON Lines with ``label`` (or ``is_spam``) and ``text`` keys.

Labels may be ``1/0``, ``spam/ham``, ``true/false``, ``yes/no``. A bad row
raises :class:`~shequn.errors.ImportFileError` naming the file and line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shequn.errors import ImportFileError

_SPAM = frozenset({"1", "spam", "true", "yes", "ad", "y"})
_HAM = frozenset({"0", "ham", "false", "no", "normal", "n"})
_LABEL_COLUMNS = ("target", "label", "is_spam", "class", "y")
_TEXT_COLUMNS = ("input", "text", "message", "content", "body")


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One message text and whether it is spam."""

    text: str
    is_spam: bool


def parse_label(value: object, path: str, line: int) -> bool:
    """``True`` for spam labels, ``False`` for ham labels, else an import error."""
    token = str(value).strip().casefold()
    if token in _SPAM:
        return True
    if token in _HAM:
        return False
    raise ImportFileError(path, line, "label", f"unknown label {value!r}")


def _pick(columns: list[str], wanted: tuple[str, ...], path: str, field: str) -> str:
    lowered = {c.strip().casefold(): c for c in columns}
    for name in wanted:
        if name in lowered:
            return lowered[name]
    raise ImportFileError(path, 1, field, f"no {field} column among {columns}")


def _read_csv(path: Path) -> Iterator[LabelledText]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        label = _pick(columns, _LABEL_COLUMNS, str(path), "label")
        text = _pick(columns, _TEXT_COLUMNS, str(path), "text")
        for row in reader:
            line = reader.line_num
            yield LabelledText(row.get(text) or "", parse_label(row.get(label), str(path), line))


def _read_tsv(path: Path) -> Iterator[LabelledText]:
    with path.open(encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            label, sep, text = line.partition("\t")
            if not sep:
                raise ImportFileError(str(path), line_number, "text", "expected label<TAB>text")
            yield LabelledText(text, parse_label(label, str(path), line_number))


def _read_jsonl(path: Path) -> Iterator[LabelledText]:
    with path.open(encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ImportFileError(str(path), line_number, "json", str(error)) from error
            if not isinstance(record, dict):
                raise ImportFileError(str(path), line_number, "json", "expected an object")
            label = record.get("label", record.get("is_spam"))
            text = record.get("text", record.get("input"))
            if not isinstance(text, str):
                raise ImportFileError(str(path), line_number, "text", "missing text")
            yield LabelledText(text, parse_label(label, str(path), line_number))


def read_labelled(path: str | Path) -> list[LabelledText]:
    """All labelled rows of a CSV, TSV or JSONL file (chosen by extension)."""
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix == ".tsv":
        return list(_read_tsv(path))
    if suffix in {".jsonl", ".ndjson"}:
        return list(_read_jsonl(path))
    if suffix == ".csv":
        return list(_read_csv(path))
    raise ImportFileError(
        str(path), 0, "file", f"unsupported extension {suffix!r} (csv, tsv, jsonl)"
    )
