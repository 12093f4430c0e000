"""Mend's settings: one file, driven by environment variables.

Modes:
- demo (MEND_DEMO=1): the quick-start server on 127.0.0.1 with demo accounts. A banner
  says so on every page; cookies are not marked Secure because it is served over http.
- development/test: DEBUG may be on; never for real data.
- production (the default when neither of the above is set): SECRET_KEY and
  ALLOWED_HOSTS are required, HTTPS-only cookies and HSTS, and the server refuses to
  start while any demo account keeps the demo password (see mend/core/startup.py).
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mend.core.crypto import field_keys_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_flag("MEND_TESTING")
DEMO_MODE = env_flag("MEND_DEMO")
DEBUG = env_flag("DJANGO_DEBUG")
PRODUCTION = not (DEMO_MODE or DEBUG or TESTING)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    SECRET_KEY = "insecure-development-key-never-use-for-real-data"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # First, so that its admin/base_site.html (accessibility fixes) overrides Django's.
    "mend.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "mend.accounts",
    "mend.programs",
    "mend.cases",
    "mend.processes",
    "mend.agreements",
    "mend.outcomes",
    "mend.partners",
    "mend.api",
]

MIDDLEWARE = [
    # First: the partner API's own body limit, and JSON for every /api/ error.
    "mend.api.middleware.ApiMiddleware",
    "mend.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mend.accounts.middleware.SessionLimitsMiddleware",
    "mend.accounts.middleware.UserLanguageMiddleware",
    "mend.programs.middleware.CurrentProgramMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mend.core.middleware.NoStoreForSignedInMiddleware",
    # Axes last: it turns a locked-out sign-in into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "mend.core.context_processors.shell",
            ],
        },
    },
]

FORM_RENDERER = "mend.core.forms.MendFormRenderer"

# --- Database -------------------------------------------------------------------------
# SQLite by default (a file under var/), PostgreSQL when DATABASE_URL is set.
VAR_DIR = Path(os.environ.get("MEND_VAR_DIR", BASE_DIR / "var"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "mend.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the
                # busy timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
if TESTING and not DATABASE_URL:
    # A file rather than memory, so tests with two real connections (races) run on SQLite
    # too; pytest-django gives each worker its own copy.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, passwords, MFA ----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "mend.accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "programs:dashboard"
LOGOUT_REDIRECT_URL = "accounts:sign_in"

# A TOTP code is valid for its own 30-second step only, and only once (django-otp
# remembers the last step used).
OTP_TOTP_ISSUER = "Mend"
MEND_TOTP_TOLERANCE = 0

# django-axes: five consecutive failures lock the *account* (whatever the address) for
# ten minutes. Unknown usernames lock the same way, so lockouts reveal nothing.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=10)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # Mend's own audit log records sign-ins.
AXES_LOCKOUT_CALLABLE = "mend.accounts.views.locked_out"
AXES_VERBOSE = False
# axes.W006 asks to lock by address too. We lock the account instead: by address, one
# mistyping officer could lock out a whole station that shares one public address.
# security.W021 asks for HSTS preload; joining the browsers' preload list is a commitment
# a deployment makes on purpose (MEND_HSTS_PRELOAD=1), not a default.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]

# --- Sessions ---------------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MEND_SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
MEND_SESSION_ABSOLUTE_LIMIT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(MEND_SESSION_ABSOLUTE_LIMIT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "mend.core.views.csrf_failure"
SECURE_COOKIES = PRODUCTION or env_flag("MEND_SECURE_COOKIES")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    # The __Host- prefix pins cookies to this exact host, over HTTPS, for the whole site.
    SESSION_COOKIE_NAME = "__Host-mend-session"
    CSRF_COOKIE_NAME = "__Host-mend-csrf"
    LANGUAGE_COOKIE_NAME = "__Host-mend-language"
    LANGUAGE_COOKIE_SECURE = True
else:
    SESSION_COOKIE_NAME = "mend-session"
    CSRF_COOKIE_NAME = "mend-csrf"
    LANGUAGE_COOKIE_NAME = "mend-language"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Security headers ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_flag("MEND_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_flag("MEND_HSTS_PRELOAD")
    if env_flag("MEND_BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Request bodies: the largest form today is tiny. Uploads get their own limit later.
MEND_MAX_REQUEST_BYTES = int(os.environ.get("MEND_MAX_REQUEST_BYTES", 1_048_576))
DATA_UPLOAD_MAX_MEMORY_SIZE = MEND_MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
# Attachments to letters (a scan, an audio or video message): each at most this size. A
# multipart request may be twice that, so a file a little too big gets a field message;
# anything larger is refused whole (413) before it is read.
MEND_ATTACHMENT_MAX_BYTES = int(os.environ.get("MEND_ATTACHMENT_MAX_BYTES", 20 * 1_048_576))
MEND_MAX_UPLOAD_REQUEST_BYTES = 2 * MEND_ATTACHMENT_MAX_BYTES + MEND_MAX_REQUEST_BYTES
# The partner API (/api/) refuses bodies over 256 KiB, with a JSON 413.
MEND_API_MAX_REQUEST_BYTES = int(os.environ.get("MEND_API_MAX_REQUEST_BYTES", 262_144))
# Requests per API key per minute, counted in the database across server processes.
MEND_API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("MEND_API_RATE_LIMIT_PER_MINUTE", 120))

# Refusals anyone can cause (no working API key, a failed sign-in) from one address:
# counted per window, one audit row each for the first and for passing the limit, and
# 429 past the limit (mend/core/refusals.py).
MEND_REFUSAL_WINDOW = timedelta(minutes=int(os.environ.get("MEND_REFUSAL_WINDOW_MINUTES", 10)))
MEND_REFUSAL_LIMIT = int(os.environ.get("MEND_REFUSAL_LIMIT", 30))

# Uploaded files live here, outside anything served as static or media: they are read
# only through views that check who is asking (never set MEDIA_ROOT to this).
MEND_PRIVATE_FILES = Path(os.environ.get("MEND_PRIVATE_FILES", VAR_DIR / "private"))

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "mend" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "mend.core.storage.MendStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Background work --------------------------------------------------------------------
# Long lists (cases, referrals, the audit trail) count at most this many rows; past it
# they say "more than" and the filters narrow them (mend/core/pagination.py).
MEND_LIST_COUNT_CAP = int(os.environ.get("MEND_LIST_COUNT_CAP", "10000"))

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MEND_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Field encryption -------------------------------------------------------------------
# Keys for confidential fields (mend/core/crypto.py), kept apart from SECRET_KEY:
# [(key id, 32 bytes), ...], the first encrypts, all decrypt. From MEND_FIELD_KEYS
# ("id:base64,id:base64") or MEND_FIELD_KEYS_FILE (one "id:base64" a line). Required in
# production; elsewhere a public development key stands in.
MEND_FIELD_KEYS = field_keys_from_environment(os.environ, production=PRODUCTION)

# --- E-mail ---------------------------------------------------------------------------
# Mend sends e-mail (invitations) only when a server is configured: EMAIL_HOST, or
# EMAIL_BACKEND naming another backend. Tests capture mail in memory (locmem).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", True)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mend@localhost")
MEND_SENDS_EMAIL = bool(EMAIL_HOST or "EMAIL_BACKEND" in os.environ or TESTING)
# With no server configured, the demo and development print e-mail to the console.
if (DEMO_MODE or DEBUG) and not TESTING and not MEND_SENDS_EMAIL:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Meeting invitations and reminders (docs/email.md): sent whenever e-mail goes somewhere.
MEND_MEETING_EMAIL = MEND_SENDS_EMAIL or EMAIL_BACKEND.endswith(".console.EmailBackend")
# The right-hand side of each calendar entry's UID; stable, so calendars match updates.
MEND_CALENDAR_DOMAIN = os.environ.get("MEND_CALENDAR_DOMAIN") or (
    DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "mend.invalid"
)

# Where staff open Mend, for the links in e-mail a background task sends (it has no
# request to take the address from), e.g. https://mend.program.example.
MEND_SITE_URL = os.environ.get("MEND_SITE_URL", "").rstrip("/") or (
    f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if PRODUCTION else "http://127.0.0.1:8000"
)

# --- Mend ------------------------------------------------------------------------------
MEND_DEMO_PASSWORD = "mend-demo"
MEND_DEMO_USERNAMES = ["admin", "coordinator", "facilitator", "volunteer", "referrer", "analyst"]

if TESTING:
    # A model with encrypted fields for mend/core/tests/test_crypto.py.
    INSTALLED_APPS.append("mend.core.tests.crypto_app")
    # Argon2 is slow by design; tests that check the hasher set it explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
