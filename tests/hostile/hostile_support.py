"""What the hostile suite's fixtures and tests share (kept out of conftest.py, which other
suites' conftest.py files shadow when pytest collects several directories at once): the
database the server uses, and a raw HTTP exchange that reports every answer a request got."""

import socket
import time
from urllib.parse import quote

from harness import FerretDB

DATABASE = "pacman_hostile"
TIMEOUT = 5  # seconds for any one case: none may make the server hold a connection longer


def plain_uri(ferret_db: FerretDB, user: str, password: str, database: str) -> str:
    return (f"mongodb://{quote(user, safe='')}:{quote(password, safe='')}@{ferret_db.address}/"
            f"{database}?replicaSet=rs0&authMechanism=PLAIN&authSource=%24external")


def parse_responses(data: bytes, head_only: bool = False) -> list[dict]:
    """Every HTTP/1.x response in data (interim 1xx ones skipped). head_only: answers to
    HEAD, which carry a Content-Length but no body."""
    responses = []
    while data.startswith(b"HTTP/1."):
        header_end = data.find(b"\r\n\r\n")
        if header_end < 0:
            raise AssertionError(f"truncated response head: {data[:200]!r}")
        lines = data[:header_end].decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        length = 0 if head_only else int(headers.get("content-length", ["0"])[0])
        start = header_end + 4
        if data[start:].startswith(data[:header_end + 4]):
            # libmicrohttpd 0.9.75 sends the head of its own error pages twice (its status and
            # length are right, the body starts with a copy of the head): a defect of the
            # library, not of ours, tolerated here exactly as it is and reported in SECURITY.md
            start += header_end + 4
        body = data[start:start + length]
        data = data[start + length:]
        if 100 <= status < 200:
            continue
        responses.append({"status": status, "headers": headers, "body": body})
    if data.strip():
        raise AssertionError(f"bytes after the responses: {data[:200]!r}")
    return responses


def complete(data: bytes, head_only: bool) -> bool:
    """True when data holds at least one whole final response and nothing partial."""
    try:
        return bool(parse_responses(data, head_only))
    except (AssertionError, ValueError, IndexError):
        return False


def exchange(port: int, request: bytes) -> tuple[list[dict], float]:
    """Sends request and reads until the server closes, or until it has answered and then
    stays silent for a second (a kept-alive connection: whatever the request smuggled after
    its body had its chance to be answered). The answers, and how long they took."""
    head_only = request.startswith(b"HEAD ")
    started = time.monotonic()
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything (431, 413)
        try:
            while chunk := sock.recv(65536):
                data += chunk
                if complete(data, head_only):
                    sock.settimeout(1.0)
        except ConnectionResetError:
            pass
        except socket.timeout:
            if not complete(data, head_only):
                raise AssertionError(f"no answer and no close within {TIMEOUT} s; "
                                     f"got {data[:300]!r}") from None
    return parse_responses(data, head_only), time.monotonic() - started
