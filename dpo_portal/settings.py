"""Settings: everything configurable comes from the environment (see README).

Embedded defaults run the portal on one laptop: SQLite under var/, Celery tasks
in-process. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, DEBUG=0.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
# The embedded key only ever serves the local demo; DEBUG=0 requires a real one.
SECRET_KEY = env.str(
    "SECRET_KEY", default="" if not DEBUG else "dev-only-insecure-key-do-not-use-in-production-0123456789"
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo data and demo users are loaded only into the embedded demo, never with DEBUG off.
DEMO_MODE = DEBUG and env.bool("DEMO_MODE", default=True)

INSTALLED_APPS = [
    "dpo_portal.admin_site.PortalAdminConfig",  # django.contrib.admin with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "axes",
    "dpo_portal",
    "audit",
    "subjects",
    "retention",
    "consents",
    "requests_app",
    "screening",
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
    "audit.middleware.AuditRequestMiddleware",
    # Last, as its documentation asks: answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dpo_portal.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "dpo_portal.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'dpo_portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer (runserver + in-process tasks) instead of failing at once. Every request is a
    # transaction (ATOMIC_REQUESTS) that may write (an audit entry on each view): taking the write lock at BEGIN
    # lets it wait its turn, where a read transaction upgraded to a write fails at once ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
    # Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite ignores the extra columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# English dates and numbers as in the EU (dpo_portal/formats/en): 31/12/2034, not 12/31/2034.
FORMAT_MODULE_PATH = ["dpo_portal.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"
# Staff logins (the admin's and the support desk's re-login) are locked for a while after repeated failures by the
# same user name from the same address: a password cannot be guessed, and nobody can lock the DPO out from elsewhere.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dpo_portal.views.locked_out"
# Behind API_TRUSTED_PROXIES, as the API counts; None without an address (axes keeps it in an inet column).
AXES_CLIENT_IP_CALLABLE = "dpo_portal.client_address.client_address"
# The audit trail records every login and failure already: no second log of staff addresses, nothing in the log file.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Cache: local memory for the demo, Redis in production (rate limits, may_contact).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# E-mail: printed to the console in the demo; EMAIL_URL=smtp://… in production.
vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="datenschutz@localhost")
DPO_EMAIL = env.str("DPO_EMAIL", default="dsb@localhost")

# Personal data at rest (payment data, health data): Fernet keys, newest first.
# Without FIELD_ENCRYPTION_KEYS a key is derived from SECRET_KEY (demo only).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Salt for the suppression list and other one-way hashes of personal data.
HASH_SALT = env.str("HASH_SALT", default=SECRET_KEY)
# Key of the audit trail's hash chain (HMAC): whoever can write to the database but lacks it cannot forge
# a consistent chain. Keep it out of the database and its backups; never change it.
AUDIT_KEY = env.str("AUDIT_KEY", default=SECRET_KEY)

# Celery: with no broker configured, tasks run in-process (the embedded demo).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not env.str("CELERY_BROKER_URL", default=""))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://localhost/")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# The nightly retention sweep (its check follows four hours later: retention.monitoring).
RETENTION_SWEEP_HOUR = env.int("RETENTION_SWEEP_HOUR", default=2)
RETENTION_SWEEP_MINUTE = env.int("RETENTION_SWEEP_MINUTE", default=30)
# Every scheduled job of the portal; each task lives in its app's tasks.py.
CELERY_BEAT_SCHEDULE = {
    "retention-sweep": {
        "task": "retention.tasks.run_retention_sweep",
        "schedule": crontab(hour=RETENTION_SWEEP_HOUR, minute=RETENTION_SWEEP_MINUTE),
    },
    "requests-deadline-digest": {
        "task": "requests_app.tasks.send_deadline_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    # After the sweep: the evidence files of request files whose deletion the storage refused.
    "requests-evidence-orphans": {
        "task": "requests_app.tasks.delete_evidence_orphans",
        "schedule": crontab(hour=4, minute=30),
    },
    # Four hours after the sweep, whenever that is: tells the DPO when it failed, was interrupted or did not run
    # (the check looks 26 hours back: a night without a sweep is 28 hours old then).
    "retention-sweep-check": {
        "task": "retention.tasks.check_retention_sweep",
        "schedule": crontab(hour=(RETENTION_SWEEP_HOUR + 4) % 24, minute=RETENTION_SWEEP_MINUTE),
    },
    "audit-verify": {
        "task": "audit.tasks.verify_audit_trail",
        "schedule": crontab(hour=6, minute=0),
    },
    "screening-weekly-rescreen": {
        "task": "screening.tasks.rescreen_all",
        "schedule": crontab(day_of_week="sunday", hour=3, minute=0),
    },
}

# Data-subject request deadlines: the controller's Land for public holidays (Art. 12(3) GDPR).
DPO_HOLIDAY_SUBDIVISION = env.str("DPO_HOLIDAY_SUBDIVISION", default="SH")

# Sanctions screening: a name score at or above this is a possible match.
SCREENING_THRESHOLD = env.float("SCREENING_THRESHOLD", default=0.88)

# Retention sweep: how many records one batch claims (its time: RETENTION_SWEEP_HOUR/MINUTE above).
# 10,000: a third less time than 1,000 at ~8 MiB peak (docs/benchmarks.md); 20,000 gains nothing more.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=10_000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
}

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Cuts the values PostgreSQL quotes in error messages (a duplicate e-mail address, a failing row).
    "formatters": {
        "plain": {
            "()": "dpo_portal.log_redaction.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "filters": {
        "redact": {"()": "dpo_portal.log_redaction.RedactingFilter"},
        "query_strings": {"()": "dpo_portal.log_redaction.QueryStringFilter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (a console one in DEBUG, mail_admins, which mails the request's POST data)
        # go: its records reach the redacting root handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Request lines without their query strings: the admin's search and autocomplete send names by GET.
        # (Django's defaults stop django.server from propagating, which a logger named here would keep.)
        "django.server": {"filters": ["query_strings"], "propagate": True},
        "django.request": {"filters": ["query_strings"], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- screening ---
# People per screening task; a task screens its batch against an index of every list name.
SCREENING_BATCH_SIZE = env.int("SCREENING_BATCH_SIZE", default=1000)
# Days after a possible match by which the person is asked to verify their identity.
SCREENING_CONTACT_DAYS = env.int("SCREENING_CONTACT_DAYS", default=7)
# Optional scheduled download (empty: import by hand with `sanctions_import`). For ofac-csv
# the URL names the folder holding sdn.csv, alt.csv and add.csv.
SCREENING_LIST_URLS = {
    "eu-xml": env.str("SCREENING_EU_XML_URL", default=""),
    "ofac-csv": env.str("SCREENING_OFAC_CSV_URL", default=""),
}
if any(SCREENING_LIST_URLS.values()):
    CELERY_BEAT_SCHEDULE["screening-download-lists"] = {
        "task": "screening.tasks.download_lists",
        "schedule": crontab(hour=env.int("SCREENING_DOWNLOAD_HOUR", default=5), minute=15),
    }

# --- consents ---
# Double opt-in: how long a confirmation link stays valid.
CONSENT_DOI_HOURS = env.int("CONSENT_DOI_HOURS", default=72)
# The consents API (docs/api.md): requests per token and per client address, largest body.
CONSENTS_API_RATE = env.str("CONSENTS_API_RATE", default="120/min")
CONSENTS_API_FAILED_AUTH_RATE = env.str("CONSENTS_API_FAILED_AUTH_RATE", default="10/min")
CONSENTS_API_MAX_BODY = env.int("CONSENTS_API_MAX_BODY", default=16 * 1024)
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: use REMOTE_ADDR);
# failed API logins are counted per client address taken that many hops from the right.
API_TRUSTED_PROXIES = env.int("API_TRUSTED_PROXIES", default=0)

# --- retention ---
# The replay journal (deletion protocol outside the database, read by `retention_replay` after a
# backup restore): keep it out of the database backups and back it up on its own.
RETENTION_JOURNAL_DIR = env.str("RETENTION_JOURNAL_DIR", default=str(VAR_DIR / "retention-journal"))
# How long the operator keeps database backups (days): they hold what sweeps deleted since, so DIN 66398 wants a
# period of their own in the deletion concept. Not enforced here (backups live outside the portal); unset, the
# concept names the gap and `check --deploy` warns.
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=None)
