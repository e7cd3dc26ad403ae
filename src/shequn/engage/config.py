"""A group's engagement settings: entry gate, welcome, FAQ, experts, fatigue, timeline.

Operators write it as TOML (``shequn engage set``) or JSON (``PUT
/api/v1/groups/{id}/engage``); it is validated here once, stored in ``engage_config``
with a version, and read by the handlers from the per-batch snapshot. Every field has a
safe default, so ``{}`` is a valid configuration (welcome and FAQ on, gate off).
"""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shequn.engage.faq.matcher import DEFAULT_THRESHOLD
from shequn.engage.templates import (
    DEFAULT_WELCOME_EN,
    DEFAULT_WELCOME_ZH,
    WELCOME_FIELDS,
    Language,
    TemplateError,
    check_template,
)

Short = Annotated[str, Field(min_length=1, max_length=500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GateOption(_Strict):
    """One answer to a questionnaire question and the points it earns."""

    text: Short
    score: Annotated[int, Field(ge=-100, le=100)] = 0


class GateQuestion(_Strict):
    """A questionnaire question: members reply with an option letter (A, B, …) or its text."""

    text: Short
    options: Annotated[list[GateOption], Field(min_length=2, max_length=8)]


class Captcha(_Strict):
    """Arithmetic (generated per joiner) or a question the operator writes with accepted answers.

    Button captchas are not offered: bots press buttons.
    """

    kind: Literal["arithmetic", "question"] = "arithmetic"
    question: Annotated[str | None, Field(default=None, max_length=500)] = None
    answers: Annotated[list[Short], Field(max_length=20)] = []
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 3

    @model_validator(mode="after")
    def _question_has_answers(self) -> Captcha:
        if self.kind == "question" and (not self.question or not self.answers):
            raise ValueError("a question captcha needs 'question' and at least one of 'answers'")
        return self


class GateConfig(_Strict):
    """Screening of newcomers: questionnaire with a pass mark and/or a captcha."""

    enabled: bool = False
    questions: Annotated[list[GateQuestion], Field(max_length=10)] = []
    pass_mark: Annotated[int, Field(ge=-1000, le=1000)] = 0
    captcha: Captcha | None = None
    timeout_minutes: Annotated[int, Field(ge=1, le=1440)] = 10
    channel: Literal["group", "dm"] = "group"
    """Where the questions are asked: in the group (mentioning the joiner) or by DM."""

    @model_validator(mode="after")
    def _has_a_step(self) -> GateConfig:
        if self.enabled and not self.questions and self.captcha is None:
            raise ValueError("an enabled gate needs 'questions', a 'captcha' or both")
        reachable = sum(max(o.score for o in q.options) for q in self.questions)
        if self.enabled and self.questions and self.pass_mark > reachable:
            raise ValueError(f"pass_mark {self.pass_mark} is above the best possible score "
                             f"{reachable}")
        return self


class WelcomeConfig(_Strict):
    """Greeting of new members; joins within ``merge_seconds`` share one message."""

    enabled: bool = True
    template_zh: Annotated[str, Field(min_length=1, max_length=2000)] = DEFAULT_WELCOME_ZH
    template_en: Annotated[str, Field(min_length=1, max_length=2000)] = DEFAULT_WELCOME_EN
    merge_seconds: Annotated[int, Field(ge=0, le=3600)] = 60
    rules: Annotated[str, Field(max_length=1000)] = ""
    activity: Annotated[str, Field(max_length=500)] = ""
    """Today's activity; ``activities`` by weekday (mon … sun) wins when it has the day."""
    activities: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                     Annotated[str, Field(max_length=500)]] = Field(default_factory=dict)


class FaqSettings(_Strict):
    """Automatic answers to questions members ask in the group."""

    enabled: bool = True
    threshold: Annotated[float, Field(ge=0.0, le=2.0)] = DEFAULT_THRESHOLD
    cooldown_minutes: Annotated[int, Field(ge=0, le=10_080)] = 30
    """The same entry is not answered again in the group within this time."""
    queue_unanswered: bool = True
    max_chars: Annotated[int, Field(ge=10, le=2000)] = 300
    """Longer messages are conversation, not questions."""


class ExpertSettings(_Strict):
    """Members tagged ``expert:<topic>`` are asked when a question waits too long."""

    enabled: bool = False
    wait_minutes: Annotated[int, Field(ge=1, le=1440)] = 10
    per_expert_per_day: Annotated[int, Field(ge=1, le=50)] = 3
    experts_per_question: Annotated[int, Field(ge=1, le=5)] = 1
    topics: dict[Annotated[str, Field(max_length=64)],
                 Annotated[list[Short], Field(max_length=50)]] = Field(default_factory=dict)
    """Extra keywords per topic, for questions no FAQ entry comes near."""


class FatigueSettings(_Strict):
    """Caps on what the bot sends unprompted."""

    group_per_day: Annotated[int, Field(ge=0, le=200)] = 8
    """Bot messages a group gets per local day; timeline posts, FAQ answers and expert calls
    beyond it are skipped (gate prompts and welcomes are never skipped, but count)."""
    dm_per_member_week: Annotated[int, Field(ge=0, le=100)] = 2


class EngageConfig(_Strict):
    """Everything the engagement handlers and the timeline need to know about one group."""

    language: Language = "both"
    timezone: Annotated[str, Field(max_length=64)] = "Asia/Shanghai"
    variables: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")],
                    Annotated[str, Field(max_length=500)]] = Field(default_factory=dict)
    gate: GateConfig = GateConfig()
    welcome: WelcomeConfig = WelcomeConfig()
    faq: FaqSettings = FaqSettings()
    experts: ExpertSettings = ExpertSettings()
    fatigue: FatigueSettings = FatigueSettings()
    timeline: Annotated[str | None, Field(default=None, max_length=128)] = None
    """Name of the timeline the group follows; none means its theme's default timeline."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Shanghai, UTC)") from exc
        return value

    @model_validator(mode="after")
    def _templates_use_known_fields(self) -> EngageConfig:
        allowed = WELCOME_FIELDS | set(self.variables)
        for name in ("template_zh", "template_en"):
            try:
                check_template(getattr(self.welcome, name), allowed)
            except TemplateError as exc:
                raise ValueError(f"welcome.{name}: {exc}") from exc
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The group's time zone."""
        return ZoneInfo(self.timezone)
