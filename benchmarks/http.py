"""Keep-alive HTTP clients for the benchmark: one to the console (with a logged-in session) and
one straight to the stand-in (with a bearer token), timed the same way."""

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float
    headers: dict[str, str]


@dataclass
class KeepAliveClient:
    """One persistent connection; cookies kept by hand (the console's are Secure in production)."""

    base_url: str
    default_headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.base_url)
        self._host, self._port = parts.hostname, parts.port
        self._connection = http.client.HTTPConnection(self._host, self._port, timeout=30)

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> Answer:
        sent = {**self.default_headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            self._connection.request(method, path, body=body, headers=sent)
            response = self._connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            # A server may close an idle keep-alive connection: reconnect once.
            self._connection.close()
            self._connection = http.client.HTTPConnection(self._host, self._port, timeout=30)
            started = time.perf_counter()
            self._connection.request(method, path, body=body, headers=sent)
            response = self._connection.getresponse()
            data = response.read()
        seconds = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Answer(
            response.status, data, seconds, {k.lower(): v for k, v in response.getheaders()}
        )

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict[str, str], headers: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(fields).encode()
        form_headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, body=body, headers=form_headers)

    def close(self) -> None:
        self._connection.close()


def hidden_fields(page: bytes) -> dict[str, str]:
    """The hidden inputs of a rendered form, as a browser would send them back."""
    text = page.decode()
    found = re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', text)
    found += re.findall(r'name="(csrfmiddlewaretoken)" value="([^"]*)"', text)
    return {name: value.replace("&quot;", '"').replace("&amp;", "&") for name, value in found}


def log_in(client: KeepAliveClient, username: str, password: str) -> None:
    page = client.get("/login/")
    token = hidden_fields(page.body)["csrfmiddlewaretoken"]
    answer = client.post_form(
        "/login/",
        {"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": client.base_url + "/login/"},
    )
    if answer.status != 302:
        raise RuntimeError(f"login failed: {answer.status} {answer.body[:300]!r}")
