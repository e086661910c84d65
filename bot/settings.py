"""Garde's configuration, read from the environment and ``.env``.

Secrets are ``SecretStr``: their value never shows in a repr, a log line or an
error message. Later features add their settings here, each with its default.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./garde.db"
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    recordings_dir: Path = Path("./recordings")
    default_locale: str = "fr"
    alert_scan_minutes: int = 5  # how often coverage is scanned for alerts
    delivery_seconds: float = 2.0  # how often the outbox is polled for pushes
    # how often due escalation steps are looked for (one indexed row read): a page
    # leaves within this much of its deadline, plus the step's own time
    escalation_seconds: float = 0.5
    console_user: str = "demo"  # who the terminal chat of `garde serve` acts as
    log_file: Path = Path("./garde.log")  # where the log goes while the terminal chat runs
    ingest_token: SecretStr | None = None  # the ingest API is off (404) without it
    ingest_max_mb: int = 100  # largest ingest request body, in MB (413 above)
    telegram_bot_username: str | None = None  # for deep links: t.me/<name>?start=<code>
    # How clients reach accounts receivable, for accounts whose import does not say.
    receivable_contact: str | None = None

    # Recordings: signed links to PUBLIC_URL/recordings/<token>, valid this many hours.
    link_secret: SecretStr | None = None  # signs the links; the same on every replica
    recording_link_hours: int = Field(default=24, ge=1, le=24 * 30)

    # Slack: off unless a signing secret and a token (or OAuth client) are set.
    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None  # one workspace
    slack_client_id: str | None = None  # several workspaces ("Add to Slack")
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    # Telegram: off unless a token is set; webhook with PUBLIC_URL, long polling without.
    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
