"""Tags set by hand (``shequn member tag``, ``/api/v1/members/{id}/tags/{name}``), both databases."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import insert, select

from shequn.domain.enums import Role
from shequn.errors import InputError, NotFound
from shequn.profiles.manual import MANUAL_SOURCE, add_tag, remove_tag
from shequn.profiles.tagjob import run_tag_job
from shequn.store.apikeys import create_api_key
from shequn.store.models import AuditLog, Member, MemberTag, Tag
from shequn.store.queries import member_card
from shequn.store.store import Store
from shequn.store.workspaces import create_workspace
from shequn.testing import CommunityHarness
from tests.conftest import LiveServer
from tests.profiles.conftest import member_of


@pytest.fixture
def member(harness: CommunityHarness, store: Store) -> int:
    """A member of group g1 in the 'acme' workspace."""
    harness.join("u1", "g1", user_name="Alice")
    return member_of(store, "u1")


def _tags(store: Store, workspace_id: int, member_id: int) -> dict[str, tuple[str, str]]:
    with store.session() as session:
        card = member_card(session, workspace_id=workspace_id, member_id=member_id)
    return {t["name"]: (t["value"], t["source"]) for t in card["tags"]}


def test_an_operator_adds_changes_and_removes_a_tag_with_an_audit_trail(
        store: Store, workspace_id: int, member: int) -> None:
    def add(value: str = "") -> bool:
        with store.session() as session:
            return add_tag(session, workspace_id=workspace_id, member_id=member,
                           name="expert:skincare", value=value, actor="test")

    def remove() -> bool:
        with store.session() as session:
            return remove_tag(session, workspace_id=workspace_id, member_id=member,
                              name="expert:skincare", actor="test")

    assert add() is True and add() is False
    assert _tags(store, workspace_id, member)["expert:skincare"] == ("", MANUAL_SOURCE)
    assert add("资深") is True
    assert _tags(store, workspace_id, member)["expert:skincare"] == ("资深", MANUAL_SOURCE)
    with store.session() as session:
        kind = session.scalar(select(Tag.kind).where(Tag.name == "expert:skincare"))
    assert kind == "strategy"
    assert remove() is True and remove() is False
    assert "expert:skincare" not in _tags(store, workspace_id, member)
    with store.session() as session:
        actions = list(session.scalars(select(AuditLog.action).where(
            AuditLog.target == f"member:{member}").order_by(AuditLog.id)))
    assert actions == ["member.tag.add", "member.tag.add", "member.tag.remove"]


def _owned_tag(store: Store, workspace_id: int, member: int, name: str, *,
               rule: str | None = None, source: str | None = None) -> None:
    """A tag that belongs to someone else: a segment (rule) or a job-filled tag (source)."""
    with store.transaction() as connection:
        tag_id = connection.execute(insert(Tag).values(
            workspace_id=workspace_id, name=name, kind="strategy", description="",
            rule=rule).returning(Tag.id)).scalar_one()
        if source:
            connection.execute(insert(MemberTag).values(
                workspace_id=workspace_id, member_id=member, tag_id=tag_id, value="yes",
                source=source))


@pytest.mark.parametrize(("name", "problem"), [
    ("city", "profile field"),
    ("has space", "no spaces"),
    ("a/b", "no spaces or '/'"),
    ("", "1–128 characters"),
    ("vip_silent", "is a segment"),
    ("kw:护肤", "filled by 'keyword'"),
])
def test_tags_owned_elsewhere_or_badly_named_are_refused(
        store: Store, workspace_id: int, member: int, name: str, problem: str) -> None:
    _owned_tag(store, workspace_id, member, "vip_silent", rule="layer = 'core'")
    _owned_tag(store, workspace_id, member, "kw:护肤", source="keyword")
    with pytest.raises(InputError, match=problem), store.session() as session:
        add_tag(session, workspace_id=workspace_id, member_id=member, name=name, actor="t")


def test_merged_members_and_members_of_other_workspaces_are_refused(
        store: Store, workspace_id: int, harness: CommunityHarness, member: int) -> None:
    harness.join("u2", "g1")
    other = member_of(store, "u2")
    with store.session() as session:
        session.get_one(Member, other).merged_into_id = member
        elsewhere = create_workspace(session, slug="other", name="Other").id
    with pytest.raises(InputError, match="merged into"), store.session() as session:
        add_tag(session, workspace_id=workspace_id, member_id=other, name="vip", actor="t")
    with pytest.raises(NotFound), store.session() as session:
        add_tag(session, workspace_id=elsewhere, member_id=member, name="vip", actor="t")


def test_the_tag_job_leaves_hand_set_tags_alone(
        store: Store, workspace_id: int, member: int) -> None:
    with store.session() as session:
        add_tag(session, workspace_id=workspace_id, member_id=member, name="expert:travel",
                actor="test")
    run_tag_job(store, workspace_id, actor="test")
    assert _tags(store, workspace_id, member)["expert:travel"] == ("", MANUAL_SOURCE)


@pytest.fixture
def keys(live_api: LiveServer, store: Store, workspace_id: int
         ) -> Iterator[dict[str, httpx.Client]]:
    """An HTTP client per role of the 'acme' workspace."""
    clients: dict[str, httpx.Client] = {}
    for role in (Role.VIEWER, Role.OPERATOR):
        with store.session() as session:
            _, secret = create_api_key(session, workspace_id=workspace_id, name=role.value,
                                       role=role)
        clients[role.value] = httpx.Client(
            base_url=live_api.url, headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    yield clients
    for client in clients.values():
        client.close()


def test_the_api_sets_and_removes_tags_for_operators_only(
        keys: dict[str, httpx.Client], store: Store, workspace_id: int, member: int) -> None:
    url = f"/api/v1/members/{member}/tags/expert:skincare"
    assert keys["viewer"].put(url, json={}).status_code == 403
    put = keys["operator"].put(url, json={"value": "资深"})
    assert put.status_code == 200 and put.json() == {
        "member_id": member, "name": "expert:skincare", "changed": True}
    card = keys["viewer"].get(f"/api/v1/members/{member}").json()
    assert {"name": "expert:skincare", "value": "资深", "source": MANUAL_SOURCE}.items() <= {
        k: v for t in card["tags"] if t["name"] == "expert:skincare" for k, v in t.items()
    }.items()
    bad = keys["operator"].put(f"/api/v1/members/{member}/tags/city", json={})
    assert bad.status_code == 400 and "profile field" in bad.json()["detail"]
    assert keys["operator"].put("/api/v1/members/999999/tags/vip", json={}).status_code == 404
    assert keys["viewer"].delete(url).status_code == 403
    assert keys["operator"].delete(url).json()["changed"] is True
    assert keys["operator"].delete(url).json()["changed"] is False
    assert "expert:skincare" not in _tags(store, workspace_id, member)
