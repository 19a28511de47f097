"""A cookie-keeping HTTP client for consoles on loopback, on the standard library.

One jar serves every port of 127.0.0.1, as a browser's does, so a session cookie set by one
console process is sent to the other: that is what a load balancer in front of them does.
"""

import http.client
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        url: str,
        form: dict | None = None,
        timeout: float = 15,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        headers = {
            **(headers or {}),
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(
                method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers
            )
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            connection.close()

    def get(self, url: str, timeout: float = 15) -> Answer:
        return self.request("GET", url, timeout=timeout)

    def log_in(self, console_url: str, username: str, password: str) -> Answer:
        """The login form, filled in and posted as a person would."""
        page = self.get(f"{console_url}/login/")
        token = _CSRF_FIELD.search(page.body)
        assert token, page.body[:500]
        return self.request(
            "POST",
            f"{console_url}/login/",
            form={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": password,
            },
        )
