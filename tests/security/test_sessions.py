"""Session cookies, idle and absolute timeouts, and sessions ended when access ends."""

import runpy
import time
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts_ui.middleware import LOGIN_TIME_KEY, REFRESH_TIME_KEY
from contracts_ui.models import AccountGrant, AccountRole
from contracts_ui.signals import end_user_sessions

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "console" / "settings.py"
ACCOUNTS = reverse("contracts_ui:account-list") + "?all=1"


def production_settings(monkeypatch, **environment: str) -> dict:
    """The settings module as production would load it, with DEBUG off."""
    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test-only-" + "x" * 20)
    monkeypatch.setenv("AUDIT_KEY", "a-production-audit-key-for-this-test-only-" + "x" * 20)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def session_count(user) -> int:
    return sum(
        session.get_decoded().get("_auth_user_id") == str(user.pk)
        for session in Session.objects.all()
    )


def expire_every_session(at) -> None:
    """Move every session's expiry in the table, and drop the copies a cached_db engine keeps
    (production's with a shared cache), which expire with the session's age on their own."""
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import caches

    keys = [KEY_PREFIX + key for key in Session.objects.values_list("session_key", flat=True)]
    caches[django_settings.SESSION_CACHE_ALIAS].delete_many(keys)
    Session.objects.update(expire_date=at)


def is_logged_out(client: Client) -> bool:
    response = client.get(ACCOUNTS)
    return response.status_code == 302 and response.url.startswith(reverse("login"))


class TestCookies:
    def test_they_are_secure_httponly_and_lax_in_production(self, monkeypatch):
        production = production_settings(monkeypatch)
        assert production["SESSION_COOKIE_SECURE"] is True
        assert production["CSRF_COOKIE_SECURE"] is True
        assert production["SESSION_COOKIE_HTTPONLY"] is True
        assert production["CSRF_COOKIE_HTTPONLY"] is True
        assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert production["CSRF_COOKIE_SAMESITE"] == "Lax"

    def test_with_a_shared_cache_sessions_are_read_from_it(self, monkeypatch):
        production = production_settings(monkeypatch, CACHE_URL="redis://127.0.0.1:6379/0")
        assert production["SHARED_CACHE"] is True
        assert production["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"

    def test_with_each_process_its_own_cache_they_stay_in_the_database(self, monkeypatch):
        production = production_settings(monkeypatch, CACHE_URL="locmemcache://")
        assert production["SHARED_CACHE"] is False
        assert production["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"

    def test_login_sets_them_so(self, client, console_world, settings):
        settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
        client.get(reverse("login"))
        response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice-1"})
        assert response.status_code == 302
        for name in ("sessionid", "csrftoken"):
            cookie = client.cookies[name]
            assert cookie["secure"] is True, name
            assert cookie["httponly"] is True, name
            assert cookie["samesite"] == "Lax", name


class TestTimeouts:
    def test_defaults_are_8_hours_idle_and_24_hours_in_all(self, monkeypatch):
        production = production_settings(monkeypatch)
        assert production["SESSION_COOKIE_AGE"] == 8 * 3600
        assert production["SESSION_REFRESH_SECONDS"] == 300
        assert production["SESSION_MAX_SECONDS"] == 24 * 3600

    def test_environment_sets_them(self, monkeypatch):
        production = production_settings(
            monkeypatch, SESSION_IDLE_SECONDS="600", SESSION_MAX_SECONDS="3600"
        )
        assert production["SESSION_COOKIE_AGE"] == 600
        assert production["SESSION_MAX_SECONDS"] == 3600

    def test_an_idle_session_expires(self, console_world):
        client = signed_in(console_world.viewer_a)
        expire_every_session(timezone.now() - timedelta(seconds=1))
        assert is_logged_out(client)

    def test_a_request_after_the_refresh_interval_renews_the_idle_timeout(
        self, console_world, settings
    ):
        client = signed_in(console_world.viewer_a)
        session = client.session
        session[REFRESH_TIME_KEY] = time.time() - settings.SESSION_REFRESH_SECONDS - 1
        session.save()
        expire_every_session(timezone.now() + timedelta(seconds=60))
        assert client.get(ACCOUNTS).status_code == 200
        renewed = Session.objects.get().expire_date
        assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    def test_requests_within_the_refresh_interval_do_not_write_the_session(self, console_world):
        client = signed_in(console_world.viewer_a)
        client.get(ACCOUNTS)  # the first request stamps the refresh time
        before = Session.objects.get().expire_date
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ACCOUNTS).status_code == 200
        assert Session.objects.get().expire_date == before
        assert not [
            q for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        ]

    def test_login_records_when_it_happened(self, client, console_world):
        client.post(reverse("login"), {"username": "alice", "password": "pw-alice-1"})
        assert abs(client.session[LOGIN_TIME_KEY] - time.time()) < 60

    def test_a_session_ends_when_its_login_is_older_than_the_absolute_timeout(
        self, console_world, settings
    ):
        client = signed_in(console_world.viewer_a)
        session = client.session
        session[LOGIN_TIME_KEY] = time.time() - settings.SESSION_MAX_SECONDS - 1
        session.save()
        response = client.get(ACCOUNTS, follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("login"))
        assert "Your session has ended" in response.content.decode()
        assert session_count(console_world.viewer_a) == 0

    def test_an_active_session_lasts_until_the_absolute_timeout(self, console_world, settings):
        client = signed_in(console_world.viewer_a)
        session = client.session
        session[LOGIN_TIME_KEY] = time.time() - settings.SESSION_MAX_SECONDS + 60
        session.save()
        assert client.get(ACCOUNTS).status_code == 200


class TestSessionsEndWithAccess:
    def test_when_the_user_is_deactivated(self, console_world):
        user, other = console_world.editor_a, console_world.viewer_a
        clients = [signed_in(user), signed_in(user)]
        bystander = signed_in(other)
        user.is_active = False
        user.save()
        assert session_count(user) == 0
        assert all(is_logged_out(client) for client in clients)
        assert not is_logged_out(bystander)

    def test_when_the_last_grant_is_deleted(self, console_world):
        user = console_world.editor_a
        client = signed_in(user)
        AccountGrant.objects.get(user=user).delete()
        assert session_count(user) == 0
        assert is_logged_out(client)

    def test_not_while_another_grant_remains(self, console_world):
        user = console_world.editor_a
        AccountGrant.objects.create(account=console_world.account_b, user=user)
        client = signed_in(user)
        AccountGrant.objects.get(user=user, account=console_world.account_a).delete()
        assert not is_logged_out(client)

    def test_when_a_grant_moves_to_someone_else(self, console_world):
        user = console_world.editor_a
        client = signed_in(user)
        grant = AccountGrant.objects.get(user=user)
        grant.user = console_world.superuser
        grant.save()
        assert is_logged_out(client)

    @pytest.mark.parametrize(
        "take_away",
        [
            lambda user, group: AccountGrant.objects.get(group=group).delete(),
            lambda user, group: user.groups.remove(group),
            lambda user, group: group.user_set.remove(user),
            lambda user, group: user.groups.clear(),
            lambda user, group: group.user_set.clear(),
        ],
        ids=[
            "group-grant-deleted",
            "user-leaves-group",
            "group-drops-user",
            "user-groups-cleared",
            "group-emptied",
        ],
    )
    def test_when_a_group_was_the_last_way_in(self, console_world, take_away):
        from django.contrib.auth import get_user_model

        group = Group.objects.create(name="Finance")
        AccountGrant.objects.create(
            account=console_world.account_a, group=group, role=AccountRole.VIEWER
        )
        user = get_user_model().objects.create_user("gina", password="pw-gina-1")
        user.groups.add(group)
        client = signed_in(user)
        take_away(user, group)
        assert is_logged_out(client)

    def test_with_the_cached_db_engine_too(self, console_world, settings):
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        user = console_world.viewer_a
        client = signed_in(user)
        key = client.session.session_key
        assert end_user_sessions(user.pk) == 1
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        assert store.load() == {}  # neither in the cache nor in the table
        assert is_logged_out(client)
