"""How every view answers: the whole page, or for htmx only the part it swaps, and fabric's
failures as a message in the page with an honest status code."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from contracts_ui import fabric

# fabric refusing our own credentials or answering nonsense is a gateway failure, not the user's.
_STATUS_FOR_FABRIC_ERROR = (
    (fabric.FabricNotFound, 404),
    (fabric.FabricValidationError, 400),
    (fabric.FabricConflict, 409),
    (fabric.FabricRateLimited, 503),
    (fabric.FabricUnavailable, 503),
)


def fabric_error_status(error: fabric.FabricError) -> int:
    for error_class, status in _STATUS_FOR_FABRIC_ERROR:
        if isinstance(error, error_class):
            return status
    return 502


def is_partial_request(request: HttpRequest) -> bool:
    """An htmx swap wants a part; a history restore (Back after a swap) wants the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(
    request: HttpRequest, template: str, context: dict, *, partial: str, status: int = 200
) -> HttpResponse:
    name = f"{template}#{partial}" if is_partial_request(request) else template
    return render(request, name, context, status=status)
