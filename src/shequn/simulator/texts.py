"""Chat templates and the pre-rendered banks of ordinary messages drawn from them.

Filling slots is slow next to picking from a list, so each (language, topic)
gets a bank of rendered variants once, and the generator only picks from it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from shequn.simulator.vocab import EMOJIS, EN_CITIES, ZH_CITIES, Topic

ZH: dict[str, tuple[str, ...]] = {
    "greeting_morning": (
        "早上好", "早安{emoji}", "大家早", "早上好呀，今天{city}好冷", "早～", "早安，打卡",
        "早上好，周末愉快{emoji}", "早！昨晚没睡好{emoji}", "大家早上好☀️",
    ),
    "greeting_night": (
        "晚安{emoji}", "大家晚安", "睡了睡了，晚安", "晚安，明天见", "今天就聊到这，晚安～",
    ),
    "intro": (
        "大家好，我是{city}的，{job}，请多关照{emoji}", "新人报到{emoji}",
        "大家好，刚进群，喜欢{noun}", "hello大家好，朋友推荐进来的",
        "大家好，{city}{job}一枚，以后多交流", "新人求带{emoji}",
    ),
    "question": (
        "有人知道{noun}怎么选吗？", "{city}有没有推荐的{noun}？", "请问{product}现在多少钱？",
        "新人求问，{noun}一般多久一次？", "{product}和别的比哪个好？", "大家{noun}都在哪买的？",
        "有没有用过{product}的，说说感受", "求推荐{noun}，预算{price}左右", "{noun}有什么坑吗？",
        "请问群里有{city}的吗？", "这个活动怎么参加呀？", "{noun}和{noun2}哪个更重要？",
    ),
    "answer": (
        "我一般用{product}，还不错", "可以试试{noun}，我家一直在用", "看个人吧，价格大概{price}",
        "群公告里有，翻一下", "我也遇到过，后来换了{noun}就好了", "别买贵的，{price}以内够用",
        "{city}这边线下店就有", "问问群主，他很懂{noun}", "我觉得{product}性价比最高{emoji}",
        "之前群里讨论过，{noun}最关键", "私下问了客服，说下周有活动",
    ),
    "chat": (
        "今天{noun}又涨价了", "刚下班，累死了{emoji}", "周末有人一起去{city}玩吗",
        "最近在研究{noun}{emoji}", "哈哈，我也是这么想的", "{noun}真的太难了",
        "终于搞定{noun}了{emoji}", "今天天气不错，适合{noun}", "分享一下今天的{noun}心得",
        "群里好热闹{emoji}", "刚看到群主发的，学到了", "这周一直在忙{noun}",
        "上次说的{noun}我试了，确实有用", "今天{city}下雨了", "还是老办法靠谱",
    ),
    "product": (
        "{product}到了，质量不错{emoji}", "上次买的{product}用完了，准备回购",
        "{product}这次活动价{price}，冲了", "有人拼单{product}吗", "{product}的赠品收到了吗",
        "群里买的{product}真的好用{emoji}", "{product}发货好快", "想买{product}，等活动",
    ),
    "reaction": (
        "哈哈哈哈", "+1", "同问", "{emoji}{emoji}", "太真实了", "收到", "谢谢群主{emoji}",
        "好的", "厉害了", "羡慕{emoji}", "学到了", "真不错", "哈哈", "对对对", "赞{emoji}",
    ),
    "thanks": ("谢谢！", "感谢分享{emoji}", "谢谢大家，懂了", "太有用了，谢谢{emoji}"),
}

EN: dict[str, tuple[str, ...]] = {
    "greeting_morning": (
        "Good morning all", "morning!", "Morning {emoji}", "gm everyone", "Morning from {city}",
        "Good morning, happy Friday {emoji}", "morning all, coffee first",
    ),
    "greeting_night": ("good night {emoji}", "night all", "Off to bed, see you tomorrow"),
    "intro": (
        "Hi all, {job} from {city} here {emoji}", "Hello! New here, love {noun}",
        "hey everyone, a friend invited me", "Hi! Just joined, into {noun} lately",
        "New member from {city}, nice to meet you all",
    ),
    "question": (
        "Does anyone know how to choose {noun}?", "Any {noun} recommendations in {city}?",
        "How much is the {product} now?", "Quick question: how often do you do {noun}?",
        "Has anyone tried the {product}?", "Where do you all buy {noun}?",
        "Budget around {price}, what would you get?", "Any pitfalls with {noun}?",
        "Anyone here from {city}?", "How do I join the event?", "{noun} or {noun2}, which first?",
    ),
    "answer": (
        "I use the {product}, it's decent", "Try {noun}, worked for me",
        "Depends, roughly {price}", "It's in the pinned message",
        "Same here, switching to {noun} fixed it",
        "Don't overspend, {price} is enough", "There's a shop in {city} that has it",
        "Ask the admin, they know {noun} well", "The {product} is the best value imo {emoji}",
    ),
    "chat": (
        "{noun} got pricier again", "Long day at work {emoji}", "Anyone up for a meetup in {city}?",
        "Been reading up on {noun} {emoji}", "haha same", "{noun} is so hard",
        "Finally sorted my {noun} {emoji}", "Nice weather for {noun} today",
        "Sharing my {noun} notes from this week", "This group is so active {emoji}",
        "Learned something from the admin's post", "Busy with {noun} all week",
        "Tried that {noun} tip, it works", "Raining in {city} again",
    ),
    "product": (
        "My {product} arrived, good quality {emoji}", "Ran out of the {product}, buying again",
        "{product} is {price} in the sale, got one", "Anyone want to split a {product} order?",
        "Did everyone get the free gift with the {product}?", "The {product} shipped so fast",
    ),
    "reaction": (
        "lol", "+1", "same question", "{emoji}{emoji}", "so true", "noted", "thanks admin {emoji}",
        "ok", "nice!", "jealous {emoji}", "TIL", "love it", "haha", "exactly", "great {emoji}",
    ),
    "thanks": (
        "thanks!", "thanks for sharing {emoji}", "got it, thanks all", "super helpful {emoji}",
    ),
}

STAFF_ZH: dict[str, tuple[str, ...]] = {
    "morning_post": (
        "【早安】今日话题：你最近在用的{noun}是什么？欢迎分享👇",
        "早上好各位！今天聊聊{noun}，有经验的朋友来说说～",
        "【每日一问】{noun}和{noun2}你们怎么选？",
    ),
    "lecture": (
        "今晚8点{topic}直播课：{noun}入门，记得准时来听～",
        "本周分享会主题：{noun}避坑指南，周四晚8点见",
    ),
    "promotion": (
        "今日秒杀：{product} 仅需 ¥{price}，点小程序下单👇",
        "群专属福利：{product} 第二件半价，今晚12点截止",
    ),
    "lottery": (
        "明晚8点群内抽奖🎁 奖品：{product}，记得准时参加！",
        "本周福利：抽3位送{product}，明晚开奖",
    ),
    "rules": (
        "群规提醒：禁止发广告、二维码和外链，违者踢出🙏",
        "温馨提示：改群昵称格式 城市-昵称，方便大家认识",
    ),
}
STAFF_EN: dict[str, tuple[str, ...]] = {
    "morning_post": (
        "Good morning! Today's topic: what {noun} are you using lately? 👇",
        "Question of the day: {noun} or {noun2}?",
    ),
    "lecture": (
        "Live session tonight at 8pm: intro to {noun}. See you there!",
        "This week's talk: common {noun} mistakes, Thursday 8pm",
    ),
    "promotion": (
        "Member deal today: {product} for just {price}, tap the card to order 👇",
        "Group-only offer: second {product} half price until midnight",
    ),
    "lottery": (
        "Giveaway tomorrow 8pm 🎁 Prize: {product}. Be here to win!",
        "This week we give away 3 x {product}, draw tomorrow night",
    ),
    "rules": (
        "Reminder: no ads, QR codes or outside links please, offenders get removed 🙏",
        "Tip: set your nickname as City-Name so we know each other",
    ),
}

CHAT_KINDS = ("intro", "question", "answer", "chat", "product", "reaction", "thanks")
"""Kinds of ordinary messages the bank holds besides greetings."""
STAFF_KINDS = ("morning_post", "lecture", "promotion", "lottery", "rules")
"""Kinds of posts the group staff make."""

_ZH_JOBS = ("宝妈", "程序员", "老师", "设计师", "上班族", "学生", "店主")
_EN_JOBS = ("teacher", "developer", "designer", "student", "nurse", "parent")
_VARIANTS = 160


@dataclass(frozen=True, slots=True)
class ChatBank:
    """Rendered messages for one language and topic, by kind."""

    lang: str
    topic: Topic
    by_kind: dict[str, tuple[str, ...]]
    link_shares: tuple[str, ...]


def _fill(rng: random.Random, template: str, lang: str, topic: Topic) -> str:
    nouns = topic.zh_nouns if lang == "zh" else topic.en_nouns
    products = topic.zh_products if lang == "zh" else topic.en_products
    name, price = rng.choice(products)
    cities = ZH_CITIES if lang == "zh" else EN_CITIES
    shown_price = f"{price}元" if lang == "zh" else f"${price}"
    emoji = rng.choice(EMOJIS) if rng.random() < 0.8 else ""
    text = template.format(
        noun=rng.choice(nouns), noun2=rng.choice(nouns), product=name, price=shown_price,
        city=rng.choice(cities)[0], emoji=emoji, topic=topic.zh if lang == "zh" else topic.en,
        job=rng.choice(_ZH_JOBS if lang == "zh" else _EN_JOBS),
    )
    return " ".join(text.split()) if lang == "en" else text.strip()


def _render(
    rng: random.Random, templates: dict[str, tuple[str, ...]], lang: str, topic: Topic
) -> dict[str, tuple[str, ...]]:
    by_kind: dict[str, tuple[str, ...]] = {}
    for kind, options in templates.items():
        # Slot-free templates gain nothing from many copies; keep the bank small there.
        count = _VARIANTS if any("{" in option for option in options) else len(options)
        by_kind[kind] = tuple(_fill(rng, rng.choice(options), lang, topic) for _ in range(count))
    return by_kind


def _link_shares(rng: random.Random, lang: str, topic: Topic) -> tuple[str, ...]:
    """Ordinary article and video links members share: the hard negatives for link rules."""
    hosts = (
        "https://mp.weixin.qq.com/s/", "https://www.bilibili.com/video/BV1",
        "https://www.xiaohongshu.com/explore/", "https://www.zhihu.com/question/",
    ) if lang == "zh" else (
        "https://www.youtube.com/watch?v=", "https://en.wikipedia.org/wiki/",
        "https://www.reddit.com/r/", "https://medium.com/@",
    )
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return tuple(
        rng.choice(hosts) + "".join(rng.choices(alphabet, k=10)) for _ in range(_VARIANTS)
    )


def build_chat_bank(rng: random.Random, lang: str, topic: Topic) -> ChatBank:
    """Render the ordinary-message bank of one language and topic."""
    return ChatBank(
        lang=lang, topic=topic, by_kind=_render(rng, ZH if lang == "zh" else EN, lang, topic),
        link_shares=_link_shares(rng, lang, topic),
    )


def build_staff_bank(rng: random.Random, lang: str, topic: Topic) -> dict[str, tuple[str, ...]]:
    """Render the posts group staff make, by kind."""
    return _render(rng, STAFF_ZH if lang == "zh" else STAFF_EN, lang, topic)
