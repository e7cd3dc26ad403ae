"""Interests from what members write: top terms (jieba for Chinese, a tokenizer for English).

Segmentation cannot be an SQL expression, so the texts of the last
``interest_days`` come out of the engine (selected and filtered there) and are
tokenised here. Each member gets ``top_terms`` (their five most used content
words) and one ``interest:<topic>`` tag per topic of the lexicon they mention at
least twice, valued with the topic words they used most.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from shequn.analytics.sources import DAY, Sources
from shequn.analytics.tagging import TAG_COLUMNS, said_texts

INTEREST_LEXICON: dict[str, tuple[str, ...]] = {
    "pets": ("猫", "狗", "猫粮", "狗粮", "猫砂", "铲屎官", "宠物", "逗猫棒", "cat", "cats",
             "kitten", "dog", "dogs", "puppy", "pet", "pets", "litter"),
    "parenting": ("宝宝", "奶粉", "尿不湿", "辅食", "早教", "育儿", "幼儿园", "绘本", "baby",
                  "toddler", "nappies", "formula", "parenting", "weaning"),
    "photography": ("摄影", "相机", "镜头", "光圈", "快门", "拍照", "后期", "调色", "camera",
                    "lens", "aperture", "photography", "photo", "photos", "tripod"),
    "fitness": ("健身", "减脂", "增肌", "深蹲", "蛋白粉", "卧推", "私教", "gym", "workout",
                "squats", "protein", "fitness"),
    "running": ("跑步", "马拉松", "半马", "配速", "跑鞋", "晨跑", "夜跑", "running", "marathon",
                "pace", "run"),
    "reading": ("读书", "书单", "小说", "电子书", "阅读", "读后感", "book", "books", "novel",
                "reading", "ebook"),
    "beauty": ("美妆", "口红", "粉底", "面膜", "护肤", "防晒", "眼影", "卸妆", "lipstick",
               "skincare", "makeup", "serum", "sunscreen", "foundation"),
    "coffee": ("咖啡", "手冲", "拿铁", "冷萃", "磨豆机", "拉花", "coffee", "latte", "espresso",
               "beans", "grinder"),
    "outdoor": ("户外", "徒步", "露营", "帐篷", "登山", "冲锋衣", "hiking", "camping", "tent",
                "trail"),
    "gadgets": ("数码", "手机", "耳机", "平板", "充电宝", "键盘", "phone", "earbuds", "tablet",
                "laptop", "keyboard"),
    "baking": ("烘焙", "烤箱", "面粉", "酵母", "黄油", "戚风", "baking", "oven", "sourdough",
               "flour", "yeast"),
    "coding": ("编程", "代码", "算法", "数据库", "前端", "python", "coding", "code",
               "algorithms", "database", "frontend"),
    "travel": ("旅行", "旅游", "机票", "酒店", "攻略", "travel", "trip", "flight", "hotel"),
}
"""Topic → the words that show it."""

MIN_MENTIONS = 2
"""Mentions of a topic's words needed for its interest tag."""

_STOP_WORDS = """
的 了 是 我 你 他 她 它 们 在 有 和 就 都 也 吗 呢 吧 啊 呀 哈 哈哈 这 那 个 一 不 没 很
还 要 会 能 去 来 说 看 想 好 又 把 被 给 让 跟 对 从 大家 我们 你们 什么 怎么 这个 那个
一下 可以 没有 现在 今天 明天 就是 还是 真的 觉得 知道 然后 因为 所以 但是 如果 已经 一个
the a an and or but of to in on at for with is are was were be been it its this that i you
he she we they my your our me him her them do does did have has had not no so if just very
too can will would should could what how when where who why all any some there here from
by as about up out get got like thanks thank hi hello yes ok okay
"""
_STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z][a-z'+#-]*|[\u4e00-\u9fff]+")
_NOISE = re.compile(r"@\S+|https?://\S+|www\.\S+")
_TERM_TOPIC = {term: topic for topic, terms in INTEREST_LEXICON.items() for term in terms}


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import jieba  # type: ignore[import-untyped]

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for term in _TERM_TOPIC:
        if not term.isascii():
            tokenizer.add_word(term, freq=50_000)
    return tokenizer


def terms(text: str) -> Iterator[str]:
    """Content words of a text: jieba segments Chinese, English is split into words."""
    # @-mentions and links name people and places, not what the writer cares about.
    text = _NOISE.sub(" ", text.lower())
    for token in _tokenizer().cut(text):
        token = token.strip()
        if not token or token in _STOP or not _WORD.fullmatch(token):
            continue
        if token.isascii() and len(token) < 3 and token not in _TERM_TOPIC:
            continue
        if not token.isascii() and len(token) < 2 and token not in _TERM_TOPIC:
            continue
        yield token


def interest_rows(texts: Iterable[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """(member_id, tag name, value) rows from (member_id, text) pairs."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for member_id, text in texts:
        counts[member_id].update(terms(text))
    rows: list[tuple[int, str, str]] = []
    for member_id, counter in counts.items():
        top = [term for term, _ in counter.most_common(5)]
        if top:
            rows.append((member_id, "top_terms", "|".join(top)[:256]))
        topics: dict[str, Counter[str]] = defaultdict(Counter)
        for term, count in counter.items():
            topic = _TERM_TOPIC.get(term)
            if topic is not None:
                topics[topic][term] += count
        for topic, used in sorted(topics.items()):
            if sum(used.values()) >= MIN_MENTIONS:
                words = "|".join(term for term, _ in used.most_common(3))
                rows.append((member_id, f"interest:{topic}", words[:256]))
    return rows


def interest_tags(src: Sources, as_of: int, days: int) -> pd.DataFrame:
    """Interest and top-term tags from the last ``days`` of messages and answers."""
    said = said_texts(src, as_of, since=as_of - days * DAY).select("member_id", "text")

    # One Arrow table, not batches: ibis 12's batch reader does not work with DuckDB 2.
    texts = src.backend.con.to_pyarrow(said)
    pairs = zip(texts.column("member_id").to_pylist(), texts.column("text").to_pylist(),
                strict=True)
    return pd.DataFrame(interest_rows(pairs), columns=list(TAG_COLUMNS))
