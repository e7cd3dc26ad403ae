"""Rulebook validation and nickname formats."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shequn.moderation.nickname import NicknameFormat
from shequn.moderation.rulebook import Rulebook


def test_default_rulebook_round_trips_through_json() -> None:
    book = Rulebook(allowed_domains=["ourbrand.com"], dry_run=True)
    again = Rulebook.model_validate_json(book.model_dump_json())
    assert again == book
    assert again.categories["selling"] == "review"
    assert again.ladder.steps[0].action == "delete"


@pytest.mark.parametrize(
    "data",
    [
        {"categories": {"astrology": "act"}},
        {"classifier": {"act_at": 0.5, "review_at": 0.8}},
        {"flood": {"limit": 1}},
        {"keywords": [{"name": "a", "terms": ["x"]}, {"name": "a", "terms": ["y"]}]},
        {"keywords": [{"name": "bad name!", "terms": ["x"]}]},
        {"links": {"action": "sometimes"}},
        {"unknown_setting": True},
    ],
)
def test_bad_rulebooks_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Rulebook.model_validate(data)


FORMAT = NicknameFormat("{city}-{nickname}-{type}", {"type": ["学员", "老师", "家长"]})


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("深圳-小王-学员", {"city": "深圳", "nickname": "小王", "type": "学员"}),
        ("深圳－小王－学员", {"city": "深圳", "nickname": "小王", "type": "学员"}),  # full-width
        ("上海-王 小明-家长", {"city": "上海", "nickname": "王 小明", "type": "家长"}),
        ("北京-Alice-老师", {"city": "北京", "nickname": "alice", "type": "老师"}),
    ],
)
def test_names_that_follow_the_format(name: str, fields: dict[str, str]) -> None:
    result = FORMAT.check(name)
    assert result.ok and dict(result.fields) == fields


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("小王", "does not follow"),
        ("深圳--学员", "does not follow"),
        ("深圳-小王-路人", "type must be one of"),
        ("", "empty name"),
        ("   ", "empty name"),
    ],
)
def test_names_that_do_not(name: str, problem: str) -> None:
    result = FORMAT.check(name)
    assert not result.ok and problem in result.problem


@pytest.mark.parametrize("template", ["no placeholders", "{a}-{a}"])
def test_bad_templates_are_refused(template: str) -> None:
    with pytest.raises(ValueError):
        NicknameFormat(template)
