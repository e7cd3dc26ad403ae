"""What an operator writes for a FAQ entry, validated; and FAQ files (TOML) read into it.

A FAQ file holds ``[[faq]]`` tables (see ``benchmarks/data/faq_entries.toml``) and,
optionally, an ``ignore`` list of out-of-scope questions the bot should leave alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shequn.engage.faq.matcher import KeywordRule, MatchEntry
from shequn.engage.files import load_document, locate, validate
from shequn.errors import ImportFileError

Text = Annotated[str, Field(min_length=1, max_length=500)]


class KeywordSpec(BaseModel):
    """A keyword rule: ``contains`` (default), ``exact`` (the whole message) or ``regex``."""

    model_config = ConfigDict(extra="forbid")

    pattern: Annotated[str, Field(min_length=1, max_length=200)]
    mode: Literal["contains", "exact", "regex"] = "contains"

    @model_validator(mode="after")
    def _regex_compiles(self) -> KeywordSpec:
        if self.mode == "regex":
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc
        return self

    def rule(self) -> KeywordRule:
        """The matcher's compiled rule."""
        return KeywordRule.build(self.pattern, self.mode)


class FaqEntrySpec(BaseModel):
    """One FAQ entry: question, answers (Chinese and/or English), keywords, examples."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str | None, Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,63}$",
                                     description="Stable name, unique in the workspace")] = None
    question: Text
    answer_zh: Annotated[str | None, Field(min_length=1, max_length=4000)] = None
    answer_en: Annotated[str | None, Field(min_length=1, max_length=4000)] = None
    keywords: Annotated[list[KeywordSpec], Field(max_length=50)] = []
    examples: Annotated[list[Text], Field(max_length=200)] = []
    topic: Annotated[str | None, Field(max_length=64,
                                       description="Expert topic questions route to")] = None
    group_ids: Annotated[list[int] | None, Field(
        description="Groups it answers in (stored ids); empty means all")] = None
    enabled: bool = True

    @field_validator("keywords", mode="before")
    @classmethod
    def _plain_strings(cls, value: Any) -> Any:
        # A bare string is the common case: "退款" means contains "退款".
        if isinstance(value, list):
            return [{"pattern": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _has_answer(self) -> FaqEntrySpec:
        if not self.answer_zh and not self.answer_en:
            raise ValueError("give answer_zh, answer_en or both")
        return self

    def match_entry(self, entry_id: int) -> MatchEntry:
        """What the matcher needs of this entry."""
        return MatchEntry(
            id=entry_id, question=self.question, examples=tuple(self.examples),
            keywords=tuple(k.rule() for k in self.keywords), topic=self.topic,
            group_ids=frozenset(self.group_ids) if self.group_ids else None,
        )


class FaqFile(BaseModel):
    """A FAQ file: entries and out-of-scope questions."""

    model_config = ConfigDict(extra="forbid")

    faq: Annotated[list[FaqEntrySpec], Field(max_length=5000)] = []
    ignore: Annotated[list[Text], Field(max_length=5000)] = []


def read_faq_file(path: Path) -> FaqFile:
    """Read and validate a FAQ file; a problem raises ImportFileError with file, line, field."""
    data, text = load_document(path)
    faq_file = validate(FaqFile, data, path=path, text=text)
    seen: dict[str, int] = {}
    for index, entry in enumerate(faq_file.faq):
        if entry.key is None:
            continue
        if entry.key in seen:
            raise ImportFileError(str(path), locate(text, ["faq", index, "key"]),
                                  f"faq[{index}].key",
                                  f"duplicate key {entry.key!r} (also faq[{seen[entry.key]}])")
        seen[entry.key] = index
    return faq_file
