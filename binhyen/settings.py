"""BinhYen settings: one module, every knob an environment variable.

The demo works with nothing set (SQLite under ./var, a fixed demo secret, the Zalo
simulator). Production (BINHYEN_ENV=production) refuses to start without a secret key,
vault keys and allowed hosts.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from binhyen.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BINHYEN_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

ENVIRONMENT = env_str("BINHYEN_ENV", "demo")
if ENVIRONMENT not in {"demo", "production", "test"}:
    raise ImproperlyConfigured("BINHYEN_ENV must be demo, production or test")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("BINHYEN_DEBUG", False)

_DEMO_SECRET = "binhyen-demo-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("BINHYEN_SECRET_KEY") or env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("BINHYEN_SECRET_KEY must be set in production")
    SECRET_KEY = _DEMO_SECRET

ALLOWED_HOSTS = env_list("BINHYEN_ALLOWED_HOSTS", [] if PRODUCTION else ["*"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("BINHYEN_ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = env_list("BINHYEN_CSRF_TRUSTED_ORIGINS", [])


def _demo_vault_key() -> str:
    # Demo/test only: a key derived from the (demo) secret key so that nothing needs setting.
    raw = hashlib.sha256(("vault:" + SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(raw).decode()


# Fernet keys, newest first; older keys still decrypt (rotation: docs/operations.md).
VAULT_KEYS = env_list("BINHYEN_VAULT_KEYS", [])
if not VAULT_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("BINHYEN_VAULT_KEYS must be set in production")
    VAULT_KEYS = [_demo_vault_key()]

# The audit log's HMAC keys, newest first (docs/audit.md): outside the database, so that
# someone who can write to it cannot recompute the chain. At least 32 characters.
AUDIT_KEYS = env_list("BINHYEN_AUDIT_KEYS", [])
if not AUDIT_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "BINHYEN_AUDIT_KEYS must be set in production (`binhyen audit generate-key`)"
        )
    # Demo/test only: derived from the (demo) secret key so that nothing needs setting.
    AUDIT_KEYS = [hashlib.sha256(("audit:" + SECRET_KEY).encode()).hexdigest()]
if any(len(k) < 32 for k in AUDIT_KEYS):
    raise ImproperlyConfigured("each of BINHYEN_AUDIT_KEYS must be at least 32 characters")
# The daily chain head is appended here (and logged); keep it off the database's disk or
# ship it elsewhere (docs/audit.md). Empty: no anchor file.
AUDIT_ANCHOR_FILE = env_str("BINHYEN_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.log")) or ""

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    # Third-party apps under Vietnamese names in the admin (binhyen/core/vendor_apps.py).
    "binhyen.core.vendor_apps.OtpTotpConfig",
    "binhyen.core.vendor_apps.OtpStaticConfig",
    "binhyen.core.vendor_apps.AxesConfig",
    "ninja",  # serves the API docs' assets locally (no CDN script under the CSP)
    "django_tasks",
    "binhyen.core.vendor_apps.TasksConfig",
    "binhyen.core",
    "binhyen.units",
    "binhyen.accounts",
    "binhyen.vault",
    "binhyen.channels",
    "binhyen.cases",
    "binhyen.clocks",
    "binhyen.live",
    "binhyen.audit",
    "binhyen.duty",
    "binhyen.triage",
    "binhyen.knowledge",
    "binhyen.tips",
    "binhyen.open311",
    "binhyen.monitoring",
    "binhyen.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "binhyen.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "binhyen.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle/absolute session limits and the second factor (docs/security.md).
    "binhyen.accounts.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "binhyen.urls"
WSGI_APPLICATION = "binhyen.wsgi.application"
ASGI_APPLICATION = "binhyen.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "binhyen.accounts.context.console",
                "binhyen.monitoring.context.reminders",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------
DEFAULT_SQLITE_PATH = VAR_DIR / "binhyen.sqlite3"
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}


def _sqlite_options() -> dict[str, object]:
    return {
        # WAL + IMMEDIATE transactions: few writers, no "database is locked" upgrades.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _db_name = str(DATABASES["default"]["NAME"])
    if _db_name and _db_name != ":memory:":
        Path(_db_name).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = _sqlite_options()
    # Raw webhook events get their own file: accepting one never waits for processing.
    _inbox = env_str("BINHYEN_INBOX_DATABASE") or (
        str(Path(_db_name).with_name(Path(_db_name).stem + "-inbox.sqlite3"))
        if _db_name and _db_name != ":memory:"
        else ":memory:"
    )
    DATABASES["inbox"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": _inbox,
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": _sqlite_options(),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # A worker killed while its query waits on a lock: the server notices the closed
        # connection within 2 s and rolls back, releasing the inbound event it had claimed.
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = (
            str(_options.get("options", "")) + " -c client_connection_check_interval=2000"
        ).strip()
        # Opt-in: parameters bound by the server (psycopg's C adapters) rather than quoted
        # into the statement in Python: ~8 % less worker CPU per event (docs/benchmarks.md,
        # issue 14, fourth pass). Off by default, as in Django: a query that groups by an
        # expression holding a parameter fails under it (Django ticket #34255), and every
        # raw statement must type the parameters PostgreSQL cannot infer. Statements stay
        # unnamed (prepare_threshold None), so a transaction-mode PgBouncer keeps working.
        if env_bool("BINHYEN_PG_SERVER_BINDING", False):
            _options.setdefault("server_side_binding", True)
DATABASE_ROUTERS = ["binhyen.core.routers.InboxRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:inbox"
LOGOUT_REDIRECT_URL = "login"
# Police accounts: long passphrases, nothing guessable (docs/security.md).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "binhyen.accounts.passwords.StrengthValidator", "OPTIONS": {"min_score": 3}},
]
if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- staff sign-in ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out account or source before any password is checked.
    "binhyen.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: lock an account after N failures, and a source (IP) after N failures on any
# accounts; both for AXES_COOLOFF_TIME. Failures of either kind are audited.
AXES_FAILURE_LIMIT = env_int("BINHYEN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BINHYEN_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit chain already
AXES_LOCKOUT_CALLABLE = "binhyen.accounts.views.locked_out"
# The source address: the proxy's header when BINHYEN_CLIENT_IP_HEADER names one.
AXES_CLIENT_IP_CALLABLE = "binhyen.accounts.backends.client_ip"
# TOTP second factor for every staff account. Required in production (and it cannot be
# switched off there); the demo and the tests ask for it only when told to, so `make demo`
# logs in with a password (docs/security.md, "the demo shortcut").
REQUIRE_2FA = env_bool("BINHYEN_REQUIRE_2FA", PRODUCTION)
if PRODUCTION and not REQUIRE_2FA:
    raise ImproperlyConfigured("BINHYEN_REQUIRE_2FA cannot be switched off in production")
OTP_TOTP_ISSUER = env_str("BINHYEN_2FA_ISSUER", "BinhYen") or "BinhYen"
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds, doubled after each wrong code
OTP_STATIC_THROTTLE_FACTOR = 1
# Sessions: signed out after 30 minutes without a request, and 12 hours after signing in
# whatever happens; ended at once by a password change or a disabled account.
SESSION_IDLE_SECONDS = env_int("BINHYEN_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_MAX_SECONDS = env_int("BINHYEN_SESSION_MAX_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Production is served over HTTPS only: redirect, and tell browsers for two years.
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("BINHYEN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("BINHYEN_HSTS_SECONDS", 63_072_000) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
# Behind a TLS-terminating proxy, name the header it sets (e.g. X-Forwarded-Proto).
if env_str("BINHYEN_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + (env_str("BINHYEN_PROXY_SSL_HEADER") or "").upper().replace("-", "_"),
        "https",
    )
# Health probes come from the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]


def _live_connect_sources() -> list[str]:
    """Where the console's live stream connects: same origin by default; ":PORT/path" (what
    `binhyen serve` sets) is the page's host on another port; or an absolute URL."""
    url = env_str("BINHYEN_LIVE_URL", "") or ""
    if url.startswith(":"):
        port = url[1:].split("/", 1)[0]
        return [f"http://*:{port}", f"https://*:{port}"] if port.isdigit() else []
    if url.startswith(("http://", "https://")):
        scheme, rest = url.split("://", 1)
        return [f"{scheme}://{rest.split('/', 1)[0]}"]
    return []


# Content-Security-Policy (django-csp): scripts and styles only from our own static files,
# no inline script anywhere, nothing framed, forms only to ourselves.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", *_live_connect_sources()],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- language and time ---------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "binhyen" / "locale"]
# Day-first date input in Vietnamese (Django's `vi` locale has none, so "06/12" read as June).
FORMAT_MODULE_PATH = ["binhyen.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("BINHYEN_MEDIA_ROOT", str(VAR_DIR / "media")) or VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- webhooks and channels --------------------------------------------------------------------
# Zalo's events are small JSON documents; anything bigger is refused with 413.
WEBHOOK_MAX_BYTES = env_int("BINHYEN_WEBHOOK_MAX_BYTES", 256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
ZALO_OPENAPI_URL = env_str("ZALO_OPENAPI_URL", "https://openapi.zalo.me") or ""
ZALO_OAUTH_URL = env_str("ZALO_OAUTH_URL", "https://oauth.zaloapp.com") or ""
# Where attachment URLs may be fetched from (a leading dot admits subdomains).
MEDIA_FETCH_ALLOWED_HOSTS = env_list(
    "BINHYEN_MEDIA_HOSTS", [".zdn.vn", ".zadn.vn", ".dlfl.vn", ".zalo.me", ".zaloapp.com"]
)
MEDIA_MAX_BYTES = env_int("BINHYEN_MEDIA_MAX_BYTES", 25 * 1024 * 1024)
# Rewrites citizens' videos without their metadata (lib/media.py); without it they are refused.
FFMPEG = env_str("BINHYEN_FFMPEG", "ffmpeg") or "ffmpeg"
HTTP_CONNECT_RETRIES = env_int("BINHYEN_HTTP_CONNECT_RETRIES", 2)
WORKER_POLL_SECONDS = float(env_str("BINHYEN_WORKER_POLL_SECONDS", "0.2") or 0.2)
# `binhyen serve` runs its worker lanes this many steps nicer than the web server (0-19):
# on a small machine the webhook's intake wins the cores, processing catches up after.
WORKER_NICE = env_int("BINHYEN_WORKER_NICE", 10)
# Refresh an OA access token when less than this many seconds of life are left.
ZALO_TOKEN_REFRESH_MARGIN = env_int("ZALO_TOKEN_REFRESH_MARGIN", 5 * 3600)
ZALO_HTTP_TIMEOUT = float(env_int("ZALO_HTTP_TIMEOUT", 10))
ZALO_SIGNATURE_ACCEPT_APP_SECRET = env_bool("ZALO_SIGNATURE_ACCEPT_APP_SECRET", False)
SIMULATOR_URL = env_str("BINHYEN_SIMULATOR_URL", "") or ""

# --- background work --------------------------------------------------------------------------
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Past weeks' monitoring figures (trends), per process, keyed by a data version.
    "monitoring": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "monitoring",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # "outbound": calls to other servers (sending to Zalo, downloading media);
        # "reports": the weekly reports (minutes of charts and PDFs, never in the way).
        "QUEUES": ["default", "outbound", "reports"],
    }
}
# Inbound events still unprocessed after this long are re-queued by the sweeper.
INBOUND_SWEEP_AFTER_SECONDS = env_int("BINHYEN_INBOUND_SWEEP_AFTER", 60)
# Raw provider events keep their (encrypted) body this long after processing.
INBOUND_RETENTION_DAYS = env_int("BINHYEN_INBOUND_RETENTION_DAYS", 30)
# Behind a reverse proxy: the request.META key holding the client address, used only for
# short-lived, hashed rate-limit buckets of the public tip form (never stored).
TIPS_CLIENT_IP_HEADER = env_str("BINHYEN_CLIENT_IP_HEADER", "") or ""
# Files of held (suspected spam) tips wait on disk until an officer looks: bounded per
# network and for everyone per hour, and in total (docs/protection.md).
TIPS_HELD_CLIENT_MB_PER_HOUR = env_int("BINHYEN_HELD_CLIENT_MB_PER_HOUR", 60)
TIPS_HELD_ALL_MB_PER_HOUR = env_int("BINHYEN_HELD_ALL_MB_PER_HOUR", 500)
TIPS_HELD_MAX_MB = env_int("BINHYEN_HELD_MAX_MB", 2048)
OUTBOX_MAX_ATTEMPTS = env_int("BINHYEN_OUTBOX_MAX_ATTEMPTS", 8)

# --- logging ------------------------------------------------------------------------------------
LOG_LEVEL = env_str("BINHYEN_LOG_LEVEL", "INFO") or "INFO"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        # The daily audit anchor is part of the record: logged whatever the root level.
        "binhyen.audit.anchor": {"level": "INFO"},
    },
}
