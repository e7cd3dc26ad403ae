"""FastAPI dependencies: the store, the calling API key and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from shequn.domain.enums import Role
from shequn.intake.service import Intake
from shequn.store.apikeys import ApiPrincipal, authenticate
from shequn.store.store import Store


def get_store(request: Request) -> Store:
    """The application's store."""
    store: Store = request.app.state.store
    return store


def get_intake(request: Request) -> Intake:
    """The application's intake service."""
    intake: Intake = request.app.state.intake
    return intake


def get_principal(
    store: Annotated[Store, Depends(get_store)],
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> ApiPrincipal:
    """The API key in ``Authorization: Bearer …`` or ``X-API-Key``; 401 when missing or bad."""
    secret = x_api_key
    if secret is None and authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            secret = value.strip()
    if not secret:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key'",
                            headers={"WWW-Authenticate": "Bearer"})
    with store.session() as session:
        principal = authenticate(session, secret)
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or revoked API key",
                            headers={"WWW-Authenticate": "Bearer"})
    return principal


def require(role: Role) -> Callable[[ApiPrincipal], ApiPrincipal]:
    """A dependency that lets only keys with at least ``role`` through."""

    def check(principal: Annotated[ApiPrincipal, Depends(get_principal)]) -> ApiPrincipal:
        if not principal.role.allows(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"this needs the {role.value} role; the key has {principal.role}")
        return principal

    return check


StoreDep = Annotated[Store, Depends(get_store)]
IntakeDep = Annotated[Intake, Depends(get_intake)]
Viewer = Annotated[ApiPrincipal, Depends(require(Role.VIEWER))]
OperatorKey = Annotated[ApiPrincipal, Depends(require(Role.OPERATOR))]
AdminKey = Annotated[ApiPrincipal, Depends(require(Role.ADMIN))]
