"""Everything reachable from the CLI and the HTTP API, against real databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from shequn.cli.main import app
from shequn.domain.enums import Role
from shequn.store.apikeys import create_api_key
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.conftest import LiveServer
from tests.profiles.conftest import member_of

AS_OF = "2026-01-06T00:00:00+00:00"




@pytest.fixture
def community(harness: CommunityHarness) -> CommunityHarness:
    """Two buyers, a cat lover, and a person known twice (same phone)."""
    harness.profile("u1", city="深圳", phone="13900000001")
    harness.join("u1", "g1")
    harness.say("u1", "我的猫太可爱了", group="g1")
    harness.order("u1", "o1", "100.00")
    harness.join("u2", "g1")
    harness.order("u2", "o2", "30.00")
    harness.join("u3", "g1")
    harness.profile("u3", phone="139 0000 0001")
    return harness


@pytest.fixture
def shequn(store: Store, workspace_id: int, monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> Callable[..., Result]:
    """Run ``shequn … -w acme`` against the test store."""
    monkeypatch.setenv("SHEQUN_DATABASE_URL",
                       store.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SHEQUN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SHEQUN_WORKSPACE", "acme")
    runner = CliRunner()

    def run(*args: str) -> Result:
        result = runner.invoke(app, list(args))
        return result

    return run


def test_cli_end_to_end(shequn: Callable[..., Result], store: Store,
                        community: CommunityHarness, tmp_path: Path) -> None:
    assert shequn("tags", "keyword", "add", "pet:cat", "猫", "cat").exit_code == 0
    saved = shequn("segment", "save", "cat_buyers", 'has_tag("pet:cat") and orders >= 1')
    assert saved.exit_code == 0, saved.output
    bad = shequn("segment", "preview", 'rfm in ("champion")')
    assert bad.exit_code == 1 and "column 9" in bad.output and "unknown rfm value" in bad.output

    computed = shequn("tags", "compute", "--as-of", AS_OF)
    assert computed.exit_code == 0, computed.output
    assert "computed 3 members" in computed.output and "cat_buyers 1" in computed.output

    shown = shequn("member", "show", str(member_of(store, "u1")))
    assert shown.exit_code == 0, shown.output
    for expected in ("city=深圳", "pet:cat", "cat_buyers", "策略 strategy", "layer: core"):
        assert expected in shown.output

    previewed = shequn("segment", "preview", 'layer = "core"')
    assert "matches: 2 members" in previewed.output
    out = tmp_path / "cat.csv"
    exported = shequn("segment", "export", "cat_buyers", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    assert out.read_text(encoding="utf-8").splitlines()[1].split(",")[:3] == [
        str(member_of(store, "u1")), "", "深圳"]
    assert "cat_buyers" in shequn("segment", "list").output
    assert "pet:cat" in shequn("tags", "list").output
    assert "深圳" in shequn("tags", "values", "city").output

    duplicates = shequn("member", "duplicates")
    assert "share phone 13900000001" in duplicates.output
    merged = shequn("member", "merge", "--all")
    assert merged.exit_code == 0 and "undo 撤销: shequn member unmerge 1" in merged.output
    assert "merged members" in shequn("member", "show", str(member_of(store, "u1"))).output
    assert shequn("member", "unmerge", "1").exit_code == 0
    again = shequn("member", "unmerge", "1")
    assert again.exit_code == 1 and "already undone" in again.output

    buyers = shequn("tags", "buyers", "--top", "5")
    # One day of history: no one could have bought "in the next 30 days" yet.
    assert buyers.exit_code == 0 and "no likely buyers yet" in buyers.output

    evaluated = shequn("tags", "evaluate", "--as-of", AS_OF)
    assert evaluated.exit_code == 0 and "AUC" in evaluated.output


@pytest.fixture
def api(live_api: LiveServer, store: Store, workspace_id: int) -> Iterator[httpx.Client]:
    """An admin client of the 'acme' workspace."""
    with store.session() as session:
        secret = create_api_key(session, workspace_id=workspace_id, name="t",
                                role=Role.ADMIN)[1]
    with httpx.Client(base_url=live_api.url, timeout=60,
                      headers={"Authorization": f"Bearer {secret}"}) as client:
        yield client


def test_api_end_to_end(api: httpx.Client, store: Store, community: CommunityHarness) -> None:
    settings: dict[str, Any] = api.get("/api/v1/tags/settings").json()
    settings["keywords"] = [{"tag": "pet:cat", "keywords": ["猫"]}]
    assert api.put("/api/v1/tags/settings", json=settings).status_code == 200
    bad_settings = api.put("/api/v1/tags/settings", json={"lifecycle": {"active_days": 99}})
    assert bad_settings.status_code == 400 and "active_days < dormant_days" in \
        bad_settings.json()["detail"]

    bad = api.post("/api/v1/segments/preview", json={"rule": 'city > "x"'})
    assert bad.status_code == 400 and "column 6" in bad.json()["detail"]
    created = api.post("/api/v1/segments", json={"name": "cats", "rule": 'has_tag("pet:cat")'})
    assert created.status_code == 201, created.text

    run = api.post("/api/v1/tags/compute", json={"as_of": AS_OF, "engine": "duckdb"})
    assert run.status_code == 200, run.text
    assert run.json()["members"] == 3 and run.json()["segments"] == {"cats": 1}

    card = api.get(f"/api/v1/members/{member_of(store, 'u1')}").json()
    tags = {t["name"]: (t["kind"], t["value"], t["source"]) for t in card["tags"]}
    assert tags["pet:cat"] == ("fact", "1", "keyword") and tags["cats"][0] == "strategy"
    assert card["layer"] == "core" and card["lifecycle"] == "new"

    preview = api.post("/api/v1/segments/preview", json={"rule": 'layer = "core"'}).json()
    assert preview["count"] == 2 and preview["profiles_computed"]
    csv = api.get("/api/v1/segments/cats/export.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.splitlines()) == 2
    listed = {t["name"]: t["members"] for t in api.get("/api/v1/tags").json()}
    assert listed["pet:cat"] == 1 and listed["layer"] == 3

    candidates = api.get("/api/v1/merges/candidates").json()
    assert [(c["survivor_id"], c["merged_id"]) for c in candidates] == [
        (member_of(store, "u1"), member_of(store, "u3"))]
    merge = api.post("/api/v1/merges", json={"survivor_id": candidates[0]["survivor_id"],
                                             "merged_id": candidates[0]["merged_id"]})
    assert merge.status_code == 201
    undo = api.post(f"/api/v1/merges/{merge.json()['id']}/undo")
    assert undo.status_code == 200 and undo.json()["undone_at"] is not None
    assert api.post(f"/api/v1/merges/{merge.json()['id']}/undo").status_code == 400
    assert api.get("/api/v1/tags/evaluate").status_code == 200
    assert api.delete("/api/v1/segments/cats").status_code == 204
