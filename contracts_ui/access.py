"""The one place that decides who reaches which fabric account, and in which role.

Deny by default: a user reaches an account only through a grant to them or to one of their
groups; superusers are no exception (they grant themselves in the admin). An unreachable account
is a 404, so its existence is not revealed; a viewer asking to edit is a 403.

With a shared cache (settings.SHARED_CACHE), a user's grants are read from the database once per
grants generation and kept in the cache: any change to a grant, an account, a user or a group
membership starts a new generation (signals.py calls forget_all_grants), so it takes effect on
the next request in every process. The request's user is kept the same way, in each process's
memory (ModelBackend below): a logged-in request then reads nothing from the database.
"""

import time
import uuid
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.contrib.auth import backends
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest

from contracts_ui.fabric.types import FabricTenant
from contracts_ui.models import AccountGrant, AccountRole, FabricAccount

_ROLE_RANK = {AccountRole.VIEWER: 1, AccountRole.EDITOR: 2}


@dataclass(frozen=True)
class AccountAccess:
    """An account the user reaches, with the strongest role any of their grants gives."""

    account: FabricAccount
    role: AccountRole

    @property
    def can_edit(self) -> bool:
        return self.role == AccountRole.EDITOR

    @cached_property
    def tenant(self) -> FabricTenant:
        """The account as the fabric client needs it, its secret read once per request (the
        request's accesses are memoised); raises SecretNotFound, a FabricError, when missing."""
        return self.account.tenant()


def _grants_for(user: AbstractBaseUser | AnonymousUser):
    if not user.is_authenticated or not user.is_active:
        return AccountGrant.objects.none()
    # A join through the user's group memberships, not a subquery: the same rows, and the
    # ORM builds it in half the time (this runs on every request).
    return AccountGrant.objects.filter(
        Q(user_id=user.pk) | Q(group__user=user.pk), account__is_active=True
    )


def _strongest(grants) -> dict[int, AccountAccess]:
    by_account: dict[int, AccountAccess] = {}
    for grant in grants:
        role = AccountRole(grant.role)
        held = by_account.get(grant.account_id)
        if held is None or _ROLE_RANK[role] > _ROLE_RANK[held.role]:
            by_account[grant.account_id] = AccountAccess(account=grant.account, role=role)
    return by_account


def _read_grants(user: AbstractBaseUser | AnonymousUser) -> list[tuple[FabricAccount, str]]:
    accesses = _strongest(_grants_for(user).select_related("account"))
    ordered = sorted(accesses.values(), key=lambda access: access.account.name.lower())
    return [(access.account, access.role.value) for access in ordered]


_GENERATION_KEY = "access:grants:generation"
# A change made past the signals (a queryset update() in a shell) is seen within this time.
_GRANTS_CACHE_SECONDS = 300


def _grants_key(user_id: int) -> str:
    return f"access:grants:v1:{user_id}"


def _new_generation() -> None:
    # A random token, not a counter: one lost with the cache can never come back and match.
    cache.set(_GENERATION_KEY, uuid.uuid4().hex, None)


def forget_all_grants() -> None:
    """Start a new grants generation: every cached grant list is read again from the database.

    Called by the signal receivers as a change is saved, and again once its transaction commits:
    a request that read the database between the two (still seeing the old rows) stored them
    under the first new generation, which the second retires.
    """
    if not settings.SHARED_CACHE:
        return
    _new_generation()
    transaction.on_commit(_new_generation)


def _grants_state(user_id: int) -> dict:
    """The grants generation and the user's stored grants, in one round trip."""
    return cache.get_many([_GENERATION_KEY, _grants_key(user_id)])


def _generation(found: dict) -> str:
    """The generation _grants_state found, else a new one (the cache was emptied), noted in
    `found` so a later read of the same state does not ask again."""
    generation = found.get(_GENERATION_KEY)
    if generation is None:
        cache.add(_GENERATION_KEY, uuid.uuid4().hex, None)
        generation = found[_GENERATION_KEY] = cache.get(_GENERATION_KEY)
    return generation


def _cached_grants(user: AbstractBaseUser) -> list[tuple[FabricAccount, str]]:
    """The user's grants from the cache when stored under the current generation (one round trip
    for both, made with the user's own when ModelBackend loaded it), else from the database,
    then stored under the generation read before it."""
    key = _grants_key(user.pk)
    found = getattr(user, "_contracts_ui_grants_state", None) or _grants_state(user.pk)
    generation = _generation(found)
    stored = found.get(key)
    if stored is not None and stored[0] == generation:
        return stored[1]
    grants = _read_grants(user)
    cache.set(key, (generation, grants), _GRANTS_CACHE_SECONDS)
    return grants


@dataclass(frozen=True)
class _KeptUser:
    """A user's row as read from the database: each request builds its own instance from it
    (Model.from_db, as a query would), with nothing another request cached on one."""

    generation: str
    read_at: float  # time.monotonic()
    model: type
    db: str
    field_names: tuple[str, ...]
    values: tuple

    @classmethod
    def of(cls, user: AbstractBaseUser, generation: str, read_at: float) -> "_KeptUser":
        names = tuple(field.attname for field in user._meta.concrete_fields)
        values = tuple(getattr(user, name) for name in names)
        return cls(generation, read_at, type(user), user._state.db, names, values)

    def user(self) -> AbstractBaseUser:
        return self.model.from_db(self.db, self.field_names, self.values)


# User id -> its row, at most _USERS_KEPT users, each for at most _GRANTS_CACHE_SECONDS.
_users: dict[str, _KeptUser] = {}
_USERS_KEPT = 1000


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend, reading the request's user from the database once per grants
    generation and process: a change to the user (its password, activity, superuser flag)
    starts a new generation (signals.py), so it is read again on the next request."""

    def get_user(self, user_id):
        if not settings.SHARED_CACHE:
            return super().get_user(user_id)
        state = _grants_state(user_id)
        generation = _generation(state)
        kept = _users.get(str(user_id))
        fresh = kept is not None and time.monotonic() - kept.read_at < _GRANTS_CACHE_SECONDS
        if fresh and kept.generation == generation:
            user = kept.user()
        else:
            read_at = time.monotonic()
            user = super().get_user(user_id)
            if user is None:
                return None
            if len(_users) >= _USERS_KEPT:
                _users.clear()
            _users[str(user_id)] = _KeptUser.of(user, generation, read_at)
        user._contracts_ui_grants_state = state
        return user


def reachable_accounts(
    user: AbstractBaseUser | AnonymousUser, *, cached: bool = True
) -> list[AccountAccess]:
    """Every account the user may reach, by name; `cached=False` reads the database whatever
    the cache holds (the signal receivers deciding whether a session must end)."""
    if not user.is_authenticated or not user.is_active:
        return []
    use_cache = cached and settings.SHARED_CACHE
    grants = _cached_grants(user) if use_cache else _read_grants(user)
    # A new AccountAccess each time: its tenant (which holds the secret) is never cached.
    return [AccountAccess(account=account, role=AccountRole(role)) for account, role in grants]


def _request_accesses(request: HttpRequest) -> list[AccountAccess]:
    """reachable_accounts for the request's user, read once per request: the view's access check
    and the page's account switcher share one query."""
    accesses = getattr(request, "_contracts_ui_accesses", None)
    if accesses is None:
        accesses = request._contracts_ui_accesses = reachable_accounts(request.user)
    return accesses


def request_reachable_accounts(request: HttpRequest) -> list[AccountAccess]:
    """Every account the request's user may reach, by name."""
    return _request_accesses(request)


def account_access(request: HttpRequest, account_id: str) -> AccountAccess:
    """The account named in the URL and the user's role in it, or 404."""
    for access in _request_accesses(request):
        if access.account.account_id == account_id:
            return access
    raise Http404("No such account.")


def editor_access(request: HttpRequest, account_id: str) -> AccountAccess:
    """As account_access, and 403 unless the user may edit in that account."""
    access = account_access(request, account_id)
    if not access.can_edit:
        raise PermissionDenied("Your role in this account is read-only.")
    return access
