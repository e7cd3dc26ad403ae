"""Spam campaigns in the forms operators see: links, disguised handles, QR codes, cards.

A campaign is one advertiser's message, posted by its spammers into many
groups with small variations, so the same ad turns up across groups.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from shequn.simulator.disguise import en_contact, handle_id, zh_contact
from shequn.simulator.labels import Category
from shequn.simulator.vocab import EMOJIS, EN_CITIES, ZH_CITIES

_SYLLABLES = (
    "jia", "xin", "fu", "li", "hao", "wan", "da", "bao", "vip", "win", "go", "cash", "ying",
    "cai", "lucky", "top", "king", "fa", "mei", "88", "66", "168", "sun", "jin",
)
_TLDS = (".top", ".xyz", ".cc", ".vip", ".icu", ".club", ".com", ".net", ".shop", ".live")
_ZH_TLD_WORDS = {".com": "点com", ".top": "点top", ".cc": "点cc", ".vip": "点vip"}

_ZH_TEMPLATES: dict[Category, tuple[str, ...]] = {
    Category.LINK_AD: (
        "兼职日结{amt}元，在家手机就能做，详情点 {link}",
        "【内部福利】大牌一折抢购 {link} 手慢无",
        "免费领取试用装，点击 {link} 填写地址即可",
        "新人注册送{amt}元红包 {link}",
        "刷单返利，一单一结，{link}",
        "高清资源免费看 {link}",
    ),
    Category.CONTACT_HANDLE: (
        "招聘宝妈兼职，一天{amt}，{handle}",
        "代购大牌包包，需要的{handle}",
        "想赚钱的私聊我或者{handle}",
        "想了解的加我 {handle} 备注群名",
        "低价出{city}演唱会门票，{handle}",
        "专业代写代考，{handle}",
    ),
    Category.GAMBLING: (
        "百家乐 真人娱乐 首充送{amt}%，{handle}",
        "体育投注 日赚千元 {link}",
        "时时彩计划 稳赚不赔 进群 {handle}",
        "棋牌游戏 上分下分秒到账 {link}",
    ),
    Category.LOAN: (
        "无抵押贷款 当天下款 征信不看 {handle}",
        "急用钱？身份证就能借，最高{amt}万 {link}",
        "信用卡代还 套现 秒到 {handle}",
        "网贷逾期？帮你协商停息挂账 {handle}",
    ),
    Category.PORN: (
        "同城交友 寂寞私聊 {link}",
        "看主页有惊喜😘 {handle}",
        "附近的人 免费看 {link}",
    ),
    Category.INVESTMENT: (
        "USDT搬砖 日收益5% 带单 {handle}",
        "币圈大佬免费带单，稳赚不亏 {link}",
        "股票内部消息，明天涨停，{handle}",
        "跟单老师一个月翻倍，名额有限 {handle}",
    ),
}
_EN_TEMPLATES: dict[Category, tuple[str, ...]] = {
    Category.LINK_AD: (
        "Work from home, earn ${amt}/day! Sign up: {link}",
        "Free gift cards for the first 100 people {link}",
        "Claim your reward now 👉 {link}",
        "Brand bags 90% off today only {link}",
    ),
    Category.CONTACT_HANDLE: (
        "Hiring part-time, ${amt}/day, contact {handle}",
        "Selling concert tickets in {city} cheap, {handle}",
        "Want to earn from your phone? {handle}",
        "Essay writing service, fast and cheap, {handle}",
    ),
    Category.GAMBLING: (
        "Online casino {amt}% bonus on first deposit {link}",
        "Sure-win football tips, join {handle}",
        "Spin and win real cash tonight {link}",
    ),
    Category.LOAN: (
        "Instant loan, no credit check, cash today {link}",
        "Need money fast? Up to ${amt}k, DM {handle}",
        "Debt trouble? We clear it in 24h {handle}",
    ),
    Category.PORN: (
        "Hot singles in {city} want to meet you {link}",
        "lonely tonight? check my profile 😘 {handle}",
    ),
    Category.INVESTMENT: (
        "Crypto signals 95% accuracy, join {link}",
        "I made ${amt} last week with this trading bot {link}",
        "Forex mentor taking 5 new students, {handle}",
    ),
}
_QR_CAPTIONS = {
    "zh": ("", "", "扫码进群领福利", "扫码了解", "长按识别二维码", "看图👆", "加我领资料"),
    "en": ("", "", "Scan to join", "scan for a free gift", "see pic 👆"),
}
_MINI_PROGRAM_TEXTS = {
    "zh": ("帮我砍一刀，谢谢🙏", "拼团还差1人，点进来帮忙", "限时0元领，点这里", "帮忙助力一下~"),
    "en": ("Help me get it free, tap 👇", "One more person needed for the group deal!"),
}
LINK_CATEGORIES = (
    Category.LINK_AD, Category.CONTACT_HANDLE, Category.GAMBLING, Category.LOAN,
    Category.PORN, Category.INVESTMENT,
)
"""Campaign categories carried by text (links or handles) rather than media."""


@dataclass(frozen=True, slots=True)
class SpamVariant:
    """One posted form of a campaign's ad."""

    text: str
    links: tuple[str, ...]
    media: str
    media_ref: str | None
    qr_codes: tuple[str, ...] = ()
    """Payloads of the QR codes in the image, as a connector would have decoded them."""


@dataclass(frozen=True, slots=True)
class Campaign:
    """One advertiser's ad, in the few variants its spammers post everywhere."""

    key: int
    category: Category
    lang: str
    variants: tuple[SpamVariant, ...]


def _domain(rng: random.Random) -> tuple[str, str]:
    name = "".join(rng.choices(_SYLLABLES, k=rng.randint(1, 3)))
    tld = rng.choice(_TLDS)
    return name, tld


def _link(rng: random.Random, lang: str) -> tuple[str, tuple[str, ...]]:
    """A link as written in the ad, and what the platform would extract as links."""
    name, tld = _domain(rng)
    path = handle_id(rng)
    form = rng.randrange(6)
    if form <= 1:
        url = f"{'https' if form == 0 else 'http'}://{name}{tld}/{path}"
        return url, (url,)
    if form == 2:
        bare = f"www.{name}{tld}"
        return bare, (bare,)
    if form == 3:
        url = f"https://t.me/{path}" if lang == "en" or rng.random() < 0.5 else f"{name}{tld}"
        return url, (url,)
    if form == 4 and lang == "zh":
        # Spelled-out dots defeat link detection: no links are extracted.
        return f"{name}{_ZH_TLD_WORDS.get(tld, '点com')}", ()
    return f"{name} . {tld.lstrip('.')}", ()


def _fill(rng: random.Random, template: str, lang: str) -> tuple[str, tuple[str, ...]]:
    link, links = _link(rng, lang) if "{link}" in template else ("", ())
    handle = ""
    if "{handle}" in template:
        handle = zh_contact(rng) if lang == "zh" else en_contact(rng)
    city = rng.choice(ZH_CITIES if lang == "zh" else EN_CITIES)[0]
    amount = rng.choice((88, 100, 200, 300, 500, 800, 1000, 3000))
    text = template.format(link=link, handle=handle, city=city, amt=amount)
    return text, links


def _mutate(rng: random.Random, text: str) -> str:
    """Small edits spammers make so exact-duplicate checks miss the repost."""
    form = rng.randrange(4)
    if form == 0:
        return text + rng.choice(EMOJIS)
    if form == 1:
        return rng.choice(("🔥", "【推荐】", "‼️", "👉", "[AD] ")) + text
    if form == 2:
        return text.replace("，", " ", 1).replace(", ", " ", 1)
    return text


def _qr_payload(rng: random.Random) -> str:
    """Where a spam QR code leads: a WeChat contact or group, or the advertiser's site."""
    form = rng.randrange(3)
    if form == 0:
        return f"https://u.wechat.com/{handle_id(rng)}"
    if form == 1:
        return f"https://weixin.qq.com/g/{handle_id(rng)}"
    name, tld = _domain(rng)
    return f"https://{name}{tld}/{handle_id(rng)}"


def make_campaign(rng: random.Random, key: int, category: Category, lang: str) -> Campaign:
    """Build one campaign of a category and language."""
    variants: list[SpamVariant] = []
    count = rng.randint(1, 4)
    if category is Category.QR_IMAGE:
        # One destination per advertiser, on every poster variant. Drawn from a copy of
        # the generator so that adding payloads left every other simulated event as it was.
        peek = random.Random()
        peek.setstate(rng.getstate())
        payload = _qr_payload(peek)
        for v in range(count):
            text = rng.choice(_QR_CAPTIONS[lang])
            variants.append(SpamVariant(text, (), "image", f"sim://qr/c{key}-{v}.png",
                                        (payload,)))
    elif category is Category.MINI_PROGRAM:
        app = rng.choice(("pdd", "tb", "jd", "mt", "shop"))
        for v in range(count):
            text = rng.choice(_MINI_PROGRAM_TEXTS[lang])
            variants.append(SpamVariant(text, (), "mini_program", f"sim://mp/{app}/c{key}-{v}"))
    else:
        templates = (_ZH_TEMPLATES if lang == "zh" else _EN_TEMPLATES)[category]
        text, links = _fill(rng, rng.choice(templates), lang)
        variants.append(SpamVariant(text, links, "none", None))
        for _ in range(count - 1):
            variants.append(SpamVariant(_mutate(rng, text), links, "none", None))
    return Campaign(key=key, category=category, lang=lang, variants=tuple(variants))


CAMPAIGN_MIX = (
    (Category.LINK_AD, 20), (Category.CONTACT_HANDLE, 22), (Category.QR_IMAGE, 14),
    (Category.MINI_PROGRAM, 8), (Category.GAMBLING, 10), (Category.LOAN, 10),
    (Category.PORN, 6), (Category.INVESTMENT, 10),
)
"""Share of campaigns by category."""


def make_campaigns(rng: random.Random, count: int, zh_share: float) -> tuple[Campaign, ...]:
    """Build ``count`` campaigns; every category appears once before any repeats."""
    categories = [category for category, _ in CAMPAIGN_MIX]
    weights = [weight for _, weight in CAMPAIGN_MIX]
    campaigns = []
    kinds = len(categories)
    for key in range(count):
        if key < 2 * kinds:
            # Every category, in both languages when both are spoken, so small runs cover all.
            category = categories[key % kinds]
            both = 0.0 < zh_share < 1.0
            lang = ("zh" if key < kinds else "en") if both else ("zh" if zh_share else "en")
        else:
            category = rng.choices(categories, weights)[0]
            lang = "zh" if rng.random() < zh_share else "en"
        campaigns.append(make_campaign(rng, key, category, lang))
    return tuple(campaigns)


FLOOD_TEXTS = {
    "zh": (
        "888888", "接接接", "顶顶顶", "哈哈哈哈哈哈哈", "🧧🧧🧧", "抢抢抢", "1", "来了来了",
        "冲冲冲",
    ),
    "en": ("lol", "!!!!!", "🚀🚀🚀", "up", "gogogo", "first", "hahaha"),
}
"""What over-excited members repeat many times in a few seconds."""
