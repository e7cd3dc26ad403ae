"""The guard's short memory: recent messages per member and texts seen across groups.

Stateful checks (flood, cross-group duplicates, newcomer strictness) read this
state; only :meth:`GuardState.observe` changes it, and the :class:`Guard` calls
that *after* deciding, so the checks themselves stay pure. The guard also notes
here when a member joined (for the read-only window) and when it reminded a
member of the nickname format (for the grace period).

Memory is bounded: at most ``max_members`` member entries and ``max_texts``
text fingerprints are kept, least recently used first out, and each member keeps
at most :data:`MAX_TIMESTAMPS` timestamps. Entries older than ``horizon``
seconds are dropped as they are touched.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, deque
from dataclasses import dataclass, field

MAX_TIMESTAMPS = 64
"""Timestamps kept per member and group: enough for any sensible flood limit."""
MAX_GROUPS_PER_TEXT = 32
"""Groups remembered per text fingerprint: more than any duplicate threshold needs."""
MIN_FINGERPRINT_CHARS = 8
"""Shorter texts ("ok", "哈哈哈") repeat innocently everywhere and get no fingerprint."""


def fingerprint(squeezed: str) -> int | None:
    """A stable 64-bit fingerprint of a squeezed text, or ``None`` when it is too short."""
    if len(squeezed) < MIN_FINGERPRINT_CHARS:
        return None
    digest = hashlib.blake2b(squeezed.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@dataclass(slots=True)
class _Member:
    times: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_TIMESTAMPS))
    count: int = 0


class GuardState:
    """Bounded in-memory history the stateful checks read."""

    def __init__(
        self, *, max_members: int = 100_000, max_texts: int = 200_000, horizon: float = 86_400.0
    ) -> None:
        self.max_members = max_members
        self.max_texts = max_texts
        self.horizon = horizon
        self._members: OrderedDict[tuple[str, str], _Member] = OrderedDict()
        self._texts: OrderedDict[int, dict[str, tuple[float, str]]] = OrderedDict()
        self._joined: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._reminded: OrderedDict[tuple[str, str], float] = OrderedDict()

    def __len__(self) -> int:
        """Number of member and text entries held (for memory checks)."""
        return len(self._members) + len(self._texts)

    def recent_count(self, group: str, user: str, since: float) -> int:
        """Messages of ``user`` in ``group`` at or after ``since`` (before the current one)."""
        entry = self._members.get((group, user))
        if entry is None:
            return 0
        total = 0
        for stamp in reversed(entry.times):
            if stamp < since:
                break
            total += 1
        return total

    def prior_messages(self, group: str, user: str) -> int:
        """Clean messages of ``user`` in ``group`` so far (while the entry is remembered)."""
        entry = self._members.get((group, user))
        return 0 if entry is None else entry.count

    def groups_with(
        self, print_: int | None, since: float, exclude: str = "", user: str | None = None
    ) -> frozenset[str]:
        """Groups other than ``exclude`` where the text appeared since ``since`` (from ``user``)."""
        if print_ is None:
            return frozenset()
        seen = self._texts.get(print_)
        if not seen:
            return frozenset()
        return frozenset(
            g
            for g, (stamp, who) in seen.items()
            if stamp >= since and g != exclude and (user is None or who == user)
        )

    def observe(
        self, group: str, user: str, print_: int | None, at: float, *, clean: bool = True
    ) -> None:
        """Remember one message (call after deciding about it).

        Every message counts toward floods; only ``clean`` ones (allowed) count
        toward a newcomer's trust, so posting ads never earns it.
        """
        key = (group, user)
        entry = self._members.get(key)
        if entry is None:
            entry = self._members[key] = _Member()
            if len(self._members) > self.max_members:
                self._members.popitem(last=False)
        else:
            self._members.move_to_end(key)
        entry.times.append(at)
        entry.count += clean
        if print_ is not None:
            self._remember_text(print_, group, user, at)

    def _remember_text(self, print_: int, group: str, user: str, at: float) -> None:
        seen = self._texts.get(print_)
        if seen is None:
            seen = self._texts[print_] = {}
            if len(self._texts) > self.max_texts:
                self._texts.popitem(last=False)
        else:
            self._texts.move_to_end(print_)
        seen[group] = (at, user)
        if len(seen) > MAX_GROUPS_PER_TEXT:
            cutoff = at - self.horizon
            for name in [g for g, (stamp, _) in seen.items() if stamp < cutoff]:
                del seen[name]
            while len(seen) > MAX_GROUPS_PER_TEXT:
                oldest = min(seen, key=lambda g: seen[g][0])
                del seen[oldest]

    def _stamp(self, table: OrderedDict[tuple[str, str], float], key: tuple[str, str],
               at: float) -> None:
        table[key] = at
        table.move_to_end(key)
        if len(table) > self.max_members:
            table.popitem(last=False)

    def note_join(self, group: str, user: str, at: float) -> None:
        """Remember when ``user`` joined ``group`` (the latest join counts)."""
        self._stamp(self._joined, (group, user), at)

    def joined_at(self, group: str, user: str) -> float | None:
        """When ``user`` last joined ``group``, if this process saw it."""
        return self._joined.get((group, user))

    def note_reminder(self, group: str, user: str, at: float) -> None:
        """Remember that ``user`` was reminded of ``group``'s nickname format at ``at``."""
        self._stamp(self._reminded, (group, user), at)

    def reminded_at(self, group: str, user: str) -> float | None:
        """When ``user`` was first reminded of the nickname format, while the name is wrong."""
        return self._reminded.get((group, user))

    def forget_reminder(self, group: str, user: str) -> None:
        """The name now follows the format: a later bad name starts a new grace period."""
        self._reminded.pop((group, user), None)
