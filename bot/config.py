"""Settings read from the environment, with embedded defaults for a laptop run.

Every process (Rasa server, action server, scheduler, CLI) builds its settings
through `load_settings()` so that one variable means the same thing everywhere.
The embedded default (no `COPING_DB_URL`) keeps everything under `var/` and
generates the local secrets it needs; a deployment that names its own database
must also name its own secrets, so that a forgotten key fails loudly at start-up
instead of silently encrypting with a throwaway one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    db_url: str
    tracker_db_url: str
    encryption_key: bytes
    pseudonym_key: bytes
    region: str
    retention_days: int
    handoff_timeout_seconds: int
    rasa_url: str
    rasa_token: str
    telegram_bot_token: str | None
    telegram_staff_chat_id: str | None
    telegram_api_base_url: str | None
    var_dir: Path
    embedded: bool


REGIONS = ("US", "UK", "CA", "AU", "IE")


def _var_dir(env: Mapping[str, str]) -> Path:
    path = Path(env.get("COPING_VAR_DIR", PROJECT_ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _local_secret(path: Path, make: callable) -> bytes:
    """Read a secret kept in a local file, creating it (mode 600) on first use."""
    if not path.exists():
        path.write_bytes(make())
        path.chmod(0o600)
    return path.read_bytes().strip()


def _secret(env: Mapping[str, str], name: str, embedded: bool, path: Path, make: callable) -> bytes:
    value = env.get(name, "").strip()
    if value:
        return value.encode()
    if not embedded:
        raise ConfigError(
            f"{name} is not set. It is required when COPING_DB_URL names a database; "
            "the generated local secret is only used with the embedded SQLite default."
        )
    return _local_secret(path, make)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {value}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    var_dir = _var_dir(env)
    db_url = env.get("COPING_DB_URL", "").strip()
    embedded = not db_url
    if embedded:
        db_url = f"sqlite:///{var_dir / 'coping.db'}"
    tracker_db_url = env.get("COPING_TRACKER_DB_URL", "").strip() or (
        f"sqlite:///{var_dir / 'tracker.db'}" if embedded else db_url
    )
    encryption_key = _secret(
        env, "COPING_ENCRYPTION_KEY", embedded, var_dir / "encryption.key", Fernet.generate_key
    )
    try:
        Fernet(encryption_key)
    except ValueError as exc:
        raise ConfigError(
            "COPING_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes); "
            "make one with `python -m bot gen-key`"
        ) from exc
    pseudonym_key = _secret(
        env,
        "COPING_PSEUDONYM_KEY",
        embedded,
        var_dir / "pseudonym.key",
        lambda: secrets.token_hex(32).encode(),
    )
    rasa_token = _secret(
        env,
        "RASA_TOKEN",
        embedded,
        var_dir / "rasa_token",
        lambda: secrets.token_urlsafe(24).encode(),
    ).decode()
    region = env.get("COPING_REGION", "US").strip().upper() or "US"
    if region not in REGIONS:
        raise ConfigError(f"COPING_REGION must be one of {', '.join(REGIONS)}, got {region!r}")
    return Settings(
        db_url=db_url,
        tracker_db_url=tracker_db_url,
        encryption_key=encryption_key,
        pseudonym_key=pseudonym_key,
        region=region,
        retention_days=_int(env, "COPING_RETENTION_DAYS", 90),
        handoff_timeout_seconds=_int(env, "COPING_HANDOFF_TIMEOUT_SECONDS", 300),
        rasa_url=env.get("COPING_RASA_URL", "http://localhost:5005").rstrip("/"),
        rasa_token=rasa_token,
        telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
        telegram_staff_chat_id=env.get("TELEGRAM_STAFF_CHAT_ID") or None,
        telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
        var_dir=var_dir,
        embedded=embedded,
    )
