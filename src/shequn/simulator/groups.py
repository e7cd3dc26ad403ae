"""Simulated groups: their language, topic, theme, name and lifecycle."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from shequn.domain.enums import GroupTheme
from shequn.simulator.config import SimulationConfig
from shequn.simulator.people import CITY_CUM, CITY_NAMES, pick_cum
from shequn.simulator.timeline import (
    DAY,
    LIFECYCLE_MIX,
    UTC_OFFSET_HOURS,
    Lifecycle,
    join_day_weights,
    onset_day,
)
from shequn.simulator.vocab import EN_GROUP_KINDS, TOPICS, ZH_GROUP_KINDS, Topic

_THEME_MIX = (
    (GroupTheme.MEMBERSHIP, 15), (GroupTheme.ACTIVITY, 15), (GroupTheme.FISSION, 15),
    (GroupTheme.LECTURE, 12), (GroupTheme.EXCHANGE, 28), (GroupTheme.PROMOTION, 15),
)


@dataclass(slots=True)
class Group:
    """One simulated group and the course it takes."""

    index: int
    gid: str
    name: str
    lang: str
    topic: Topic
    theme: GroupTheme
    lifecycle: Lifecycle
    onset: int
    city: str | None
    pull: float
    activity: float
    owner: int
    join_cum: list[float]
    draw_second: int
    memberships: list[int] = field(default_factory=list)
    """Memberships of members and staff (who may chat), in the order they were made."""


def staff_count(config: SimulationConfig) -> int:
    """How many staff accounts run the groups: one per five groups."""
    return min(config.members, max(1, math.ceil(config.groups / 5)))


def _languages(rng: random.Random, config: SimulationConfig) -> list[str]:
    count = config.groups
    zh = round(count * config.zh_share)
    if 0.0 < config.zh_share < 1.0 and count >= 2:
        zh = min(max(zh, 1), count - 1)
    langs = ["zh"] * zh + ["en"] * (count - zh)
    rng.shuffle(langs)
    return langs


def _lifecycles(rng: random.Random, count: int) -> list[Lifecycle]:
    kinds = [kind for kind, _ in LIFECYCLE_MIX]
    weights = [weight for _, weight in LIFECYCLE_MIX]
    # Every lifecycle appears once as soon as there are enough groups to show them all.
    chosen = kinds[:count] + rng.choices(kinds, weights, k=max(0, count - len(kinds)))
    rng.shuffle(chosen)
    return chosen


def _name(rng: random.Random, lang: str, topic: Topic, theme: GroupTheme, city: str | None) -> str:
    if lang == "zh":
        kind = rng.choice(ZH_GROUP_KINDS[theme.value])
        return f"{city or ''}{topic.zh}{kind}"
    kind = rng.choice(EN_GROUP_KINDS[theme.value])
    label = topic.en.title()
    return f"{city} {label} {kind}" if city else f"{label} {kind}"


def make_groups(rng: random.Random, config: SimulationConfig) -> list[Group]:
    """Create the groups of a simulation (deterministic for the rng's state)."""
    langs = _languages(rng, config)
    lifecycles = _lifecycles(rng, config.groups)
    themes = [theme for theme, _ in _THEME_MIX]
    theme_weights = [weight for _, weight in _THEME_MIX]
    staff = staff_count(config)
    seen: dict[str, int] = {}
    groups = []
    for index in range(config.groups):
        lang = langs[index]
        topic = rng.choice(TOPICS)
        theme = rng.choices(themes, theme_weights)[0]
        city = None
        if rng.random() < (0.6 if lang == "zh" else 0.4):
            city = CITY_NAMES[lang][pick_cum(rng, CITY_NAMES[lang], CITY_CUM[lang])]
        base = _name(rng, lang, topic, theme, city)
        seen[base] = seen.get(base, 0) + 1
        number = seen[base]
        if number > 1 or rng.random() < 0.4:
            base = f"{base}{number}" if lang == "zh" else f"{base} #{number}"
        lifecycle = lifecycles[index]
        onset = onset_day(rng, lifecycle, config.days)
        groups.append(
            Group(
                index=index, gid=f"g{index}", name=base, lang=lang, topic=topic, theme=theme,
                lifecycle=lifecycle, onset=onset, city=city,
                pull=rng.lognormvariate(0.0, 0.7), activity=rng.lognormvariate(-0.125, 0.5),
                owner=index % staff,
                join_cum=join_day_weights(lifecycle, onset, config.days),
                draw_second=((20 - UTC_OFFSET_HOURS[lang]) * 3600) % DAY,
            )
        )
    return groups
