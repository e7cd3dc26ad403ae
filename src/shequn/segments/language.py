"""The segment language: a small, readable rule language parsed with a real (LALR) parser.

    city = "深圳" and rfm in ("at_risk", "hibernating") and last_message_days > 30
    layer = "core" or (has_tag("pet:cat") and not lurker)
    tag("interest:pets") != "" and propensity >= 0.6

Grammar: ``or`` / ``and`` / ``not`` with parentheses over comparisons
``field OP value`` (OP is one of ``= != < <= > >=``), ``field [not] in (v, …)``,
``field is [not] null``, a bare boolean field, ``has_tag("name")`` and
``tag("name") OP "value"``. Keywords are case-insensitive; strings take double
or single quotes. :func:`parse` returns a tree of small dataclasses; every
error is a :class:`SegmentSyntaxError` naming the column where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from shequn.errors import InputError

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> negate
         | atom
?atom: "(" or_expr ")"
     | NAME OP value                 -> compare
     | NAME _IN choices                 -> member_of
     | NAME _NOT _IN choices            -> not_member_of
     | NAME _IS _NULL                -> is_null
     | NAME _IS _NOT _NULL           -> not_null
     | _HAS_TAG "(" STRING ")"       -> has_tag
     | _TAG "(" STRING ")" OP value  -> tag_compare
     | NAME                          -> flag
choices: "(" value ("," value)* ","? ")"
?value: STRING -> string
      | NUMBER -> number
      | _TRUE  -> true
      | _FALSE -> false

_OR.2: /or\b/i
_AND.2: /and\b/i
_NOT.2: /not\b/i
_IN.2: /in\b/i
_IS.2: /is\b/i
_NULL.2: /null\b/i
_TRUE.2: /true\b/i
_FALSE.2: /false\b/i
_HAS_TAG.2: /has_tag\b/i
_TAG.2: /tag\b/i
OP: "<=" | ">=" | "!=" | "<>" | "=" | "<" | ">"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
STRING: /"(?:[^"\\]|\\.)*"/ | /'(?:[^'\\]|\\.)*'/
NUMBER: /-?\d+(\.\d+)?/
%import common.WS
%ignore WS
"""


class SegmentSyntaxError(InputError):
    """A segment rule that cannot be parsed or checked; says where (1-based column) and why."""

    def __init__(self, rule: str, column: int, problem: str) -> None:
        self.rule = rule
        self.column = column
        self.problem = problem
        pointer = " " * (column - 1) + "^"
        super().__init__(f"segment rule error at column {column}: {problem}\n  {rule}\n  {pointer}")


@dataclass(frozen=True)
class Name:
    """A field name as written, with its position."""

    text: str
    column: int


@dataclass(frozen=True)
class Literal:
    """A constant: text, number or boolean."""

    value: str | int | float | bool
    column: int


@dataclass(frozen=True)
class Compare:
    """``field OP value``."""

    field: Name
    op: str
    value: Literal
    op_column: int = 0


@dataclass(frozen=True)
class MemberOf:
    """``field [not] in (values)``."""

    field: Name
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class IsNull:
    """``field is [not] null``."""

    field: Name
    negated: bool


@dataclass(frozen=True)
class Flag:
    """A bare boolean field: ``lurker``."""

    field: Name


@dataclass(frozen=True)
class HasTag:
    """``has_tag("name")`` or, with op and value, ``tag("name") OP "value"``."""

    tag: Literal
    op: str | None = None
    value: Literal | None = None


@dataclass(frozen=True)
class BoolOp:
    """``and`` / ``or`` of two or more parts."""

    op: str
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """``not part``."""

    part: Node


Node = Compare | MemberOf | IsNull | Flag | HasTag | BoolOp | Not


def _string(token: Token) -> Literal:
    body = str(token)[1:-1]
    quote = str(token)[0]
    text = body.replace("\\" + quote, quote).replace("\\\\", "\\")
    return Literal(text, token.column or 1)


class _Build(Transformer[Token, Node]):
    """Turns the parse tree into the dataclasses above."""

    def or_expr(self, parts: list[Node]) -> Node:
        return BoolOp("or", tuple(parts))

    def and_expr(self, parts: list[Node]) -> Node:
        return BoolOp("and", tuple(parts))

    def negate(self, parts: list[Node]) -> Node:
        return Not(parts[0])

    def string(self, items: list[Token]) -> Literal:
        return _string(items[0])

    def number(self, items: list[Token]) -> Literal:
        text = str(items[0])
        return Literal(float(text) if "." in text else int(text), items[0].column or 1)

    def true(self, items: list[Token]) -> Literal:
        return Literal(True, 0)

    def false(self, items: list[Token]) -> Literal:
        return Literal(False, 0)

    def choices(self, items: list[Literal]) -> tuple[Literal, ...]:
        return tuple(items)

    def compare(self, items: list[Any]) -> Node:
        name, op, value = items
        return Compare(_name(name), "!=" if str(op) == "<>" else str(op), value, op.column or 1)

    def member_of(self, items: list[Any]) -> Node:
        return MemberOf(_name(items[0]), items[1], negated=False)

    def not_member_of(self, items: list[Any]) -> Node:
        return MemberOf(_name(items[0]), items[1], negated=True)

    def is_null(self, items: list[Any]) -> Node:
        return IsNull(_name(items[0]), negated=False)

    def not_null(self, items: list[Any]) -> Node:
        return IsNull(_name(items[0]), negated=True)

    def flag(self, items: list[Any]) -> Node:
        return Flag(_name(items[0]))

    def has_tag(self, items: list[Any]) -> Node:
        return HasTag(_string(items[0]))

    def tag_compare(self, items: list[Any]) -> Node:
        tag, op, value = items
        return HasTag(_string(tag), "!=" if str(op) == "<>" else str(op), value)


def _name(token: Token) -> Name:
    return Name(str(token), token.column or 1)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)


_EXPECTED = {
    "NAME": "a field name", "OP": "an operator (= != < <= > >=)", "STRING": "a quoted text",
    "NUMBER": "a number", "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "_AND": "'and'",
    "_OR": "'or'", "_IN": "'in'", "_NULL": "'null'", "_NOT": "'not'", "_IS": "'is'",
    "_TRUE": "true", "_FALSE": "false", "_HAS_TAG": "has_tag(…)", "_TAG": "tag(…)",
}


def _expected(names: set[str]) -> str:
    described = sorted({_EXPECTED.get(name, name.lower()) for name in names})
    return ", ".join(described[:6]) if described else "something else"


def parse(rule: str) -> Node:
    """Parse a rule into its tree, or raise SegmentSyntaxError pointing at the problem."""
    if not rule.strip():
        raise SegmentSyntaxError(rule, 1, "the rule is empty")
    if "==" in rule:
        raise SegmentSyntaxError(rule, rule.index("==") + 1, "'==' is not an operator; use '='")
    try:
        tree = _parser().parse(rule)
    except UnexpectedCharacters as exc:
        raise SegmentSyntaxError(rule, exc.column,
                                 f"unexpected character {rule[exc.pos_in_stream or 0]!r}") from None
    except UnexpectedEOF as exc:
        raise SegmentSyntaxError(rule, len(rule) + 1, "the rule ends too early; expected "
                                 + _expected(set(exc.expected))) from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        expected = set(getattr(exc, "expected", ()) or ())
        if token is None or token.type == "$END":
            raise SegmentSyntaxError(rule, len(rule) + 1, "the rule ends too early; expected "
                                     + _expected(expected)) from None
        raise SegmentSyntaxError(rule, exc.column, f"unexpected {str(token)!r}; expected "
                                 + _expected(expected)) from None
    node: Node = _Build().transform(tree)
    return node
