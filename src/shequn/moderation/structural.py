"""Checks on what a message carries: links, shared cards and mass mentions.

Links are found both in the connector's ``links`` list and in the text, where
spammers hide them: "ａｈ３９．ｃｏｍ", "abc点com", "abc。com", "abc [.] com".
A bare ``name.tld`` counts only for a known top-level domain, so "v1.2",
"file.txt" and "3.5" are never links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shequn.domain.enums import MediaKind
from shequn.domain.events import Message
from shequn.moderation.context import CheckContext
from shequn.moderation.verdict import Check, Verdict

_TLD_NAMES = (
    "com net org cn io me cc co tv top xyz vip app info biz ly gg pm ru us uk hk tw jp kr "
    "site club shop online link live fun store tech pro icu ink win bet casino games work "
    "wang ltd cloud asia mobi name one world today life plus red love sex porn xxx tk ml ga "
    "cf gq la ws to su ph my sg th vn id in de fr nl eu"
)
TLDS: frozenset[str] = frozenset(_TLD_NAMES.split())
"""Top-level domains a bare ``name.tld`` in the text must end with to count as a link."""

_DOT_DISGUISE = re.compile(
    r"\s?(?:\[\.\]|\(\.\)|（\.）|【\.】|。|点|點|\[dot\]|\(dot\)| dot )\s?"
    # "168jia . com": a space before the dot never happens in prose, so it is a disguise.
    r"|(?<=[a-z0-9])\s+\.\s*(?=[a-z]{2,8}\b)"
)
_URL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'，。]+"
    r"|(?<![a-z0-9_@.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+(?P<tld>[a-z]{2,8})"
    r"(?![a-z0-9\-])(?:[:/][^\s<>\"'，。]*)?"
)
_DOT_LETTER = re.compile(r"\.[a-z]")
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.\-]*://)?(?:[^@/\s]*@)?(?P<host>[^/:?#\s]+)")
_MENTION = re.compile(r"(?<![\w.])@[^\s@]{1,32}")
_MENTION_ALL = re.compile(r"@(?:all|everyone|here|所有人|全体成员)(?!\w)")

TRUSTED_DOMAINS: tuple[str, ...] = (
    "mp.weixin.qq.com",
    "bilibili.com",
    "b23.tv",
    "zhihu.com",
    "xiaohongshu.com",
    "xhslink.com",
    "weibo.com",
    "douyin.com",
    "douban.com",
    "baike.baidu.com",
    "github.com",
    "wikipedia.org",
    "youtube.com",
    "youtu.be",
    "medium.com",
    "stackoverflow.com",
    "apple.com",
    "microsoft.com",
)
"""Mainstream content sites: members past their first messages may share links to them."""

SHARE_KINDS: frozenset[MediaKind] = frozenset(
    {MediaKind.MINI_PROGRAM, MediaKind.CONTACT_CARD, MediaKind.LINK_CARD, MediaKind.ARTICLE}
)
"""Media kinds that carry members off to something else (cards, mini-programs, articles)."""


def host_of(url: str) -> str:
    """The lower-case host name of a URL or bare domain ('' when there is none)."""
    match = _HOST.match(url.strip().casefold())
    return match.group("host").rstrip(".") if match else ""


def domain_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Whether ``host`` is one of ``allowed`` or a subdomain of one."""
    return any(host == d or host.endswith("." + d) for d in allowed)


def find_links(text: str) -> list[str]:
    """URLs and bare domains in a normalised text, dot disguises undone."""
    if "." not in text and "点" not in text and "點" not in text and "。" not in text:
        return []
    view = _DOT_DISGUISE.sub(".", text)
    # A URL needs "://", "www." or a dot before a letter; prose rarely has any, and
    # this cheap scan spares the URL pattern, which tries every position.
    if "://" not in view and "www." not in view and not _DOT_LETTER.search(view):
        return []
    found = []
    for match in _URL.finditer(view):
        tld = match.group("tld")
        if tld is None or tld in TLDS:
            found.append(match.group(0).rstrip(".,;:!?)]）】"))
    return found


_NO_LINKS = Verdict("link", False, "0 link(s), none foreign")
_NO_MENTIONS = Verdict("mass_mention", False, "0 mention(s)")
_OTHER_MEDIA = {kind: Verdict("share", False, f"media is {kind.value}") for kind in MediaKind}


class LinkCheck(Check):
    """Matches links to domains outside the group's allow-list."""

    name = "link"

    def __init__(
        self,
        allowed_domains: Iterable[str] = (),
        trusted_domains: Iterable[str] = (),
        newcomer_messages: int = 0,
    ) -> None:
        self.allowed = tuple(d.casefold().lstrip(".") for d in allowed_domains)
        self.trusted = tuple(d.casefold().lstrip(".") for d in trusted_domains)
        self.newcomer_messages = newcomer_messages

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Collect links from the message's link list and its text; keep the foreign ones."""
        links = [*message.links[:50], *find_links(ctx.norm.text)]
        if not links:
            return _NO_LINKS
        # Established members may share mainstream sites; newcomers may not.
        established = ctx.prior_messages >= self.newcomer_messages
        allowed = self.allowed + self.trusted if established else self.allowed
        foreign = []
        for link in links:
            host = host_of(link)
            if host and not domain_allowed(host, allowed) and host not in foreign:
                foreign.append(host)
        if not foreign:
            return Verdict(self.name, False, f"{len(links)} link(s), none foreign")
        return Verdict(
            self.name,
            True,
            f"{len(foreign)} link(s) outside the allow-list",
            evidence=tuple(foreign),
        )


class ShareCheck(Check):
    """Matches shared mini-programs, contact cards, link cards and articles."""

    name = "share"

    def __init__(
        self,
        kinds: Iterable[MediaKind] = SHARE_KINDS,
        allowed_domains: Iterable[str] = (),
        trusted_domains: Iterable[str] = (),
        newcomer_messages: int = 0,
    ) -> None:
        self.kinds = frozenset(kinds)
        self.allowed = tuple(d.casefold().lstrip(".") for d in allowed_domains)
        self.trusted = tuple(d.casefold().lstrip(".") for d in trusted_domains)
        self.newcomer_messages = newcomer_messages

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """A forbidden media kind matches unless its reference points to an allowed domain."""
        if message.media not in self.kinds:
            return _OTHER_MEDIA[message.media]
        ref = message.media_ref or ""
        host = host_of(ref) if "." in ref else ""
        established = ctx.prior_messages >= self.newcomer_messages
        allowed = self.allowed + self.trusted if established else self.allowed
        if host and domain_allowed(host, allowed):
            return Verdict(self.name, False, f"{message.media.value} from allowed {host}")
        evidence = (host,) if host else ()
        return Verdict(self.name, True, f"shared {message.media.value}", evidence=evidence)


class MentionCheck(Check):
    """Matches messages that mention many people at once, or @all."""

    name = "mass_mention"

    def __init__(self, limit: int = 5) -> None:
        self.limit = limit

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Count distinct mentions from the event and from the text."""
        text = ctx.norm.text
        if not message.mentions and "@" not in text:
            return _NO_MENTIONS
        if _MENTION_ALL.search(text):
            return Verdict(self.name, True, "mentions everyone", evidence=("@all",))
        in_text = set(_MENTION.findall(text)) if "@" in text else set()
        count = max(len(set(message.mentions)), len(in_text))
        if count >= self.limit:
            return Verdict(self.name, True, f"{count} mentions (limit {self.limit})")
        return Verdict(self.name, False, f"{count} mention(s)")
