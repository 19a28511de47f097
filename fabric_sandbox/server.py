"""The HTTP side: a threading HTTP/1.1 server with keep-alive, fault injection and the request
log for fabric-side paths, and a request id on every answer."""

import json
import signal
import socketserver
import sys
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .app import Config, Sandbox, undocumented
from .auth import lenient_site_account
from .errors import code_for_status
from .faults import FaultRule
from .store import Store
from .web import Request, Response

CONTROL_PREFIX = "/_sandbox"
MAX_BODY = 10 * 1024 * 1024
# What a "malformed" fault answers: the start of a list answer, cut off mid-string.
TRUNCATED_BODY = b'{"query": {"offset": 0, "limit": 10, "count": 1}, "data": [{"_id": "61604a30'


class SandboxServer(ThreadingHTTPServer):
    """One thread per connection; threads are daemons so a hung request never blocks exit."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: Sandbox) -> None:
        self.app = app
        super().__init__(address, SandboxHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host up with getfqdn, which can take seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.app.store.close_thread()


class SandboxHandler(BaseHTTPRequestHandler):
    """Reads a request, applies a matching fault rule, dispatches, logs and answers."""

    protocol_version = "HTTP/1.1"
    server_version = "fabric-sandbox/1.0"
    sys_version = ""
    # An idle keep-alive connection is closed after this many seconds.
    timeout = 120
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every keep-alive answer, which fabric does not do.
    disable_nagle_algorithm = True
    server: SandboxServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _read_body(self) -> bytes | None:
        """The request body, or None once an error has been answered."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.send_error(400, "Invalid Content-Length.")
            return None
        if length > MAX_BODY:
            self.send_error(413, "The request body is too large.")
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes | None:
        chunks, total = [], 0
        while True:
            try:
                size = int(self.rfile.readline(65537).split(b";")[0].strip(), 16)
            except ValueError:
                self.send_error(400, "Invalid chunked body.")
                return None
            if size == 0:
                # Skip any trailer fields, up to the empty line that ends the body.
                while self.rfile.readline(65537).strip():
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                self.send_error(413, "The request body is too large.")
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path,
            query_string=split.query,
            headers=self.headers,
            body=body,
            client_host=self.client_address[0],
            request_id=self.headers.get("x-request-id") or uuid.uuid4().hex,
        )
        app = self.server.app
        if request.path.startswith(CONTROL_PREFIX):
            self._send(app.handle(request), request.request_id)
            return
        self._in_flight: int | None = app.requests.arrived()
        try:
            rule = app.faults.take(request.method, request.path)
            if rule is not None and self._apply_fault(rule, request):
                return
            response = app.handle(request)
            self._log(request, response.status)
            self._send(response, request.request_id)
        finally:
            if self._in_flight is not None:
                app.requests.left()

    def _apply_fault(self, rule: FaultRule, request: Request) -> bool:
        """Apply a rule in README order; True when the rule produced the answer (or none)."""
        if rule.latency_ms:
            time.sleep(rule.latency_ms / 1000)
        if rule.hang_s or rule.drop:
            self._log(request, None)
            time.sleep(rule.hang_s)
            # Nothing is written: closing the connection is the whole answer.
            self.close_connection = True
            return True
        if rule.status is not None:
            self._log(request, rule.status)
            headers = {}
            if rule.retry_after is not None:
                headers["Retry-After"] = str(rule.retry_after)
            body = {
                "code": code_for_status(rule.status),
                "message": f"Injected fault: HTTP {rule.status}.",
            }
            self._send(Response(rule.status, body, headers=headers), request.request_id)
            return True
        if rule.malformed:
            self._log(request, 200)
            self._send(Response(200, raw=TRUNCATED_BODY), request.request_id)
            return True
        return False

    def _log(self, request: Request, status: int | None) -> None:
        # Logged before the answer is written, so a client that has its answer sees its entry;
        # the request stops counting as in flight here too.
        in_flight, self._in_flight = self._in_flight or 1, None
        self.server.app.requests.left()
        self.server.app.requests.record(
            method=request.method,
            path=request.path,
            query=request.query_string,
            status=status,
            request_id=request.request_id,
            account=lenient_site_account(request),
            documented=not undocumented(self.server.app, request.method, request.path),
            in_flight=in_flight,
        )

    def _send(self, response: Response, request_id: str) -> None:
        payload = response.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-request-id", request_id)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def version_string(self) -> str:
        """The Server header, without http.server's Python version."""
        return self.server_version

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, unknown method) as JSON, never HTML."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = ""
        body = json.dumps({"code": code_for_status(code), "message": message or phrase}).encode()
        self.close_connection = True
        self.send_response(code, phrase)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def serve(
    *,
    host: str,
    port: int,
    db: str | Path,
    token_ttl: int = 600,
    port_file: str | Path | None = None,
    documented_only: bool = False,
) -> None:
    """Run the sandbox until SIGTERM or Ctrl-C. With `port_file`, write the bound port there
    (so a caller can ask for port 0 and learn the free port the system picked). With
    `documented_only`, answer only the endpoints fabric documents (README.md)."""
    config = Config(token_ttl=token_ttl, documented_only=documented_only)
    app = Sandbox(store=Store(db), config=config)
    httpd = SandboxServer((host, port), app)
    bound = httpd.server_address[1]

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if port_file is not None:
        # Written to a temporary name and renamed, so a reader never sees a partial number.
        temporary = Path(f"{port_file}.tmp")
        temporary.write_text(str(bound))
        temporary.replace(port_file)
    mode = ", documented endpoints only" if documented_only else ""
    sys.stderr.write(f"fabric sandbox listening on http://{host}:{bound} (db {db}{mode})\n")
    sys.stderr.flush()
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
