"""Health endpoints: open to anyone (no login, no account), machine-readable, never cached.

They reveal only whether the console's dependencies answer, never data or configuration.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from contracts_ui.health import readiness


@login_not_required
@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    """The process is up and answering; depends on nothing else."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    """200 when the database, the cache and fabric all answer; 503 with the failing ones if not."""
    checks = readiness()
    healthy = all(result.ok for result in checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": {name: result.as_dict() for name, result in checks.items()},
        },
        status=200 if healthy else 503,
    )
