"""TalentCircles settings: everything comes from the environment (see .env.example)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from talentcircles.env import (
    WEB_PROCESS_VARIABLE,
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
    redis_url_per_test_process,
    with_statement_timeout,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", "True")
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is False.")
    SECRET_KEY = "insecure-development-key-only-for-the-embedded-default"

SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
# What system e-mail and allauth call the site when no organisation's community is in context.
SITE_NAME = "TalentCircles"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "talentcircles",
    "candidates",
    "messaging",
    "engagement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # /api/: an announced body over the limit is a JSON 413 before anything reads it.
    "talentcircles.api_fallbacks.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything touches the database: over WEB_CONCURRENCY_LIMIT a request waits briefly, then 503.
    "talentcircles.overload.ConcurrencyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit trail reads the client's address, browser and API token of the request being served.
    "talentcircles.audit.recording.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's pages reached from /c/<org>/ stay in that community's branding (portal_context.py).
    "talentcircles.portal_context.PortalContextMiddleware",
    # Last, so its process_exception sees a view's error first: a statement timeout is a 503.
    "talentcircles.overload.StatementTimeoutMiddleware",
]

ROOT_URLCONF = "talentcircles.urls"
WSGI_APPLICATION = "talentcircles.wsgi.application"
AUTH_USER_MODEL = "talentcircles.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "talentcircles.context_processors.navigation",
                "talentcircles.portal_context.portal_branding",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'talentcircles.sqlite3'}")
DATABASES = {"default": database_from_url("DATABASE_URL", DATABASE_URL)}
# --- Back-pressure (docs/scale.md) -------------------------------------------
# A web request's query is cancelled after this many milliseconds (PostgreSQL; 0: never), and the
# request answers 503. Only web processes (talentcircles/wsgi.py and asgi.py mark themselves) get it:
# Celery workers, beat and management commands (migrations, exports, analytics rebuilds) run without.
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", "5000")
if env_bool(WEB_PROCESS_VARIABLE, "False"):
    with_statement_timeout(DATABASES["default"], DB_STATEMENT_TIMEOUT_MS)
# Requests one web process works on at once (0: no limit); one more waits up to WEB_QUEUE_WAIT_MS for a
# slot, then answers 503 with Retry-After. Size it with the cores (docs/scale.md).
WEB_CONCURRENCY_LIMIT = env_int("WEB_CONCURRENCY_LIMIT", "0")
WEB_QUEUE_WAIT_MS = env_int("WEB_QUEUE_WAIT_MS", "500")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, results and cache ------------------------------
REDIS_URL = redis_url_per_test_process(env_url("REDIS_URL", "", schemes=("redis", "rediss")))
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: with Redis down, throttles and rate limits are off (logged), nothing 500s.
            "BACKEND": "talentcircles.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            # pytest-xdist's test processes each have their own Redis database and, besides, their own keys.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "tc") + os.environ.get("PYTEST_XDIST_WORKER", ""),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "OUTAGE_RETRY_SECONDS": 5},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}  # see "Celery and a broker that may be down"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_URL = "filesystem://localhost/"  # the host is ignored; naming it spares kombu a warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        # The exchange tables; kombu's default is `control/` in the working directory.
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery' / 'results'}"
    # kombu and Celery's file backend expect their folders to exist.
    for _folder in ("broker", "processed", "results", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", "300")
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", "240")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# --- Celery and a broker that may be down (docs/messaging.md, "Outbox guarantees") ---
# A request never waits on the broker: connecting gives up after a second (a refused connection at
# once), and a publish is retried at most twice without pause (the delivery tasks not at all:
# `messaging.outbox.enqueue_deliveries` publishes with retry=False, logs a failure and leaves the row to
# the relay). Celery's and kombu's defaults (4 s connect timeout, kombu's reconnection pauses, three
# publish retries) made a send answer after 19 s with the broker down; now a refused publish fails in
# about 20 ms (measured against a closed port).
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
# pytest-xdist's test processes share one Redis: each one's tasks, and the workers its tests start,
# keep to a queue of their own.
if os.environ.get("PYTEST_XDIST_WORKER"):
    CELERY_TASK_DEFAULT_QUEUE = "celery-" + os.environ["PYTEST_XDIST_WORKER"]
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Workers and beat, on the other hand, wait for the broker to come back (retrying, not exiting).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Redis: a task taken by a worker that dies stays in `unacked` until the visibility timeout, then runs
# again. It must outlast the longest a task legitimately stays unacknowledged: a delivery retry's
# countdown (held by the worker from the start, at most messaging.delivery.BACKOFF_CAP, 10 minutes)
# plus the hard time limit; otherwise Redis hands a live task to a second worker. 10 + 5 minutes, and
# 5 more for a busy queue: 20 minutes, not kombu's hour (the sweep and relay cover anything lost).
CELERY_LONGEST_COUNTDOWN = 600
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int(
            "CELERY_VISIBILITY_TIMEOUT", str(CELERY_LONGEST_COUNTDOWN + CELERY_TASK_TIME_LIMIT + 300)
        ),
        "socket_connect_timeout": 1.0,
        # A connection kombu finds down is tried once, not again after 2 s of pauses, whenever it is
        # opened for a publish (a request's). A worker's own reconnection loop passes its limit
        # explicitly (CELERY_BROKER_CONNECTION_MAX_RETRIES) and a publish with retry uses its policy.
        "max_retries": 0,
        # A broker that accepts the connection then hangs: a publish gives up after this (the
        # workers' BRPOP polls every second, well inside it).
        "socket_timeout": 5.0,
    }
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = "UTC"
# Every entry names its task by its import path (Celery's default name; no task sets `name=`).
CELERY_BEAT_SCHEDULE: dict = {
    # Relationship strength decays with time alone; going-cold reminders come from this pass.
    "engagement-relationships-nightly": {
        "task": "engagement.timeline.tasks.relationships_refresh_all_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Each recruiter's "My day" e-mail goes out once their local 07:00 has passed (claimed per local day).
    "engagement-recruiter-digests-hourly": {
        "task": "engagement.timeline.tasks.recruiter_digests_send_task",
        "schedule": 3600.0,
    },
    # Community digests: "immediately" members are served within minutes; weekly and
    # monthly ones when their period is due. A post is never e-mailed to someone twice.
    "engagement-community-digests": {"task": "engagement.circles.tasks.send_community_digests", "schedule": 300.0},
    # Job alerts: openings matched to members' alerts (those whose task was lost), then the due e-mails;
    # "immediately" members hear within a minute or two. A job is never e-mailed to someone twice.
    "engagement-job-alerts": {"task": "engagement.circles.jobs.alerts.tasks.job_alerts_run_task", "schedule": 60.0},
    # Résumés whose text extraction was lost (broker down at upload, worker killed) are queued again.
    "candidates-sweep-resume-extraction": {"task": "candidates.tasks.resume_extraction_sweep_task", "schedule": 60.0},
    # Every organisation's duplicate pairs recomputed: catches up refreshes a broker outage lost.
    "candidates-rebuild-duplicates-nightly": {
        "task": "candidates.tasks.duplicates_rebuild_all_task",
        "schedule": crontab(hour=2, minute=0),
    },
    # Messages whose delivery task was lost (Redis flushed, worker killed) are queued again.
    "messaging-sweep-stuck": {"task": "messaging.tasks.sweep_stuck_messages", "schedule": 60.0},
    # Messages whose delivery task never reached the broker (it was down when they were written).
    "messaging-relay-unpublished": {"task": "messaging.tasks.relay_unpublished_messages", "schedule": 60.0},
    # Follow-ups live in the database; this pass claims the due ones (never ETA tasks: see DESIGN.md).
    "engagement-dispatch-followups": {"task": "engagement.sequences.tasks.dispatch_followups", "schedule": 60.0},
    # Response-rate roll-ups rebuilt from the messages (the incremental updates' safety net), then the 13% guard.
    "engagement-rebuild-response-stats": {
        "task": "engagement.analytics.tasks.rebuild_response_stats",
        "schedule": crontab(hour=3, minute=15),
    },
    # The audit trail's retention (AUDIT_RETENTION_DAYS): older entries deleted in batches.
    "talentcircles-audit-purge-nightly": {
        "task": "talentcircles.audit.tasks.audit_purge_task",
        "schedule": crontab(hour=4, minute=10),
    },
    # Retention (candidates/retention/): the notices 30 days before, then the anonymisation just after
    # midnight UTC (the forecast's days are UTC days).
    "candidates-retention-notices-hourly": {
        "task": "candidates.tasks.retention_notices_task",
        "schedule": crontab(minute=20),
    },
    "candidates-retention-daily": {
        "task": "candidates.tasks.retention_apply_all_task",
        "schedule": crontab(hour=0, minute=0),
    },
    "engagement-evaluate-response-guard": {
        "task": "engagement.analytics.tasks.evaluate_response_guard",
        "schedule": crontab(hour=6, minute=0),
    },
}
# Webhooks out (docs/webhooks.md): deliveries due are claimed every few seconds (and right after each write).
CELERY_BEAT_SCHEDULE["webhooks-deliver"] = {
    "task": "talentcircles.webhooks_out.tasks.webhooks_deliver_task",
    "schedule": float(env_int("WEBHOOKS_POLL_SECONDS", "5")),
}
# Seconds to connect to a receiver, and again to read its answer.
WEBHOOKS_TIMEOUT = env_int("WEBHOOKS_TIMEOUT", "10")
# Requests one worker process has in flight at once (threads; PostgreSQL only, one on SQLite).
WEBHOOKS_CONCURRENCY = env_int("WEBHOOKS_CONCURRENCY", "4")
# http:// endpoints on 127.0.0.1/localhost (development and tests); everything else must be https://.
WEBHOOKS_ALLOW_HTTP_LOCALHOST = env_bool("WEBHOOKS_ALLOW_HTTP_LOCALHOST", str(DEBUG))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", "False")
# Uploads (résumés, import files) one user may make in UPLOAD_RATE_WINDOW seconds (0: no limit).
UPLOAD_RATE_LIMIT = env_int("UPLOAD_RATE_LIMIT", "20")
UPLOAD_RATE_WINDOW = env_int("UPLOAD_RATE_WINDOW", "600")
CELERY_TASK_EAGER_PROPAGATES = True

# --- E-mail ----------------------------------------------------------------
EMAIL_URL = env_url("EMAIL_URL", "console://")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")  # for `file://` without a directory (the embedded run's)
globals().update(email_from_url("EMAIL_URL", EMAIL_URL))
# Seconds before an unresponsive SMTP server counts as a temporary failure (the send is retried).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", "30")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "TalentCircles <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
INBOUND_EMAIL_DOMAIN = env_str("INBOUND_EMAIL_DOMAIN", "reply.localhost")
INBOUND_EMAIL_SECRET = env_str("INBOUND_EMAIL_SECRET", "")
# VERP: each message's envelope sender (Return-Path) is bounce+<message token>@INBOUND_EMAIL_DOMAIN, so
# every bounce names its message. Turn off for a provider that rewrites the Return-Path.
VERP_ENABLED = env_bool("VERP_ENABLED", "True")
# Soft bounces (full mailbox, server down) in a row after which an address counts as undeliverable.
SOFT_BOUNCE_LIMIT = env_int("SOFT_BOUNCE_LIMIT", "3")
# A mailbox to poll for replies, as an alternative to the webhook (imaps://user:password@host:993/INBOX).
IMAP_URL = env_url("IMAP_URL", "", schemes=("imap", "imaps"))

if IMAP_URL:
    CELERY_BEAT_SCHEDULE["messaging-imap-poll"] = {
        "task": "messaging.inbound.tasks.poll_imap_mailbox",
        "schedule": 60.0,
    }

# --- Accounts (django-allauth) -----------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[TalentCircles] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_ADAPTER = "talentcircles.adapters.AccountAdapter"
# allauth's rate limits are on by default; they are spelled out so they are visible.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "TalentCircles"
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "talentcircles.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["talentcircles.api_permissions.IsOrganizationMember"],
    "DEFAULT_PAGINATION_CLASS": "talentcircles.api_permissions.CountedPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "talentcircles.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "talentcircles.api_errors.exception_handler",
    # JSON nested too deep is a 400, a body over DATA_UPLOAD_MAX_MEMORY_SIZE a 413 (talentcircles.api_parsers).
    "DEFAULT_PARSER_CLASSES": [
        "talentcircles.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TalentCircles API",
    "DESCRIPTION": (
        "Organisation-scoped API. Authenticate with `Authorization: Token <key>`; "
        "a token belongs to one membership and therefore one organisation."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents the errors it can give (talentcircles.api_schema.document_errors).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "talentcircles.api_schema.document_errors",
    ],
    # Choices that share a name across apps get distinct schema names.
    "ENUM_NAME_OVERRIDES": {
        "MessageStatusEnum": "messaging.models.Message.Status",
        "MessageDirectionEnum": "messaging.models.Message.Direction",
        "ThreadOriginEnum": "messaging.models.Thread.Origin",
        "JobStatusEnum": "engagement.circles.jobs.models.Job.Status",
        "JobInterestStatusEnum": "engagement.circles.jobs.models.JobInterest.Status",
        "JobInterestSourceEnum": "engagement.circles.jobs.models.JobInterest.Source",
        # Named too, or the two "source" enums get a hash suffix (a schema warning).
        "CandidateSourceEnum": "candidates.models.Candidate.Source",
        "JobInterestReasonEnum": "engagement.circles.jobs.models.JobInterest.Reason",
    },
}

# --- Static files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
_bootstrap = importlib.util.find_spec("bootstrap")
# A folder, or (prefix, folder) to serve a folder under a prefix.
STATICFILES_DIRS: list[Path | tuple[str, str]] = [BASE_DIR / "static"]
if _bootstrap and _bootstrap.submodule_search_locations:
    # The Bootstrap CSS framework arrives through pip (bootstrap-wrapper).
    STATICFILES_DIRS.append(("bootstrap", next(iter(_bootstrap.submodule_search_locations))))
# Collected static files: hashed names and gzip copies made once by collectstatic, which whitenoise
# sends to every browser that accepts them. Always without DEBUG; `make run` collects and serves them
# too (SERVE_COLLECTED_STATIC=true), so the demo is as light as production. Otherwise (runserver,
# tests) files are served from their folders as they are edited, uncompressed.
SERVE_COLLECTED_STATIC = env_bool("SERVE_COLLECTED_STATIC", str(not DEBUG))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SERVE_COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if SERVE_COLLECTED_STATIC and DEBUG:
    # whitenoise would otherwise look in the source folders (DEBUG's default), where no gzip copies are.
    WHITENOISE_USE_FINDERS = False
    WHITENOISE_AUTOREFRESH = False
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Security ----------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", str(not DEBUG))
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", str(not DEBUG))
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", str(not DEBUG))
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Load balancers and the compose healthcheck probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy on every response (django-csp; docs/development.md, "Content-Security-Policy").
# Scripts and styles come from our own origin; an inline <script> or <style> that cannot move
# to static/ carries nonce="{{ request.csp_nonce }}". No 'unsafe-inline', no 'unsafe-eval'.
# data: images are Bootstrap's SVG icons in its CSS and the TOTP QR code of the 2FA setup.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", "7")
# Audit entries older than this are purged nightly (docs/audit.md); 0 keeps them for ever.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", "730")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # httpx (the webhook worker's client) logs every request at INFO; the delivery log already records each.
    "loggers": {"httpx": {"level": "WARNING"}},
}
