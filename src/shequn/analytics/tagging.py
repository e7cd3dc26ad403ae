"""Stored tags the job derives: keyword capture and fact tags from imported attribute columns.

Keyword capture runs here, in the job, rather than as an engine handler at
intake: rules are per workspace and change, and a new rule must also tag
everyone who *already* said the word; the intake hot path stays untouched; and
as an Ibis expression the scan runs inside the database or DuckDB. The price is
latency — a tag appears at the next job run (``shequn tags compute --every``).

Matching is case-insensitive. A keyword made of Latin letters and digits must
stand as a whole word (``cat`` matches "my cat!" but not "category"); any other
keyword (猫, 铲屎官) matches anywhere in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd  # type: ignore[import-untyped]

from shequn.analytics.ibisapi import ibis, ir
from shequn.analytics.sources import Sources
from shequn.profiles.settings import FactColumn, KeywordRule

TAG_COLUMNS = ("member_id", "name", "value")
"""Columns of every derived-tag table."""

_WORDLIKE = re.compile(r"^[a-z0-9][a-z0-9 ._+#-]*$")


def _word_pattern(keyword: str) -> str:
    # Character classes instead of backslash escapes: the same pattern means the same on
    # SQLite (Python re), PostgreSQL (ARE), DuckDB (RE2) and Spark (Java).
    body = "".join(ch if ch.isalnum() or ch == " " else f"[{ch}]" for ch in keyword)
    return f"(^|[^a-z0-9]){body}([^a-z0-9]|$)"


def keyword_match(text: ir.StringValue, keywords: tuple[str, ...]) -> ir.BooleanValue:
    """True when the (lower-cased) text says any of the keywords."""
    lowered = text.lower()
    tests: list[ir.BooleanValue] = []
    for keyword in keywords:
        if _WORDLIKE.match(keyword):
            tests.append(lowered.re_search(_word_pattern(keyword)))
        else:
            tests.append(lowered.contains(keyword))
    result = tests[0]
    for test in tests[1:]:
        result = result | test
    return result.fill_null(False)


def said_texts(src: Sources, as_of: int, since: int | None = None) -> ir.Table:
    """member_id, ts, text of everything members wrote: chat messages and survey answers."""
    ev = src.events
    wrote = ev.filter(ev.kind.isin(("message", "survey_answer")) & (ev.ts <= as_of))
    if since is not None:
        wrote = wrote.filter(wrote.ts > since)
    text = ibis.cases(
        (wrote.kind == "message", src.backend.json_text(wrote.doc, "text")),
        else_=src.backend.json_text(wrote.doc, "answer"),
    )
    said = wrote.select("member_id", "ts", text=text)
    return said.filter(said.text.notnull() & (said.text != ""))


def keyword_tags(src: Sources, as_of: int, rules: tuple[KeywordRule, ...]) -> ir.Table | None:
    """member_id, name (the rule's tag), value (how many times it was said); None without rules."""
    if not rules:
        return None
    said = src.backend.materialize(said_texts(src, as_of))
    parts: list[ir.Table] = []
    for rule in rules:
        hits = said.filter(keyword_match(said.text, rule.keywords))
        counted = hits.group_by("member_id").aggregate(hits=hits.count())
        parts.append(counted.select(
            "member_id", name=ibis.literal(rule.tag).cast("string"),
            value=counted.hits.cast("string"),
        ))
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def fact_column_tags(src: Sources, columns: tuple[FactColumn, ...]) -> pd.DataFrame:
    """Fact tags from imported attribute columns, per the workspace's column mapping."""
    member = src.backend.table("member")
    member = member.filter(
        (member.workspace_id == src.workspace_id) & member.merged_into_id.isnull()
    )
    rows: list[tuple[int, str, str]] = []
    for mapping in columns:
        cells = member.select(member_id=member.id.cast("int64"),
                              cell=src.backend.json_text(member.attributes, mapping.column))
        frame = src.backend.frame(cells.filter(cells.cell.notnull() & (cells.cell != "")))
        for member_id, cell in zip(frame["member_id"], frame["cell"], strict=True):
            rows.extend((int(member_id), name, value)
                        for name, value in _fact_values(mapping, str(cell)))
    return pd.DataFrame(rows, columns=list(TAG_COLUMNS))


def _fact_values(mapping: FactColumn, cell: str) -> Iterator[tuple[str, str]]:
    if mapping.separator is None:
        yield mapping.tag, cell.strip()[:256]
        return
    for piece in dict.fromkeys(p.strip() for p in cell.split(mapping.separator)):
        if piece:
            yield f"{mapping.tag}:{piece}"[:128], piece[:256]
