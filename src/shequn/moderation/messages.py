"""What members read: warnings and reminders in Chinese and English."""

from __future__ import annotations

from typing import Literal

from shequn.moderation.ladder import LadderStep

Language = Literal["zh", "en", "both"]

RULE_LABELS: dict[str, tuple[str, str]] = {
    "link": ("外部链接", "outside links"),
    "share": ("小程序、名片或文章分享", "shared cards, mini-programs or articles"),
    "qr_code": ("二维码", "QR codes"),
    "contact": ("联系方式", "contact details"),
    "mass_mention": ("群发@", "mass mentions"),
    "flood": ("刷屏", "flooding"),
    "cross_group_duplicate": ("跨群重复消息", "the same message in many groups"),
    "classifier": ("广告或垃圾信息", "ads or spam"),
    "category:gambling": ("赌博内容", "gambling content"),
    "category:porn": ("色情内容", "adult content"),
    "category:loans": ("贷款、套现广告", "loan ads"),
    "category:scams": ("刷单、诈骗信息", "scam offers"),
    "category:selling": ("推销内容", "selling"),
    "nickname_ad": ("昵称中的广告", "ads in display names"),
    "nickname_format": ("不合格式的群昵称", "group names that do not follow the format"),
    "read_only": ("新成员只读期内发言", "posting during the newcomers' read-only period"),
}
"""Rule name → (Chinese, English) label shown to members."""

_DEFAULT_LABEL = ("违规内容", "content against the group rules")


def rule_label(rule: str) -> tuple[str, str]:
    """The (Chinese, English) label of a rule; operators' keyword lists read as forbidden words."""
    if rule in RULE_LABELS:
        return RULE_LABELS[rule]
    if rule.startswith("keywords:"):
        return ("违禁词", "forbidden words")
    return _DEFAULT_LABEL


def _duration(seconds: int) -> tuple[str, str]:
    if seconds % 86_400 == 0:
        days = seconds // 86_400
        return f"{days} 天", f"{days} day{'s' if days > 1 else ''}"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} 小时", f"{hours} hour{'s' if hours > 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} 分钟", f"{minutes} minute{'s' if minutes > 1 else ''}"


def _consequence(step: LadderStep | None) -> tuple[str, str]:
    if step is None:
        return "", ""
    if step.action == "mute" and step.mute_seconds:
        zh, en = _duration(step.mute_seconds)
        return f"再次违规将被禁言{zh}。", f"Next time you will be muted for {en}."
    if step.action == "kick":
        return "再次违规将被移出本群。", "Next time you will be removed from the group."
    if step.action == "blocklist":
        return (
            "再次违规将被拉黑，无法加入本社群的任何群。",
            "Next time you will be banned from all our groups.",
        )
    return "请遵守群规。", "Please follow the group rules."


def _pick(zh: str, en: str, language: Language) -> str:
    if language == "zh":
        return zh
    if language == "en":
        return en
    return f"{zh}\n{en}"


def warn_text(
    rule: str,
    step: LadderStep,
    following: LadderStep | None,
    *,
    name: str = "",
    language: Language = "both",
) -> str:
    """The warning posted when a member breaks a rule, naming the rule and what comes next."""
    label_zh, label_en = rule_label(rule)
    who = f"@{name} " if name else ""
    if step.action == "mute" and step.mute_seconds:
        zh_time, en_time = _duration(step.mute_seconds)
        zh = f"{who}本群禁止发布{label_zh}，你已被禁言{zh_time}。"
        en = f"{who}{label_en.capitalize()} are not allowed here; you are muted for {en_time}."
    else:
        zh = f"{who}本群禁止发布{label_zh}，消息已删除。"
        en = f"{who}{label_en.capitalize()} are not allowed here; your message was removed."
    next_zh, next_en = _consequence(following)
    return _pick(zh + next_zh, f"{en} {next_en}".strip(), language)


def nickname_reminder(
    template: str,
    problem: str,
    *,
    name: str = "",
    language: Language = "both",
    welcome: bool = True,
    grace_seconds: int | None = None,
) -> str:
    """The reminder sent when a display name does not follow the group's format."""
    who = f"@{name} " if name else ""
    hello_zh, hello_en = ("欢迎！", "Welcome! ") if welcome else ("", "")
    zh = f"{who}{hello_zh}请按群规把群昵称改为「{template}」格式。"
    en = f"{who}{hello_en}Please set your group name as “{template}” ({problem})."
    if grace_seconds:
        zh_time, en_time = _duration(grace_seconds)
        zh += f"请在{zh_time}内修改。"
        en += f" You have {en_time} to change it."
    return _pick(zh, en, language)


def nickname_enforced(
    template: str,
    action: Literal["mute", "kick"],
    *,
    name: str = "",
    mute_seconds: int = 0,
    language: Language = "both",
) -> str:
    """The notice posted when the grace period for fixing a name has run out."""
    who = f"@{name} " if name else ""
    if action == "kick":
        zh = f"{who}群昵称仍未改为「{template}」格式，已被移出本群。"
        en = f"{who}Your group name still does not follow “{template}”; you have been removed."
    else:
        zh_time, en_time = _duration(mute_seconds)
        zh = f"{who}群昵称仍未改为「{template}」格式，已被禁言{zh_time}，改名后即可发言。"
        en = (
            f"{who}Your group name still does not follow “{template}”; "
            f"you are muted for {en_time}. Rename to speak again."
        )
    return _pick(zh, en, language)


def action_reason(rule: str, details: str) -> str:
    """The operator-facing reason stored with an action."""
    label_zh, label_en = rule_label(rule)
    return f"{rule}: {label_en} / {label_zh} — {details}"
