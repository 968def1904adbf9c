"""Settings for hrms: one file; every deployment difference is an env variable."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional file; real env vars win

# CORE ---------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
# The default is flagged by `manage.py check --deploy` (django-insecure- prefix).
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-dev-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "treebeard",
    "import_export",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "hrms",
    "positions",
    "staff",
    "recruitment",
    "appraisals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hrms.auth.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout flagged during the login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hrms.urls"
WSGI_APPLICATION = "hrms.wsgi.application"

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
                "hrms.context_processors.roles",
            ],
        },
    },
]

# DATABASE -----------------------------------------------------------------

SQLITE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# PostgreSQL: DATABASE_URL=postgres://user:pass@host:5432/hrms (psycopg 3)
DATABASES = {"default": env.db("DATABASE_URL", default=SQLITE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while an import writes; a busy timeout
    # turns "database is locked" into a short wait.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif env.bool("POSTGRES_JIT_OFF", default=True):
    # The JIT compiler added 190–255 ms to each heavy list query at province scale
    # and gained nothing on these short queries (bench/EXPLAIN.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# AUTH ---------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_VALIDATORS}.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # the public pages need no guardian anonymous user

# Login throttling (django-axes): consecutive failures per username lock the
# account for a while; `manage.py axes_reset_username NAME` or the back office
# (Axes > Access attempts) unlocks it sooner. 0 minutes: locked until unlocked.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
_AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=30)
AXES_COOLOFF_TIME = (
    timedelta(minutes=_AXES_COOLOFF_MINUTES) if _AXES_COOLOFF_MINUTES else None
)
# By username alone: an attacker cannot escape by changing address, and one
# office behind a shared proxy address is not locked out as a whole (axes.W006
# asks for the address too).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hrms.auth.views.lockout"
AXES_VERBOSE = False

# Two-factor (django-otp TOTP): these roles may enrol an authenticator app from
# their account page; OTP_REQUIRED_ROLES (comma-separated, empty = optional)
# must, and are sent to enrolment until they do.
OTP_ROLES = ["admin", "hr", "inspector"]
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="HRMS")
# The back office may delete a lost device but never shows its secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# E-mail (password reset): printed to the console unless EMAIL_URL names a
# server, e.g. smtp+tls://user:password@mail.example.gov.vn:587
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="hrms@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# I18N ---------------------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy everywhere, whichever language is active (see hrms/formats/).
FORMAT_MODULE_PATH = ["hrms.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M"]

# STATIC -------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
FONT_DIR = BASE_DIR / "static" / "fonts"

# SECURITY -----------------------------------------------------------------

SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool(
    "SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", False) else None
)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from our own static files,
# never inline. The few <style> elements carry the request's nonce; style
# attributes (tree indents, bar widths, inline SVG charts) stay allowed, as
# they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# API ----------------------------------------------------------------------

REST_FRAMEWORK = {
    # The same scopes as the web: token for systems that push data, session for
    # people using the browsable pages.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hrms API",
    "DESCRIPTION": "Dossiers, staff, positions and appraisals, scoped like the web.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package: no CDN on closed networks.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Document the 400/401/403/404/415 answers too (hrms/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hrms.api_schema.document_error_responses",
    ],
    # One name per choice set the API shares (levels appear three times on an
    # appraisal; "status" means different things on different records).
    "ENUM_NAME_OVERRIDES": {
        "AppraisalLevelEnum": "staff.models.AnnualRating.Level",
        "AppraisalStatusEnum": "appraisals.models.Appraisal.Status",
        "DossierStatusEnum": "appraisals.models.Dossier.Status",
        "EmployeeStatusEnum": "staff.models.Employee.Status",
    },
}

# HRMS ---------------------------------------------------------------------

# The end of an office working day; due times fall at this hour (DESIGN §4.3).
WORKDAY_END_HOUR = env.int("WORKDAY_END_HOUR", default=17)
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=2000)
# Import files are untrusted: size caps, and the most an .xlsx may inflate to.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
IMPORT_STREAM_MAX_BYTES = env.int("IMPORT_STREAM_MAX_BYTES", default=2 * 1024**3)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int(
    "IMPORT_MAX_UNCOMPRESSED_BYTES", default=1024**3
)

# JOBS ---------------------------------------------------------------------

# Long jobs (big imports and exports, appraisal runs, batches of PDFs; hrms/jobs/)
# go to a Celery worker when a broker is set (redis://127.0.0.1:6379/0); without
# one they run in the web process, synchronously.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Uploaded import files and the jobs' results; served only through /jobs/.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# A running job whose heartbeat is older than this is taken for dead.
JOB_STALE_SECONDS = env.int("JOB_STALE_SECONDS", default=15 * 60)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
