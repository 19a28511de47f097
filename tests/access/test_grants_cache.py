"""Grants kept in the shared cache: read once per grants generation, and every change to who
reaches what takes effect on the next request (contracts_ui/access.py, signals.py)."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts_ui import access
from contracts_ui.models import AccountGrant, AccountRole, FabricAccount


@pytest.fixture
def shared_cache(settings):
    """The cache as one shared by every process (Redis in production): grants are kept in it."""
    settings.SHARED_CACHE = True
    cache.clear()
    yield
    cache.clear()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def organizations(account) -> str:
    return reverse("contracts_ui:organization-list", kwargs={"account_id": account.account_id})


def grant_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return sum('"contracts_ui_accountgrant"' in query["sql"] for query in captured)


ACCOUNTS = reverse("contracts_ui:account-list") + "?all=1"


class TestReadOncePerGeneration:
    def test_a_second_request_reads_no_grant_from_the_database(self, console_world, shared_cache):
        client = signed_in(console_world.editor_a)
        assert grant_queries(client, ACCOUNTS) == 1
        assert grant_queries(client, ACCOUNTS) == 0

    def test_without_a_shared_cache_every_request_reads_them(self, console_world, settings):
        settings.SHARED_CACHE = False
        client = signed_in(console_world.editor_a)
        assert grant_queries(client, ACCOUNTS) == 1
        assert grant_queries(client, ACCOUNTS) == 1

    def test_the_cache_holds_no_secret(self, console_world, shared_cache):
        client = signed_in(console_world.editor_a)
        path = organizations(console_world.account_a)
        assert client.get(path).status_code == 200  # the tenant, with its secret, was used
        _generation, grants = cache.get(access._grants_key(console_world.editor_a.pk))
        assert [(type(account), role) for account, role in grants] == [(FabricAccount, "editor")]


class TestChangesTakeEffectOnTheNextRequest:
    def test_a_grant_taken_away(self, console_world, shared_cache):
        user = console_world.editor_a
        AccountGrant.objects.create(account=console_world.account_b, user=user)
        client = signed_in(user)
        assert client.get(organizations(console_world.account_b)).status_code == 200
        AccountGrant.objects.get(user=user, account=console_world.account_b).delete()
        assert client.get(organizations(console_world.account_b)).status_code == 404
        assert client.get(organizations(console_world.account_a)).status_code == 200

    def test_a_grant_given(self, console_world, shared_cache):
        client = signed_in(console_world.editor_a)
        assert client.get(organizations(console_world.account_b)).status_code == 404
        AccountGrant.objects.create(account=console_world.account_b, user=console_world.editor_a)
        assert client.get(organizations(console_world.account_b)).status_code == 200

    def test_a_role_changed(self, console_world, shared_cache):
        client = signed_in(console_world.editor_a)
        create = reverse(
            "contracts_ui:contract-create",
            kwargs={
                "account_id": console_world.account_a.account_id,
                "organization_id": console_world.fabric.organization_a["_id"],
            },
        )
        assert client.get(create).status_code == 200
        grant = AccountGrant.objects.get(user=console_world.editor_a)
        grant.role = AccountRole.VIEWER
        grant.save()
        assert client.get(create).status_code == 403

    def test_an_account_made_inactive(self, console_world, shared_cache):
        client = signed_in(console_world.editor_a)
        path = organizations(console_world.account_a)
        assert client.get(path).status_code == 200
        console_world.account_a.is_active = False
        console_world.account_a.save()
        assert client.get(path).status_code == 404

    def test_a_group_left_while_another_grant_remains(self, console_world, shared_cache):
        user = console_world.editor_a
        group = Group.objects.create(name="Globex readers")
        AccountGrant.objects.create(account=console_world.account_b, group=group)
        user.groups.add(group)
        client = signed_in(user)
        assert client.get(organizations(console_world.account_b)).status_code == 200
        group.user_set.remove(user)
        assert client.get(organizations(console_world.account_b)).status_code == 404
        assert client.get(organizations(console_world.account_a)).status_code == 200

    def test_grants_read_before_a_change_commits_are_retired_when_it_does(
        self, console_world, shared_cache, django_capture_on_commit_callbacks
    ):
        user = console_world.editor_a
        AccountGrant.objects.create(account=console_world.account_b, user=user)
        before = access.reachable_accounts(user)
        with django_capture_on_commit_callbacks(execute=True):
            AccountGrant.objects.get(user=user, account=console_world.account_b).delete()
            # Another request read the rows before this transaction committed and stored what it
            # saw under the generation the delete had just started.
            generation = cache.get(access._GENERATION_KEY)
            stale = [(a.account, a.role.value) for a in before]
            cache.set(access._grants_key(user.pk), (generation, stale))
        names = [a.account.name for a in access.reachable_accounts(user)]
        assert names == [console_world.account_a.name]

    def test_a_login_alone_keeps_the_cached_grants(self, console_world, shared_cache):
        client = signed_in(console_world.editor_a)
        client.get(ACCOUNTS)
        generation = cache.get(access._GENERATION_KEY)
        Client().post(reverse("login"), {"username": "fiona", "password": "pw-fiona-1"})
        assert cache.get(access._GENERATION_KEY) == generation


def user_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return sum('FROM "auth_user"' in query["sql"] for query in captured)


class TestTheUserKeptPerGeneration:
    """access.ModelBackend: the request's user is read from the database once per generation."""

    def test_a_second_request_reads_no_user_from_the_database(self, console_world, shared_cache):
        client = signed_in(console_world.editor_a)
        client.get(ACCOUNTS)
        assert user_queries(client, ACCOUNTS) == 0

    def test_without_a_shared_cache_every_request_reads_it(self, console_world, settings):
        settings.SHARED_CACHE = False
        client = signed_in(console_world.editor_a)
        client.get(ACCOUNTS)
        assert user_queries(client, ACCOUNTS) == 1

    def test_each_request_gets_its_own_copy(self, console_world, shared_cache):
        backend = access.ModelBackend()
        user_id = console_world.editor_a.pk
        access.reachable_accounts(console_world.editor_a)  # starts the grants generation
        first = backend.get_user(user_id)
        with CaptureQueriesContext(connection) as captured:
            second = backend.get_user(user_id)
        assert len(captured) == 0
        assert first == second
        assert first is not second
        second.first_name = "changed in one request"
        assert backend.get_user(user_id).first_name == console_world.editor_a.first_name

    def test_a_password_changed_elsewhere_ends_the_session_on_the_next_request(
        self, console_world, shared_cache
    ):
        user = console_world.editor_a
        client = signed_in(user)
        assert client.get(ACCOUNTS).status_code == 200
        user.set_password("a-new-password-9")
        user.save()
        assert client.get(ACCOUNTS).status_code == 302

    def test_a_deactivated_user_is_out_on_the_next_request(self, console_world, shared_cache):
        user = console_world.editor_a
        client = signed_in(user)
        assert client.get(ACCOUNTS).status_code == 200
        user.is_active = False
        user.save()
        assert client.get(ACCOUNTS).status_code == 302

    def test_a_new_superuser_flag_is_seen_on_the_next_request(self, console_world, shared_cache):
        user = console_world.editor_a
        client = signed_in(user)
        admin_index = reverse("admin:index")
        assert client.get(admin_index).status_code == 302
        user.is_staff = user.is_superuser = True
        user.save()
        assert client.get(admin_index).status_code == 200
