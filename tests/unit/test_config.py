"""Settings: embedded defaults generate local secrets; a named database demands real ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import ConfigError, load_settings


def test_embedded_default_generates_and_keeps_secrets(tmp_path: Path) -> None:
    env = {"COPING_VAR_DIR": str(tmp_path)}
    first, second = load_settings(env), load_settings(env)
    assert first.embedded and first.db_url == f"sqlite:///{tmp_path / 'coping.db'}"
    assert first.encryption_key == second.encryption_key
    Fernet(first.encryption_key)
    assert (tmp_path / "encryption.key").stat().st_mode & 0o777 == 0o600
    assert first.rasa_token == second.rasa_token and len(first.rasa_token) >= 24


def test_named_database_without_key_is_a_clear_error(tmp_path: Path) -> None:
    env = {"COPING_VAR_DIR": str(tmp_path), "COPING_DB_URL": "postgresql://db/coping"}
    with pytest.raises(ConfigError, match="COPING_ENCRYPTION_KEY is not set"):
        load_settings(env)
    assert not (tmp_path / "encryption.key").exists()


def test_malformed_key_and_region_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="COPING_ENCRYPTION_KEY must be a Fernet key"):
        load_settings({"COPING_VAR_DIR": str(tmp_path), "COPING_ENCRYPTION_KEY": "short"})
    with pytest.raises(ConfigError, match="COPING_REGION"):
        load_settings({"COPING_VAR_DIR": str(tmp_path), "COPING_REGION": "FR"})
    with pytest.raises(ConfigError, match="COPING_RETENTION_DAYS"):
        load_settings({"COPING_VAR_DIR": str(tmp_path), "COPING_RETENTION_DAYS": "soon"})


def test_named_database_with_all_secrets(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    settings = load_settings(
        {
            "COPING_VAR_DIR": str(tmp_path),
            "COPING_DB_URL": "postgresql://db/coping",
            "COPING_ENCRYPTION_KEY": key,
            "COPING_PSEUDONYM_KEY": "p" * 40,
            "RASA_TOKEN": "t" * 30,
            "COPING_REGION": "uk",
        }
    )
    assert not settings.embedded
    assert settings.tracker_db_url == "postgresql://db/coping"
    assert settings.region == "UK"
