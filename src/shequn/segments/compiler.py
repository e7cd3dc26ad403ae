"""Checking a parsed segment rule against the known fields and compiling it to an Ibis filter.

The rule runs on a *wide* member table — the member's profile fields plus the
computed profile (``member_profile`` columns) — and a *tags* table
(``member_id, name, value``) for ``has_tag`` / ``tag(…)``. The same compiled
expression runs on the store, on DuckDB and on Spark.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from shequn.analytics.ibisapi import ibis, ir
from shequn.segments.fields import FIELDS, Field, FieldType
from shequn.segments.language import (
    BoolOp,
    Compare,
    Flag,
    HasTag,
    IsNull,
    Literal,
    MemberOf,
    Name,
    Node,
    Not,
    SegmentSyntaxError,
    parse,
)

_ORDERING = {"<", "<=", ">", ">="}


def _field(rule: str, name: Name) -> Field:
    found = FIELDS.get(name.text.lower())
    if found is None:
        near = difflib.get_close_matches(name.text.lower(), list(FIELDS), n=1)
        hint = f" — did you mean '{near[0]}'?" if near else ""
        raise SegmentSyntaxError(rule, name.column, f"unknown field '{name.text}'{hint}")
    return found


def _check_value(rule: str, field: Field, value: Literal) -> str | int | float | bool:
    column = value.column or 1
    if field.type is FieldType.TEXT:
        if not isinstance(value.value, str):
            raise SegmentSyntaxError(rule, column, f"'{field.name}' is text; put the value in "
                                     "quotes")
        if field.choices and value.value not in field.choices:
            raise SegmentSyntaxError(rule, column, f"unknown {field.name} value "
                                     f"'{value.value}' (known: {', '.join(field.choices)})")
        return value.value
    if field.type is FieldType.NUMBER:
        if isinstance(value.value, bool) or not isinstance(value.value, int | float):
            raise SegmentSyntaxError(rule, column, f"'{field.name}' is a number; write it "
                                     "without quotes")
        return value.value * field.scale
    if not isinstance(value.value, bool):
        raise SegmentSyntaxError(rule, column, f"'{field.name}' is true or false")
    return value.value


def _compare(column: ir.Value, op: str, value: object) -> ir.BooleanValue:
    ops = {"=": column.__eq__, "!=": column.__ne__, "<": column.__lt__, "<=": column.__le__,
           ">": column.__gt__, ">=": column.__ge__}
    result: ir.BooleanValue = ops[op](value)
    return result


@dataclass
class Compiler:
    """Compiles one rule against a wide member table and a tags table."""

    rule: str
    wide: ir.Table
    tags: ir.Table

    def compile(self, node: Node) -> ir.BooleanValue:
        """The Ibis predicate of ``node`` (NULL comparisons count as false)."""
        if isinstance(node, BoolOp):
            parts = [self.compile(part) for part in node.parts]
            result = parts[0]
            for part in parts[1:]:
                result = (result & part) if node.op == "and" else (result | part)
            return result
        if isinstance(node, Not):
            return ~self.compile(node.part)
        if isinstance(node, HasTag):
            return self._tag(node)
        field = _field(self.rule, node.field)
        column = self.wide[field.column]
        if isinstance(node, Compare):
            if node.op in _ORDERING and field.type is not FieldType.NUMBER:
                raise SegmentSyntaxError(self.rule, node.op_column, f"operator '{node.op}' "
                                         f"needs a number; '{field.name}' is {field.type}")
            value = _check_value(self.rule, field, node.value)
            return _compare(column, node.op, value).fill_null(False)
        if isinstance(node, MemberOf):
            values = [_check_value(self.rule, field, v) for v in node.values]
            inside = column.isin(values).fill_null(False)
            # Like "!=", "not in" only matches members that have a value.
            return (~inside & column.notnull()) if node.negated else inside
        if isinstance(node, IsNull):
            return column.notnull() if node.negated else column.isnull()
        if isinstance(node, Flag):
            if field.type is not FieldType.BOOLEAN:
                raise SegmentSyntaxError(self.rule, node.field.column, f"'{field.name}' is "
                                         f"{field.type}; compare it, e.g. {field.name} = …")
            return column.cast("boolean").fill_null(False)
        raise SegmentSyntaxError(self.rule, 1, "unsupported rule")  # pragma: no cover

    def _tag(self, node: HasTag) -> ir.BooleanValue:
        name = str(node.tag.value)
        chosen = self.tags.filter(self.tags.name == name)
        if node.op is not None and node.value is not None:
            if not isinstance(node.value.value, str):
                raise SegmentSyntaxError(self.rule, node.value.column or 1,
                                         "tag values are text; put the value in quotes")
            if node.op in _ORDERING:
                raise SegmentSyntaxError(self.rule, node.tag.column, "tags compare with = or !=")
            chosen = chosen.filter(_compare(chosen.value, node.op, node.value.value))
        result: ir.BooleanValue = self.wide.member_id.isin(chosen.member_id)
        return result


def check(rule: str) -> Node:
    """Parse and check a rule without running it (fields, operators and values)."""
    node = parse(rule)
    empty_wide = ibis.table({f.column: _IBIS_TYPES[f.type] for f in FIELDS.values()}
                            | {"member_id": "int64"}, name="wide")
    empty_tags = ibis.table({"member_id": "int64", "name": "string", "value": "string"},
                            name="tags")
    Compiler(rule, empty_wide, empty_tags).compile(node)
    return node


_IBIS_TYPES = {FieldType.TEXT: "string", FieldType.NUMBER: "float64",
               FieldType.BOOLEAN: "boolean"}


def compile_rule(rule: str, wide: ir.Table, tags: ir.Table) -> ir.BooleanValue:
    """The rule as a predicate on ``wide`` (raises SegmentSyntaxError when it is not valid)."""
    return Compiler(rule, wide, tags).compile(parse(rule))
