"""gunicorn for the console, an I/O-bound proxy in front of fabric: few processes, many threads.

A console request spends most of its time waiting for fabric (up to FABRIC_DEADLINE), so threads
(`gthread`) serve many of them per process cheaply. Sizes, each overridable by environment:

- WEB_CONCURRENCY processes (default: CPU cores, at least 2, so one crash or restart never
  empties the machine).
- GUNICORN_THREADS threads per process (default 8): concurrent requests = processes × threads.
  Keep DATABASE_POOL_MAX_SIZE equal to it (one database connection per busy thread) and
  FABRIC_POOL_SIZE at least as big.
- GUNICORN_TIMEOUT (default 30 s) is above FABRIC_DEADLINE (20 s), so a slow fabric call ends
  with the console's own error page rather than a killed worker.

Run with `gunicorn console.wsgi` from the project root (this file is read from there).
"""

import multiprocessing
import os

# Containers set GUNICORN_BIND=0.0.0.0:8000; elsewhere the console stays on loopback by default.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then (jittered so they never restart together) to cap slow leaks.
max_requests = 2000
max_requests_jitter = 200
# The console writes its own JSON line per request (contracts_ui.middleware); no access log twice.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# X-Forwarded-Proto is trusted only from these addresses (the load balancer).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's own lines (start, worker exits) in the same shape as the console's, each written once.
# A logconfig_dict switches gunicorn's access log on whatever `accesslog` says, and its loggers
# would also hand every line to the root logger, which the console's own LOGGING writes out
# again: so the access logger is quietened and neither of gunicorn's loggers propagates.
_DEBUG = os.environ.get("DEBUG", "true").lower() in ("1", "true", "yes", "on")
if os.environ.get("LOG_FORMAT", "plain" if _DEBUG else "json") == "json":
    logconfig_dict = {
        # Until the console's settings configure logging in a worker, the root logger is this.
        "root": {"level": loglevel.upper(), "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["error_console"],
                "propagate": False,
            },
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
        "formatters": {
            "generic": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
    }
