"""The CLI over the connectors: connect a bot to the fake, list, run the worker, dead letters."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from shequn.cli.main import app
from shequn.connectors.telegram.fake import FakeBotApi
from shequn.store.models import Group, OutboxAction, PlatformAccount
from shequn.store.store import Store
from tests.connectors.conftest import GROUP

runner = CliRunner()


def test_connect_worker_and_dead_letters(tmp_path: Path, fake_api: FakeBotApi) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    base = ["--database-url", url]
    assert runner.invoke(app, [*base, "init", "-w", "acme"]).exit_code == 0

    result = runner.invoke(app, [*base, "telegram", "connect", "-w", "acme", "--token",
                                 fake_api.token, "--group", str(GROUP), "--api-url",
                                 fake_api.url])
    assert result.exit_code == 0, result.output
    assert "@shequn_test_bot" in result.output and "polling" in result.output
    assert len(fake_api.calls_of("setMyCommands")) == 2
    listed = runner.invoke(app, [*base, "telegram", "list", "-w", "acme"])
    assert "telegram" in listed.output and fake_api.token not in listed.output

    store = Store.open(url)
    with store.session() as session:
        group = session.scalar(select(Group).where(Group.external_id == str(GROUP)))
        account = session.scalar(select(PlatformAccount))
        assert group is not None and account is not None
        assert group.platform_account_id == account.id
        assert group.settings["admins"] == ["7"] and group.name.startswith("深圳宝妈群")
        session.add(OutboxAction(workspace_id=group.workspace_id, group_id=group.id,
                                 kind="ban", handler="test", status="pending",
                                 payload={"platform": "telegram", "kind": "ban",
                                          "group_id": str(GROUP), "user_id": "7"},
                                 next_attempt_at=group.created_at, created_at=group.created_at))
    store.close()

    ran = runner.invoke(app, [*base, "worker", "--once"])
    assert ran.exit_code == 0 and "handled 1" in ran.output
    dead = runner.invoke(app, [*base, "outbox", "dead", "-w", "acme"])
    assert "administrator" in dead.output  # Telegram refused to ban an admin
    retried = runner.invoke(app, [*base, "outbox", "retry", "--all", "-w", "acme"])
    assert retried.exit_code == 0 and "1" in retried.output
    nothing = runner.invoke(app, [*base, "outbox", "retry", "-w", "acme"])
    assert nothing.exit_code == 1 and "--all" in nothing.output


def test_connect_refuses_a_bad_token(tmp_path: Path, fake_api: FakeBotApi) -> None:
    base = ["--database-url", f"sqlite:///{tmp_path / 'cli.db'}"]
    runner.invoke(app, [*base, "init"])
    wrong = runner.invoke(app, [*base, "telegram", "connect", "--token",
                                "987654321:AAWrongTokenWrongTokenWrongToken12", "--api-url",
                                fake_api.url])
    assert wrong.exit_code == 1 and "refused the bot token" in wrong.output
    shape = runner.invoke(app, [*base, "telegram", "connect", "--token", "changeme"])
    assert shape.exit_code == 1 and "placeholder" in shape.output


def test_webhook_create_prints_the_secret_once(tmp_path: Path) -> None:
    base = ["--database-url", f"sqlite:///{tmp_path / 'cli.db'}"]
    runner.invoke(app, [*base, "init"])
    made = runner.invoke(app, [*base, "webhook", "create", "wecom-main", "--platform", "wecom",
                               "--url", "http://127.0.0.1:9/actions"])
    assert made.exit_code == 0 and "POST /hooks/1" in made.output and "secret" in made.output
    listed = runner.invoke(app, [*base, "telegram", "list"])
    assert "webhook" in listed.output
