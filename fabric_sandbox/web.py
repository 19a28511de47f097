"""The small request/response/routing layer the endpoint modules are written against."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, unquote

from .errors import ApiError


@dataclass
class Request:
    """One parsed HTTP request; `account` is set by the dispatcher once the caller is known."""

    method: str
    path: str
    query_string: str
    headers: Message
    body: bytes
    client_host: str
    request_id: str
    account: str | None = None
    _query: dict[str, str] | None = field(default=None, repr=False)

    @property
    def query(self) -> dict[str, str]:
        """Query parameters; a repeated parameter keeps its first value."""
        if self._query is None:
            parsed = parse_qs(self.query_string, keep_blank_values=True)
            self._query = {name: values[0] for name, values in parsed.items()}
        return self._query

    def json(self) -> Any:
        """The JSON body (an empty body reads as `{}`); 400 when it is not JSON."""
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "VALIDATION_ERROR", "The request body is not valid JSON.") from None

    def json_object(self) -> dict[str, Any]:
        """The JSON body, which must be an object."""
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError(400, "VALIDATION_ERROR", "The request body must be a JSON object.")
        return body


@dataclass
class Response:
    """An answer: a JSON-serializable body, or raw bytes when `raw` is set."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def encode(self) -> bytes:
        """The bytes sent on the wire."""
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body, separators=(",", ":")).encode()


def ok(body: Any) -> Response:
    """A 200 JSON answer (fabric answers 200 for reads and writes alike)."""
    return Response(200, body)


Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    """One endpoint; `kind` "api" authenticates first, "control" answers loopback only.

    `documented` is False for the endpoints no public fabric page describes (REFERENCE.md §7):
    in documented-only mode they answer 404 as an unknown path does.
    """

    method: str
    pattern: str
    handler: Handler
    kind: str = "api"
    documented: bool = True

    def compiled(self) -> re.Pattern[str]:
        """The path pattern as a regex; `{name}` matches one path segment."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.pattern)
        return re.compile(f"^{regex}$")


class Router:
    """Finds the route for a method and path, and the percent-decoded path parameters."""

    def __init__(self, routes: list[Route]) -> None:
        self._routes = [(route, route.compiled()) for route in routes]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route and its parameters; 404 for an unknown path, 405 for a known path."""
        allowed: list[str] = []
        for route, regex in self._routes:
            found = regex.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, {name: unquote(value) for name, value in found.groupdict().items()}
            allowed.append(route.method)
        if allowed:
            raise ApiError(
                405,
                "METHOD_NOT_ALLOWED",
                f"{method} is not allowed on {path}.",
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise ApiError(404, "NOT_FOUND", f"No endpoint at {path}.")
