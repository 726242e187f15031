"""Settings for casemgr, read from the environment.

With nothing set, casemgr runs as a local demo: SQLite in the project folder, Celery tasks run
in-process, e-mail printed to the console. Production sets DEBUG=0, a real SECRET_KEY and
ALLOWED_HOSTS, and refuses to start without them. Any variable may instead be given as
<NAME>_FILE, the path of a file holding the value (for container secrets).
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.FileAwareEnv()

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-secret-key-never-used-in-production"  # noqa: S105 (refused below)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs a long random SECRET_KEY "
            "(or SECRET_KEY_FILE); for local development set DEBUG=1."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure-")
    or SECRET_KEY == _DEV_SECRET_KEY
):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names casemgr is served under.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "casemgr.core.admin_site.CasemgrAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_countries",
    "casemgr.core",
    "casemgr.access",
    "casemgr.matters",
    "casemgr.pleadings",
    "casemgr.evidence",
    "casemgr.deadlines",
    "casemgr.timeline",
    "casemgr.bundles",
    "casemgr.analysis",
    "casemgr.search",
    "casemgr.redaction",
    "casemgr.productions",
    "casemgr.disclosure",
]

MIDDLEWARE = [
    "casemgr.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "casemgr.core.middleware.PageMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Below everything a page needs (the user, messages, the CSP nonce) so that the error
    # page renders like any other.
    "casemgr.core.middleware.ErrorPagesMiddleware",
    # Axes must come last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casemgr.urls"
WSGI_APPLICATION = "casemgr.wsgi.application"

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

# --- Database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'casemgr.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The zero-setup demo: let concurrent writers (parallel uploads) wait for each other
    # instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Axes first, so that a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed sign-ins lock that username out for a while, whatever address they come
# from (so rotating addresses or browsers does not help an attacker). Not by address: a whole
# office behind one proxy or NAT shares one, and would be locked out together; hence axes.W006,
# which asks for address-based locking, is silenced below on purpose.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Where the client's address is read from, for the audit trail and axes alike: REMOTE_ADDR,
# unless casemgr runs behind a proxy, which then names its header (HTTP_X_FORWARDED_FOR).
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="REMOTE_ADDR")
AXES_CLIENT_IP_CALLABLE = "casemgr.access.audit.client_ip"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where casemgr writes on disk: by default the static and media folders below, and the state
# a long command keeps to be resumed (evidence_verify), which stays out of MEDIA_ROOT: that
# folder holds only evidence.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
# Uploaded evidence lives outside any served folder; it is only ever sent through views that
# check membership and clearance.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# Largest evidence file accepted; a bigger upload is refused with 413 before it is read.
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_UPLOAD_BYTES", default=2 * 1024**3)
# Largest image, in pixels, accepted (decompression bombs).
EVIDENCE_MAX_IMAGE_PIXELS = env.int("EVIDENCE_MAX_IMAGE_PIXELS", default=100_000_000)
# Reading the text of scans (OCR, casemgr.evidence.ocr): the OCRmyPDF program, the processes
# one file is read with (a worker's cores; each Tesseract takes one), and how long one file
# may take, in seconds: a dense page at 300 dpi costs about 6 CPU seconds (benchmarks/ocr.py),
# so a 300-page scan takes half an hour on one core. The task's limits are a few minutes
# past it, and must stay below CELERY_VISIBILITY_TIMEOUT.
OCR_BINARY = env.str("OCR_BINARY", default="ocrmypdf")
OCR_JOBS = env.int("OCR_JOBS", default=1)
OCR_TIMEOUT = env.int("OCR_TIMEOUT", default=50 * 60)
# A bundle page warns (and offers to split) past this size: court filing systems and e-mail
# refuse larger files.
BUNDLE_SIZE_WARNING_MB = env.int("BUNDLE_SIZE_WARNING_MB", default=500)
# Temporary files of every casemgr process (uploads being hashed, renditions, OCR, bundle
# builds) go to a folder of casemgr's own, so that what a killed process left behind can be
# swept without touching anybody else's (casemgr.core.temporary). An upload is spooled in
# FILE_UPLOAD_TEMP_DIR: it needs room for the largest file.
TEMP_DIR = Path(env.str("TEMP_DIR", default=str(VAR_DIR / "tmp")))
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default=str(TEMP_DIR))

_s3_bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _s3_bucket,
                "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
                "default_acl": "private",
                "querystring_auth": True,
            },
        }
        if _s3_bucket
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail -------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# A mail server that stops answering must not hold a reminder sweep (and its row locks).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="casemgr <casemgr@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where casemgr is reached, for links in e-mails and the calendar feed. `make run` sets it
# to the address it serves on (HOST and PORT, .ci/serve) unless it is given.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL (e.g. https://casemgr.example.com) is needed for e-mail links."
    )

# --- Celery -------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Zero-setup demo: no broker, every task runs in the web process when it is queued.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Queues: default, mail, bundles, analysis. Quick work (e-mail) and slow work (bundles, log
# analyses) get their own, so that a 2,000-page bundle or a ten-million-row log never holds
# up a deadline alert; workers consume all four unless told otherwise
# (`celery -A casemgr worker -Q mail`).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "casemgr.*.tasks.send_*": {"queue": "mail"},
    "casemgr.bundles.tasks.*": {"queue": "bundles"},
    "casemgr.productions.tasks.*": {"queue": "bundles"},
    # Redacting rasterises and reads pages again: slow PDF work, beside the bundle builds.
    "casemgr.redaction.tasks.*": {"queue": "bundles"},
    "casemgr.analysis.tasks.*": {"queue": "analysis"},
}
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 60)
# A task is acknowledged only once it has finished, so a worker that dies mid-task leaves
# it for another worker; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How long Redis waits for a started task's acknowledgement before handing it to another
# worker, when the one running it died without a word (a bundle build, unlike an e-mail,
# has no sweep to pick it up again).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for such tasks once a minute (kombu's default works out at every 100 s).
    "unacked_restore_interval": min(60, CELERY_VISIBILITY_TIMEOUT),
    "unacked_restore_throttle": 1,
}
# Beat only finds due work; a reminder due next month is a row, not a Celery ETA.
REMINDER_SWEEP_SECONDS = env.float("REMINDER_SWEEP_SECONDS", default=120.0)
CELERY_BEAT_SCHEDULE = {
    "send-due-reminders": {
        "task": "casemgr.deadlines.tasks.send_due_reminders",
        "schedule": REMINDER_SWEEP_SECONDS,
        # A sweep that waited longer than the interval is superseded by the next one.
        "options": {"expires": REMINDER_SWEEP_SECONDS},
    },
    # What killed processes left in TEMP_DIR, on the worker that takes it (each worker also
    # sweeps its own machine when it starts).
    "sweep-temporary-files": {
        "task": "casemgr.core.tasks.sweep_temporary_files",
        "schedule": 60 * 60.0,
        "options": {"expires": 60 * 60.0},
    },
    # What /readyz reads to tell that beat is running (casemgr.core.health).
    "heartbeat": {
        "task": "casemgr.core.tasks.heartbeat",
        "schedule": 60.0,  # casemgr.core.health.HEARTBEAT_SECONDS
        "options": {"expires": 60.0},
    },
}
CELERY_TIMEZONE = "UTC"

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "casemgr.core.api.exception_handler",
    # The token first: a request with no credentials (or a bad token) is then answered 401
    # with a `WWW-Authenticate: Token` challenge, as HTTP has it, rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "casemgr.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "casemgr.core.filters.ScopedFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "casemgr.core.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only: /api/docs/ is the interactive view (DRF's browsable pages need inline styles).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only (the upload takes multipart: evidence/api.py): a form cannot say
    # null, an empty list or a nested object, so the schema could not promise what a form
    # body means.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "casemgr API",
    "DESCRIPTION": (
        "Matters, parties, proceedings, hearings, claims and allegations, exhibits, "
        "deadlines, and the chronology with the evidence behind it. Every list and "
        "object is limited to the matters the signed-in user is a member of; anything else "
        "answers 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "casemgr.core.schema.document_refusals",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PartyRoleEnum": "casemgr.matters.models.PartyRole",
        "MemberRoleEnum": "casemgr.access.models.Role",
        "ClearanceEnum": "casemgr.access.models.Clearance",
        "ExhibitStatusEnum": "casemgr.evidence.models.Exhibit.Status",
        "EventKindEnum": "casemgr.timeline.models.Event.Kind",
        "EventStatusEnum": "casemgr.timeline.models.Event.Status",
        "TimelineItemTypeEnum": "casemgr.timeline.selectors.ITEM_TYPES",
        "AnalysisKindEnum": "casemgr.analysis.models.Analysis.Kind",
        "AnalysisStatusEnum": "casemgr.analysis.models.Analysis.Status",
        "SearchKindEnum": "casemgr.search.api.KIND_CHOICES",
    },
}

# --- Security headers ---------------------------------------------------------------------
# No inline script anywhere: every script is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer probes over plain HTTP, inside the network; a redirect would fail it.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Demo -----------------------------------------------------------------------------------
# Password given to the demo accounts by `manage.py load_demo`; only the demo setup has them.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="casemgr-demo-2026")

# plain: readable lines for `make run`; json: one JSON object per line, for a log collector.
# Either way each record names its request (X-Request-ID), user, matter and Celery task
# where known (casemgr.core.logs).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "casemgr.core.logs.ContextFilter"}},
    "formatters": {"casemgr": {"()": "casemgr.core.logs.formatter", "kind": LOG_FORMAT}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "casemgr",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (a console one in DEBUG, and e-mail to ADMINS, which is
        # never set) would write its records a second time, unformatted, beside the root's.
        "django": {"handlers": [], "level": "INFO"},
        # Axes logs every successful sign-in at INFO; the audit trail already records them.
        "axes": {"level": "WARNING"},
        # PDF and font libraries narrate every step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        # A failing readiness check is answered in /readyz's body, probed every few seconds;
        # its traceback in the log each time would bury everything else. Unexpected errors
        # in a check are still logged (ERROR).
        "health_check": {"level": "ERROR"},
    },
}
