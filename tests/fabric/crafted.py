"""A small crafted HTTP server for the client's tolerance tests: it answers canned responses, in
the shapes a live fabric (or a gateway before it) may send and the stand-in never does.

The standard library's http.server on 127.0.0.1, in a thread; every request is recorded.
"""

import json as jsonlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Canned:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"


@dataclass
class Received:
    method: str
    path: str
    params: dict[str, str]
    body: bytes


@dataclass
class CraftedFabric:
    """Answers each (method, path) with its canned answers in turn, the last one repeating."""

    url: str = ""
    answers: dict[tuple[str, str], list[Canned]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def answer(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        json: object = None,
        body: bytes = b"",
        content_type: str = "application/json",
    ) -> None:
        if json is not None:
            body = jsonlib.dumps(json).encode()
        self.answers.setdefault((method, path), []).append(Canned(status, body, content_type))

    def calls(self, method: str, path: str) -> list[Received]:
        return [item for item in self.received if (item.method, item.path) == (method, path)]

    def respond(self, method: str, path: str) -> Canned:
        queue = self.answers.get((method, path))
        if not queue:
            message = f"nothing canned for {method} {path}"
            return Canned(404, jsonlib.dumps({"code": "NOT_FOUND", "message": message}).encode())
        return queue.pop(0) if len(queue) > 1 else queue[0]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        crafted = self.server.crafted
        crafted.received.append(
            Received(self.command, split.path, dict(parse_qsl(split.query)), body)
        )
        canned = crafted.respond(self.command, split.path)
        self.send_response(canned.status)
        if canned.status != 204:
            self.send_header("Content-Type", canned.content_type)
            self.send_header("Content-Length", str(len(canned.body)))
        self.end_headers()
        if canned.status != 204:
            self.wfile.write(canned.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test's assertions say what happened."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, crafted: CraftedFabric) -> None:
        self.crafted = crafted
        super().__init__(("127.0.0.1", 0), _Handler)


class running:
    """`with running(crafted):` serves it on a free loopback port until the block ends."""

    def __init__(self, crafted: CraftedFabric) -> None:
        self.crafted = crafted
        self.server = _Server(crafted)
        # shutdown() waits for the loop's next poll: 0.5 s by default, paid by every test.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> CraftedFabric:
        self.crafted.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread.start()
        return self.crafted

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
