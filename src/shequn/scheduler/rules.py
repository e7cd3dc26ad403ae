"""Timeline rules (群SOP) and the slots they produce, in the group's time zone. Pure.

A rule posts at a local time, either

* by calendar — ``every = "day"``, ``"weekday"`` (Mon–Fri), ``"weekend"``, weekdays
  such as ``"mon,wed"``, or ``"month:15"`` (the 15th of each month); or
* by day offset since the group was created — ``day = 0`` is its first day.

Each firing is a *slot* named ``<rule id>@<local date>``: the name is the same
whoever computes it and whenever, which is what lets the store refuse a second
post for the same slot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOKAHEAD_DAYS = 62
"""How far ahead the next slot of a calendar rule is looked for (a month rule fits)."""
_EVERY = re.compile(r"^(day|weekday|weekend|month:([1-9]|[12][0-9]|3[01])|"
                    r"((mon|tue|wed|thu|fri|sat|sun)(,(mon|tue|wed|thu|fri|sat|sun))*))$")


class Rule(BaseModel):
    """One scheduled post: when (``at`` plus ``every`` or ``day``) and what (content or text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,39}$")]
    at: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                             description="Local time HH:MM")]
    every: str | None = None
    day: Annotated[int | None, Field(default=None, ge=0, le=3650)] = None
    content: Annotated[str | None, Field(default=None, max_length=64)] = None
    """Key of a content-library item."""
    text_zh: Annotated[str | None, Field(default=None, max_length=4000)] = None
    text_en: Annotated[str | None, Field(default=None, max_length=4000)] = None

    @field_validator("every")
    @classmethod
    def _every_is_known(cls, value: str | None) -> str | None:
        if value is not None and not _EVERY.match(value.strip().lower()):
            raise ValueError(f"every {value!r}: use day, weekday, weekend, mon,wed… or month:N")
        return value.strip().lower() if value else value

    @model_validator(mode="after")
    def _one_when_one_what(self) -> Rule:
        if (self.every is None) == (self.day is None):
            raise ValueError(f"rule {self.id}: give either 'every' or 'day', not both or neither")
        if not self.content and not self.text_zh and not self.text_en:
            raise ValueError(f"rule {self.id}: give 'content' or 'text_zh'/'text_en'")
        return self

    @property
    def local_time(self) -> time:
        """``at`` as a time of day."""
        return _time_of(self.at)

    def fires_on(self, day: date, created: date) -> bool:
        """True when the rule has a slot on local date ``day``."""
        if self.day is not None:
            return day == created + timedelta(days=self.day)
        every = self.every or ""
        weekday = WEEKDAYS[day.weekday()]
        if every == "day":
            return True
        if every == "weekday":
            return day.weekday() < 5
        if every == "weekend":
            return day.weekday() >= 5
        if every.startswith("month:"):
            return day.day == int(every.split(":")[1])
        return weekday in every.split(",")


def check_rules(rules: Sequence[Rule]) -> None:
    """Raise ValueError when two rules share an id (slot names would collide)."""
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"rule id {rule.id!r} is used twice")
        seen.add(rule.id)


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """One firing of a rule for a group."""

    due: datetime
    """UTC."""
    key: str
    rule: Rule
    local_day: date
    day_index: int
    """Days since the group's creation (0 on its first day)."""


@lru_cache(maxsize=1440)
def _time_of(at: str) -> time:
    hours, minutes = at.split(":")
    return time(int(hours), int(minutes))


def _due(day: date, rule: Rule, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, _time_of(rule.at), tzinfo=zone).astimezone(UTC)


def slots_between(rules: Sequence[Rule], *, created: datetime, zone: ZoneInfo,
                  after: datetime, until: datetime) -> list[Slot]:
    """Every slot due in ``(after, until]``, oldest first."""
    created_day = created.astimezone(zone).date()
    # A slot's local date lies between the window's local dates, whatever the offset.
    first = after.astimezone(zone).date()
    last = until.astimezone(zone).date()
    found: list[Slot] = []
    for day in _days(first, last):
        for rule in rules:
            if rule.fires_on(day, created_day):
                due = _due(day, rule, zone)
                if after < due <= until:
                    found.append(Slot(due, f"{rule.id}@{day.isoformat()}", rule, day,
                                      (day - created_day).days))
    found.sort(key=lambda s: (s.due, s.key))
    return found


def next_due(rules: Sequence[Rule], *, created: datetime, zone: ZoneInfo,
             after: datetime) -> datetime | None:
    """When the first slot after ``after`` falls, or None when the rules never fire again."""
    created_day = created.astimezone(zone).date()
    start = after.astimezone(zone).date()
    best: datetime | None = None
    for rule in rules:
        if rule.day is not None:
            due = _due(created_day + timedelta(days=rule.day), rule, zone)
            if due > after and (best is None or due < best):
                best = due
            continue
        for day in _days(start, start + timedelta(days=LOOKAHEAD_DAYS)):
            if rule.fires_on(day, created_day):
                due = _due(day, rule, zone)
                if due > after:
                    if best is None or due < best:
                        best = due
                    break
    return best


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
