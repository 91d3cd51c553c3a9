"""Reading the settings: defaults, then one TOML file, then `MONITOR_*` environment variables.

Every validation error names the file, the key and what is wrong, so a typo is found in seconds. Source kinds and
their options are checked against the adapter registry here, above the sources layer, so a mistyped kind is refused
when the file is read rather than on the first crawl.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.core.errors import ConfigError, MonitorError
from monitor.core.redaction import redact_url
from monitor.core.settings import (
    DEFAULT_DATABASE_URL,
    DEFAULT_USER_AGENT,
    CompanyConfig,
    Settings,
    SmtpSettings,
    SourceConfig,
)
from monitor.core.text_safety import name_problem

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

# Every command that opens the database reads the settings. The checks that need a heavy module import it when a
# setting asks for them: the HTTP client for a proxy, APScheduler for a schedule, the source registry for a source,
# the regulator matcher for extra regulator names.

__all__ = ["check_proxy", "load_settings", "parse_schedule", "parse_settings", "schedule_trigger"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class _Reader:
    """Reads typed values out of a TOML table, naming file and key in every error."""

    def __init__(self, where: str, table: Mapping[str, Any], prefix: str) -> None:
        self.where, self.table, self.prefix = where, table, prefix
        self.used: set[str] = set()

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.prefix}{key}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, *, required: bool = False) -> Any:
        self.used.add(key)
        if key not in self.table:
            if required:
                raise self.fail(key, "is required but missing")
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, f"must be {_names(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(key, f"must be {_names(kinds)}, got {type(value).__name__} {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(key, f"must be a finite number, got {value!r}")
        return value

    def get_int(self, key: str, default: int, low: int, high: int) -> int:
        """An integer setting that must lie in `low..high`."""
        value: int = self.get(key, int, default)
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low} and {high}, got {value}")
        return value

    def reject_unknown(self, allowed_extra: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        unknown = sorted(set(self.table) - self.used - set(allowed_extra))
        if unknown:
            known = ", ".join(sorted(self.used))
            raise self.fail(unknown[0], f"unknown key (known keys here: {known})")


def _names(kinds: tuple[type, ...]) -> str:
    words = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(words.get(k, k.__name__) for k in kinds)


_SCHEDULE = re.compile(r"^(interval:(\d+)([smhd])|cron:(.+)|manual)$")


def parse_schedule(text: str) -> dict[str, Any]:
    """`interval:6h`, `cron:0 7 * * *` or `manual` → APScheduler trigger arguments (or {} for manual)."""
    match = _SCHEDULE.match(text.strip())
    if not match:
        raise ValueError("must be 'interval:<n><s|m|h|d>', 'cron:<5-field crontab>' or 'manual'")
    if match.group(1) == "manual":
        return {}
    if match.group(2):
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(3)]
        amount = int(match.group(2))
        if amount <= 0:
            raise ValueError("interval must be positive")
        return {"trigger": "interval", unit: amount}
    fields = match.group(4).split()
    if len(fields) != 5:
        raise ValueError("a cron schedule needs 5 fields: minute hour day month day-of-week")
    minute, hour, day, month, dow = fields
    return {"trigger": "cron", "minute": minute, "hour": hour, "day": day, "month": month, "day_of_week": dow}


def schedule_trigger(text: str, timezone: str = "UTC") -> BaseTrigger | None:
    """The scheduler's trigger for a source schedule (None for `manual`); ValueError when it cannot run it.

    The trigger is built and asked for its first run here, when the file is read, so a schedule APScheduler would
    refuse (`cron:99 99 99 99 99`, an interval past the calendar's end, 31 February) never reaches a running server.
    """
    args = parse_schedule(text)
    if not args:
        return None
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    kind = args.pop("trigger")
    trigger: BaseTrigger
    try:
        if kind == "interval":
            # Jitter spreads sources that share a host and an interval, so they do not hit it at the same second.
            seconds = sum(
                args.get(k, 0) * m for k, m in (("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400))
            )
            trigger = IntervalTrigger(**args, jitter=min(300, max(1, seconds // 10)), timezone=timezone)
        else:
            trigger = CronTrigger(**args, jitter=60, timezone=timezone)
        first = trigger.get_next_fire_time(None, datetime.now(UTC))
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValueError(f"cannot be scheduled: {' '.join(str(exc).split())}") from None
    if first is None:
        raise ValueError("never comes round: no such date")
    return trigger


_HOST = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$")


def check_proxy(proxy: str, key: str) -> None:
    """Refuse a proxy URL that the HTTP client could not use, naming `key`; the password never appears."""
    import httpx

    shown = redact_url(proxy)
    try:
        url = httpx.URL(proxy)
        host = url.host
        valid_port = url.port is None or 0 < url.port < 65536
        # Building the transport is what the crawler does first: it refuses unknown schemes and SOCKS without the
        # package that speaks it.
        httpx.HTTPTransport(proxy=proxy).close()
    except ImportError:
        raise ConfigError(f"{key}: {shown!r} is a SOCKS proxy, which needs `pip install 'httpx[socks]'`") from None
    except (httpx.InvalidURL, ValueError, TypeError):
        raise ConfigError(
            f"{key}: {shown!r} is not a proxy URL (http://host:port, https://... or socks5://...)"
        ) from None
    if not _valid_host(host) or not valid_port:
        raise ConfigError(f"{key}: {shown!r} has no usable host and port (http://host:port)")


def _valid_host(host: str) -> bool:
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOST.match(host))


_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _parse_days(text: str) -> tuple[int, ...]:
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            i, j = _DAYS.index(a), _DAYS.index(b)
            # A range may wrap past Sunday: "sun-thu" is Sunday to Thursday.
            days.update((i + k) % 7 for k in range((j - i) % 7 + 1))
        else:
            days.add(_DAYS.index(part))
    if not days:
        raise ValueError("no business days")
    return tuple(sorted(days))


def _parse_hours(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,2}):00-(\d{1,2}):00", text.strip())
    if not match or not (0 <= int(match.group(1)) < int(match.group(2)) <= 24):
        raise ValueError("must look like '09:00-17:00' (whole hours, start before end)")
    return int(match.group(1)), int(match.group(2))


def _read_source(where: str, table: Any, prefix: str, company: CompanyConfig) -> SourceConfig:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: {prefix}: must be a table")
    r = _Reader(where, table, prefix + ".")
    name = r.get("name", str, required=True)
    if not _NAME.match(name):
        raise r.fail("name", f"{name!r} must be 1-64 letters, digits, '.', '_' or '-'")
    kind = r.get("kind", str, required=True)
    locator = r.get("locator", str, required=True)
    options = r.get("options", dict, {})
    schedule = r.get("schedule", str, "interval:6h")
    try:
        schedule_trigger(schedule, company.timezone)
    except ValueError as exc:
        raise r.fail("schedule", f"{schedule!r} {exc}") from None
    src = SourceConfig(
        name=name,
        kind=kind,
        locator=locator,
        company=company.name,
        options=dict(options),
        schedule=schedule,
        enabled=r.get("enabled", bool, True),
        concurrency=r.get("concurrency", int, 2),
        min_delay=r.get("min_delay", float, 1.0),
        respect_robots=r.get("respect_robots", bool, True),
        timeout=r.get("timeout", float, 30.0),
        max_pages=r.get("max_pages", int, 50),
        incremental_depth=r.get("incremental_depth", int, 1),
        unhappy_threshold=r.get("unhappy_threshold", float, None),
    )
    r.reject_unknown()
    for key, value, low in (
        ("concurrency", src.concurrency, 1),
        ("max_pages", src.max_pages, 1),
        ("incremental_depth", src.incremental_depth, 0),
    ):
        if value < low:
            raise r.fail(key, f"must be at least {low}, got {value}")
    if src.min_delay < 0 or src.timeout <= 0:
        raise r.fail("min_delay" if src.min_delay < 0 else "timeout", "must be positive")
    _check_kind(r, src)
    return src


def _check_kind(r: _Reader, src: SourceConfig) -> None:
    from sources.base import get_source_class

    try:
        cls = get_source_class(src.kind)
        cls(src.locator, src.options)
    except MonitorError as exc:
        raise r.fail("kind" if "kind" in str(exc) and "unknown" in str(exc) else "options", str(exc)) from None


def _read_company(where: str, table: Any, index: int) -> CompanyConfig:
    prefix = f"company[{index}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: {prefix}: must be a table ([[company]])")
    r = _Reader(where, table, prefix + ".")
    name = r.get("name", str, required=True)
    problem = name_problem(name)
    if problem is not None:
        raise r.fail("name", f"{name!r} {problem}")
    tz = r.get("timezone", str, "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise r.fail(
            "timezone", f"{tz!r} is not a known time zone (e.g. 'Europe/Berlin', 'Africa/Johannesburg')"
        ) from None
    try:
        hours = _parse_hours(r.get("business_hours", str, "09:00-17:00"))
    except ValueError as exc:
        raise r.fail("business_hours", str(exc)) from None
    try:
        days = _parse_days(r.get("business_days", str, "mon-fri"))
    except ValueError:
        raise r.fail("business_days", "must look like 'mon-fri', 'sun-thu' or 'mon,tue,thu'") from None
    digest_time = r.get("digest_time", str, "08:00")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", digest_time):
        raise r.fail("digest_time", f"{digest_time!r} must be HH:MM (24-hour clock)")
    recipients = r.get("digest_recipients", list, [])
    if not all(isinstance(x, str) and "@" in x for x in recipients):
        raise r.fail("digest_recipients", "must be a list of e-mail addresses")
    threshold = r.get("unhappy_threshold", float, 2.0)
    alert_urls = r.get("alert_urls", list, [])
    if not all(isinstance(x, str) and "://" in x for x in alert_urls):
        raise r.fail("alert_urls", "must be a list of Apprise URLs such as 'slack://...' or 'json://host/path'")
    fixed = r.get("fixed_themes", list, [])
    if not all(isinstance(x, str) and x.strip() for x in fixed):
        raise r.fail("fixed_themes", "must be a list of words or phrases")
    extra_regulators = r.get("regulators", list, [])
    if not all(isinstance(x, str) for x in extra_regulators):
        raise r.fail("regulators", "must be a list of regulator names or abbreviations")
    try:
        regulators = _check_regulators(extra_regulators)
    except ValueError as exc:
        raise r.fail("regulators", str(exc)) from None
    company = CompanyConfig(
        name=name,
        timezone=tz,
        unhappy_threshold=threshold,
        business_hours=hours,
        business_days=days,
        digest_time=digest_time,
        digest_recipients=tuple(recipients),
        alert_urls=tuple(alert_urls),
        fixed_themes=tuple(x.strip() for x in fixed),
        regulators=regulators,
    )
    raw_sources = r.get("source", list, [])
    srcs = tuple(_read_source(where, t, f"{prefix}.source[{i}]", company) for i, t in enumerate(raw_sources))
    r.reject_unknown()
    return CompanyConfig(**{**company.__dict__, "sources": srcs})


def _check_regulators(extra: list[str]) -> tuple[str, ...]:
    """A company's extra regulator names, checked by the matcher that will look for them; most companies have none."""
    if not extra:
        return ()
    from monitor.text.regulators import check_extra

    return check_extra(extra)


def _read_smtp(where: str, table: dict[str, Any]) -> SmtpSettings:
    r = _Reader(where, table, "smtp.")
    values = {
        "host": r.get("host", str, "localhost"),
        "port": r.get("port", int, 587),
        "security": r.get("security", str, "starttls"),
        "username": r.get("username", str, None),
        "password_env": r.get("password_env", str, None),
        "from_address": r.get("from_address", str, "review-monitor@localhost"),
        "timeout": r.get("timeout", float, 30.0),
        "ca_file": r.get("ca_file", str, None),
    }
    if "password" in table:
        raise r.fail("password", "passwords do not belong in the file: name an environment variable in password_env")
    r.reject_unknown()
    try:
        return SmtpSettings(**values)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


DEFAULT_QUEUE_PREFIX = "monitor"
ENGINE_SCHEMES = ("amqp", "amqps", "redis", "rediss")


def check_engine_url(url: str, where: str) -> None:
    """A broker URL the task engine can use: RabbitMQ (`amqp://`) or Redis (`redis://`)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ENGINE_SCHEMES:
        raise ConfigError(
            f"{where}: {redact_url(url)!r} is no broker URL; use amqp://user:password@host:5672/ (RabbitMQ) or "
            "redis://host:6379/0 (Redis)"
        )


def _read_engine(where: str, table: Mapping[str, Any]) -> tuple[str | None, str]:
    r = _Reader(where, table, "engine.")
    url: str | None = r.get("url", str, None)
    prefix: str = r.get("queue_prefix", str, DEFAULT_QUEUE_PREFIX)
    r.reject_unknown()
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", prefix):
        raise r.fail("queue_prefix", "use 1-40 letters, digits, '.', '_' or '-'")
    return url, prefix


def parse_settings(data: Mapping[str, Any], *, where: str, env: Mapping[str, str]) -> Settings:
    """Validate a parsed TOML document and apply environment overrides."""
    r = _Reader(where, data, "")
    db_url = r.get("database_url", str, DEFAULT_DATABASE_URL)
    user_agent = r.get("user_agent", str, DEFAULT_USER_AGENT)
    proxy = r.get("proxy", str, None)
    # A backfill window past ten years or a claim held past a year is a typo, and huge values overflow date maths.
    window = r.get_int("backfill_window_days", 30, 1, 3650)
    claim_expiry = r.get_int("claim_expiry_minutes", 120, 1, 525_600)
    companies = tuple(_read_company(where, t, i) for i, t in enumerate(r.get("company", list, [])))
    smtp_table = r.get("smtp", dict, None)
    engine_table = r.get("engine", dict, None)
    r.reject_unknown()
    file_url, queue_prefix = _read_engine(where, engine_table) if engine_table else (None, DEFAULT_QUEUE_PREFIX)
    engine_url = env.get("MONITOR_ENGINE_URL") or file_url
    if engine_url:
        check_engine_url(engine_url, "MONITOR_ENGINE_URL" if env.get("MONITOR_ENGINE_URL") else f"{where}: engine.url")
    smtp = _read_smtp(where, smtp_table) if smtp_table is not None else None
    if not user_agent.strip():
        raise r.fail("user_agent", "must not be empty: sites must be able to tell who is crawling")
    seen: set[str] = set()
    for src in (s for c in companies for s in c.sources):
        if src.name in seen:
            raise ConfigError(f"{where}: source name {src.name!r} is used twice; names must be unique")
        seen.add(src.name)
    names = [c.name for c in companies]
    if len(names) != len(set(names)):
        raise ConfigError(f"{where}: a company name is used twice; names must be unique")
    if env.get("MONITOR_PROXY"):
        check_proxy(env["MONITOR_PROXY"], "MONITOR_PROXY")
    elif proxy:
        check_proxy(proxy, f"{where}: proxy")
    return Settings(
        database_url=env.get("MONITOR_DATABASE_URL") or db_url,
        user_agent=env.get("MONITOR_USER_AGENT") or user_agent,
        proxy=env.get("MONITOR_PROXY") or proxy,
        backfill_window_days=window,
        claim_expiry_minutes=claim_expiry,
        companies=companies,
        smtp=smtp,
        engine_url=engine_url or None,
        engine_queue_prefix=queue_prefix,
    )


def load_settings(path: str | Path | None = None, *, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from `path` (or `MONITOR_CONFIG`, or `monitor.toml` when present), then the environment."""
    env = os.environ if env is None else env
    chosen = Path(path) if path else (Path(env["MONITOR_CONFIG"]) if env.get("MONITOR_CONFIG") else None)
    if chosen is None and Path("monitor.toml").exists():
        chosen = Path("monitor.toml")
    if chosen is None:
        return parse_settings({}, where="(defaults)", env=env)
    if not chosen.exists():
        raise ConfigError(f"{chosen}: configuration file not found")
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{chosen}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{chosen}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ConfigError(f"{chosen}: cannot read the configuration file: {exc.strerror or exc}") from None
    settings = parse_settings(data, where=str(chosen), env=env)
    return Settings(**{**settings.__dict__, "path": chosen})
