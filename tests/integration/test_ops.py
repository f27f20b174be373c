"""Operations: health and readiness, Prometheus metrics, security headers on every response,
request logs, secrets kept out of logs, start-up configuration and /location/metadata."""

import datetime
import json
import os
import re
import socket
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from harness import Server, wait_for
from support import Api, assert_security_headers, raw_http, timed


# ---- health ----

def test_healthz(api):
    assert api.get("/healthz").status_code == 200


def test_readyz_while_serving(api):
    assert api.get("/readyz").status_code == 200


# ---- HTTP plumbing the clients rely on ----

def test_keep_alive_connection_serves_many_requests(server, db, site):
    """Browsers reuse connections: one connection, mixed static and API requests."""
    with requests.Session() as session:
        for i in range(30):
            assert session.get(server.url + "/app.js", timeout=10).content == \
                site["files"]["app.js"]
            response = session.post(server.url + "/highscores", timeout=10,
                                    data={"name": f"ka{i}", "score": str(i), "level": "1"})
            assert response.status_code == 200, response.text
            assert session.get(server.url + "/highscores/list", timeout=10).status_code == 200
    assert db.highscore.count_documents({}) == 30


def test_expect_100_continue(server, db):
    """curl sends `Expect: 100-continue` for bodies over 1 KiB."""
    body = json.dumps({"name": "Curl", "score": 9, "level": 1, "cloud": "c" * 64,
                       "zone": "z" * 64, "host": "h" * 64}).encode() + b" " * 1200
    head = (f"POST /highscores HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n"
            f"Connection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        interim = sock.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100"), interim
        sock.sendall(body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data[:200]
    assert db.highscore.count_documents({"name": "Curl"}) == 1


def test_http_1_0_request(server, site):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /tiny.txt HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.split(b"\r\n", 1)[0] in (b"HTTP/1.0 200 OK", b"HTTP/1.1 200 OK")
    assert data.endswith(site["files"]["tiny.txt"])


# ---- metrics ----

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(api):
    """{(name, frozenset(labels.items())): value} of the counters, after checking every line
    of the exposition parses."""
    response = api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    types, samples = {}, {}
    for line in response.text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split()
            if len(parts) >= 4 and parts[1] == "TYPE":
                types[parts[2]] = parts[3]
            continue
        match = SAMPLE.match(line)
        assert match, f"not Prometheus text format: {line!r}"
        name, labels, value = match.groups()
        float(value)
        label_dict = dict(LABEL.findall(labels or ""))
        samples[(name, frozenset(label_dict.items()))] = float(value)
    counters = {k: v for k, v in samples.items()
                if types.get(k[0]) == "counter" or types.get(k[0].removesuffix("_total")) == "counter"}
    assert counters, "no counter in /metrics"
    return counters


def same_route(label_value: str, path: str) -> bool:
    """A route label may be the path ("/highscores/list") or a name ("highscores_list")."""
    return label_value.strip("/").replace("/", "_") == path.strip("/").replace("/", "_")


def request_count(counters, route: str, status: str) -> float:
    """The counter sample whose label values include `route` and `status`."""
    found = [v for (name, labels), v in counters.items()
             if any(same_route(value, route) for value in dict(labels).values())
             and status in dict(labels).values()]
    assert len(found) <= 1, f"several counters match {route} {status}"
    return found[0] if found else 0.0


def test_metrics_count_requests_by_route_and_status(api, db):
    before = scrape(api)
    for _ in range(3):
        assert api.get("/highscores/list?timestamp=1").status_code == 200
    assert api.post_form("/highscores", {"name": "", "score": "1", "level": "1"}).status_code \
        == 400
    after = scrape(api)
    assert request_count(after, "/highscores/list", "200") - \
        request_count(before, "/highscores/list", "200") == 3
    assert request_count(after, "/highscores", "400") - \
        request_count(before, "/highscores", "400") == 1


def test_metrics_do_not_grow_a_series_per_unknown_path(api):
    marker = uuid.uuid4().hex
    for i in range(20):
        assert api.get(f"/scan-{marker}-{i}").status_code == 404
    assert marker not in api.get("/metrics").text


# ---- security headers on every response ----

def _304(api):
    etag = api.get("/app.js").headers["ETag"]
    return api.get("/app.js", headers={"If-None-Match": etag})


EVERY_KIND_OF_RESPONSE = {
    "static 200": lambda api: api.get("/"),
    "static HEAD": lambda api: api.request("HEAD", "/app.js"),
    "static 304": _304,
    "static 404": lambda api: api.get("/missing.css"),
    "healthz": lambda api: api.get("/healthz"),
    "readyz": lambda api: api.get("/readyz"),
    "metrics": lambda api: api.get("/metrics"),
    "list 200": lambda api: api.get("/highscores/list"),
    "post 200": lambda api: api.post_form("/highscores", {"name": "H", "score": "1",
                                                           "level": "1"}),
    "user id 200": lambda api: api.get("/user/id"),
    "user stats 200": lambda api: api.get("/user/stats"),
    "location 200": lambda api: api.get("/location/metadata"),
    "400": lambda api: api.post_form("/highscores", {"name": "", "score": "x"}),
    "404 unknown stats player": lambda api: api.post_form("/user/stats", {
        "userId": "0" * 24, "score": "1", "level": "1", "lives": "1", "elapsedTime": "1"}),
    "405": lambda api: api.request("DELETE", "/highscores/list"),
    "413": lambda api: api.post_raw("/highscores", b"x" * 20000, "application/json"),
}


@pytest.mark.parametrize("kind", list(EVERY_KIND_OF_RESPONSE))
def test_security_headers_on_every_response(api, db, kind):
    response = EVERY_KIND_OF_RESPONSE[kind](api)
    assert response.status_code < 500, response.text
    assert_security_headers(response.headers)


# ---- request logs ----

def wait_for_log_line(srv: Server, needle: str) -> str:
    return wait_for(lambda: next((line for line in srv.log().splitlines() if needle in line),
                                 None), 5, f"a log line containing {needle}")


def test_text_log_has_one_line_per_request(make_server):
    srv = make_server({"LOG_FORMAT": "text"})
    marker = uuid.uuid4().hex
    Api(srv.url).get(f"/no-such-page-{marker}")
    line = wait_for_log_line(srv, marker)
    assert "GET" in line and "404" in line, line
    assert re.search(r"\d(\.\d+)?\s*(ms|s|µs|us)\b", line), f"no duration in {line!r}"
    assert sum(marker in line for line in srv.log().splitlines()) == 1


def test_json_log_lines_parse(make_server):
    srv = make_server({"LOG_FORMAT": "json"})
    marker = uuid.uuid4().hex
    Api(srv.url).get(f"/no-such-page-{marker}")
    record = json.loads(wait_for_log_line(srv, marker))
    values = list(record.values())
    assert "GET" in values, record
    assert 404 in values or "404" in values, record
    assert any(marker in str(v) for v in values), record
    assert any(isinstance(v, (int, float)) and not isinstance(v, bool)
               for k, v in record.items() if "dur" in k.lower() or k.lower().endswith("ms")), \
        f"no duration field in {record}"
    stamp = record["time"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp), stamp
    logged = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)
    age = datetime.datetime.now(datetime.timezone.utc) - logged
    assert datetime.timedelta(seconds=-1) < age < datetime.timedelta(seconds=10), \
        f"the time stamp {stamp} is not UTC now"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_log_lines_keep_utf8_text(make_server, log_format):
    """A path (or any text) of UTF-8 characters is logged as those characters; before, every
    byte was written as \\u00XX, which a JSON reader turns into "cafÃ©"."""
    srv = make_server({"LOG_FORMAT": log_format})
    marker = uuid.uuid4().hex
    Api(srv.url).get(f"/caf%C3%A9-%E5%B1%B1%E7%94%B0-{marker}")
    line = wait_for_log_line(srv, marker)
    if log_format == "json":
        assert json.loads(line)["path"] == f"/café-山田-{marker}", line
    else:
        assert f"/café-山田-{marker}" in line, line


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_request_data_cannot_forge_log_lines(make_server, log_format):
    srv = make_server({"LOG_FORMAT": log_format})
    api = Api(srv.url)
    marker = uuid.uuid4().hex
    api.get(f"/x%0aFORGED-{marker}%0d%0aFORGED-{marker}")
    api.post_form("/highscores", {"name": f"a\nFORGED-{marker}", "score": "1", "level": "1"})
    api.get("/healthz")
    time.sleep(0.3)
    for line in srv.log().splitlines():
        assert not line.startswith(f"FORGED-{marker}"), line
        if log_format == "json" and marker in line:
            json.loads(line)


# ---- secrets stay out of the logs ----

SECRET = "S3cr3t-p@ss:w/rd%" + uuid.uuid4().hex[:8]


def assert_secret_absent(text: str):
    for form in (SECRET, quote(SECRET, safe=""), quote(SECRET), SECRET.split("%")[0]):
        assert form not in text, f"the password ({form!r}) appears in the server output"


def exercise_api(srv: Server) -> str:
    """Makes the server use (and fail) its database connection; returns all response text."""
    api = Api(srv.url)
    texts = []
    for call in (lambda: api.get("/highscores/list"), lambda: api.get("/user/id"),
                 lambda: api.post_form("/highscores", {"name": "a", "score": "1",
                                                       "level": "1"})):
        response = call()
        texts.append(response.text + str(response.headers))
    return "\n".join(texts)


def test_password_from_auth_variables_is_never_printed(ferret, make_server):
    """FerretDB here offers no SCRAM, so authentication fails: exactly when a careless server
    would print its connection string."""
    srv = make_server({"MONGO_SERVICE_HOST": "127.0.0.1", "MY_MONGO_PORT": str(ferret.port),
                       "MONGO_AUTH_USER": "pacman", "MONGO_AUTH_PWD": SECRET,
                       "MONGO_TIMEOUT_MS": "1000", "LOG_FORMAT": "json"})
    responses = exercise_api(srv)
    assert_secret_absent(responses)
    srv.stop()
    assert_secret_absent(srv.log())


def test_password_in_mongo_uri_is_never_printed(make_server):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    port = dead.getsockname()[1]
    try:
        srv = make_server({"MONGO_URI": f"mongodb://pacman:{quote(SECRET, safe='')}"
                                        f"@127.0.0.1:{port}/pacman?authSource=admin",
                           "MONGO_TIMEOUT_MS": "500"})
        responses = exercise_api(srv)
        assert_secret_absent(responses)
        srv.stop()
        assert_secret_absent(srv.log())
    finally:
        dead.close()


def test_secret_options_in_mongo_uri_are_never_printed(ferret, make_server):
    """A client certificate's key password (and an AWS session token) in MONGO_URI's options
    reach the start-up log as ***; before, only user:password was hidden."""
    srv = make_server({"MONGO_URI": ferret.uri("pacman") + "&tlsCertificateKeyFilePassword="
                                    + quote(SECRET, safe="") + "&authMechanismProperties="
                                    + quote("AWS_SESSION_TOKEN:" + SECRET, safe=""),
                       "MONGO_TIMEOUT_MS": "500"}, wait=False)
    wait_for(lambda: "listening on port" in srv.log() or not srv.running(), 20,
             "the start-up line")
    srv.stop()
    log = srv.log()
    assert "tlsCertificateKeyFilePassword=***" in log, log[-2000:]
    assert_secret_absent(log)


def test_metrics_count_431_and_499_under_their_own_status(make_server):
    """Before, both were counted as status="other": a request whose headers are too large
    (431), and one whose client went away before it was answered (499)."""
    srv = make_server()
    api = Api(srv.url)
    too_large = raw_http(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 7000
                         + b"\r\nConnection: close\r\n\r\n")
    assert too_large.status == 431
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
        sock.sendall(b"POST /highscores HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     b"application/json\r\nContent-Length: 100\r\n\r\n{\"name\"")
        time.sleep(0.3)  # the body never comes whole: the client goes away
    wait_for(lambda: 'pacman_http_requests_total{route="highscores",status="499"} 1' in
             api.get("/metrics").text, 5, "the 499 in /metrics")
    metrics = api.get("/metrics").text
    assert 'pacman_http_requests_total{route="healthz",status="431"} 1' in metrics
    assert 'status="other"' not in metrics


def established_to(pid: int, port: int) -> int:
    """How many TCP connections process pid has open to 127.0.0.1:port."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


def test_max_pool_size_in_mongo_uri_wins(make_ferret, make_server):
    """maxPoolSize=2 in MONGO_URI with 8 database workers: while the database hangs and every
    worker waits on it, the server holds at most 2 connections for them (the driver's monitor
    has its own). Before, the pool was sized to the workers whatever the URI said; now the
    operator's setting wins, with a warning that it is smaller than the workers need."""
    ferret = make_ferret()
    srv = make_server({"MONGO_URI": ferret.uri("pool") + "&maxPoolSize=2", "DB_WORKERS": "8",
                       "MONGO_TIMEOUT_MS": "4000", "PLAYER_TTL_SECONDS": "0"})
    api = Api(srv.url)
    assert api.get("/highscores/list").status_code == 200
    ferret.pause()
    try:
        callers = [threading.Thread(target=lambda i=i: api.post_form(
            "/highscores", {"name": f"p{i}", "score": "1", "level": "1"}, timeout=30))
            for i in range(12)]
        for caller in callers:
            caller.start()
        time.sleep(1.5)  # every worker has taken a task and waits for a connection or on one
        held = established_to(srv.proc.pid, ferret.port)
    finally:
        ferret.resume()
        for caller in callers:
            caller.join(30)
    assert held <= 4, f"{held} connections to the database with maxPoolSize=2"
    assert "maxPoolSize=2, fewer than the 11 connections" in srv.log()


# ---- start-up configuration ----

def startup_env(ferret, site, **changes):
    env = {"MONGO_SERVICE_HOST": "127.0.0.1", "MY_MONGO_PORT": str(ferret.port),
           "MONGO_DATABASE": "pacman_cfg", "STATIC_DIR": str(site["dir"])}
    env.update(changes)
    return env


BAD_CONFIG = {
    "PORT=abc": ({"PORT": "abc"}, ("PORT",)),
    "PORT=70000": ({"PORT": "70000"}, ("PORT",)),
    "PORT=-1": ({"PORT": "-1"}, ("PORT",)),
    "PORT=80x": ({"PORT": "80x"}, ("PORT",)),
    "LOG_FORMAT=xml": ({"LOG_FORMAT": "xml"}, ("LOG_FORMAT",)),
    "user without password": ({"MONGO_AUTH_USER": "pacman"}, ("MONGO_AUTH_PWD",
                                                               "MONGO_AUTH_USER")),
    "password without user": ({"MONGO_AUTH_PWD": SECRET}, ("MONGO_AUTH_USER",
                                                            "MONGO_AUTH_PWD")),
    "MONGO_USE_SSL=maybe": ({"MONGO_USE_SSL": "maybe"}, ("MONGO_USE_SSL",)),
    "MONGO_VALIDATE_SSL=maybe": ({"MONGO_USE_SSL": "true", "MONGO_VALIDATE_SSL": "maybe"},
                                 ("MONGO_VALIDATE_SSL",)),
    "MY_MONGO_PORT=abc": ({"MY_MONGO_PORT": "abc"}, ("MY_MONGO_PORT",)),
    "MY_MONGO_PORT=99999": ({"MY_MONGO_PORT": "99999"}, ("MY_MONGO_PORT",)),
    "MONGO_TIMEOUT_MS=abc": ({"MONGO_TIMEOUT_MS": "abc"}, ("MONGO_TIMEOUT_MS",)),
    "MONGO_TIMEOUT_MS=-5": ({"MONGO_TIMEOUT_MS": "-5"}, ("MONGO_TIMEOUT_MS",)),
    "SHUTDOWN_DRAIN_SECONDS=soon": ({"SHUTDOWN_DRAIN_SECONDS": "soon"},
                                    ("SHUTDOWN_DRAIN_SECONDS",)),
    "SHUTDOWN_GRACE_SECONDS=-1": ({"SHUTDOWN_GRACE_SECONDS": "-1"},
                                  ("SHUTDOWN_GRACE_SECONDS",)),
    "HTTP_THREADS=many": ({"HTTP_THREADS": "many"}, ("HTTP_THREADS",)),
    "DB_WORKERS=abc": ({"DB_WORKERS": "abc"}, ("DB_WORKERS",)),
    "MAX_CONNECTIONS=abc": ({"MAX_CONNECTIONS": "abc"}, ("MAX_CONNECTIONS",)),
    "CONNECTION_TIMEOUT_SECONDS=abc": ({"CONNECTION_TIMEOUT_SECONDS": "abc"},
                                       ("CONNECTION_TIMEOUT_SECONDS",)),
    "HIGHSCORES_CACHE_MS=abc": ({"HIGHSCORES_CACHE_MS": "abc"}, ("HIGHSCORES_CACHE_MS",)),
    "REQUEST_TIMEOUT_SECONDS=3601": ({"REQUEST_TIMEOUT_SECONDS": "3601"},
                                     ("REQUEST_TIMEOUT_SECONDS",)),
    "PLAYER_TTL_SECONDS=1d": ({"PLAYER_TTL_SECONDS": "1d"}, ("PLAYER_TTL_SECONDS",)),
    "STATIC_DIR missing": ({"STATIC_DIR": "/nonexistent/pacman-static"}, ("STATIC_DIR",)),
    "MONGO_URI not a MongoDB URI": ({"MONGO_URI": "http://example.invalid/pacman"},
                                    ("MONGO_URI",)),
}


@pytest.mark.parametrize("case", list(BAD_CONFIG))
def test_bad_configuration_stops_start_up_with_one_line(ferret, site, case):
    changes, names = BAD_CONFIG[case]
    srv = Server(env=startup_env(ferret, site, **changes))
    result, seconds = timed(srv.run_to_exit, timeout=5)
    stderr = result.stderr.decode(errors="replace")
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert result.returncode != 0, f"started despite {case}; stderr: {stderr!r}"
    assert seconds < 5
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    assert any(name in lines[0] for name in names), lines[0]
    assert_secret_absent(stderr + result.stdout.decode(errors="replace"))


def test_port_in_use_stops_start_up(ferret, site):
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        srv = Server(env=startup_env(ferret, site), port=port)
        result = srv.run_to_exit(timeout=5)
    assert result.returncode != 0
    assert result.stderr.strip()


def test_connection_limit_refuses_extra_connections_and_recovers(make_server):
    srv = make_server({"MAX_CONNECTIONS": "16"})
    held = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(16)]
    try:
        time.sleep(0.2)
        with pytest.raises((requests.ConnectionError, requests.Timeout)):
            requests.get(srv.url + "/healthz", timeout=1)
    finally:
        for sock in held:
            sock.close()
    wait_for(srv.healthy, 5, "service after the extra connections closed")


def test_idle_connection_is_closed_after_the_timeout(make_server):
    srv = make_server({"CONNECTION_TIMEOUT_SECONDS": "1"})
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x")  # never finished
        start = time.monotonic()
        try:
            data = sock.recv(4096)
            while data:
                data = sock.recv(4096)
        except ConnectionResetError:
            pass
        closed_after = time.monotonic() - start
    assert closed_after < 4, f"a stalled connection stayed open {closed_after:.1f}s"


# ---- where the data goes ----

def post_one(srv: Server, name: str):
    response = Api(srv.url).post_form("/highscores", {"name": name, "score": "5", "level": "1"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("hosts_form", ["host", "host:port", "dead host first"])
def test_mongo_service_host_and_database(ferret, mongo, make_server, hosts_form):
    database = f"cfg_{uuid.uuid4().hex[:10]}"
    hosts = {"host": "127.0.0.1",
             "host:port": f"127.0.0.1:{ferret.port}",
             "dead host first": f"127.0.0.1:1,127.0.0.1:{ferret.port}"}[hosts_form]
    srv = make_server({"MONGO_SERVICE_HOST": hosts, "MY_MONGO_PORT": str(ferret.port),
                       "MONGO_DATABASE": database, "MONGO_REPLICA_SET": "rs0"})
    post_one(srv, "routed")
    assert mongo[database].highscore.count_documents({"name": "routed"}) == 1


def test_namespace_service_host_is_the_fallback(ferret, mongo, make_server):
    database = f"cfg_{uuid.uuid4().hex[:10]}"
    srv = make_server({"MONGO_NAMESPACE_SERVICE_HOST": "127.0.0.1",
                       "MY_MONGO_PORT": str(ferret.port), "MONGO_DATABASE": database})
    post_one(srv, "fallback")
    assert mongo[database].highscore.count_documents({"name": "fallback"}) == 1


def test_default_database_is_pacman(ferret, mongo, make_server):
    mongo.pacman.highscore.delete_many({})
    srv = make_server({"MONGO_SERVICE_HOST": "127.0.0.1", "MY_MONGO_PORT": str(ferret.port)})
    post_one(srv, "default-db")
    assert mongo.pacman.highscore.count_documents({"name": "default-db"}) == 1


def test_mongo_uri_overrides_the_other_variables(ferret, mongo, make_server):
    database = f"uri_{uuid.uuid4().hex[:10]}"
    srv = make_server({"MONGO_URI": ferret.uri(database), "MONGO_SERVICE_HOST": "127.0.0.1",
                       "MY_MONGO_PORT": "1", "MONGO_DATABASE": "not_this_one"})
    post_one(srv, "via-uri")
    assert mongo[database].highscore.count_documents({"name": "via-uri"}) == 1
    assert mongo.not_this_one.highscore.count_documents({}) == 0


# ---- /location/metadata ----

def test_location_metadata_without_kubernetes(api):
    response = api.get("/location/metadata")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"cloud": "unknown", "zone": "unknown",
                               "host": socket.gethostname()}


def test_location_metadata_with_an_unreachable_kubernetes_api(make_server):
    """MY_NODE_NAME is set but no API server answers: unknown, and quickly."""
    srv = make_server({"MY_NODE_NAME": "node-1", "KUBERNETES_SERVICE_HOST": "127.0.0.1",
                       "KUBERNETES_SERVICE_PORT": "1"})
    response, seconds = timed(Api(srv.url).get, "/location/metadata")
    assert response.status_code == 200
    assert seconds < 5
    assert response.json() == {"cloud": "unknown", "zone": "unknown",
                               "host": socket.gethostname()}

