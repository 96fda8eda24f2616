"""Settings of Reform Ledger, read from the environment.

Every variable is listed with its default in `.env.example`. Nothing exists only
in production: the same settings run the tests, with `RL_PRODUCTION=1` switching
on the HTTPS-only cookie and HSTS settings a deployment behind TLS needs.
"""

import datetime as dt
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from reformledger.config.env import env_bool, env_date, env_int, env_list, env_str

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

# --- The public side (/public/: the published lists, open without login) ------
# Rendered public pages and the public rate limit's counters live in the "public"
# cache: in each process's memory by default (locmem://), or shared by every worker
# in Redis (redis://host:6379/1) or in a folder (file:///srv/reformledger/cache).
# docs/operations.md "The public side".
RL_PUBLIC_CACHE_URL = env_str("RL_PUBLIC_CACHE_URL", "locmem://")
if RL_PUBLIC_CACHE_URL.startswith(("redis://", "rediss://")):
    _public_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": RL_PUBLIC_CACHE_URL,
    }
elif RL_PUBLIC_CACHE_URL.startswith("file://"):
    _public_cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": RL_PUBLIC_CACHE_URL.removeprefix("file://"),
    }
else:
    _public_cache = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "reformledger-public",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
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
