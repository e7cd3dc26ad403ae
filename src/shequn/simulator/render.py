"""Turn planned events into canonical-event dicts with their ground-truth labels."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any

from shequn.simulator.community import (
    FAKE,
    FIRST,
    HUNTER,
    MEMBER,
    REMOVED,
    SPAMMER,
    STAFF,
    Community,
)
from shequn.simulator.labels import (
    FAKE_REFERRAL,
    FLOOD_BY_MEMBER,
    NORMAL_MEMBER,
    NORMAL_SPAMMER,
    NORMAL_STAFF,
    SPAM_BY_CATEGORY,
    Category,
    SimLabel,
)
from shequn.simulator.labels import (
    HUNTER as HUNTER_LABEL,
)
from shequn.simulator.people import (
    CITY_NAMES,
    GENDER_NAMES,
    JOB_NAMES,
    SOURCE_NAMES,
    age_band,
    email_of,
    phone_of,
    renamed,
)
from shequn.simulator.planner import (
    CANCELLED,
    CHECKIN,
    DRAW,
    FLOOD,
    JOIN,
    LEAVE,
    LECTURE,
    LOTTERY,
    MORNING,
    MSG,
    PAID,
    PROMOTION,
    REFUNDED,
    RENAME,
    RULES,
    SPAM,
    DayPlanner,
    Plan,
)
from shequn.simulator.planner import (
    STAFF as STAFF_POST,
)
from shequn.simulator.spam import FLOOD_TEXTS
from shequn.simulator.texts import ChatBank, build_chat_bank, build_staff_bank
from shequn.simulator.timeline import DAY, UTC_OFFSET_HOURS
from shequn.simulator.vocab import JOIN_VIA, TOPICS

Event = dict[str, Any]
Labelled = tuple[Event, SimLabel]

_HMS = tuple(
    f"{h:02d}:{m:02d}:{s:02d}+00:00" for h in range(24) for m in range(60) for s in range(60)
)
_JOIN_LABEL = {MEMBER: NORMAL_MEMBER, STAFF: NORMAL_STAFF, SPAMMER: NORMAL_SPAMMER,
               HUNTER: HUNTER_LABEL, FAKE: FAKE_REFERRAL}
_KIND_VIA = {STAFF: "other", SPAMMER: "link", HUNTER: "link", FAKE: "invite"}
_STAFF_KIND_NAMES = {
    MORNING: "morning_post", LECTURE: "lecture", PROMOTION: "promotion", RULES: "rules",
    LOTTERY: "lottery",
}
_DRAW_TEXT = {"zh": "开奖啦🎉 恭喜 {names} 获得本期福利，请私聊群主领取",
              "en": "Giveaway winners 🎉 {names}, DM the admin to claim your prize"}
_STATUS = {PAID: "paid", CANCELLED: "cancelled", REFUNDED: "refunded"}
_CHECKIN_NOTE = {"zh": "打卡第{}天", "en": "Day {} check-in"}


class Renderer:
    """Writes planned events as canonical dicts; keeps names, ids and reply threads."""

    def __init__(self, community: Community, planner: DayPlanner, rng: random.Random) -> None:
        self.c = community
        self.planner = planner
        self.rng = rng
        config = community.config
        self.source = config.source
        self.platform = config.platform.value
        self.prefix = f"sim-{config.seed}-"
        self.next_serial = itertools.count(1).__next__
        start = config.start.astimezone(UTC)
        midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
        self.epoch_second = int((start - midnight).total_seconds())
        self.dates = [
            (midnight + timedelta(days=d)).strftime("%Y-%m-%dT") for d in range(config.days + 2)
        ]
        bank_rng = random.Random(f"shequn-sim:{config.seed}:texts")
        banks: dict[tuple[str, str], ChatBank] = {}
        staff: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
        for g in community.groups:
            key = (g.lang, g.topic.key)
            if key not in banks:
                banks[key] = build_chat_bank(bank_rng, g.lang, g.topic)
                staff[key] = build_staff_bank(bank_rng, g.lang, g.topic)
        self.banks = [banks[(g.lang, g.topic.key)] for g in community.groups]
        self.staff_banks = [staff[(g.lang, g.topic.key)] for g in community.groups]
        self.gids = [g.gid for g in community.groups]
        self.group_names = [g.name for g in community.groups]
        # Local hour by UTC hour of the simulated day (two days' worth, for late spill-over).
        self.local_hours = [
            [(hour + UTC_OFFSET_HOURS[g.lang]) % 24 for hour in range(48)]
            for g in community.groups
        ]
        self.uids = [f"u{i}" for i in range(config.members)]
        self.bank_kinds = [bank.by_kind for bank in self.banks]
        self.last_message: list[str | None] = [None] * len(community.groups)
        self.open_question: list[tuple[str, int, int] | None] = [None] * len(community.groups)

    def iso(self, ts: int) -> str:
        """ISO-8601 UTC time of a second offset from the start."""
        day, second = divmod(ts + self.epoch_second, DAY)
        return self.dates[day] + _HMS[second]

    def _common(self, kind: str, ts: int, group: int | None, member: int) -> Event:
        serial = str(self.next_serial())
        return {
            "kind": kind, "source": self.source, "external_id": self.prefix + serial,
            "occurred_at": self.iso(ts), "platform": self.platform,
            "group_id": None if group is None else self.gids[group],
            "group_name": None if group is None else self.group_names[group],
            "user_id": self.uids[member], "user_name": self.c.names[member],
        }

    def render(self, day: int, items: list[Plan]) -> Iterator[Labelled]:
        """Render one day's planned events, in order."""
        # Ordinary chat is most of the volume, so it is written inline with local names.
        c, rnd, next_serial = self.c, self.rng.random, self.next_serial
        source, platform, prefix = self.source, self.platform, self.prefix
        epoch, hms, iso = self.epoch_second, _HMS, self.iso
        today = self.dates[day]
        m_member, m_group, m_join, names, uids = c.m_member, c.m_group, c.m_join, c.names, self.uids
        gids, group_names = self.gids, self.group_names
        local_hours, banks = self.local_hours, self.bank_kinds
        last_message, open_question = self.last_message, self.open_question
        base = day * DAY
        for key, code, a, b, extra in items:
            second = int(key)
            ts = base + second
            if code != MSG:
                if code == JOIN:
                    yield from self._join(ts, a)
                else:
                    yield self._render_other(ts, code, a, b, extra)
                continue
            member, group = m_member[a], m_group[a]
            second += epoch
            hour = local_hours[group][second // 3600]
            question = open_question[group]
            roll = rnd()
            mentions: list[str] = []
            reply_to = None
            asks = False
            if ts - m_join[a] < 10_800 and roll < 0.3:
                kind = "intro"
            elif 5 <= hour <= 9 and roll < 0.35:
                kind = "greeting_morning"
            elif hour >= 22 and roll < 0.15:
                kind = "greeting_night"
            elif (question is not None and question[1] != member
                  and ts - question[2] < 10_800 and roll < 0.5):
                # Members answering members: the reply points at the question.
                kind, reply_to = "answer", question[0]
                if rnd() < 0.35:
                    mentions = [uids[question[1]]]
                if rnd() < 0.5:
                    open_question[group] = None
            else:
                roll = rnd()
                if roll < 0.16:
                    kind, asks = "question", True
                elif roll < 0.46:
                    kind = "chat"
                elif roll < 0.55:
                    kind = "product"
                elif roll < 0.78:
                    kind = "reaction"
                    if roll < 0.64:
                        reply_to = last_message[group]
                elif roll < 0.82:
                    kind, reply_to = "thanks", last_message[group]
                else:
                    yield self._media_message(ts, group, member, roll), NORMAL_MEMBER
                    continue
            options = banks[group][kind]
            text = options[int(rnd() * len(options))]
            if mentions:
                text = "@" + names[question[1]] + " " + text  # type: ignore[index]
            serial = str(next_serial())
            message_id = "m" + serial
            last_message[group] = message_id
            if asks:
                open_question[group] = (message_id, member, ts)
            yield {
                "kind": "message", "source": source, "external_id": prefix + serial,
                "occurred_at": today + hms[second] if second < DAY else iso(ts),
                "platform": platform, "group_id": gids[group], "group_name": group_names[group],
                "user_id": uids[member],
                "user_name": names[member], "message_id": message_id, "text": text,
                "media": "none", "media_ref": None, "links": [], "mentions": mentions,
                "reply_to": reply_to, "qr_codes": [],
            }, NORMAL_MEMBER

    def _render_other(self, ts: int, code: int, a: int, b: int, extra: int) -> Labelled:
        if code == SPAM:
            return self._spam(ts, a, b, extra)
        if code == CHECKIN:
            event = self._common("checkin", ts, b, a)
            lang = "zh" if self.c.lang[a] == 0 else "en"
            event["note"] = _CHECKIN_NOTE[lang].format(extra)
            return event, NORMAL_MEMBER
        if code == LEAVE:
            return self._leave(ts, a)
        if code == STAFF_POST:
            return self._staff(ts, a, b)
        if code == FLOOD:
            g = self.c.groups[b]
            return self._post(ts, g.index, a, FLOOD_TEXTS[g.lang][extra]), FLOOD_BY_MEMBER
        if code == RENAME:
            return self._rename(ts, a, b)
        return self._order(ts, code, a, b, extra)

    def _post(self, ts: int, group: int, member: int, text: str, media: str = "none",
              media_ref: str | None = None, links: list[str] | None = None,
              mentions: list[str] | None = None, reply_to: str | None = None,
              qr_codes: list[str] | None = None) -> Event:
        event = self._common("message", ts, group, member)
        message_id = "m" + event["external_id"][len(self.prefix):]
        event["message_id"] = message_id
        event["text"] = text
        event["media"] = media
        event["media_ref"] = media_ref
        event["links"] = links if links is not None else []
        event["mentions"] = mentions if mentions is not None else []
        event["reply_to"] = reply_to
        # What a connector would have decoded from the image (the simulator has no pixels).
        event["qr_codes"] = qr_codes if qr_codes is not None else []
        self.last_message[group] = message_id
        return event

    def _media_message(self, ts: int, group: int, member: int, roll: float) -> Event:
        rnd = self.rng.random
        bank = self.banks[group]
        chat = bank.by_kind["chat"]
        if roll < 0.87:
            text = chat[int(rnd() * len(chat))] if rnd() < 0.4 else ""
            return self._post(ts, group, member, text, "image", f"sim://img/{ts}-{member}.jpg")
        if roll < 0.92:
            return self._post(ts, group, member, "", "sticker", f"sim://sticker/{int(rnd() * 300)}")
        if roll < 0.95:
            return self._post(ts, group, member, "", "voice", f"sim://voice/{ts}-{member}.ogg")
        if roll < 0.96:
            return self._post(ts, group, member, "", "video", f"sim://video/{ts}-{member}.mp4")
        if roll < 0.98:
            url = bank.link_shares[int(rnd() * len(bank.link_shares))]
            text = chat[int(rnd() * len(chat))] + " " + url
            return self._post(ts, group, member, text, "link_card", url, [url])
        speakers = self.planner.speakers_of(group).members
        other = self.c.m_member[speakers[int(rnd() * len(speakers))]]
        question = bank.by_kind["question"]
        text = "@" + self.c.names[other] + " " + question[int(rnd() * len(question))]
        return self._post(ts, group, member, text, mentions=[self.uids[other]])

    def _spam(self, ts: int, m: int, variant: int, copy: int) -> Labelled:
        c = self.c
        member = c.m_member[m]
        campaign = c.campaigns[c.campaign_of[member]]
        v = campaign.variants[variant]
        label = SPAM_BY_CATEGORY[Category.FLOOD if copy else campaign.category]
        event = self._post(ts, c.m_group[m], member, v.text, v.media, v.media_ref, list(v.links),
                           qr_codes=list(v.qr_codes))
        return event, label

    def _staff(self, ts: int, group: int, kind: int) -> Labelled:
        g = self.c.groups[group]
        rnd = self.rng.random
        if kind == DRAW:
            speakers = self.planner.speakers_of(group).members
            winners = sorted({self.c.m_member[speakers[int(rnd() * len(speakers))]]
                              for _ in range(3)}) if speakers else []
            names = " ".join("@" + self.c.names[w] for w in winners)
            text = _DRAW_TEXT[g.lang].format(names=names)
            mentions = [self.uids[w] for w in winners]
            event = self._post(ts, group, g.owner, text, "red_envelope",
                               f"sim://red/{g.gid}-{ts // DAY}", mentions=mentions)
            return event, NORMAL_STAFF
        options = self.staff_banks[group][_STAFF_KIND_NAMES[kind]]
        text = options[int(rnd() * len(options))]
        if kind == PROMOTION:
            ref = f"sim://mp/shop/{g.gid}-{ts // DAY}"
            return self._post(ts, group, g.owner, text, "mini_program", ref), NORMAL_STAFF
        return self._post(ts, group, g.owner, text), NORMAL_STAFF

    def _join(self, ts: int, m: int) -> Iterator[Labelled]:
        c = self.c
        member, g = c.m_member[m], c.groups[c.m_group[m]]
        kind = c.kind[member]
        label = _JOIN_LABEL[kind]
        if c.m_flags[m] & FIRST:
            yield self._profile(ts, member, g.topic.key), label
        inviter = c.m_inviter[m]
        event = self._common("member_joined", ts, g.index, member)
        if inviter >= 0:
            via = "invite"
        elif kind == MEMBER:
            via = JOIN_VIA[SOURCE_NAMES[c.source[member]]] if c.primary[member] == m else "link"
        else:
            via = _KIND_VIA[kind]
        event["invited_by"] = self.uids[inviter] if inviter >= 0 else None
        event["via"] = via
        yield event, label
        if inviter >= 0:
            referral = self._common("referral", ts, g.index, inviter)
            referral["referee_id"] = self.uids[member]
            referral["campaign"] = "invite-" + g.gid
            referral["code"] = "INV" + str(inviter)
            yield referral, label

    def _profile(self, ts: int, member: int, topic_key: str) -> Event:
        c, rng, seed = self.c, self.rng, self.c.config.seed
        kind = c.kind[member]
        lang = "zh" if c.lang[member] == 0 else "en"
        event = self._common("profile_updated", ts, None, member)
        ordinary = kind == MEMBER
        interests = [t for t in TOPICS if t.key == topic_key] if rng.random() < 0.75 else []
        for _ in range(rng.randint(0, 2)):
            topic = rng.choice(TOPICS)
            if topic not in interests:
                interests.append(topic)
        attributes = {"lang": lang}
        if ordinary and interests:
            attributes["interests"] = "|".join(t.zh if lang == "zh" else t.en for t in interests)
        if kind == STAFF:
            attributes["role"] = "staff"
        # Contact facts are functions of the member number, so orders repeat them exactly.
        has_phone = ordinary and lang == "zh" and (member * 7 + seed) % 10 < 3
        has_email = ordinary and lang == "en" and (member * 7 + seed) % 10 < 3
        event.update(
            display_name=c.names[member],
            phone=phone_of(member, seed) if has_phone else None,
            email=email_of(member) if has_email else None,
            union_id=None,
            city=CITY_NAMES[lang][c.city[member]] if ordinary else None,
            job=JOB_NAMES[lang][c.job[member]] if ordinary else None,
            gender=GENDER_NAMES[c.gender[member]] if ordinary else None,
            age_band=age_band(rng) if ordinary else None,
            source_channel=SOURCE_NAMES[c.source[member]] if ordinary else None,
            attributes=attributes,
        )
        return event

    def _leave(self, ts: int, m: int) -> Labelled:
        c = self.c
        member, g = c.m_member[m], c.groups[c.m_group[m]]
        event = self._common("member_left", ts, g.index, member)
        event["removed_by"] = self.uids[g.owner] if c.m_flags[m] & REMOVED else None
        return event, _JOIN_LABEL[c.kind[member]]

    def _rename(self, ts: int, member: int, group: int) -> Labelled:
        c = self.c
        g = c.groups[group]
        lang = "zh" if c.lang[member] == 0 else "en"
        old = c.names[member]
        new = renamed(self.rng, lang, CITY_NAMES[lang][c.city[member]], old, g.topic)[:256]
        event = self._common("member_renamed", ts, g.index, member)
        event["old_name"] = old
        event["new_name"] = new
        c.names[member] = new
        return event, NORMAL_MEMBER

    def _order(self, ts: int, code: int, member: int, order_no: int, cents: int) -> Labelled:
        c, rng, seed = self.c, self.rng, self.c.config.seed
        lang = "zh" if c.lang[member] == 0 else "en"
        g = c.groups[c.m_group[c.primary[member]]]
        products = g.topic.zh_products if lang == "zh" else g.topic.en_products
        items = sorted({rng.choice(products)[0] for _ in range(1 + (rng.random() < 0.3))})
        event = self._common("order", ts, g.index, member)
        event.update(
            order_id="o" + str(order_no),
            amount=f"{cents // 100}.{cents % 100:02d}",
            currency="CNY" if lang == "zh" else "USD",
            status=_STATUS[code],
            items=items,
            phone=phone_of(member, seed) if lang == "zh" and (member * 7 + seed) % 10 < 3 else None,
            email=email_of(member) if lang == "en" and (member * 7 + seed) % 10 < 3 else None,
        )
        return event, NORMAL_MEMBER

