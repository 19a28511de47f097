"""Template context every page shares."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from contracts_ui.access import reachable_accounts


def navigation(request: HttpRequest) -> dict:
    # Lazy: only pages that show the account switcher pay for its query.
    return {"reachable_accounts": SimpleLazyObject(lambda: reachable_accounts(request.user))}
