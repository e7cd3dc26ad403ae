"""Helpers shared by the profile tests."""

from __future__ import annotations

from sqlalchemy import select

from shequn.store.models import MemberIdentity
from shequn.store.store import Store


def member_of(store: Store, user: str) -> int:
    """The member id behind a platform user id (or phone, email …)."""
    with store.session() as session:
        found = session.scalar(select(MemberIdentity.member_id).where(
            MemberIdentity.value == user))
    assert found is not None, f"no member for {user}"
    return found
