"""Is fabric reachable? One short request for the console's readiness probe."""

import requests
from django.conf import settings

from contracts_ui.fabric.transport import session


def fabric_reachable(timeout: float) -> tuple[bool, str]:
    """(True, "") when fabric's API host answers below 500 within `timeout` seconds.

    The probe is unauthenticated and asks for the host's root, so it costs no token and no
    tenant's quota; any HTTP answer short of a server error means fabric is there.
    """
    try:
        response = session().get(
            f"{settings.FABRIC_BASE_URL}/", timeout=(timeout, timeout), allow_redirects=False
        )
    except requests.RequestException as exc:
        return False, type(exc).__name__
    if response.status_code >= 500:
        return False, f"HTTP {response.status_code}"
    return True, ""
