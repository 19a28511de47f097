"""Settings for the Contracts Console, read from the environment (and an optional .env file).

Every variable has a safe development default, except SECRET_KEY and AUDIT_KEY when DEBUG is
off. The README lists them all.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-not-secret-contracts-console"  # noqa: S105 - refused below unless DEBUG
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

# The audit ledger's records are sealed with an HMAC under AUDIT_KEY, kept apart from SECRET_KEY
# (which signs sessions and forms) so that neither key gives the other's power. Each record names
# the id of the key that sealed it: to rotate, move the current key into AUDIT_OLD_KEYS
# ("id=key,id=key", kept for verifying only) and set a new AUDIT_KEY under a new AUDIT_KEY_ID.
_DEV_AUDIT_KEY = "dev-only-not-secret-audit-ledger-key"
AUDIT_KEY_ID = env.str("AUDIT_KEY_ID", default="1")
_audit_key = env.str("AUDIT_KEY", default=_DEV_AUDIT_KEY)
if not DEBUG and _audit_key == _DEV_AUDIT_KEY:
    raise ImproperlyConfigured("AUDIT_KEY must be set when DEBUG is off.")
if not DEBUG and _audit_key == SECRET_KEY:
    raise ImproperlyConfigured("AUDIT_KEY must differ from SECRET_KEY.")
if not re.fullmatch(r"[A-Za-z0-9._-]{1,32}", AUDIT_KEY_ID):
    raise ImproperlyConfigured("AUDIT_KEY_ID must be 1-32 letters, digits, '.', '_' or '-'.")
AUDIT_KEYS: dict[str, str] = {}
for _entry in env.list("AUDIT_OLD_KEYS", default=[]):
    _old_id, _, _old_key = _entry.partition("=")
    if not _old_id or not _old_key:
        raise ImproperlyConfigured("AUDIT_OLD_KEYS is a comma-separated list of id=key pairs.")
    AUDIT_KEYS[_old_id] = _old_key
if AUDIT_KEYS.get(AUDIT_KEY_ID, _audit_key) != _audit_key:
    raise ImproperlyConfigured(
        f"AUDIT_OLD_KEYS holds another key under the current AUDIT_KEY_ID ({AUDIT_KEY_ID}): "
        "a new key needs a new id."
    )
AUDIT_KEYS[AUDIT_KEY_ID] = _audit_key
# Where audit_checkpoint appends its witness lines (besides the log): best on storage the console
# cannot rewrite, e.g. a file with the append-only attribute (chattr +a) or a mounted log volume.
AUDIT_CHECKPOINT_PATH = env.str(
    "AUDIT_CHECKPOINT_PATH", default=str(BASE_DIR / "var" / "audit-checkpoints.jsonl")
)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # Login throttling: failed attempts counted per user and IP, in the shared database.
    "axes",
    # Django's Tasks framework stored in this database; `manage.py db_worker` runs the tasks.
    "django_tasks_db",
    "contracts_ui",
]

MIDDLEWARE = [
    # Marks the console's own answers to htmx, whichever layer below wrote them.
    "contracts_ui.middleware.HtmxAnswerMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (SECURE_CSP below), with a nonce per request.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Renews the idle timeout now and then; ends a session SESSION_MAX_SECONDS after login.
    "contracts_ui.middleware.SessionTimeoutsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "contracts_ui.middleware.RequestIdMiddleware",
    "contracts_ui.middleware.RequestLogMiddleware",
    # Cache-Control: no-store on every answer to a logged-in user: no page or export of theirs is
    # kept by the browser or a proxy.
    "contracts_ui.middleware.NoStoreForUsersMiddleware",
    # Every page needs a login; the login page itself and static files are exempt. htmx requests
    # get an HX-Redirect to the login page instead of a redirect htmx would swap into the page.
    "contracts_ui.middleware.HtmxLoginRequiredMiddleware",
    # Last, as django-axes asks: answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "console.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "contracts_ui.context_processors.navigation",
            ],
            # {% url %} in every template, each URL worked out once per process.
            "builtins": ["contracts_ui.templatetags.cached_urls"],
        },
    },
]

WSGI_APPLICATION = "console.wsgi.application"

LOCAL_DATA_DIR = BASE_DIR / "var"
LOCAL_DATA_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{LOCAL_DATA_DIR / 'console.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction begins, so the audit chain never forks.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    # Under load (make load: 50 users, sessions saved on every request) writers queue for the one
    # lock longer than sqlite3's default 5 s; waiting beats "database is locked" errors.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", env.int("SQLITE_TIMEOUT", default=20))
    # Write-ahead logging: readers never wait for a writer, and a commit is one append and one
    # fsync instead of a rollback journal's three. synchronous=FULL keeps every audit record
    # durable through a power cut, not only a crash of the process.
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    )
    # Each gunicorn thread keeps its connection: opening one (and its pragmas) cost ~0.7 ms of
    # every request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # A dead database must fail a request (and readiness) in seconds, not hang it.
    _pg_options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=2))
    if env.bool("DATABASE_POOL", default=True):
        # psycopg's pool per process: one connection per gunicorn thread is enough (max_size).
        _pg_options["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://contracts-console")}
# One cache for every console process (Redis), rather than each process's own: only then may
# sessions and grants be read from it, as a change made through one process must reach all.
SHARED_CACHE = CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
if SHARED_CACHE:
    # Django's Redis cache, keeping its redis client rather than building one per operation.
    CACHES["default"]["BACKEND"] = "contracts_ui.cache.RedisCache"
    # An unreachable Redis fails fast instead of holding a worker thread.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 2, "socket_timeout": 2}
    )
    # Lets several consoles (staging, production) share one Redis without sharing keys.
    CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="console")
# With a shared cache a session is read from it and written through to the database (cached_db):
# a logged-in request reads no session row, and ending a user's sessions (contracts_ui/signals.py)
# still finds them in the table and drops both copies.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user and IP pair is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, keeping the request's user in memory per grants generation.
    "contracts_ui.access.ModelBackend",
]
# Five wrong passwords for one user from one IP lock that pair out for a cool-off; another IP,
# and the same IP after the cool-off, can still log in, so nobody is locked out for good.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The IP is REMOTE_ADDR as the WSGI server saw it, never a header a client could forge.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# A refused CSRF token (the page is older than a login or logout elsewhere) gets the console's
# own "reload this page" message, in place for htmx; the technical reason goes to the log only.
CSRF_FAILURE_VIEW = "contracts_ui.views.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "contracts_ui:account-list"
LOGOUT_REDIRECT_URL = "login"

# Security: CSP, sessions, cookies. The README's "Security" section explains each choice.
# CSP, enforced: our scripts and styles are files from this origin; the <script> tags that
# {% htmx_script %} writes carry the per-request nonce. No inline code, no eval anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Idle timeout: a session unused for this long expires. Requests renew it, but only once every
# SESSION_REFRESH_SECONDS (contracts_ui.middleware): saving it on every request would make every
# page a database write.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 3600)
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=300)
# Absolute timeout: a login lasts at most this long, however active (contracts_ui.middleware).
SESSION_MAX_SECONDS = env.int("SESSION_MAX_SECONDS", default=24 * 3600)
# Cookies are never readable from JavaScript (htmx takes the CSRF token from the page, not the
# cookie) and not sent on cross-site subrequests; HTTPS-only in production (SECURE_COOKIES below).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# English only: no translation catalogue is loaded, and nothing asks for the request's language
# (reverse() and every localised value did, three thread-local reads each time).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=LOCAL_DATA_DIR / "staticfiles")
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "console.storage.StaticFilesStorage"
        )
    },
}

# fabric: where it is, how long we wait for it, how often we try again.
FABRIC_BASE_URL = env.str("FABRIC_BASE_URL", default="http://127.0.0.1:8100").rstrip("/")
FABRIC_AUTH_URL = env.str("FABRIC_AUTH_URL", default="http://127.0.0.1:8100/auth").rstrip("/")
FABRIC_CONNECT_TIMEOUT = env.float("FABRIC_CONNECT_TIMEOUT", default=3.05)
FABRIC_READ_TIMEOUT = env.float("FABRIC_READ_TIMEOUT", default=10.0)
FABRIC_DEADLINE = env.float("FABRIC_DEADLINE", default=20.0)
FABRIC_MAX_RETRIES = env.int("FABRIC_MAX_RETRIES", default=2)
FABRIC_RETRY_AFTER_CAP = env.float("FABRIC_RETRY_AFTER_CAP", default=5.0)
FABRIC_POOL_SIZE = env.int("FABRIC_POOL_SIZE", default=20)
FABRIC_TOKEN_RENEW_MARGIN = env.int("FABRIC_TOKEN_RENEW_MARGIN", default=60)
FABRIC_LOOKUP_CACHE_SECONDS = env.int("FABRIC_LOOKUP_CACHE_SECONDS", default=300)
# Reads of many pages (contracts_ui/fabric/walks.py): pages of one account fetched at once by a
# process, and the seconds one such read (an export, the radar) may take in all.
FABRIC_PAGE_CONCURRENCY = env.int("FABRIC_PAGE_CONCURRENCY", default=8)
FABRIC_WALK_DEADLINE_SECONDS = env.float("FABRIC_WALK_DEADLINE_SECONDS", default=300.0)
# Circuit breaker per account: this many consecutive failures within the window open it for the
# cool-down (seconds); 0 failures turns it off.
FABRIC_BREAKER_FAILURES = env.int("FABRIC_BREAKER_FAILURES", default=5)
FABRIC_BREAKER_WINDOW = env.float("FABRIC_BREAKER_WINDOW", default=60.0)
FABRIC_BREAKER_COOLDOWN = env.float("FABRIC_BREAKER_COOLDOWN", default=30.0)
# Seconds a save waits while another save of the same contract holds its lock (contracts_ui/
# locks.py); never longer than FABRIC_DEADLINE.
CONTRACT_LOCK_WAIT = env.float("CONTRACT_LOCK_WAIT", default=10.0)

# Bulk changes (contracts_ui/bulk/) run as tasks queued in the console's own database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
BULK_MAX_CONTRACTS = env.int("BULK_MAX_CONTRACTS", default=5000)
# Contracts of one job written at the same time by one worker.
BULK_CONCURRENCY = env.int("BULK_CONCURRENCY", default=4)
# A running job whose worker has not reported for this long is taken over by another worker.
BULK_STALE_SECONDS = env.int("BULK_STALE_SECONDS", default=60)

# Approvals (contracts_ui/approvals.py): a proposal not decided within this many days expires.
APPROVAL_EXPIRY_DAYS = env.int("APPROVAL_EXPIRY_DAYS", default=7)
# Links in mails: the console's public address, e.g. https://console.example.com; empty: the
# host the request that sent the mail came to.
CONSOLE_BASE_URL = env.str("CONSOLE_BASE_URL", default="").rstrip("/")
# Mail (approval notices) through Django's email framework (MAILERS, Django 6.1): the terminal
# by default, SMTP in production, e.g. EMAIL_URL=smtp+tls://user:password@smtp.example.com:587.
# Without DEBUG the default is the SMTP server on this host, as Django's own default is: the
# terminal is no place for mail in production (check --deploy says so).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_mailer: dict = {"BACKEND": _email["EMAIL_BACKEND"]}
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    _mailer["OPTIONS"] = {
        "host": _email.get("EMAIL_HOST", "localhost"),
        "port": _email.get("EMAIL_PORT") or 25,
        "username": _email.get("EMAIL_HOST_USER", ""),
        "password": _email.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT", default=10),
    }
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="contracts-console@localhost")

# Production behind TLS: secure cookies, HSTS, HTTPS redirects (health checks exempt, as load
# balancers probe over plain HTTP). SECURE_PROXY_SSL_HEADER trusts the proxy's X-Forwarded-Proto.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env.bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# How long fabric may take to answer a readiness probe before the console counts it unreachable.
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)

# LOG_FORMAT=json (the default with DEBUG off) writes one JSON object per line; both formats
# carry the console request id of the request a line was written for.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "contracts_ui.request_log.RequestIdFilter"}},
    "formatters": {
        # Control characters in the message (a path, a username) are escaped: one record, one line.
        "plain": {
            "()": "contracts_ui.request_log.PlainFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
