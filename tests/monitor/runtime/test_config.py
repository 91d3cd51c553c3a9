"""Configuration: a complete file loads; every mistake names the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.errors import ConfigError
from monitor.runtime.config_file import load_settings, parse_schedule

GOOD = """
database_url = "sqlite:///x.db"
user_agent = "acme-monitor/1.0 (+mailto:ops@example.com)"

[[company]]
name = "Acme"
timezone = "Europe/Berlin"
business_hours = "08:00-18:00"
business_days = "mon-fri"
unhappy_threshold = 2

[[company.source]]
name = "acme-trustpilot"
kind = "trustpilot"
locator = "https://www.trustpilot.com/review/acme.example"
schedule = "interval:6h"
min_delay = 2.5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_complete_file_loads(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD), env={})
    (company,) = settings.companies
    assert company.name == "Acme" and company.business_hours == (8, 18) and company.business_days == (0, 1, 2, 3, 4)
    (src,) = company.sources
    assert (src.kind, src.min_delay, src.company, src.respect_robots) == ("trustpilot", 2.5, "Acme", True)
    assert settings.database_url == "sqlite:///x.db"


def test_environment_overrides_database_url(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD), env={"MONITOR_DATABASE_URL": "postgresql://u@h/db"})
    assert settings.database_url == "postgresql://u@h/db"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('kind = "trustpilot"', 'kind = "trustpilott"'), "unknown source kind 'trustpilott'; known kinds:"),
        (('timezone = "Europe/Berlin"', 'timezone = "Mars/Olympus"'), "company[0].timezone: 'Mars/Olympus'"),
        (('schedule = "interval:6h"', 'schedule = "every day"'), "company[0].source[0].schedule"),
        (("min_delay = 2.5", 'min_delay = "slow"'), "company[0].source[0].min_delay: must be a number"),
        (('business_hours = "08:00-18:00"', 'business_hours = "18:00-08:00"'), "business_hours"),
        (("min_delay = 2.5", "min_delai = 2.5"), "min_delai: unknown key"),
        (('user_agent = "acme-monitor/1.0 (+mailto:ops@example.com)"', 'user_agent = " "'), "user_agent"),
        (('name = "Acme"', 'name = "Acme\\r\\nBcc: x@example.com"'), "company[0].name: 'Acme\\r\\nBcc"),
        (('name = "Acme"', 'name = "\\u202eemcA"'), "bidi embedding, override or isolate controls"),
    ],
)
def test_mistakes_name_file_key_and_problem(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_malformed_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[[company]\nname="), env={})
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_duplicate_source_names_refused(tmp_path: Path) -> None:
    text = GOOD + GOOD[GOOD.index("[[company.source]]") :]
    with pytest.raises(ConfigError, match="used twice"):
        load_settings(write(tmp_path, text), env={})


def test_schedules() -> None:
    assert parse_schedule("interval:30m") == {"trigger": "interval", "minutes": 30}
    assert parse_schedule("cron:0 7 * * mon-fri")["day_of_week"] == "mon-fri"
    assert parse_schedule("manual") == {}
    with pytest.raises(ValueError):
        parse_schedule("cron:0 7 *")


def test_smtp_and_alert_settings(tmp_path: Path) -> None:
    smtp = '[smtp]\nhost = "mail.example"\nport = 465\nsecurity = "ssl"\nfrom_address = "m@example.com"\n'
    text = GOOD.replace("[[company]]", smtp + "\n[[company]]", 1).replace(
        "unhappy_threshold = 2",
        'unhappy_threshold = 2\nalert_urls = ["json://127.0.0.1:9/hook"]\nfixed_themes = ["late delivery"]',
    )
    settings = load_settings(write(tmp_path, text), env={})
    assert settings.smtp is not None
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.security) == ("mail.example", 465, "ssl")
    assert settings.companies[0].alert_urls == ("json://127.0.0.1:9/hook",)
    assert settings.companies[0].fixed_themes == ("late delivery",)


@pytest.mark.parametrize(
    ("smtp", "expected"),
    [
        ('security = "tls"', "smtp.security"),
        ('password = "hunter2"', "smtp.password: passwords do not belong in the file"),
        ("port = 99999", "smtp.port"),
    ],
)
def test_bad_smtp_settings(tmp_path: Path, smtp: str, expected: str) -> None:
    text = GOOD.replace("[[company]]", f"[smtp]\n{smtp}\n\n[[company]]", 1)
    with pytest.raises(ConfigError, match=expected):
        load_settings(write(tmp_path, text), env={})


def test_business_days_may_wrap_past_sunday(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD.replace('"mon-fri"', '"sun-thu"')), env={})
    assert settings.companies[0].business_days == (0, 1, 2, 3, 6)


TOP = 'user_agent = "acme-monitor/1.0 (+mailto:ops@example.com)"'


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((TOP, TOP + "\nclaim_expiry_minutes = 0"), "claim_expiry_minutes: must be between 1 and"),
        ((TOP, TOP + "\nclaim_expiry_minutes = -30"), "claim_expiry_minutes: must be between 1 and"),
        ((TOP, TOP + "\nbackfill_window_days = 0"), "backfill_window_days: must be between 1 and 3650"),
        ((TOP, TOP + "\nbackfill_window_days = 100000"), "backfill_window_days: must be between 1 and 3650"),
        (("unhappy_threshold = 2", "unhappy_threshold = nan"), "company[0].unhappy_threshold: must be a finite"),
        (("unhappy_threshold = 2", "unhappy_threshold = inf"), "company[0].unhappy_threshold: must be a finite"),
        (("min_delay = 2.5", "min_delay = nan"), "company[0].source[0].min_delay: must be a finite"),
        (("min_delay = 2.5", "unhappy_threshold = -inf"), "company[0].source[0].unhappy_threshold: must be a finite"),
        (('"interval:6h"', '"cron:99 99 99 99 99"'), "company[0].source[0].schedule: 'cron:99 99 99 99 99' cannot"),
        (('"interval:6h"', '"interval:999999999999d"'), "company[0].source[0].schedule: 'interval:999999999999d'"),
        (('"interval:6h"', '"interval:99999999d"'), "company[0].source[0].schedule: 'interval:99999999d' cannot"),
        (('"interval:6h"', '"cron:0 8 31 2 *"'), "company[0].source[0].schedule: 'cron:0 8 31 2 *' never"),
        ((TOP, TOP + '\nproxy = "ftp://proxy.example:21"'), "proxy: 'ftp://proxy.example:21' is not a proxy URL"),
        ((TOP, TOP + '\nproxy = "http://[proxy"'), "proxy: 'http://[proxy' has no usable host"),
        ((TOP, TOP + '\nproxy = "http://proxy.example:99999"'), "proxy: 'http://proxy.example:99999' has no usable"),
        ((TOP, TOP + '\nproxy = "http://proxy.example:port"'), "proxy: 'http://proxy.example:port' is not a proxy"),
    ],
)
def test_out_of_range_values_are_refused_when_read(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert str(path) in str(info.value) and expected in str(info.value)
    assert "\n" not in str(info.value)


def test_schedules_the_scheduler_accepts_still_load(tmp_path: Path) -> None:
    for schedule in ("interval:1s", "interval:3650d", "cron:*/15 6-22 * * mon-fri", "cron:0 0 29 2 *", "manual"):
        load_settings(write(tmp_path, GOOD.replace("interval:6h", schedule)), env={})


def test_a_socks_proxy_needs_its_package(tmp_path: Path) -> None:
    import importlib.util

    text = GOOD.replace(TOP, TOP + '\nproxy = "socks5://proxy.example:1080"')
    if importlib.util.find_spec("socksio") is not None:
        assert load_settings(write(tmp_path, text), env={}).proxy == "socks5://proxy.example:1080"
        return
    with pytest.raises(ConfigError, match=r"proxy: 'socks5://proxy.example:1080' is a SOCKS proxy.*httpx\[socks\]"):
        load_settings(write(tmp_path, text), env={})


def test_the_proxy_from_the_environment_is_checked_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MONITOR_PROXY: 'gopher://x' is not a proxy URL"):
        load_settings(write(tmp_path, GOOD), env={"MONITOR_PROXY": "gopher://x"})
    good = load_settings(write(tmp_path, GOOD), env={"MONITOR_PROXY": "http://bob:pw@proxy.example:3128"})
    assert good.proxy == "http://bob:pw@proxy.example:3128"


def test_company_regulators_extend_the_shipped_list(tmp_path: Path) -> None:
    text = GOOD.replace("unhappy_threshold = 2", 'unhappy_threshold = 2\nregulators = ["Telco Disputes Board", "=TDB"]')
    settings = load_settings(write(tmp_path, text), env={})
    assert settings.companies[0].regulators == ("Telco Disputes Board", "=TDB")


@pytest.mark.parametrize("value", ['["  "]', '"TDB"', "[3]"])
def test_unusable_regulator_entries_name_the_key(tmp_path: Path, value: str) -> None:
    text = GOOD.replace("unhappy_threshold = 2", f"unhappy_threshold = 2\nregulators = {value}")
    with pytest.raises(ConfigError, match="regulators"):
        load_settings(write(tmp_path, text), env={})
