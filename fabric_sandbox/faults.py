"""Fault rules and the request log: what tests use to make the stand-in misbehave and to count.

Both are in memory and shared by all request threads, so every access holds a lock.
"""

import re
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from .errors import ApiError, field_error
from .values import iso_from_ms, now_ms

# Enough for any test run; a long demo session must not grow without bound.
REQUEST_LOG_LIMIT = 100_000


@dataclass
class FaultRule:
    """One rule; see the control API table in README.md for what each field does."""

    id: int
    method: str = "*"
    path: str | None = None
    latency_ms: float = 0
    status: int | None = None
    retry_after: int | str | None = None
    hang_s: float = 0
    drop: bool = False
    malformed: bool = False
    times: int | None = None

    def matches(self, method: str, path: str) -> bool:
        """True when the rule applies to this request."""
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _check_rule(spec: dict[str, Any]) -> None:
    """400 for a rule a test could not have meant."""
    checks = {
        "method": lambda v: isinstance(v, str) and v != "",
        "path": lambda v: v is None or isinstance(v, str),
        "latency_ms": _is_number,
        "status": lambda v: v is None or (type(v) is int and 100 <= v <= 599),
        "retry_after": lambda v: v is None or _is_number(v) or isinstance(v, str),
        "hang_s": _is_number,
        "drop": lambda v: isinstance(v, bool),
        "malformed": lambda v: isinstance(v, bool),
        "times": lambda v: v is None or (type(v) is int and v >= 1),
    }
    for name, value in spec.items():
        if name not in checks:
            raise field_error(name, "unknown fault field")
        if not checks[name](value):
            raise field_error(name, "invalid value")
    if spec.get("path") is not None:
        try:
            re.compile(spec["path"])
        except re.error as exc:
            raise field_error("path", f"not a regular expression: {exc}") from None


class FaultBook:
    """The active fault rules, in the order they were added; the first match applies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Validate and add a rule."""
        _check_rule(spec)
        with self._lock:
            rule = FaultRule(id=self._next_id, **spec)
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[dict[str, Any]]:
        """The rules as JSON-ready dicts."""
        with self._lock:
            return [asdict(rule) for rule in self._rules]

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule for this request, counting it against `times` (atomically)."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times == 0:
                        self._rules.remove(rule)
                return rule
        return None


class RequestLog:
    """Every fabric-side request received since the last reset, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_LIMIT)
        self._in_flight = 0

    def arrived(self) -> int:
        """A fabric-side request is being served: how many are now, this one included."""
        with self._lock:
            self._in_flight += 1
            return self._in_flight

    def in_flight(self) -> int:
        """How many fabric-side requests are being served now."""
        with self._lock:
            return self._in_flight

    def left(self) -> None:
        """A request counted by `arrived` is over (logged, just before its answer is written,
        so a client never sends its next request while this one still counts)."""
        with self._lock:
            self._in_flight -= 1

    def record(
        self,
        *,
        method: str,
        path: str,
        query: str,
        status: int | None,
        request_id: str,
        account: str | None,
        documented: bool = True,
        in_flight: int = 1,
    ) -> None:
        """Append one entry; `status` is None when the connection was hung or dropped;
        `documented` is False for an endpoint no public fabric page describes; `in_flight` is
        how many fabric-side requests were being served when it arrived, itself included."""
        entry = {
            "method": method,
            "path": path,
            "query": query,
            "status": status,
            "request_id": request_id,
            "account": account,
            "documented": documented,
            "in_flight": in_flight,
            "at": iso_from_ms(now_ms()),
        }
        with self._lock:
            self._entries.append(entry)

    def find(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """Entries with this method (any case) and whose path contains a match of `path`."""
        try:
            pattern = re.compile(path) if path else None
        except re.error as exc:
            raise ApiError(400, "VALIDATION_ERROR", f"path is not a regex: {exc}") from None
        with self._lock:
            entries = list(self._entries)
        return [
            entry
            for entry in entries
            if (not method or entry["method"] == method.upper())
            and (pattern is None or pattern.search(entry["path"]))
        ]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
