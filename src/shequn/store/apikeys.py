"""API keys: random secrets shown once, stored as SHA-256 hashes.

The secrets carry 256 bits of randomness, so a fast hash is enough: there is
nothing to brute-force that a slow password hash would protect.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shequn.domain.enums import Role
from shequn.store.models import ApiKey, AuditLog
from shequn.store.types import utcnow

KEY_PREFIX = "shq_"


@dataclass(frozen=True, slots=True)
class ApiPrincipal:
    """Who is calling the API: the key's workspace and role."""

    key_id: int
    workspace_id: int
    role: Role
    name: str


def hash_key(secret: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session, *, workspace_id: int, name: str, role: Role, operator_id: int | None = None
) -> tuple[ApiKey, str]:
    """Create a key; returns the record and the secret, which is never stored."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        workspace_id=workspace_id,
        operator_id=operator_id,
        name=name,
        prefix=secret[:10],
        key_hash=hash_key(secret),
        role=role.value,
    )
    session.add(key)
    session.flush()
    session.add(AuditLog(workspace_id=workspace_id, actor="system", action="apikey.create",
                         target=key.prefix, details={"name": name, "role": role.value}))
    return key, secret


def authenticate(session: Session, secret: str) -> ApiPrincipal | None:
    """The principal a secret stands for, or None when it is unknown or revoked."""
    if not secret.startswith(KEY_PREFIX):
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret)))
    if key is None or key.revoked_at is not None:
        return None
    return ApiPrincipal(key_id=key.id, workspace_id=key.workspace_id, role=Role(key.role),
                        name=key.name)


def revoke_api_key(session: Session, *, workspace_id: int, prefix: str) -> bool:
    """Revoke the workspace's key that starts with ``prefix``; True if one was revoked."""
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.workspace_id == workspace_id, ApiKey.prefix == prefix,
               ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    revoked = bool(result.rowcount)  # type: ignore[attr-defined]
    if revoked:
        session.add(AuditLog(workspace_id=workspace_id, actor="system", action="apikey.revoke",
                             target=prefix, details={}))
    return revoked


def list_api_keys(session: Session, *, workspace_id: int) -> list[ApiKey]:
    """The workspace's keys (hashes only), newest first."""
    return list(session.scalars(
        select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.id.desc())
    ))
