"""Signal receivers: when a login happened, ending sessions when a user may no longer be here, and
retiring cached grants when who reaches what may have changed.

A user's sessions end when the user is deactivated or loses their last grant. Connected in
ContractsUiConfig.ready().
"""

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

from contracts_ui.access import forget_all_grants, reachable_accounts
from contracts_ui.middleware import LOGIN_TIME_KEY


def stamp_login_time(sender, request: HttpRequest, user, **kwargs) -> None:
    """On user_logged_in: remember when this session's login happened."""
    request.session[LOGIN_TIME_KEY] = time.time()


def end_user_sessions(user_id: int) -> int:
    """Delete every live session of one user; answers how many.

    Goes through the session store, not just the table, so a `cached_db` engine drops its cached
    copy too. A cache-only engine cannot be listed and is not supported here.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user_id):
            store_class(session_key=session.session_key).delete()
            ended += 1
    return ended


def end_sessions_of_deactivated_user(sender, instance, **kwargs) -> None:
    """On User post_save: an inactive user keeps no session."""
    if not instance.is_active:
        end_user_sessions(instance.pk)


def _end_sessions_without_grants(users) -> None:
    for user in users:
        if not reachable_accounts(user, cached=False):
            end_user_sessions(user.pk)


def forget_grants_after_change(sender, instance, update_fields=None, **kwargs) -> None:
    """On post_save and post_delete of a FabricAccount or a user: the grants they carry (an
    account's name, its activity, a user's) are read again. A login's own last_login update
    changes nothing here."""
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return
    forget_all_grants()


def _grant_holders(grant) -> list:
    """The users a grant reaches: its user, or every member of its group."""
    if grant.user_id is not None:
        return [grant.user]
    if grant.group_id is not None:
        return list(grant.group.user_set.all())
    return []


def remember_grant_holders(sender, instance, **kwargs) -> None:
    """On AccountGrant pre_save: who held the grant before, as a save may move it elsewhere."""
    if instance.pk is None:
        instance._previous_holders = []
        return
    previous = sender.objects.filter(pk=instance.pk).first()
    instance._previous_holders = _grant_holders(previous) if previous else []


def end_sessions_after_grant_saved(sender, instance, **kwargs) -> None:
    """On AccountGrant post_save: whoever the grant was taken from may have no grant left."""
    forget_all_grants()
    current = {user.pk for user in _grant_holders(instance)}
    before = getattr(instance, "_previous_holders", [])
    _end_sessions_without_grants(user for user in before if user.pk not in current)


def remember_deleted_grant_holders(sender, instance, **kwargs) -> None:
    """On AccountGrant pre_delete: a group's members must be read before the grant goes."""
    instance._previous_holders = _grant_holders(instance)


def end_sessions_after_grant_deleted(sender, instance, **kwargs) -> None:
    """On AccountGrant post_delete: its holders may have no grant left."""
    forget_all_grants()
    _end_sessions_without_grants(getattr(instance, "_previous_holders", []))


def end_sessions_after_group_change(
    sender, instance, action: str, reverse: bool, pk_set, **kwargs
) -> None:
    """On User.groups m2m_changed: users leaving a group may leave their last grant with it.

    `reverse` is True when the change comes from the group's side (group.user_set.remove(...)).
    """
    if action in ("post_add", "post_remove", "post_clear"):
        forget_all_grants()
    if action == "pre_clear":
        instance._leaving_users = list(instance.user_set.all()) if reverse else [instance]
    elif action == "post_clear":
        _end_sessions_without_grants(getattr(instance, "_leaving_users", []))
    elif action == "post_remove":
        users = instance.user_set.model.objects.filter(pk__in=pk_set) if reverse else [instance]
        _end_sessions_without_grants(users)
