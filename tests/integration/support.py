"""Helpers shared by the integration tests: an HTTP client bound to one server, raw HTTP for
requests that a normal client would refuse to send, and checks that recur in every module."""

import http.client
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import quote

import requests

# What jQuery 1.x/3.x sends for `$.ajax({type: 'POST', data: {...}})`: the old browser client.
JQUERY_FORM_TYPE = "application/x-www-form-urlencoded; charset=UTF-8"
JQUERY_HEADERS = {
    "X-Requested-With": "XMLHttpRequest",
    "Accept": "application/json, text/javascript, */*; q=0.01",
}
TIMEOUT = 15  # seconds: no single request in this suite should come close


def jquery_encode(fields: dict) -> str:
    """Encodes fields exactly as jQuery.param does: encodeURIComponent, then %20 -> '+'."""
    def component(value) -> str:
        return quote(str(value), safe="!~*'()").replace("%20", "+")
    return "&".join(f"{component(k)}={component(v)}" for k, v in fields.items())


class Api:
    """requests bound to one server's base URL; every call opens a fresh connection."""

    def __init__(self, base_url: str):
        self.base = base_url

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return requests.request(method, self.base + path, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict, **kwargs) -> requests.Response:
        """POST the way the old browser client (jQuery) does."""
        headers = {**JQUERY_HEADERS, "Content-Type": JQUERY_FORM_TYPE, **kwargs.pop("headers", {})}
        return self.request("POST", path, data=jquery_encode(fields).encode(), headers=headers,
                            **kwargs)

    def post_json(self, path: str, obj, **kwargs) -> requests.Response:
        return self.request("POST", path, json=obj, **kwargs)

    def post_raw(self, path: str, body: bytes | str, content_type: str | None,
                 **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if content_type is not None:
            headers["Content-Type"] = content_type
        if isinstance(body, str):
            body = body.encode()
        return self.request("POST", path, data=body, headers=headers, **kwargs)


@dataclass
class RawResponse:
    status: int
    headers: dict  # lower-case names
    body: bytes


def raw_http(port: int, request: bytes, head: bool = False, timeout: float = 10) -> RawResponse:
    """Sends `request` byte for byte (no client-side normalisation of the path) and parses the
    first response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock, method="HEAD" if head else "GET")
        response.begin()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return RawResponse(response.status, headers, body)


def raw_get(port: int, target: bytes | str, extra: str = "", head: bool = False) -> RawResponse:
    if isinstance(target, str):
        target = target.encode("latin-1")
    method = b"HEAD" if head else b"GET"
    request = (method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra.encode()
               + b"Connection: close\r\n\r\n")
    return raw_http(port, request, head=head)


def assert_json_error(response, status: int | tuple, field: str | None = None) -> dict:
    """The response is an error in the contract's shape: the status, JSON content type, a
    non-empty {"error": ...} message that names `field` when one is given."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, \
        f"expected {status}, got {response.status_code}: {response.text[:300]}"
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith("application/json"), f"error Content-Type {content_type!r}"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], body
    if field is not None:
        assert field.lower() in body["error"].lower(), \
            f"error message does not name {field!r}: {body['error']!r}"
    return body


def snapshot(db) -> dict:
    """Everything the server could have stored, for 'the database is unchanged' checks."""
    return {name: sorted(db[name].find({}), key=lambda d: str(d["_id"]))
            for name in ("highscore", "userstats")}


def timed(fn, *args, **kwargs):
    """(result, seconds) of one call."""
    start = time.monotonic()
    result = fn(*args, **kwargs)
    return result, time.monotonic() - start


def assert_security_headers(headers):
    """The headers every response carries, whatever its status."""
    lower = {k.lower(): v for k, v in headers.items()}
    csp = lower.get("content-security-policy", "")
    assert re.search(r"default-src\s+'self'", csp), f"Content-Security-Policy: {csp!r}"
    assert lower.get("x-content-type-options", "").lower() == "nosniff", lower
    assert lower.get("referrer-policy"), f"no Referrer-Policy in {sorted(lower)}"


OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
