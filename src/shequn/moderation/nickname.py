"""Nickname formats such as ``{city}-{nickname}-{type}``, checked on join and rename.

A format is literal text with ``{field}`` placeholders. Each field matches one
or more characters up to the next literal separator; a field may also be
limited to a list of allowed values (``type`` ∈ 学员/老师/家长). Names are
normalised first, so full-width separators ("深圳－小王－学员") are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shequn.moderation.normalize import fold

_PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
MAX_FIELD_CHARS = 24
"""Longest value one field may take (display names are short on every platform)."""


@dataclass(frozen=True, slots=True)
class NicknameResult:
    """Whether a name fits the format, the field values read, and what is wrong otherwise."""

    ok: bool
    fields: Mapping[str, str] = field(default_factory=dict)
    problem: str = ""


class NicknameFormat:
    """A compiled nickname format with optional allowed values per field."""

    def __init__(self, template: str, allowed: Mapping[str, Sequence[str]] | None = None) -> None:
        self.template = template
        self.allowed = {k: frozenset(fold(v) for v in vs) for k, vs in (allowed or {}).items()}
        self.fields: list[str] = []
        self._pattern = re.compile(self._compile(fold(template)))

    def _compile(self, template: str) -> str:
        parts = ["^"]
        position = 0
        matches = list(_PLACEHOLDER.finditer(template))
        if not matches:
            raise ValueError(f"nickname format {self.template!r} has no {{field}} placeholder")
        for index, match in enumerate(matches):
            parts.append(re.escape(template[position : match.start()]))
            name = match.group(1)
            if name in self.fields:
                raise ValueError(f"field {name!r} appears twice in {self.template!r}")
            self.fields.append(name)
            following = matches[index + 1].start() if index + 1 < len(matches) else len(template)
            separator = template[match.end() : following][:1]
            stop = re.escape(separator) if separator else ""
            body = f"[^{stop}]" if stop else "."
            parts.append(f"(?P<{name}>{body}{{1,{MAX_FIELD_CHARS}}}?)")
            position = match.end()
        parts.append(re.escape(template[position:]) + "$")
        return "".join(parts)

    def check(self, name: str | None) -> NicknameResult:
        """Read the fields of ``name`` or say why it does not fit."""
        if not name or not name.strip():
            return NicknameResult(False, problem="empty name")
        folded = fold(name[:256])
        match = self._pattern.match(folded)
        if match is None:
            return NicknameResult(False, problem=f"does not follow {self.template}")
        values = {k: v.strip() for k, v in match.groupdict().items()}
        for key, value in values.items():
            if not value:
                return NicknameResult(False, values, f"{key} is empty")
            allowed = self.allowed.get(key)
            if allowed and value not in allowed:
                return NicknameResult(False, values, f"{key} must be one of {sorted(allowed)}")
        return NicknameResult(True, values)
