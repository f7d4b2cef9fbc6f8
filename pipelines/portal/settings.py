"""Django settings of the portal, resolved from the evstats settings and the environment.

Nothing here is a secret in the source: the session signing key comes from
`EVSTATS_SECRET_KEY` or is generated once into the data directory. The portal's
own records (users, tokens, receipts) live in SQLite under the data directory,
or in PostgreSQL when `EVSTATS_DATABASE_URL` names one.
"""

from __future__ import annotations

import os
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from pipelines.register.db import database_config
from pipelines.settings import load_settings

EVSTATS = load_settings()
DATA_DIR = Path(EVSTATS.data_dir).resolve()
PORTAL_DIR = DATA_DIR / "portal"


def _secret_key() -> str:
    """The key from the environment, or the one `evstats serve` generated into the data
    directory on first start (0600), so that sessions survive a restart."""
    if os.environ.get("EVSTATS_SECRET_KEY"):
        return os.environ["EVSTATS_SECRET_KEY"]
    path = PORTAL_DIR / "secret_key"
    if not path.exists():
        raise ImproperlyConfigured(
            f"no {path}: start the portal with evstats serve, or set EVSTATS_SECRET_KEY"
        )
    return path.read_text().strip()


def _database() -> dict[str, object]:
    """The register's own configuration (`pipelines.register.db`): the portal and the
    pipeline open the same database the same way, and `evstats migrate`/`serve` create
    its SQLite file owner-only before Django first opens it."""
    return database_config(EVSTATS)


def _trusted_proxies() -> int:
    """`EVSTATS_TRUSTED_PROXIES`: how many reverse proxies in front of the portal append
    to `X-Forwarded-For` (0, the default: the header is ignored)."""
    given = os.environ.get("EVSTATS_TRUSTED_PROXIES", "0")
    if not given.isdigit():
        raise ImproperlyConfigured(f"EVSTATS_TRUSTED_PROXIES must be 0 or more, not {given!r}")
    return int(given)


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("EVSTATS_DEBUG") == "1"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("EVSTATS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
# Behind a TLS-terminating proxy (`EVSTATS_TLS=1`) cookies travel only over HTTPS.
TLS = os.environ.get("EVSTATS_TLS") == "1"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "pipelines.portal",
    "pipelines.register",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
ROOT_URLCONF = "pipelines.portal.urls"
WSGI_APPLICATION = "pipelines.portal.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pipelines.portal.texts.context",
            ],
        },
    }
]
DATABASES = {"default": _database()}
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's rules, in the portal's words (`pipelines.portal.passwords`).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "pipelines.portal.passwords.NotLikeTheAddress"},
    {"NAME": "pipelines.portal.passwords.MinimumLength", "OPTIONS": {"min_length": 12}},
    {"NAME": "pipelines.portal.passwords.Common"},
]
CSRF_FAILURE_VIEW = "pipelines.portal.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TRUSTED_PROXIES = _trusted_proxies()
# Five failed sign-ins for one address from one client lock it for 15 minutes; the
# client is told apart by `pipelines.portal.clients` (behind proxies: X-Forwarded-For).
AXES_CLIENT_IP_CALLABLE = "pipelines.portal.clients.client_address"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "portal/locked.html"
AXES_RESET_ON_SUCCESS = True

# Files a token or a person may send a minute (`uploads_per_minute`), counted where
# every worker and replica sees the same numbers: the register's database
# (`pipelines.portal.ratelimits`; `evstats migrate` creates the table).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rate_limits": {
        "BACKEND": "pipelines.portal.ratelimits.CounterCache",
        "LOCATION": "portal_rate_limits",
        # Culling past MAX_ENTRIES drops live counters too: far above the tokens and
        # people there are, whose counters of past minutes expire.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
RATELIMIT_USE_CACHE = "rate_limits"
# A counter that could not be written (the key lost to a failed insert) lets the request
# go on: the register's own writes then answer for the database, not a 429 that blames
# the client.
RATELIMIT_FAIL_OPEN = True

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True

# One small stylesheet, served by WhiteNoise from the package itself (no collectstatic step).
STATIC_URL = "static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploads: the reader's limit decides (checked in the views, answered with 413);
# files larger than 2.5 MB are spooled to disk rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Everything a form sends besides its file: the longest text a form takes is 5,000
# characters (an explanation, a review's message), so 256 KB leaves room and a 3 MB
# field is refused before it is held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# The API takes three fields and the pages' forms a handful; the admin's list sends one
# field per ticked row (up to 100 a page), which 200 still allows.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Every form takes one file.
DATA_UPLOAD_MAX_NUMBER_FILES = 5

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = TLS
CSRF_COOKIE_SECURE = TLS
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
if TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The pages are rendered on the server and work without JavaScript: nothing inline, no
# other origin. Scripts, styles, images, fonts and requests come from the portal only;
# no plugin, no <base>, no framing (X-Frame-Options for older browsers), and forms post
# only back to the portal. The admin's own scripts are files under /static/ too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# E-mail to regions' contacts (a year returned for correction or accepted) over SMTP.
# Without EVSTATS_SMTP_HOST mail is tried on the local host and the analyst is told it
# is not configured (`evstats serve` says so at start too).
MAIL_CONFIGURED = bool(os.environ.get("EVSTATS_SMTP_HOST"))
EMAIL_HOST = os.environ.get("EVSTATS_SMTP_HOST") or "localhost"
EMAIL_PORT = int(os.environ.get("EVSTATS_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EVSTATS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EVSTATS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EVSTATS_SMTP_STARTTLS") == "1"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("EVSTATS_MAIL_FROM", "evstats@localhost")

# Requests are logged by path and status only: file contents and form fields never are.
# The portal's own lines carry their time as gunicorn's do, in the one zone of the server
# log: Finland's (Django sets the process's TZ from TIME_ZONE when these settings load,
# before `evstats serve` starts gunicorn's master, so master and workers agree).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "timed": {
            "format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S %z",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "timed"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"evstats.portal": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
