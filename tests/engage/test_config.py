"""Engagement settings refuse mistakes with the field that is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shequn.cli.engage import read_config_file
from shequn.engage.service import parse_config
from shequn.errors import ImportFileError, InputError

QUESTION = {"text": "why?", "options": [{"text": "a", "score": 1}, {"text": "b", "score": 2}]}


@pytest.mark.parametrize(("doc", "problem"), [
    ({"timezone": "Mars/Olympus"}, "timezone: Value error, unknown time zone 'Mars/Olympus'"),
    ({"welcome": {"template_zh": "欢迎 {nickanme}"}},
     "welcome.template_zh: unknown placeholder {nickanme}"),
    ({"welcome": {"template_en": "Hi {"}}, "welcome.template_en: malformed template"),
    ({"gate": {"enabled": True}}, "an enabled gate needs 'questions', a 'captcha' or both"),
    ({"gate": {"enabled": True, "questions": [QUESTION], "pass_mark": 5}},
     "pass_mark 5 is above the best possible score 2"),
    ({"gate": {"enabled": True, "captcha": {"kind": "question"}}},
     "a question captcha needs 'question' and at least one of 'answers'"),
    ({"gate": {"questions": [{"text": "x", "options": [{"text": "only"}]}]}},
     "gate.questions.0.options: List should have at least 2 items"),
    ({"faq": {"threshold": "high"}}, "faq.threshold: Input should be a valid number"),
    ({"fatigue": {"group_per_day": -1}}, "fatigue.group_per_day: Input should be greater"),
    ({"welcom": {}}, "welcom: Extra inputs are not permitted"),
])
def test_bad_settings_name_the_field(doc: dict[str, Any], problem: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_config(doc)
    assert problem in str(caught.value)


def test_an_empty_config_is_valid_with_safe_defaults() -> None:
    config = parse_config({})
    assert (config.gate.enabled, config.welcome.enabled, config.faq.enabled,
            config.experts.enabled) == (False, True, True, False)
    assert config.timezone == "Asia/Shanghai" and config.fatigue.group_per_day == 8


def test_a_template_may_use_the_groups_own_variables() -> None:
    config = parse_config({"variables": {"coupon": "WELCOME10"},
                           "welcome": {"template_zh": "{nickname} 新人券 {coupon}"}})
    assert config.variables == {"coupon": "WELCOME10"}


def test_a_config_file_error_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "g1.toml"
    path.write_text('language = "zh"\n\n[gate]\nenabled = true\ntimeout_minutes = 0\n'
                    '[[gate.questions]]\ntext = "来做什么？"\noptions = [{text="学习", score=1}, '
                    '{text="广告", score=-1}]\n', encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_config_file(path)
    assert (caught.value.line, caught.value.field) == (5, "gate.timeout_minutes")
    assert str(caught.value).startswith(f"{path}:5: field 'gate.timeout_minutes'")


def test_a_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('language = "zh"\n[welcome\n', encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        read_config_file(path)
    assert caught.value.line == 2 and caught.value.field == "(syntax)"
