"""How every view answers: the whole page, or for htmx only the part it swaps, and fabric's
failures as a message in the page (or the part) with an honest status code."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

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
# fabric did not answer a write: tell the user plainly that it may have happened.
OUTCOME_UNKNOWN = (
    "fabric did not confirm this change; it may or may not have been applied. "
    "Reload the contract to see its current state before trying again."
)


def fabric_error_status(error: fabric.FabricError) -> int:
    for error_class, status in _STATUS_FOR_FABRIC_ERROR:
        if isinstance(error, error_class):
            return status
    return 502


@contextmanager
def showing_fabric_errors(context: dict) -> Iterator[None]:
    """The one way a view handles fabric failing: a FabricError raised inside the block stops
    it and goes into `context` (with the outcome-unknown warning for a write that may have
    happened), where the page's includes/fabric_error.html shows it and `answer_status` turns
    it into the response's status."""
    try:
        yield
    except fabric.FabricError as error:
        show_fabric_error(context, error)


def show_fabric_error(context: dict, error: fabric.FabricError) -> None:
    context["fabric_error"] = error
    context["fabric_error_next"] = next_step(error)
    if error.outcome_unknown:
        context["outcome_unknown_message"] = OUTCOME_UNKNOWN


def next_step(error: fabric.FabricError) -> str | None:
    """What the person can do about a failure: "reload" to see whether a write happened,
    "retry" when asking again may work (fabric slow, down or busy), else nothing (the request
    itself was refused: retrying would get the same answer)."""
    if error.outcome_unknown:
        return "reload"
    if isinstance(error, fabric.FabricUnavailable | fabric.FabricRateLimited):
        return "retry"
    return None


def answer_status(context: Mapping, status: int = 200) -> int:
    """`status`, or the shown fabric error's when that is worse."""
    error = context.get("fabric_error")
    return max(status, fabric_error_status(error)) if error else status


def is_partial_request(request: HttpRequest) -> bool:
    """An htmx swap wants a part; a history restore (Back after a swap) wants the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    partial: str,
    status: int = 200,
    awaited: fabric.Awaited | None = None,
) -> HttpResponse:
    """The page, or for htmx its `partial`, with the status of any fabric error it shows.

    `awaited` holds the answer of a read still on its way (fabric.Ahead.lazy), shown where the
    template first uses it unless a fabric error is shown already. When that read fails, the
    page is drawn again without it, showing that failure instead, as though it had been raised
    inside `showing_fabric_errors`.
    """
    name = f"{template}#{partial}" if is_partial_request(request) else template
    if awaited and "fabric_error" not in context:
        try:
            return render(request, name, {**context, **awaited}, status=status)
        except fabric.FabricError as error:
            show_fabric_error(context, error)
    elif awaited:
        awaited.read.settle()
    return render(request, name, context, status=answer_status(context, status))
