"""Garde's configuration, read from the environment and ``.env``.

Secrets are ``SecretStr``: their value never shows in a repr, a log line or an
error message. Later features add their settings here, each with its default.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./garde.db"
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    recordings_dir: Path = Path("./recordings")
    default_locale: str = "fr"
    console_user: str = "demo"  # who the terminal chat of `garde serve` acts as
    ingest_token: SecretStr | None = None
    telegram_bot_username: str | None = None  # for deep links: t.me/<name>?start=<code>
