"""Names and profile facts of simulated people, in Chinese and English."""

from __future__ import annotations

import random
from itertools import accumulate

from shequn.simulator.vocab import (
    AGE_BANDS,
    EN_CITIES,
    EN_FEMALE,
    EN_JOBS,
    EN_LAST,
    EN_MALE,
    SOURCE_CHANNELS,
    ZH_CITIES,
    ZH_GIVEN,
    ZH_JOBS,
    ZH_NICK_DECOR,
    ZH_NICK_ROLES,
    ZH_NICK_WORDS,
    ZH_SURNAMES,
    Topic,
)

FEMALE, MALE, UNKNOWN_GENDER = 0, 1, 2
GENDER_NAMES = ("female", "male", None)
"""Gender code to the profile value (None when not stated)."""

CITY_NAMES = {"zh": tuple(c for c, _ in ZH_CITIES), "en": tuple(c for c, _ in EN_CITIES)}
"""City names by language; members store an index into these."""
CITY_CUM = {
    "zh": tuple(accumulate(w for _, w in ZH_CITIES)),
    "en": tuple(accumulate(w for _, w in EN_CITIES)),
}
JOB_NAMES = {"zh": tuple(j for j, _ in ZH_JOBS), "en": tuple(j for j, _ in EN_JOBS)}
"""Job names by language; members store an index into these."""
JOB_CUM = {
    "zh": tuple(accumulate(w for _, w in ZH_JOBS)),
    "en": tuple(accumulate(w for _, w in EN_JOBS)),
}
AGE_NAMES = tuple(a for a, _ in AGE_BANDS)
AGE_CUM = tuple(accumulate(w for _, w in AGE_BANDS))
SOURCE_NAMES = tuple(s for s, _ in SOURCE_CHANNELS)
"""Acquisition channel names; members store an index into these."""
SOURCE_CUM = tuple(accumulate(w for _, w in SOURCE_CHANNELS))
REFERRAL_SOURCE = SOURCE_NAMES.index("referral")
ORGANIC_SOURCE = SOURCE_NAMES.index("organic")

_ZH_SPAM_NAMES = (
    "兼职招聘", "福利姐姐", "财富自由", "理财顾问-李", "😘甜甜", "招代理", "专业贷款", "小美客服",
    "优惠券发放员", "💰日结",
)
_EN_SPAM_NAMES = (
    "Crypto Mentor Anna", "Sarah | Forex", "Jobs Daily", "Lucky Winner Desk", "Support Team",
    "Hot Deals 24/7", "Investment Coach", "Emma 💋",
)
_STAFF_ZH = ("{topic}小助手", "群主-{name}", "{topic}运营-{name}", "客服{name}")
_STAFF_EN = ("{topic} Admin", "Host {name}", "{name} (team)", "{topic} Support")


def pick_cum(rng: random.Random, names: tuple[str, ...], cum: tuple[int, ...]) -> int:
    """Index of a weighted choice, given cumulative weights."""
    point = rng.random() * cum[-1]
    low, high = 0, len(cum) - 1
    while low < high:
        mid = (low + high) // 2
        if cum[mid] <= point:
            low = mid + 1
        else:
            high = mid
    return low


def zh_name(rng: random.Random, gender: int) -> str:
    """A Chinese display name: a real name, a 小/阿 nickname or a net name."""
    style = rng.random()
    if style < 0.35:
        return rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN)
    if style < 0.55:
        return rng.choice(("小", "阿", "老")) + rng.choice(ZH_SURNAMES)
    if style < 0.65:
        role = rng.choice(ZH_NICK_ROLES) if gender == FEMALE else ""
        return rng.choice(EN_FEMALE if gender == FEMALE else EN_MALE) + role
    return rng.choice(ZH_NICK_WORDS) + rng.choice(ZH_NICK_DECOR)


def en_name(rng: random.Random, gender: int) -> str:
    """An English display name in one of the usual shapes."""
    first = rng.choice(EN_FEMALE if gender == FEMALE else EN_MALE)
    last = rng.choice(EN_LAST)
    style = rng.random()
    if style < 0.4:
        return f"{first} {last}"
    if style < 0.65:
        return first
    if style < 0.8:
        return f"{first} {last[0]}."
    return f"{first.lower()}_{last.lower()}{rng.randint(1, 99)}"


def person_name(rng: random.Random, lang: str, gender: int) -> str:
    """A display name in the member's language."""
    return zh_name(rng, gender) if lang == "zh" else en_name(rng, gender)


def spammer_name(rng: random.Random, lang: str) -> str:
    """A spammer's display name: often a tell, sometimes a borrowed ordinary name."""
    if rng.random() < 0.5:
        return person_name(rng, lang, FEMALE)
    return rng.choice(_ZH_SPAM_NAMES if lang == "zh" else _EN_SPAM_NAMES)


def throwaway_name(rng: random.Random, lang: str, serial: int) -> str:
    """Names of bulk-made accounts: numbered, alike, or empty-looking."""
    form = rng.randrange(3)
    if form == 0:
        return (f"用户{serial:07d}" if lang == "zh" else f"user{serial:07d}")
    if form == 1:
        return f"{rng.choice('abcdefghkmnpqrstwxyz')}{rng.randint(100_000, 999_999)}"
    return person_name(rng, lang, rng.randrange(2))


def staff_name(rng: random.Random, lang: str, topic: Topic) -> str:
    """A display name for a group's owner or assistant account."""
    first = person_name(rng, lang, rng.randrange(2)).split(" ")[0]
    template = rng.choice(_STAFF_ZH if lang == "zh" else _STAFF_EN)
    label = topic.zh if lang == "zh" else topic.en.title()
    return template.format(topic=label, name=first)


def renamed(rng: random.Random, lang: str, city: str, name: str, topic: Topic) -> str:
    """The name a member takes to follow the group's nickname format (city-name-type)."""
    if lang == "zh":
        return rng.choice((f"{city}-{name}", f"{city}-{name}-{topic.zh}", f"{name}（{city}）"))
    return rng.choice((f"{name} | {city}", f"{city}-{name}", f"{name} ({topic.en})"))


def age_band(rng: random.Random) -> str:
    """An age band, weighted like a consumer community."""
    return AGE_NAMES[pick_cum(rng, AGE_NAMES, AGE_CUM)]


def phone_of(member: int, seed: int) -> str:
    """The member's made-up mobile number; distinct members get distinct numbers."""
    # 48271 is coprime to 10**9, so the map member -> digits is one-to-one.
    return f"1{3 + member % 7}{(member * 48271 + seed) % 10**9:09d}"


def email_of(member: int) -> str:
    """The member's made-up e-mail address on a reserved example domain."""
    return f"member{member}@example.com"
