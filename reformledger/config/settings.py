"""Settings of Reform Ledger, read from the environment.

Every variable is listed with its default in `.env.example`. Nothing exists only
in production: the same settings run the tests, with `RL_PRODUCTION=1` switching
on the HTTPS-only cookie and HSTS settings a deployment behind TLS needs.
"""

import datetime as dt
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from reformledger.config.env import (
    cache_from_url,
    env_bool,
    env_date,
    env_int,
    env_list,
    env_str,
)

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
    "csp",  # the Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    # Sign-in: lock-out after failed attempts, TOTP second factor (accounts block below).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "reformledger.core",
    "reformledger.accounts",
    "reformledger.audit",
    "reformledger.orgs",
    "reformledger.ledger",
    "reformledger.notifications",
    "reformledger.supervision",
    "reformledger.pilots",
    "reformledger.indicators",
    "reformledger.evaluation",
    "reformledger.assessment",
    "reformledger.publications",
    "reformledger.catalog",
    "reformledger.web",
    "reformledger.api",
    "reformledger.exchange",
    "reformledger.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # X-RL-Server on every answer of this app server, static files included.
    "reformledger.core.middleware.ServerIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() (second factor)
    "reformledger.core.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "reformledger.core.middleware.RequestContextMiddleware",
    # Audit: one record for each refused (403) request of a signed-in user.
    "reformledger.audit.middleware.RefusalAuditMiddleware",
    # Accounts: session time-outs, disabled accounts, second factor, forced password change.
    "reformledger.accounts.middleware.SignInPolicyMiddleware",
    # django-axes turns a locked-out sign-in into its response; it stays last.
    "axes.middleware.AxesMiddleware",
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
                "reformledger.web.context_processors.business_date",
                "reformledger.accounts.context_processors.account_navigation",
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

# --- Accounts and sign-in (MLPS level 3 身份鉴别; docs/operations.md) ----------
# Django checks these wherever a password is set (pages, admin, changepassword).
# The numbers are the password policy's, which the security administrator edits;
# RL_PASSWORD_* give its values until it is first saved.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "reformledger.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "reformledger.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "reformledger.accounts.passwords.NotUserNameValidator"},
    {"NAME": "reformledger.accounts.passwords.PasswordHistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
RL_PASSWORD_MIN_LENGTH = env_int("RL_PASSWORD_MIN_LENGTH", 8)
RL_PASSWORD_MIN_CLASSES = env_int("RL_PASSWORD_MIN_CLASSES", 3)
RL_PASSWORD_HISTORY = env_int("RL_PASSWORD_HISTORY", 5)
RL_PASSWORD_MAX_AGE_DAYS = env_int("RL_PASSWORD_MAX_AGE_DAYS", 90)
# API tokens: a token created without an expiry lives RL_TOKEN_DEFAULT_DAYS, none may
# live longer than RL_TOKEN_MAX_DAYS (defaults of the policy the security
# administrator edits, like RL_PASSWORD_*).
RL_TOKEN_DEFAULT_DAYS = env_int("RL_TOKEN_DEFAULT_DAYS", 90)
RL_TOKEN_MAX_DAYS = env_int("RL_TOKEN_MAX_DAYS", 365)
# Lock-out (django-axes): after this many failed sign-ins of one user name from one
# address, that pair is refused for RL_LOCKOUT_MINUTES, even with the right password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks): the
# audit trail and the lock-out then name the user's address, not the proxy's.
RL_TRUSTED_PROXIES = env_list("RL_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "reformledger.core.context.client_ip"
AXES_FAILURE_LIMIT = env_int("RL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("RL_LOCKOUT_MINUTES", 30))
# ... and after RL_LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever the
# user names tried, that address is refused for every account (password spraying).
# The handler (accounts.lockout) gives the address alone its own, higher limit.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "reformledger.accounts.lockout.AddressAwareHandler"
RL_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("RL_LOGIN_ADDRESS_FAILURE_LIMIT", 40)
# Attempts while locked do not extend the lock: it ends RL_LOCKOUT_MINUTES after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "reformledger.accounts.views.locked_out"
# Sign-ins and failures go to the audit trail; axes keeps only its failure counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Sessions: signed out after RL_SESSION_IDLE_MINUTES without a request, and
# RL_SESSION_MAX_HOURS after signing in whatever happens (accounts.middleware).
RL_SESSION_IDLE_MINUTES = env_int("RL_SESSION_IDLE_MINUTES", 30)
RL_SESSION_MAX_HOURS = env_int("RL_SESSION_MAX_HOURS", 12)
# Accounts nobody signed in to (nor called the API with) for this many days are
# disabled by a daily job (accounts.tasks) or `reformledger disable_inactive_accounts`.
RL_ACCOUNT_INACTIVE_DAYS = env_int("RL_ACCOUNT_INACTIVE_DAYS", 90)
# TOTP second factor (django-otp): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = env_str("RL_OTP_ISSUER", "Reform Ledger")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# --- end of accounts and sign-in -------------------------------------------------

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
MEDIA_ROOT = Path(env_str("RL_MEDIA_ROOT", str(VAR_DIR / "media")))

# --- Hardening: cookies, headers, Content Security Policy -------------------
# docs/operations.md "Deployment hardening" explains each; `reformledger check --deploy`
# with RL_PRODUCTION=1 passes without a warning (a test runs it).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", RL_SESSION_MAX_HOURS * 3600)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    if SECRET_KEY.startswith("insecure-"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("RL_PRODUCTION=1 needs a SECRET_KEY of its own.")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix binds the cookies to this host over HTTPS (no Domain, Path=/).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Scripts and styles come from our own static files only: no inline script or style,
# no eval. Data for scripts travels in <script type="application/json"> (json_script).
# The API docs (/api/docs/) run under the same policy: reformledger/api/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# --- end of hardening --------------------------------------------------------

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

# Seconds a user's dashboard is kept in the default cache (RL_CACHE_URL), with the newest
# audit record of an act it counted (web/dashboard cached_dashboard, decision 0025);
# 0 computes it at every request.
RL_DASHBOARD_CACHE_SECONDS = env_int("RL_DASHBOARD_CACHE_SECONDS", 0)
# ... and a kept dashboard younger than this is shown even after a newer act (the act
# shows within this many seconds; 0: at the next read).
RL_DASHBOARD_FRESH_SECONDS = env_int("RL_DASHBOARD_FRESH_SECONDS", 30)

# Ledger rules that an office may tune.
LEDGER_PAGE_SIZE = env_int("RL_PAGE_SIZE", 50)
# The business date (业务日期): the day the ledger and supervision take as today
# (core.clock.business_today), for a demo or a training copy set on a day of its story.
# None (unset or empty): the real date. Every page says so while it is set; sessions,
# lock-outs, tokens, passwords and the audit trail keep the real clock whatever it is.
RL_BUSINESS_DATE = env_date("RL_BUSINESS_DATE")
# Supervision orders (督办单): days an order gets once it climbs to a level, when its
# earlier deadline passed unanswered.
RL_ORDER_ESCALATION_DAYS = {
    "orange": env_int("RL_ORDER_ORANGE_DAYS", 7),
    "red": env_int("RL_ORDER_RED_DAYS", 5),
}
# Working days (Monday to Friday) a unit has to sign for an order (签收) before the
# issuing office is told it has not.
RL_ORDER_RECEIPT_DAYS = env_int("RL_ORDER_RECEIPT_DAYS", 2)
# Evidence files (佐证材料): the largest one accepted, in bytes.
RL_EVIDENCE_MAX_BYTES = env_int("RL_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# ... the most pixels an evidence image may have (a small file that decodes into a
# huge picture is refused before it is decoded).
RL_EVIDENCE_MAX_PIXELS = env_int("RL_EVIDENCE_MAX_PIXELS", 50_000_000)
# Excel uploads: the largest file, its largest unpacked size and compression ratio
# (zip bombs are refused before parsing), and the size above which an import runs
# in the background with a progress bar.
# The official documents (exchange.docx_layout, exchange.pdf, exchange.charts): the faces
# written into every Word document (an office machine with them shows them; the PDF
# falls back to Noto CJK), LibreOffice's path, and the chart font (a file path).
RL_FONT_BODY = env_str("RL_FONT_BODY", "仿宋_GB2312")
RL_FONT_TITLE = env_str("RL_FONT_TITLE", "方正小标宋简体")
RL_FONT_HEADING = env_str("RL_FONT_HEADING", "黑体")
RL_FONT_SUBHEADING = env_str("RL_FONT_SUBHEADING", "楷体_GB2312")
RL_FONT_PAGE_NUMBER = env_str("RL_FONT_PAGE_NUMBER", "宋体")
RL_SOFFICE = env_str("RL_SOFFICE", "")
RL_CHART_FONT = env_str("RL_CHART_FONT", "")
RL_UPLOAD_MAX_BYTES = env_int("RL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
RL_UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("RL_UPLOAD_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
RL_UPLOAD_MAX_RATIO = env_int("RL_UPLOAD_MAX_RATIO", 100)
RL_IMPORT_INLINE_BYTES = env_int("RL_IMPORT_INLINE_BYTES", 256 * 1024)
# A workbook's budget: refused on its declared size before it is read, and counted
# while it is read (a sheet may lie about its size). Generous for real ledgers.
RL_IMPORT_MAX_ROWS = env_int("RL_IMPORT_MAX_ROWS", 200_000)
RL_IMPORT_MAX_CELLS = env_int("RL_IMPORT_MAX_CELLS", 5_000_000)
# Uploaded files are readable by the service account only.
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Audit trail (docs/operations.md "The audit trail") ----------------------
# The chain's hash: "sha256", or "sm3" (GB/T 32905) where the platform's OpenSSL has
# it (SHA-256 otherwise); each record names its own, so a switch keeps it verifiable.
RL_AUDIT_HASH = env_str("RL_AUDIT_HASH", "sha256")
# Days audit records are kept at the least (MLPS: 180 or more; a lower value is a
# system check error). The application never deletes a record: the database refuses.
RL_AUDIT_RETENTION_DAYS = env_int("RL_AUDIT_RETENTION_DAYS", 180)
# Backups: the manifest is signed (HMAC-SHA256) with a key kept outside the archive,
# from a file (RL_BACKUP_KEY_FILE, mode 0600) or the environment (RL_BACKUP_KEY);
# docs/operations.md "Backing up and restoring".
RL_BACKUP_KEY_FILE = env_str("RL_BACKUP_KEY_FILE", "")
RL_BACKUP_KEY = env_str("RL_BACKUP_KEY", "")
# --- end of audit trail -------------------------------------------------------

# Every handler masks passwords, tokens and resident identity numbers (core/logging.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "reformledger.core.logging.MaskSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]},
    },
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
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "reformledger.api.permissions.SecondFactorForTokenActs",
    ],
    "DEFAULT_PAGINATION_CLASS": "reformledger.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["reformledger.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "reformledger.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["reformledger.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# JSON bodies nested deeper than this are a 400 (no request body of the API nests
# more than a few levels).
RL_API_JSON_MAX_DEPTH = env_int("RL_API_JSON_MAX_DEPTH", 32)
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
        "reformledger.api.schema.describe_api",
    ],
    # Tags by resource (/api/v1/tasks/ -> "tasks"), each described by its app.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Supervision: choice sets several components share get one name each.
    "ENUM_NAME_OVERRIDES": {
        "MatterStatusEnum": "reformledger.supervision.choices.MatterStatus",
        "DocumentStatusEnum": "reformledger.supervision.choices.DocumentStatus",
        "OrderLevelEnum": "reformledger.supervision.choices.OrderLevel",
        "AnswerDecisionEnum": "reformledger.supervision.choices.AnswerDecision",
        "RatingLevelEnum": "reformledger.ledger.choices.RatingLevel",
        "RatingStatusEnum": "reformledger.ledger.choices.RatingStatus",
        "PeriodStatusEnum": "reformledger.ledger.choices.PeriodStatus",
        "InnovationStatusEnum": "reformledger.pilots.choices.InnovationStatus",
        "PilotLevelEnum": "reformledger.pilots.choices.PilotLevel",
        "PilotStatusEnum": "reformledger.pilots.choices.PilotStatus",
        "AcceptanceResultEnum": "reformledger.pilots.choices.AcceptanceResult",
        "PilotFileKindEnum": "reformledger.pilots.choices.PilotFileKind",
        "IndicatorKindEnum": "reformledger.indicators.choices.IndicatorKind",
        "IndicatorValueStatusEnum": "reformledger.indicators.choices.ValueStatus",
        "IndicatorTrackEnum": "reformledger.indicators.choices.Track",
        "EvaluationKindEnum": "reformledger.evaluation.choices.EvaluationKind",
        "EvaluationStatusEnum": "reformledger.evaluation.choices.EvaluationStatus",
        "EvaluationTeamKindEnum": "reformledger.evaluation.choices.TeamKind",
        "SelfAssessmentStatusEnum": "reformledger.evaluation.choices.SelfAssessmentStatus",
        "AssessmentCardColourEnum": "reformledger.assessment.choices.CardColour",
        "AssessmentCardStatusEnum": "reformledger.assessment.choices.CardStatus",
        "AssessmentAppealStatusEnum": "reformledger.assessment.choices.AppealStatus",
        "AssessmentFactKindEnum": "reformledger.assessment.choices.FactKind",
        "AssessmentReasonKindEnum": "reformledger.assessment.choices.ReasonKind",
        "AssessmentTriggerKindEnum": "reformledger.assessment.choices.TriggerKind",
        "PublicationKindEnum": "reformledger.publications.choices.PublicationKind",
        "PublicationStatusEnum": "reformledger.publications.choices.PublicationStatus",
        "PublicationJobStatusEnum": "reformledger.publications.choices.JobStatus",
        "PublicationPdfStatusEnum": "reformledger.publications.choices.PdfStatus",
        "CatalogListKindEnum": "reformledger.catalog.choices.ListKind",
        "CatalogEditionStatusEnum": "reformledger.catalog.choices.EditionStatus",
        "CatalogPartStatusEnum": "reformledger.catalog.choices.PartStatus",
        "CatalogChangeKindEnum": "reformledger.catalog.choices.ChangeKind",
        "CatalogMatchedByEnum": "reformledger.catalog.choices.MatchedBy",
    },
}

# --- The production stack (docs/operations.md "The production stack") ---------
# Several app servers behind nginx keep no state of their own: sessions, lock-out
# counters and jobs are rows of the database, files live in MEDIA_ROOT (a folder every
# server mounts, or S3), and the caches below are shared through Redis.
# The "default" cache: locmem:// (each process its own, the default), redis://host:6379/0
# (shared by every server) or file:///folder; the same URLs as RL_PUBLIC_CACHE_URL.
RL_CACHE_URL = env_str("RL_CACHE_URL", "locmem://")
# Stored files sent through nginx: with a prefix set (e.g. /_protected/, an `internal`
# location of nginx aliased to MEDIA_ROOT), a download view checks the user and answers
# with an empty response naming the file in X-Accel-Redirect; nginx sends the bytes.
# Empty (the default): the app server streams the file itself (core/http.py).
RL_ACCEL_REDIRECT = env_str("RL_ACCEL_REDIRECT", "")
# This app server's name, sent in the X-RL-Server response header (which server of the
# pool answered); empty: no header.
RL_SERVER_ID = env_str("RL_SERVER_ID", "")
# --- end of the production stack ------------------------------------------------

# --- Single sign-on (LDAP) (docs/operations.md "Single sign-on (LDAP)") --------
# On when RL_LDAP_SERVER_URI is set (ldap://host:389 with RL_LDAP_START_TLS, or
# ldaps://host:636): directory users sign in with their directory password and get a
# local account with no role (accounts.ldap, decision 0020). The three administrators
# and accounts with a local password always sign in locally. Needs `make install-ldap`.
RL_LDAP_SERVER_URI = env_str("RL_LDAP_SERVER_URI", "")
# The service account that searches the directory (read access to people and groups).
RL_LDAP_BIND_DN = env_str("RL_LDAP_BIND_DN", "")
RL_LDAP_BIND_PASSWORD = env_str("RL_LDAP_BIND_PASSWORD", "")
# ... or its password read from a file (mode 0600), which wins over the variable.
RL_LDAP_BIND_PASSWORD_FILE = env_str("RL_LDAP_BIND_PASSWORD_FILE", "")
# Where people are and how the typed user name finds one (%(user)s, escaped). A
# directory with the ppolicy overlay refuses locked entries with
# (&(uid=%(user)s)(!(pwdAccountLockedTime=*))).
RL_LDAP_USER_SEARCH_BASE = env_str("RL_LDAP_USER_SEARCH_BASE", "")
RL_LDAP_USER_FILTER = env_str("RL_LDAP_USER_FILTER", "(uid=%(user)s)")
# The directory's attributes copied to the account at each sign-in.
RL_LDAP_ATTR_FULL_NAME = env_str("RL_LDAP_ATTR_FULL_NAME", "cn")
RL_LDAP_ATTR_EMAIL = env_str("RL_LDAP_ATTR_EMAIL", "mail")
# Disabled in the directory: members of this group (a DN) are refused; only members of
# RL_LDAP_REQUIRE_GROUP (when set) may sign in. Groups are groupOfNames (member) or
# groupOfUniqueNames (uniqueMember), searched under RL_LDAP_GROUP_SEARCH_BASE (default:
# the parent of the group's DN).
RL_LDAP_DENY_GROUP = env_str("RL_LDAP_DENY_GROUP", "")
RL_LDAP_REQUIRE_GROUP = env_str("RL_LDAP_REQUIRE_GROUP", "")
RL_LDAP_GROUP_TYPE = env_str("RL_LDAP_GROUP_TYPE", "groupOfNames")
RL_LDAP_GROUP_SEARCH_BASE = env_str("RL_LDAP_GROUP_SEARCH_BASE", "")
# StartTLS on ldap://, the CA file that signs the directory's certificate, and the
# seconds a connection and each operation may take before the sign-in is refused.
RL_LDAP_START_TLS = env_bool("RL_LDAP_START_TLS", False)
RL_LDAP_CA_FILE = env_str("RL_LDAP_CA_FILE", "")
RL_LDAP_TIMEOUT = env_int("RL_LDAP_TIMEOUT", 5)
if RL_LDAP_SERVER_URI:
    # After django-axes' backend (a locked user name is refused before the directory is
    # asked), before Django's own (local accounts).
    AUTHENTICATION_BACKENDS.insert(
        AUTHENTICATION_BACKENDS.index("axes.backends.AxesStandaloneBackend") + 1,
        "reformledger.accounts.ldap.DirectoryBackend",
    )
# --- end of single sign-on (LDAP) -------------------------------------------------

# --- Messengers (WeCom, DingTalk group robots; docs/operations.md "Messengers") -----
# Seconds a robot's platform has to answer one message (then it is tried again later).
RL_MESSENGER_TIMEOUT = env_int("RL_MESSENGER_TIMEOUT", 5)
# Tries of one message before it is failed for good (waits 1, 5, 15, 60, 240 min).
RL_MESSENGER_MAX_ATTEMPTS = env_int("RL_MESSENGER_MAX_ATTEMPTS", 6)
# --- end of messengers ----------------------------------------------------------

# --- Published audit head (docs/operations.md "The audit trail") -----------------
# The chain's head is published outside the database every RL_AUDIT_PUBLISH_MINUTES
# (the task queue; 0: only by `reformledger publish_audit_head`) to the system log
# and to an append-only file of JSON lines, which `verify_audit` checks against.
RL_AUDIT_PUBLISH_MINUTES = env_int("RL_AUDIT_PUBLISH_MINUTES", 15)
# The system log: a socket path, or host:port for UDP; empty switches it off. Unset:
# /dev/log where it exists.
RL_AUDIT_SYSLOG_ADDRESS = env_str(
    "RL_AUDIT_SYSLOG_ADDRESS", "/dev/log" if Path("/dev/log").exists() else ""
)
# The append-only file of published heads (mode 0640; `chattr +a` it); empty: off.
RL_AUDIT_HEAD_FILE = env_str("RL_AUDIT_HEAD_FILE", str(VAR_DIR / "audit-heads.jsonl"))
# --- end of published audit head ------------------------------------------------

# --- The public side (/public/: the published lists, open without login) ------
# Rendered public pages and the public rate limit's counters live in the "public"
# cache: in each process's memory by default (locmem://), or shared by every worker
# in Redis (redis://host:6379/1) or in a folder (file:///srv/reformledger/cache).
# docs/operations.md "The public side".
RL_PUBLIC_CACHE_URL = env_str("RL_PUBLIC_CACHE_URL", "locmem://")
_public_cache = cache_from_url(RL_PUBLIC_CACHE_URL, name="reformledger-public", max_entries=2000)
CACHES = {
    # RL_CACHE_URL: the production stack block above.
    "default": cache_from_url(RL_CACHE_URL, name="reformledger-default"),
    "public": {**_public_cache, "KEY_PREFIX": "rl-public"},
}
# Seconds a rendered public page is kept in the cache (a newly published edition still
# shows within RL_PUBLIC_FRESH_SECONDS: the key names the published editions, re-read
# that often), and the max-age browsers and proxies are told.
RL_PUBLIC_CACHE_SECONDS = env_int("RL_PUBLIC_CACHE_SECONDS", 600)
RL_PUBLIC_FRESH_SECONDS = env_int("RL_PUBLIC_FRESH_SECONDS", 30)
RL_PUBLIC_MAX_AGE = env_int("RL_PUBLIC_MAX_AGE", 60)
# Requests one client address may make to the public pages: "<n>/<s|m|h>" (per
# second, minute or hour); 0 switches the limit off. Beyond it: 429.
RL_PUBLIC_RATE = env_str("RL_PUBLIC_RATE", "120/m")
# Rows per page of the public search.
RL_PUBLIC_PAGE_SIZE = env_int("RL_PUBLIC_PAGE_SIZE", 25)
# --- end of the public side ----------------------------------------------------

# --- Monitoring: request ids, JSON logs, metrics (docs/operations.md "Monitoring") --
# Every request gets an id (a trusted proxy's X-Request-ID, else a new one), answered
# in the X-Request-ID header and written in its log lines; first, so every answer has it.
MIDDLEWARE.insert(0, "reformledger.core.middleware.RequestIdMiddleware")
# Log lines: "text" (plain, as ever) or "json" (one object a line with time, level,
# logger, message, request_id, user_id, path, server_id = RL_SERVER_ID). Every handler.
RL_LOG_FORMAT = env_str("RL_LOG_FORMAT", "text").strip().lower() or "text"
from reformledger.core.logging import configure as _configure_logging  # noqa: E402

LOGGING = _configure_logging(LOGGING, log_format=RL_LOG_FORMAT)
# Prometheus metrics (django-prometheus, decision 0022): with RL_METRICS_PORT set, the
# requests, the database and the caches are counted, and gunicorn's master
# (config/gunicorn.py) serves the sum of its workers on RL_METRICS_ADDRESS:RL_METRICS_PORT,
# an address only the operator reaches. Unset: nothing is counted, nothing listens.
RL_METRICS_ADDRESS = env_str("RL_METRICS_ADDRESS", "127.0.0.1")
RL_METRICS_PORT = env_int("RL_METRICS_PORT", 0)
if RL_METRICS_PORT:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]
    _engine = DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if _engine in ("sqlite3", "postgresql"):
        DATABASES["default"]["ENGINE"] = f"django_prometheus.db.backends.{_engine}"
    # django-prometheus's Redis caches need django-redis, which is not installed: a Redis
    # cache stays uncounted.
    _instrumented_caches = {
        "django.core.cache.backends.locmem.LocMemCache": "locmem.LocMemCache",
        "django.core.cache.backends.filebased.FileBasedCache": "filebased.FileBasedCache",
    }
    for _cache in CACHES.values():
        if _cache["BACKEND"] in _instrumented_caches:
            _cache["BACKEND"] = (
                f"django_prometheus.cache.backends.{_instrumented_caches[_cache['BACKEND']]}"
            )
# --- end of monitoring --------------------------------------------------------------
