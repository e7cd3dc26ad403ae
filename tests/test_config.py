"""Settings: environment, TOML file, and failing fast on bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from shequn.config import load_settings
from shequn.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SHEQUN_DATABASE_URL", "SHEQUN_CONFIG", "SHEQUN_PORT", "SHEQUN_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_put_sqlite_in_the_data_dir(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv("SHEQUN_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'data' / 'shequn.db'}"
    assert settings.port == 8000


def test_env_overrides_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "custom.toml"
    config.write_text('port = 9001\nhost = "0.0.0.0"\n', encoding="utf-8")
    monkeypatch.setenv("SHEQUN_CONFIG", str(config))
    monkeypatch.setenv("SHEQUN_PORT", "9100")
    settings = load_settings()
    assert (settings.host, settings.port) == ("0.0.0.0", 9100)


def test_local_shequn_toml_is_read(tmp_path: Path) -> None:
    (tmp_path / "shequn.toml").write_text("max_batch_events = 250\n", encoding="utf-8")
    assert load_settings().max_batch_events == 250


@pytest.mark.parametrize(
    ("env", "value", "words"),
    [
        ("SHEQUN_PORT", "eighty", "port"),
        ("SHEQUN_DATABASE_URL", "mysql://x@y/z", "database_url"),
        ("SHEQUN_DATABASE_URL", "postgresql://shequn:changeme@db/shequn", "placeholder"),
    ],
)
def test_bad_settings_fail_fast_and_name_the_field(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, words: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=words):
        load_settings()


def test_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHEQUN_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match=r"nope\.toml"):
        load_settings()
