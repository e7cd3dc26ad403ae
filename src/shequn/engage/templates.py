"""Message templates with ``{placeholders}``, and the bot's own words in Chinese and English.

Operators write templates such as ``欢迎 {nickname} 加入 {group}！`` Placeholders are
checked when a template is saved (:func:`check_template`), so a typo is refused with
its name instead of reaching members as ``{nickanme}``. Rendering never fails: a value
that is missing at send time renders as an empty string.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Literal

Language = Literal["zh", "en", "both"]

WELCOME_FIELDS = frozenset({"nickname", "group", "positioning", "rules", "activity", "date",
                            "count"})
"""Placeholders a welcome template may use (plus the group's own variables)."""
ANSWER_FIELDS = frozenset({"nickname", "group", "date"})
"""Placeholders a FAQ answer may use (plus the group's and workspace's variables)."""
CONTENT_FIELDS = frozenset({"group", "positioning", "date", "weekday", "day"})
"""Placeholders a timeline post may use (plus variables)."""

DEFAULT_WELCOME_ZH = (
    "欢迎 {nickname} 加入「{group}」！🎉\n本群定位：{positioning}\n群规：{rules}\n"
    "今日活动：{activity}"
)
DEFAULT_WELCOME_EN = (
    "Welcome {nickname} to {group}! 🎉\nWhat this group is for: {positioning}\n"
    "Rules: {rules}\nToday: {activity}"
)


class TemplateError(ValueError):
    """A template uses a placeholder that does not exist, or is malformed."""


def fields_of(template: str) -> list[str]:
    """Placeholder names used by ``template`` (raises TemplateError when malformed)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(f"malformed template: {exc} (write {{{{ and }}}} for braces)") from exc
    names = []
    for _, name, _, _ in parsed:
        if name is None:
            continue
        if not name or not name.isidentifier():
            raise TemplateError(f"placeholder {{{name}}} is not a name")
        names.append(name)
    return names


def check_template(template: str, allowed: Iterable[str]) -> str:
    """``template`` when every placeholder is allowed; else raise naming the first bad one."""
    allowed = set(allowed)
    for name in fields_of(template):
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise TemplateError(f"unknown placeholder {{{name}}}; known: {known}")
    return template


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill the placeholders; missing values become empty, blank lines they leave are dropped."""
    text = string.Formatter().vformat(template, (), _Values(values))
    lines = [line for line in text.splitlines()
             if line.strip() and not line.rstrip().endswith(("：", ":"))]
    return "\n".join(lines)


def bilingual(zh: str, en: str, language: Language) -> str:
    """One message in the group's language, or both (Chinese first)."""
    if language == "zh":
        return zh
    if language == "en":
        return en
    return f"{zh}\n{en}" if zh != en else zh


def join_names(names: list[str], language: Literal["zh", "en"]) -> str:
    """``A、B 和 C`` / ``A, B and C``."""
    if len(names) <= 1:
        return "".join(names)
    if language == "zh":
        return "、".join(names[:-1]) + " 和 " + names[-1]
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- the bot's own words ----------------------------------------------------------------

GATE_INTRO = ("{nickname}，欢迎！入群前请先回答几个小问题（{minutes} 分钟内），直接回复即可。",
              "{nickname}, welcome! Please answer a few short questions within {minutes} "
              "minutes before you can chat — just reply here.")
GATE_CAPTCHA = ("验证：{question}（请回复答案）", "Check: {question} (reply with the answer)")
GATE_ARITHMETIC = ("{a} {op} {b} 等于多少？", "What is {a} {op} {b}?")
GATE_WRONG = ("答案不对，还可以再试 {left} 次。", "That's not right; {left} more tries.")
GATE_OPTION_HINT = ("请回复选项字母，例如 A。", "Please reply with the option letter, e.g. A.")
GATE_PASSED = ("验证通过，欢迎发言！", "You're in — welcome!")
GATE_FAILED = ("很遗憾，未通过入群验证。", "Sorry, you did not pass the entry check.")
GATE_TIMEOUT = ("入群验证已超时。", "The entry check timed out.")
GATE_REFUSED = ("该用户在黑名单中，已拒绝入群。", "Refused: this person is on the blocklist.")
EXPERT_CALL = ("{experts} 这个问题你可能知道，能帮忙解答吗？👉 {question}",
               "{experts} you may know this one — could you help? 👉 {question}")
OPERATOR_ANSWER = ("{nickname} 关于你的问题：{answer}", "{nickname} about your question: {answer}")
