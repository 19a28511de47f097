"""The sandbox application: state shared by all requests, and the dispatcher that turns any
request into a JSON response (errors included; never a stack trace)."""

import sys
import traceback
from dataclasses import dataclass, field

from . import auth, contract_list, contracts, control, parties, price_lists
from .errors import ApiError
from .faults import FaultBook, RequestLog
from .listing import MAX_LIMIT
from .store import Store
from .web import Request, Response, Router

ROUTES = [
    *auth.ROUTES,
    *contract_list.ROUTES,
    *contracts.ROUTES,
    *parties.ROUTES,
    *price_lists.ROUTES,
    *control.ROUTES,
]
_LOOPBACK = ("127.", "::1", "::ffff:127.")


@dataclass
class Config:
    """Settings that `POST /_sandbox/config` may change while the server runs."""

    token_ttl: int = 600
    # The largest `limit` a list accepts (fabric does not document its own).
    max_limit: int = MAX_LIMIT
    # Fixed at start: answer only what fabric documents (REFERENCE.md §7).
    documented_only: bool = False


@dataclass
class Sandbox:
    """Everything a request handler may touch."""

    store: Store
    config: Config = field(default_factory=Config)
    faults: FaultBook = field(default_factory=FaultBook)
    requests: RequestLog = field(default_factory=RequestLog)
    router: Router = field(default_factory=lambda: Router(ROUTES))

    def handle(self, request: Request) -> Response:
        """Route, authenticate and run one request; every failure becomes a JSON error."""
        try:
            route, params = self.router.match(request.method, request.path)
            if self.config.documented_only and not route.documented:
                raise ApiError(404, "NOT_FOUND", f"No endpoint at {request.path}.")
            if route.kind == "control" and not request.client_host.startswith(_LOOPBACK):
                raise ApiError(403, "FORBIDDEN", "The control API answers loopback clients only.")
            if route.kind == "api":
                request.account = auth.authenticate(self, request)
            return route.handler(self, request, **params)
        except ApiError as error:
            return Response(error.status, error.body(), headers=dict(error.headers))
        except Exception:
            # The traceback goes to the server log, never to the client.
            traceback.print_exc(file=sys.stderr)
            return Response(
                500, {"code": "INTERNAL", "message": "Unexpected error in the fabric sandbox."}
            )


def undocumented(app: Sandbox, method: str, path: str) -> bool:
    """True when the request is for an endpoint no public fabric page describes."""
    try:
        route, _ = app.router.match(method, path)
    except ApiError:
        return False
    return not route.documented
