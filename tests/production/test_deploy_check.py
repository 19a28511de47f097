"""Django's deployment checklist passes with production settings as the README gives them."""

import json
import subprocess
import sys

import pytest

from tests.production.services import ROOT, manage, production_env


def deployed_env() -> dict[str, str]:
    """Production settings with their defaults: TLS behind a proxy, secure cookies, HSTS."""
    env = production_env(
        DATABASE_URL="postgres://console_app@db.internal:5432/console",
        CACHE_URL="redis://cache.internal:6379/0",
        ALLOWED_HOSTS="console.example.com",
    )
    for name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "LOG_FORMAT"):
        env.pop(name)
    return env


# Each starts Django with production settings in a new process.
pytestmark = pytest.mark.slow


def test_check_deploy_reports_nothing():
    output = manage(deployed_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert "System check identified no issues (0 silenced)." in output


def test_production_settings_write_json_logs_and_pool_connections():
    script = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.LOGGING['handlers']['console']['formatter'], 'pool' in s.DATABASES['default']"
        "['OPTIONS'], s.CACHES['default']['BACKEND'], s.SESSION_COOKIE_SECURE, s.DEBUG]))"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env={**deployed_env(), "DJANGO_SETTINGS_MODULE": "console.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == [
        "json",
        True,
        "contracts_ui.cache.RedisCache",
        True,
        False,
    ]
