"""The simulated community behaves like the groups operators run."""

from __future__ import annotations

from collections import Counter, defaultdict

from shequn.simulator import Actor, Category, Lifecycle
from shequn.simulator.community import build_community
from shequn.simulator.labels import SPAM_MESSAGE_CATEGORIES

from .conftest import MEDIUM, Run


def _day(event: dict[str, object]) -> int:
    stamp = str(event["occurred_at"])
    return (int(stamp[5:7]) - 1) * 31 + int(stamp[8:10]) - 1  # January and February only


def test_every_label_category_appears(medium_run: Run) -> None:
    categories = Counter(label.category for _, label in medium_run)
    assert set(categories) == set(Category)
    assert categories[Category.NORMAL] > 0.8 * len(medium_run)


def test_spam_labels_match_message_categories(medium_run: Run) -> None:
    for event, label in medium_run:
        assert label.spam == (label.category is not Category.NORMAL)
        if event["kind"] == "message" and label.spam:
            assert label.category in SPAM_MESSAGE_CATEGORIES
        if label.category is Category.QR_IMAGE:
            assert event["media"] == "image" and event["media_ref"].startswith("sim://qr/")
        if label.category is Category.MINI_PROGRAM:
            assert event["media"] == "mini_program"


def test_link_ads_carry_links_or_spelled_out_domains(medium_run: Run) -> None:
    ads = [e for e, label in medium_run if label.category is Category.LINK_AD]
    with_links = [e for e in ads if e["links"]]
    assert with_links and len(with_links) < len(ads) + 1
    for event in with_links:
        assert all(link in event["text"] for link in event["links"])


def test_the_same_ad_text_turns_up_in_several_groups(medium_run: Run) -> None:
    groups_by_text: dict[str, set[str]] = defaultdict(set)
    for event, label in medium_run:
        if label.spam and event["kind"] == "message" and event["text"]:
            groups_by_text[event["text"]].add(event["group_id"])
    assert max(len(groups) for groups in groups_by_text.values()) >= 3


def test_a_member_joins_a_group_before_speaking_and_leaves_after(medium_run: Run) -> None:
    joined: dict[tuple[str, str], str] = {}
    left: set[tuple[str, str]] = set()
    for event, _ in medium_run:
        key = (event["user_id"], event["group_id"])
        if event["kind"] == "member_joined":
            assert key not in joined or key in left, "joined twice without leaving"
            joined[key] = event["occurred_at"]
            left.discard(key)
        elif event["kind"] == "member_left":
            assert key in joined
            left.add(key)
        elif event["kind"] in ("message", "checkin"):
            assert key in joined and key not in left, event
            assert event["occurred_at"] >= joined[key]


def test_each_member_is_profiled_before_their_first_join(medium_run: Run) -> None:
    profiled: set[str] = set()
    for event, _ in medium_run:
        if event["kind"] == "profile_updated":
            assert event["user_id"] not in profiled
            profiled.add(event["user_id"])
        elif event["kind"] in ("member_joined", "message", "order", "checkin"):
            assert event["user_id"] in profiled
    assert len(profiled) > 0.95 * MEDIUM.members


def test_profiles_carry_the_facts_operators_tag(medium_run: Run) -> None:
    profiles = [e for e, label in medium_run
                if e["kind"] == "profile_updated" and label.actor is Actor.MEMBER]
    channels = Counter(p["source_channel"] for p in profiles)
    assert set(channels) == {"live-stream", "poster", "referral", "store", "ads", "organic"}
    assert all(p["city"] and p["job"] and p["age_band"] for p in profiles)
    assert {"深圳", "上海", "北京"} <= {p["city"] for p in profiles}
    assert any("|" in p["attributes"].get("interests", "") for p in profiles)
    assert {p["attributes"]["lang"] for p in profiles} == {"zh", "en"}


def test_referred_members_are_invited_by_an_earlier_member(medium_run: Run) -> None:
    joined_at: dict[tuple[str, str], str] = {}
    referrals = {(e["user_id"], e["referee_id"], e["group_id"])
                 for e, _ in medium_run if e["kind"] == "referral"}
    invited = 0
    for event, _ in medium_run:
        if event["kind"] != "member_joined":
            continue
        if event["invited_by"]:
            invited += 1
            assert event["via"] == "invite"
            assert (event["invited_by"], event["group_id"]) in joined_at
            assert (event["invited_by"], event["user_id"], event["group_id"]) in referrals
        joined_at[(event["user_id"], event["group_id"])] = event["occurred_at"]
    assert invited == len(referrals) > 100


def test_referral_farmers_bring_bursts_of_fake_accounts(medium_run: Run) -> None:
    fakes = [e for e, label in medium_run
             if label.category is Category.REFERRAL_FRAUD and e["kind"] == "member_joined"]
    inviters = Counter(e["invited_by"] for e in fakes)
    assert fakes and max(inviters.values()) >= 4
    fake_ids = {e["user_id"] for e in fakes}
    assert not any(e["user_id"] in fake_ids for e, _ in medium_run if e["kind"] == "message")


def test_giveaway_hunters_never_speak_and_leave_soon_after(medium_run: Run) -> None:
    hunters = {e["user_id"] for e, label in medium_run if label.actor is Actor.HUNTER}
    assert hunters
    assert not any(e["user_id"] in hunters for e, _ in medium_run if e["kind"] == "message")
    joins = [e for e, label in medium_run
             if label.actor is Actor.HUNTER and e["kind"] == "member_joined"]
    leaves = [e for e, label in medium_run
              if label.actor is Actor.HUNTER and e["kind"] == "member_left"]
    assert len(leaves) > 0.8 * len(joins)


def test_chat_activity_is_heavy_tailed(medium_run: Run) -> None:
    counts = Counter(e["user_id"] for e, label in medium_run
                     if e["kind"] == "message" and label.actor is Actor.MEMBER)
    members = {e["user_id"] for e, label in medium_run
               if e["kind"] == "profile_updated" and label.actor is Actor.MEMBER}
    ranked = sorted(counts.values(), reverse=True)
    top_tenth = sum(ranked[: len(members) // 10])
    assert top_tenth > 0.5 * sum(ranked)
    assert len(members) - len(counts) > 0.25 * len(members)  # lurkers who never speak


def test_spend_is_skewed_with_whales(medium_run: Run) -> None:
    spend: Counter[str] = Counter()
    for event, _ in medium_run:
        if event["kind"] == "order" and event["status"] == "paid" and event["currency"] == "CNY":
            spend[event["user_id"]] += int(event["amount"].replace(".", ""))
    ranked = sorted(spend.values(), reverse=True)
    assert len(ranked) > 100
    assert sum(ranked[: len(ranked) // 5]) > 0.5 * sum(ranked)
    assert ranked[0] > 10 * ranked[len(ranked) // 2]


def test_orders_repeat_refund_and_cancel(medium_run: Run) -> None:
    orders = [e for e, _ in medium_run if e["kind"] == "order"]
    statuses = Counter(e["status"] for e in orders)
    assert statuses["paid"] > 0.85 * len(orders)
    assert statuses["refunded"] > 0 and statuses["cancelled"] > 0
    paid = {e["order_id"]: e for e in orders if e["status"] == "paid"}
    for refund in (e for e in orders if e["status"] == "refunded"):
        original = paid[refund["order_id"]]
        assert original["amount"] == refund["amount"]
        assert original["occurred_at"] <= refund["occurred_at"]
    per_buyer = Counter(e["user_id"] for e in orders if e["status"] == "paid")
    assert sum(1 for n in per_buyer.values() if n > 1) > 0.2 * len(per_buyer)


def test_engaged_members_keep_check_in_streaks(medium_run: Run) -> None:
    notes = [e["note"] for e, _ in medium_run if e["kind"] == "checkin"]
    streaks = [int("".join(ch for ch in note if ch.isdigit())) for note in notes]
    assert streaks and max(streaks) >= 10
    assert sum(1 for s in streaks if s == 1) < 0.5 * len(streaks)


def test_renamed_members_go_by_their_new_name(medium_run: Run) -> None:
    current: dict[str, str] = {}
    renames = 0
    for event, _ in medium_run:
        if event["kind"] == "member_renamed":
            assert event["old_name"] != event["new_name"]
            current[event["user_id"]] = event["new_name"]
            renames += 1
        elif event["user_id"] in current:
            assert event["user_name"] == current[event["user_id"]]
    assert renames > 50


def test_replies_point_at_earlier_messages_of_the_same_group(medium_run: Run) -> None:
    seen: dict[str, str] = {}
    replies = 0
    for event, _ in medium_run:
        if event["kind"] != "message":
            continue
        if event["reply_to"]:
            assert seen[event["reply_to"]] == event["group_id"]
            replies += 1
        seen[event["message_id"]] = event["group_id"]
    assert replies > 0.05 * len(seen)


def test_chinese_and_english_text_both_appear(medium_run: Run) -> None:
    texts = [e["text"] for e, _ in medium_run if e["kind"] == "message" and e["text"]]
    chinese = sum(1 for t in texts if any("\u4e00" <= ch <= "\u9fff" for ch in t))
    assert 0.3 * len(texts) < chinese < 0.95 * len(texts)


def _weekly(medium_run: Run, group: str, spam: bool | None = None) -> list[int]:
    weeks = [0] * 5
    for event, label in medium_run:
        wanted = spam is None or label.spam == spam
        if event["kind"] == "message" and event["group_id"] == group and wanted:
            weeks[min(_day(event) // 7, 4)] += 1
    return weeks


def test_group_lifecycles_show_in_the_message_rhythm(medium_run: Run) -> None:
    community = build_community(MEDIUM)
    by_lifecycle = defaultdict(list)
    for group in community.groups:
        by_lifecycle[group.lifecycle].append(group.gid)
    assert set(by_lifecycle) == set(Lifecycle)
    for gid in by_lifecycle[Lifecycle.DEAD]:
        weeks = _weekly(medium_run, gid, spam=False)
        assert weeks[-1] < 0.1 * weeks[0], (gid, weeks)
    for gid in by_lifecycle[Lifecycle.DECLINING]:
        weeks = _weekly(medium_run, gid, spam=False)
        assert weeks[-1] < 0.5 * max(weeks), (gid, weeks)
    for gid in by_lifecycle[Lifecycle.LIVELY]:
        weeks = _weekly(medium_run, gid, spam=False)
        assert weeks[-1] > 0.7 * weeks[0], (gid, weeks)


def test_spam_takes_over_ad_flooded_groups(medium_run: Run) -> None:
    community = build_community(MEDIUM)
    flooded = [g.gid for g in community.groups if g.lifecycle is Lifecycle.AD_FLOODED]
    assert flooded
    for gid in flooded:
        spam = _weekly(medium_run, gid, spam=True)
        total = _weekly(medium_run, gid)
        assert spam[-1] / total[-1] > 0.3 > spam[0] / total[0], (gid, spam, total)


def test_qr_spam_carries_the_decoded_payloads_and_nothing_else_does(medium_run: Run) -> None:
    """What a connector decodes from the posters: one destination per campaign, judged as QR."""
    from shequn.moderation.qr import payload_kind

    qr = [e for e, label in medium_run if label.category is Category.QR_IMAGE]
    assert qr and all(len(e["qr_codes"]) == 1 for e in qr)
    kinds = {payload_kind(e["qr_codes"][0]).split(":")[0] for e in qr}
    assert kinds <= {"wechat", "url"} and kinds
    # A poster reposted in a burst is labelled flood and still carries its code.
    normal = [e for e, label in medium_run if e["kind"] == "message" and not label.spam]
    assert normal and not any(e["qr_codes"] for e in normal)
