"""Template context every page shares."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from contracts_ui.access import request_reachable_accounts


def navigation(request: HttpRequest) -> dict:
    # Lazy: only pages that show the account switcher read it (shared with the access check).
    return {"reachable_accounts": SimpleLazyObject(lambda: request_reachable_accounts(request))}
