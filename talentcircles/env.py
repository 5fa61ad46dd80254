"""Small readers for configuration from the environment.

Each reader fails loudly, naming the variable, so a typo stops start-up
instead of silently running with a default.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from dj_database_url import DBConfig

_TRUE = {"1", "true", "on"}
_FALSE = {"0", "false", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: str = "False") -> bool:
    raw = os.environ.get(name, default).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be True or False (or 1/0, on/off), not {raw!r}.")


def env_int(name: str, default: str) -> int:
    raw = os.environ.get(name, default)
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str = "", schemes: tuple[str, ...] = ()) -> str:
    raw = os.environ.get(name, default).strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if schemes and parts.scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}, not {raw!r}.")
    if not parts.scheme:
        raise ImproperlyConfigured(f"{name} must be a URL, not {raw!r}.")
    return raw


def redis_url_per_test_process(url: str) -> str:
    """Under pytest-xdist, each test process gets its own Redis database: the URL's number plus N for gwN.

    Tests that start real Celery workers flush their Redis database, which would pull the queues and the
    cache from under another process sharing it. Applied once per test process: the URL is written back
    to the environment, which the workers and servers its tests start inherit as it is.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker.startswith("gw") or os.environ.get("TC_REDIS_DB_OF_TEST_PROCESS") == worker:
        return url
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker[2:])
    url = urlunsplit(parts._replace(path=f"/{database}"))
    os.environ["REDIS_URL"], os.environ["TC_REDIS_DB_OF_TEST_PROCESS"] = url, worker
    return url


def database_from_url(name: str, url: str) -> DBConfig:
    import dj_database_url

    try:
        config = dj_database_url.parse(url)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL we understand: {exc}") from None
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Django's psycopg 3 pool; CONN_MAX_AGE must stay 0 with it.
        options = config.setdefault("OPTIONS", {})
        options["pool"] = {"min_size": 1, "max_size": 10, "timeout": 10}
        # Candidate search's single-word typo match (`<%`, candidates/search.py) reads its threshold
        # from the session; pg_trgm's default of 0.6 misses most one-letter slips in short names.
        options["options"] = f"{options.get('options', '')} -c pg_trgm.word_similarity_threshold=0.5".strip()
        config["CONN_MAX_AGE"] = 0
    elif config["ENGINE"] != "django.db.backends.sqlite3":
        raise ImproperlyConfigured(f"{name} must be a postgres:// or sqlite:// URL.")
    return config


# Set by talentcircles/wsgi.py and asgi.py before the settings load: this process serves web requests.
WEB_PROCESS_VARIABLE = "TALENTCIRCLES_WEB_PROCESS"


def mark_web_process() -> None:
    """Called by the WSGI and ASGI entry points: the settings then give queries the web statement timeout."""
    os.environ.setdefault(WEB_PROCESS_VARIABLE, "1")


def with_statement_timeout(database: DBConfig, milliseconds: int) -> None:
    """PostgreSQL cancels any of this connection's statements running longer than `milliseconds` (0: none).

    Set as a connection start-up option, so it costs no round trip; SQLite has no such thing.
    """
    if database["ENGINE"] != "django.db.backends.postgresql" or milliseconds <= 0:
        return
    options = database.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c statement_timeout={milliseconds}".strip()


_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "file": "talentcircles.mail_backends.SummaryFileBackend",
}


def email_from_url(name: str, url: str) -> dict:
    """Turn `smtp://user:pass@host:587?tls=1`, `console://` or `file://[dir]` into EMAIL_* settings."""
    parts = urlsplit(url)
    if parts.scheme not in _EMAIL_BACKENDS:
        allowed = ", ".join(f"{s}://" for s in _EMAIL_BACKENDS)
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}, not {url!r}.")
    config: dict = {"EMAIL_BACKEND": _EMAIL_BACKENDS[parts.scheme]}
    if parts.scheme == "file" and (parts.netloc or parts.path):
        config["EMAIL_FILE_PATH"] = unquote(parts.netloc + parts.path)  # file:///abs/dir or file://relative/dir
    if parts.scheme.startswith("smtp"):
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} needs a host, e.g. smtp://user:pass@host:587?tls=1.")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        config |= {
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": query.get("tls", "0") in _TRUE,
            "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl", "0") in _TRUE,
        }
    return config
