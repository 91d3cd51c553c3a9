"""The settings object: every value the product reads from configuration, as frozen dataclasses.

Reading them from a TOML file and the environment, with validation, is `monitor.runtime.config_file`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.core.errors import ConfigError, MonitorError

__all__ = ["DEFAULT_DATABASE_URL", "DEFAULT_USER_AGENT", "CompanyConfig", "Settings", "SmtpSettings", "SourceConfig"]

DEFAULT_USER_AGENT = "review-response-monitor/0.1 (+https://github.com/review-response-monitor)"
DEFAULT_DATABASE_URL = "sqlite:///monitor.store.db"


SECURITY_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how digests are sent (the `[smtp]` table of the configuration)."""

    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # starttls, ssl or none
    username: str | None = None
    password_env: str | None = None  # name of the environment variable holding the password
    from_address: str = "review-monitor@localhost"
    timeout: float = 30.0
    # A CA bundle to trust in addition to the system's (a company relay with its own certificate).
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ConfigError(f"smtp.security: {self.security!r} must be one of {', '.join(SECURITY_MODES)}")
        if not 0 < self.port < 65536:
            raise ConfigError(f"smtp.port: {self.port} is not a TCP port")
        if "@" not in self.from_address:
            raise ConfigError(f"smtp.from_address: {self.from_address!r} is not an e-mail address")

    def password(self, env: Mapping[str, str]) -> str | None:
        """The password from the named environment variable; an error when it is named but unset."""
        if not self.password_env:
            return None
        value = env.get(self.password_env)
        if value is None:
            raise ConfigError(f"smtp.password_env: the environment variable {self.password_env} is not set")
        return value


@dataclass(frozen=True)
class SourceConfig:
    """One watched place of one company."""

    name: str
    kind: str
    locator: str
    company: str
    options: dict[str, Any] = field(default_factory=dict)
    schedule: str = "interval:6h"
    enabled: bool = True
    concurrency: int = 2
    min_delay: float = 1.0
    respect_robots: bool = True
    timeout: float = 30.0
    max_pages: int = 50
    incremental_depth: int = 1  # known-unchanged pages to read before an incremental run stops
    unhappy_threshold: float | None = None


@dataclass(frozen=True)
class CompanyConfig:
    """A company, its outreach rules and its sources."""

    name: str
    timezone: str = "UTC"
    unhappy_threshold: float = 2.0
    business_hours: tuple[int, int] = (9, 17)
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    digest_time: str = "08:00"
    digest_recipients: tuple[str, ...] = ()
    alert_urls: tuple[str, ...] = ()  # Apprise URLs for instant alerts on urgent reviews
    fixed_themes: tuple[str, ...] = ()  # complaint themes the company has fixed: thank-you follow-ups
    # Regulators beyond the shipped list whose mention puts a task on hold ("=ABC" case-sensitive, "?ABC" in context).
    regulators: tuple[str, ...] = ()
    sources: tuple[SourceConfig, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything the product reads from configuration, built once and passed in."""

    database_url: str = DEFAULT_DATABASE_URL
    user_agent: str = DEFAULT_USER_AGENT
    proxy: str | None = None
    backfill_window_days: int = 30
    claim_expiry_minutes: int = 120
    companies: tuple[CompanyConfig, ...] = ()
    smtp: SmtpSettings | None = None
    path: Path | None = None
    # The broker of the distributed task engine (`amqp://…` RabbitMQ, `redis://…` Redis); None runs jobs in process.
    engine_url: str | None = None
    engine_queue_prefix: str = "monitor"  # queue names start with it, so several installations can share a broker

    def all_sources(self) -> list[SourceConfig]:
        """Every configured source of every company."""
        return [s for c in self.companies for s in c.sources]

    def source(self, name: str) -> SourceConfig:
        """The source called `name`, or an error listing the configured names."""
        for src in self.all_sources():
            if src.name == name:
                return src
        known = ", ".join(s.name for s in self.all_sources()) or "none configured"
        raise MonitorError(f"no source named {name!r} (configured: {known})")

    def company(self, name: str) -> CompanyConfig:
        """The company called `name`, or an error listing the configured names."""
        for comp in self.companies:
            if comp.name == name:
                return comp
        known = ", ".join(c.name for c in self.companies) or "none configured"
        raise MonitorError(f"no company named {name!r} (configured: {known})")
