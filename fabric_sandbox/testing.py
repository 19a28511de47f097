"""Test harness: run the sandbox as a subprocess on a free loopback port and talk to it.

    with SandboxServer() as server:
        server.admin.create_account(account=..., name=..., client_id=..., client_secret=...)
        token = server.token(client_id, client_secret)
        response = server.call("GET", "/data-customer/v1/organizations", headers={...})

The standard library only, so it runs wherever the sandbox runs.
"""

import base64
import http.client
import json as jsonlib
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any

from .values import iso_from_ms, now_ms

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent


class _Connections(threading.local):
    """One kept-alive connection per thread and server: a suite makes thousands of calls, and a
    new connection each time costs the sandbox a thread and a database connection of its own.
    (http.client talks to 127.0.0.1 directly, whatever HTTP_PROXY says.)"""

    def __init__(self) -> None:
        self.by_url: dict[str, http.client.HTTPConnection] = {}


_CONNECTIONS = _Connections()


class SandboxError(RuntimeError):
    """The sandbox could not start, or a control call failed."""


@dataclass(frozen=True)
class SandboxResponse:
    """A raw answer: status, headers (case-insensitive `.get`), parsed JSON or None, and text."""

    status: int
    headers: Message
    json: Any
    text: str


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    json: Any = None,
    params: dict[str, Any] | None = None,
    data: bytes | None = None,
    timeout: float = 10.0,
) -> SandboxResponse:
    """One HTTP call; error statuses are answers, not exceptions (network failures do raise)."""
    target = path
    if params:
        target += "?" + urllib.parse.urlencode(params)
    sent = dict(headers or {})
    if json is not None:
        data = jsonlib.dumps(json).encode()
        sent.setdefault("Content-Type", "application/json")
    connection = _connection(base_url, timeout)
    try:
        # A Transfer-Encoding header asks for the body in chunks, as urllib would send it.
        chunked = any(name.lower() == "transfer-encoding" for name in sent)
        connection.request(method.upper(), target, body=data, headers=sent, encode_chunked=chunked)
        answer = connection.getresponse()
        status, answer_headers, body = answer.status, answer.headers, answer.read()
    except BaseException:
        # Whatever is left on this connection (a half-read answer, a dropped socket) goes too.
        _discard(base_url)
        raise
    text = body.decode("utf-8", errors="replace")
    try:
        parsed = jsonlib.loads(text) if text else None
    except ValueError:
        parsed = None
    return SandboxResponse(status, answer_headers, parsed, text)


def _connection(base_url: str, timeout: float) -> http.client.HTTPConnection:
    """This thread's open connection to `base_url`, or a new one when it has none or the sandbox
    closed it while idle (readable at rest means the end of the stream): never a retry, so a
    request that reached the sandbox once is never sent again."""
    connection = _CONNECTIONS.by_url.get(base_url)
    if connection is None:
        host, port = urllib.parse.urlsplit(base_url).netloc.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
        _CONNECTIONS.by_url[base_url] = connection
    # A closed socket (an answer that said Connection: close) is opened again by http.client.
    elif connection.sock is not None and select.select([connection.sock], [], [], 0)[0]:
        connection.close()
    connection.timeout = timeout
    if connection.sock is not None:
        connection.sock.settimeout(timeout)
    return connection


def _discard(base_url: str) -> None:
    connection = _CONNECTIONS.by_url.pop(base_url, None)
    if connection is not None:
        connection.close()


class SandboxAdmin:
    """The control API (`/_sandbox/...`); every method raises SandboxError on a non-200."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        timeout: float = 10.0,
    ) -> Any:
        answer = request(
            self.base_url, method, "/_sandbox" + path, json=body, params=params, timeout=timeout
        )
        if answer.status != 200:
            raise SandboxError(f"{method} /_sandbox{path} -> {answer.status}: {answer.text}")
        return answer.json

    def add_fault(self, **rule: Any) -> int:
        """Add a fault rule (fields as in README.md); answers its id."""
        return self._call("POST", "/faults", rule)["id"]

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._call("DELETE", "/faults")

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """Logged fabric-side requests, oldest first, optionally by method and path regex."""
        params = {name: value for name, value in (("method", method), ("path", path)) if value}
        return self._call("GET", "/requests", params=params)["requests"]

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """How many logged requests match."""
        return len(self.requests(method, path))

    def in_flight(self) -> int:
        """How many fabric-side requests the stand-in is serving now."""
        # A method no request has: the answer carries the count without the log's entries.
        return self._call("GET", "/requests", params={"method": "-"})["in_flight"]

    def undocumented_requests(self) -> list[dict[str, Any]]:
        """Logged requests for endpoints no public fabric page describes (REFERENCE.md §7)."""
        return [entry for entry in self.requests() if not entry["documented"]]

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._call("DELETE", "/requests")

    def config(self, **settings: Any) -> dict[str, Any]:
        """Change run-time settings (e.g. `token_ttl=5`); answers all settings."""
        return self._call("POST", "/config", settings)

    def expire_tokens(self) -> None:
        """Expire every token issued so far."""
        self._call("POST", "/tokens/expire")

    def create_account(
        self, *, account: str, name: str, client_id: str, client_secret: str
    ) -> dict[str, Any]:
        """Create (or update) an account and its API client."""
        body = {"account": account, "name": name}
        body |= {"client_id": client_id, "client_secret": client_secret}
        return self._call("POST", "/accounts", body)

    def create_organization(self, account: str, **fields: Any) -> dict[str, Any]:
        """Create an organization; answers it as the API shows it (with `_id`)."""
        return self._call("POST", f"/accounts/{account}/organizations", fields)

    def create_price_list(self, account: str, **fields: Any) -> dict[str, Any]:
        """Create a price list (`priceListId`, `name`, `currency`, ...)."""
        return self._call("POST", f"/accounts/{account}/price-lists", fields)

    def create_internal_party(self, account: str, **fields: Any) -> dict[str, Any]:
        """Create an internal party (`name`, `email`, ...)."""
        return self._call("POST", f"/accounts/{account}/internal-parties", fields)

    def bulk_contracts(
        self, account: str, organization_id: str, count: int, seed: int = 1
    ) -> dict[str, Any]:
        """Generate `count` contracts for one organization, fast."""
        path = f"/accounts/{account}/organizations/{organization_id}/bulk-contracts"
        # 100,000 rows take seconds, many more on a machine busy with parallel tests.
        return self._call("POST", path, {"count": count, "seed": seed}, timeout=300)


class SandboxServer:
    """The sandbox in a subprocess: a fresh temporary database unless `db_path` is given (which
    is then kept), a port the system picks, stopped on exit (killed after a grace period);
    `documented_only` starts it in that mode (README.md)."""

    def __init__(
        self,
        token_ttl: int = 600,
        db_path: str | os.PathLike[str] | None = None,
        *,
        documented_only: bool = False,
    ) -> None:
        self.token_ttl = token_ttl
        self.db_path = Path(db_path) if db_path is not None else None
        self.documented_only = documented_only
        self.url = ""
        self.admin = SandboxAdmin("")
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self._log: Any = None

    @property
    def database(self) -> Path | None:
        """The SQLite file in use while running: `db_path`, or the temporary one."""
        if self._workdir is None:
            return None
        return self.db_path or self._workdir / "sandbox.sqlite3"

    def __enter__(self) -> "SandboxServer":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, timeout: float = 10.0) -> None:
        """Start the subprocess and wait until `/_sandbox/health` answers."""
        self._workdir = Path(tempfile.mkdtemp(prefix="fabric-sandbox-"))
        port_file = self._workdir / "port"
        db = self.database
        self._log = (self._workdir / "server.log").open("w+b")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PACKAGE_PARENT), env.get("PYTHONPATH")])
        )
        command = [sys.executable, "-m", "fabric_sandbox", "serve", "--host", "127.0.0.1"]
        command += ["--port", "0", "--port-file", str(port_file), "--db", str(db)]
        command += ["--token-ttl", str(self.token_ttl)]
        if self.documented_only:
            command.append("--documented-only")
        # Output goes to a file, not a pipe: nobody reads a pipe, and a full one blocks the server.
        self._process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            if port_file.exists() and self._healthy(port_file.read_text().strip()):
                return
            time.sleep(0.02)
        output = self._output()
        self.stop()
        raise SandboxError(f"The fabric sandbox did not start. Its output:\n{output}")

    def _healthy(self, port: str) -> bool:
        url = f"http://127.0.0.1:{port}"
        try:
            answer = request(url, "GET", "/_sandbox/health", timeout=1)
        except OSError:
            return False
        if answer.status != 200:
            return False
        self.url = url
        self.admin = SandboxAdmin(url)
        return True

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the subprocess and remove the temporary files (an explicit db_path stays)."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        data: bytes | None = None,
        timeout: float = 10.0,
    ) -> SandboxResponse:
        """A raw call to the sandbox (`path` from the root, e.g. `/data-customer/v1/...`)."""
        return request(
            self.url,
            method,
            path,
            headers=headers,
            json=json,
            params=params,
            data=data,
            timeout=timeout,
        )

    def token(self, client_id: str, client_secret: str) -> str:
        """A bearer token from the token endpoint, as the console gets one."""
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        answer = self.call(
            "POST",
            "/auth/v1/token",
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            data=b"grant_type=client_credentials&scope=s2s",
        )
        if answer.status != 200:
            raise SandboxError(f"token endpoint -> {answer.status}: {answer.text}")
        return answer.json["access_token"]

    @staticmethod
    def site_context(account: str, **extra: Any) -> str:
        """An `x-site-context` header value like the seeds' (date, channel 12, production)."""
        context = {"date": iso_from_ms(now_ms()), "channel": 12, "account": account}
        context |= {"stage": "production", **extra}
        return jsonlib.dumps(context)
