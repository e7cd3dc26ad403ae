"""What a check may know about the message it judges, prepared once per message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from shequn.domain.enums import MemberRole
from shequn.moderation.normalize import NormalizedText, normalize
from shequn.moderation.state import GuardState, fingerprint

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_PAYLOADS = 16
"""QR payloads read per message; a collage of more codes is an ad either way."""
MAX_PAYLOAD_CHARS = 4096
"""Characters kept of one QR payload (a QR code holds at most about 4 KB)."""


@dataclass(frozen=True, slots=True)
class CheckContext:
    """The normalised text, the sender's standing and a read-only view of the guard's state."""

    now: float
    """Seconds since the epoch of the message (the event time, not the wall clock)."""
    group_id: str
    user_id: str
    norm: NormalizedText
    role: MemberRole = MemberRole.MEMBER
    prior_messages: int = 0
    """Messages the sender posted in this group before this one."""
    qr_payloads: tuple[str, ...] = ()
    """Texts decoded from QR codes in the message's image (decoded outside the checks)."""
    state: GuardState = field(default_factory=GuardState)
    fingerprint: int | None = None
    """Fingerprint of the squeezed text, for cross-group duplicate detection."""
    memo: dict[int, object] = field(default_factory=dict)
    """Results shared between checks of one message (one keyword scan for all banks)."""

    @classmethod
    def build(
        cls,
        text: str,
        *,
        now: datetime | float,
        group_id: str = "",
        user_id: str = "",
        role: MemberRole = MemberRole.MEMBER,
        state: GuardState | None = None,
        prior_messages: int | None = None,
        qr_payloads: tuple[str, ...] = (),
    ) -> CheckContext:
        """Normalise ``text`` and gather what the checks read.

        ``prior_messages`` comes from the store when it knows more than the
        in-memory state (after a restart); otherwise the state's count is used.
        """
        state = state if state is not None else GuardState()
        stamp = now if isinstance(now, float | int) else (now - _EPOCH).total_seconds()
        norm = normalize(text)
        seen = state.prior_messages(group_id, user_id)
        return cls(
            now=float(stamp),
            group_id=group_id,
            user_id=user_id,
            norm=norm,
            role=role,
            prior_messages=max(seen, prior_messages or 0),
            qr_payloads=tuple(p[:MAX_PAYLOAD_CHARS] for p in qr_payloads[:MAX_PAYLOADS]),
            state=state,
            fingerprint=fingerprint(norm.squeezed),
        )
