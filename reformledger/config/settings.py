"""Settings of Reform Ledger, read from the environment.

Every variable is listed with its default in `.env.example`. Nothing exists only
in production: the same settings run the tests, with `RL_PRODUCTION=1` switching
on the HTTPS-only cookie and HSTS settings a deployment behind TLS needs.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from reformledger.config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RL_VAR_DIR", str(BASE_DIR.parent / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "insecure-dev-key-change-me-in-production-0123456789abcdef")
DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("RL_PRODUCTION", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PORT = env_int("PORT", 8000)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "treebeard",
    "huey.contrib.djhuey",  # the task queue (notifications: reminders, e-mail)
    "reformledger.core",
    "reformledger.accounts",
    "reformledger.audit",
    "reformledger.orgs",
    "reformledger.ledger",
    "reformledger.notifications",
    "reformledger.web",
    "reformledger.api",
    "reformledger.exchange",
    "reformledger.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "reformledger.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "reformledger.config.urls"
WSGI_APPLICATION = "reformledger.config.wsgi.application"

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
                "reformledger.web.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ is the embedded default; DATABASE_URL selects PostgreSQL.
_sqlite_path = VAR_DIR / env_str("RL_SQLITE_NAME", "reformledger.sqlite3")
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _sqlite_path,
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue
            # instead of failing half-way with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": str(VAR_DIR / env_str("RL_TEST_SQLITE_NAME", "test.sqlite3"))},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded evidence lives outside the web root and is served only through views
# that check the user may see the task.
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail (notifications): through the SMTP server at EMAIL_HOST when it is set;
# without one, mail is written to the console log, so `make run` needs no server.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Seconds before a stuck SMTP server is given up on (the e-mail is retried later).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "reform-ledger@localhost")
# The address users reach the site at; e-mailed notices link to pages under it.
SITE_URL = env_str("RL_SITE_URL", f"http://127.0.0.1:{PORT}")

# Task queue (notifications): Huey. Embedded default: SQLite in RL_VAR_DIR, no server;
# HUEY_REDIS_URL switches to Redis. `reformledger run_huey` is the consumer (make run
# starts it). Crontabs read local time (TIME_ZONE), hence utc=False.
# See docs/decisions/0005-task-queue-huey.md.
HUEY_REDIS_URL = env_str("HUEY_REDIS_URL", "")
HUEY = {
    "name": "reformledger",
    "utc": False,
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "consumer": {
        "workers": env_int("HUEY_WORKERS", 2),
        "worker_type": "thread",
        "flush_locks": True,  # a consumer killed mid-run leaves no stale lock behind
    },
}
if HUEY_REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "connection": {"url": HUEY_REDIS_URL}}
else:
    HUEY |= {
        "huey_class": "huey.SqliteHuey",
        "filename": str(VAR_DIR / env_str("HUEY_SQLITE_NAME", "huey.sqlite3")),
    }

# Ledger rules that an office may tune.
LEDGER_PAGE_SIZE = env_int("RL_PAGE_SIZE", 50)
# Evidence files (佐证材料): the largest one accepted, in bytes.
RL_EVIDENCE_MAX_BYTES = env_int("RL_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# Excel uploads: the largest file, its largest unpacked size and compression ratio
# (zip bombs are refused before parsing), and the size above which an import runs
# in the background with a progress bar.
RL_UPLOAD_MAX_BYTES = env_int("RL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
RL_UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("RL_UPLOAD_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
RL_UPLOAD_MAX_RATIO = env_int("RL_UPLOAD_MAX_RATIO", 100)
RL_IMPORT_INLINE_BYTES = env_int("RL_IMPORT_INLINE_BYTES", 256 * 1024)
# Uploaded files are readable by the service account only.
FILE_UPLOAD_PERMISSIONS = 0o640

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # Huey's consumer installs its own handler; not propagating prints each line once.
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

ADMIN_SITE_HEADER = _("Reform Ledger administration")

# The REST API (/api/v1/): session auth for the browser, hashed tokens for other
# systems; the same scoping and services as the pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reformledger.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "reformledger.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "reformledger.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Reform Ledger API",
    "DESCRIPTION": "改革台账 REST API: units, tasks, plans and the work-cycle acts.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reformledger.api.schema.add_error_responses",
    ],
}
