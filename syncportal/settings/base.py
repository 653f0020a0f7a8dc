"""Settings shared by every environment; values come from the environment (see README, Configuration)."""

from django.utils.translation import gettext_lazy as _

from syncportal.env import BASE_DIR, env

VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

# A development-only fallback; production.py refuses to start without a real SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="dev-insecure-syncportal-key-change-me-0123456789abcdefghijkl")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_q",
    "import_export",
    "syncportal.access",
    "syncportal.outbox",
    # Before the domain apps: post_migrate role sync keys on the last app, which must have models.
    "syncportal.console",
    "customers",
    "sales",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns locked-out login attempts into a plain-words page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "syncportal.urls"
WSGI_APPLICATION = "syncportal.wsgi.application"

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

# SQLite under var/ by default; DATABASE_URL=postgres://... for the multi-host deployment.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'syncportal.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web server and django-q2 workers write concurrently: wait for the lock instead of failing,
    # and take the write lock at BEGIN so a read-then-write transaction cannot deadlock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Admin login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"

LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = env("TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# --- Field encryption (QBO tokens at rest) -------------------------------------------------------
# A dedicated list of Fernet keys, newest first: encrypt with the first, decrypt with any. Not derived
# from SECRET_KEY, so rotating SECRET_KEY (which also invalidates queued django-q2 tasks) never makes
# stored tokens unreadable. Generate one with `python manage.py generate_encryption_key`.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["ZGV2LW9ubHktc3luY3BvcnRhbC1maWVsZC1rZXktMDA="]
)

# --- QuickBooks Online ------------------------------------------------------------------------------
# Defaults point at the local QBO sandbox that `make run` starts; pointing at Intuit is configuration:
#   QBO_ENVIRONMENT=sandbox|production, QBO_CLIENT_ID, QBO_CLIENT_SECRET, QBO_REDIRECT_URI,
#   QBO_WEBHOOK_VERIFIER_TOKEN.
QBO_SANDBOX_URL = env("QBO_SANDBOX_URL", default="http://127.0.0.1:8765")
QBO_ENVIRONMENT = env("QBO_ENVIRONMENT", default="local")  # local | sandbox | production
QBO_CLIENT_ID = env("QBO_CLIENT_ID", default="syncportal-sandbox-client")
QBO_CLIENT_SECRET = env("QBO_CLIENT_SECRET", default="syncportal-sandbox-secret")
QBO_REDIRECT_URI = env(
    "QBO_REDIRECT_URI", default="http://127.0.0.1:8000/admin/integrations/qboconnection/callback/"
)
QBO_WEBHOOK_VERIFIER_TOKEN = env("QBO_WEBHOOK_VERIFIER_TOKEN", default="syncportal-sandbox-verifier")
QBO_MINOR_VERSION = env.int("QBO_MINOR_VERSION", default=75)
# The admin warns this many days before the refresh token (and so the connection) would lapse.
QBO_REFRESH_WARNING_DAYS = env.int("QBO_REFRESH_WARNING_DAYS", default=14)
# Chaos drills and the reliability tests only: the push worker kills itself (SIGKILL) at this point of
# a batch — before_send | after_answer | after_commit (integrations/sync/chaos.py). Empty = never.
QBO_PUSH_CRASH_POINT = env("QBO_PUSH_CRASH_POINT", default="")

# --- django-q2 -----------------------------------------------------------------------------------
# ORM broker on the project's database: at-least-once delivery, safe with several clusters on several
# hosts against one PostgreSQL. timeout > QBO's 120 s request limit; retry > timeout (django-q2 rule).
Q_CLUSTER = {
    "name": "syncportal",
    "orm": "default",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 150,
    "retry": 330,
    "max_attempts": 5,
    "ack_failures": False,
    "catch_up": False,
    "save_limit": 1000,
    "queue_limit": 50,
    "poll": env.float("Q_POLL", default=0.2),
    "label": "Background tasks",
}
if env("Q_REDIS_URL", default=""):
    # Optional: Redis broker for lower latency (at-most-once on a worker crash; the outbox backstop
    # schedule re-drives anything lost, so correctness does not depend on the broker).
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = env("Q_REDIS_URL")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # intuit-oauth and requests-oauthlib log request bodies (tokens) at DEBUG: never let them.
        "requests_oauthlib": {"level": "WARNING"},
        "oauthlib": {"level": "WARNING"},
        "intuitlib": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "quickbooks": {"level": "WARNING"},
    },
}

# Called (dotted path) after a transaction that wrote outbox rows commits: wakes the push drain.
OUTBOX_COMMIT_HOOK = env("OUTBOX_COMMIT_HOOK", default="integrations.tasks.wake_push")
# On PostgreSQL an outbox row can commit after a higher id was pushed; the push re-reads such gaps
# for this long before deciding the insert was rolled back (no transaction stays open that long).
OUTBOX_GAP_GRACE_SECONDS = env.int("OUTBOX_GAP_GRACE_SECONDS", default=300)

# --- Duplicate customers -------------------------------------------------------------------------
# Scores are 0..1 (customers/matching/scoring.py). Pairs at or above the review threshold go to the
# admin's review queue; at or above the auto-suggest threshold they are flagged "likely duplicate".
DEDUPE_REVIEW_THRESHOLD = env.float("DEDUPE_REVIEW_THRESHOLD", default=0.5)
DEDUPE_AUTO_SUGGEST_THRESHOLD = env.float("DEDUPE_AUTO_SUGGEST_THRESHOLD", default=0.9)
DEDUPE_PHONE_COUNTRY_CODE = env("DEDUPE_PHONE_COUNTRY_CODE", default="1")  # for numbers typed without "+"
# Recomputes a customer's balance after a merge or its undo (dotted path: customers never imports sales).
CUSTOMER_BALANCE_REFRESH = "sales.services.balances.customer_balance_refresh"
# Relations ("app_label.model.field") a merge leaves with the duplicate instead of moving them.
CUSTOMER_MERGE_KEEP_RELATIONS: list[str] = []
