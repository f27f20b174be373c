"""Static files: exact bytes, types, ETag/304, Cache-Control, HEAD, gzip, no listings and no
escape from STATIC_DIR. The server under test serves the `site` fixture's directory."""

import gzip
import shutil
import socket

import pytest

from harness import ROOT
from support import Api, assert_json_error, raw_get

TYPES = {
    "index.html": "text/html",
    "app.js": ("text/javascript", "application/javascript"),
    "sub/style.css": "text/css",
    "data/map.json": "application/json",
    "img/noise.png": "image/png",
    "img/ghost.svg": "image/svg+xml",
    "tiny.txt": "text/plain",
}


@pytest.mark.parametrize("name", list(TYPES))
def test_file_is_served_byte_for_byte_with_its_type(api, site, name):
    response = api.get("/" + name, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == site["files"][name]
    content_type = response.headers["Content-Type"].split(";")[0].strip()
    expected = TYPES[name]
    assert content_type in (expected if isinstance(expected, tuple) else (expected,))


def test_root_serves_index_html(api, site):
    response = api.get("/", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.content == site["files"]["index.html"]


def test_query_string_does_not_change_the_file(api, site):
    response = api.get("/app.js?v=1234", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200 and response.content == site["files"]["app.js"]


def test_cache_control_is_set(api):
    for path in ("/", "/app.js", "/img/noise.png"):
        assert api.get(path).headers.get("Cache-Control"), path


# ---- conditional requests ----

def test_etag_and_if_none_match_give_304(api):
    first = api.get("/app.js", headers={"Accept-Encoding": "identity"})
    etag = first.headers.get("ETag")
    assert etag, "no ETag"
    second = api.get("/app.js", headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert second.status_code == 304
    assert second.content == b""
    assert second.headers.get("ETag") == etag


def test_if_none_match_with_a_list_containing_the_etag_gives_304(api):
    etag = api.get("/index.html").headers["ETag"]
    response = api.get("/index.html", headers={"If-None-Match": f'"nope", {etag}'})
    assert response.status_code == 304


def test_stale_etag_gets_the_full_file(api, site):
    response = api.get("/app.js", headers={"If-None-Match": '"stale-etag"',
                                           "Accept-Encoding": "identity"})
    assert response.status_code == 200 and response.content == site["files"]["app.js"]


def test_different_files_have_different_etags(api):
    tags = {api.get(p).headers["ETag"] for p in ("/index.html", "/app.js", "/tiny.txt")}
    assert len(tags) == 3


# ---- HEAD ----

@pytest.mark.parametrize("path", ["/", "/app.js", "/img/noise.png"])
def test_head_has_the_get_headers_and_no_body(server, path):
    get = raw_get(server.port, path)
    head = raw_get(server.port, path, head=True)
    assert head.status == 200
    assert head.body == b""
    for name in ("content-type", "content-length", "etag", "cache-control"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_head_sends_no_body_bytes_at_all(server):
    """Reads the raw stream to the end: a body after HEAD would corrupt keep-alive clients."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"HEAD /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    headers, _, rest = data.partition(b"\r\n\r\n")
    assert headers.startswith(b"HTTP/1.1 200")
    assert rest == b""


# ---- compression ----

@pytest.mark.parametrize("name", ["index.html", "app.js", "sub/style.css"])
def test_gzip_when_accepted(server, site, name):
    response = raw_get(server.port, "/" + name, "Accept-Encoding: gzip, deflate, br\r\n")
    assert response.status == 200
    assert response.headers.get("content-encoding") == "gzip"
    assert "accept-encoding" in response.headers.get("vary", "").lower()
    assert int(response.headers["content-length"]) == len(response.body)
    assert gzip.decompress(response.body) == site["files"][name]
    assert len(response.body) < len(site["files"][name])


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br"])
def test_no_gzip_unless_accepted(server, site, accept):
    extra = f"Accept-Encoding: {accept}\r\n" if accept else ""
    response = raw_get(server.port, "/app.js", extra)
    assert response.status == 200
    assert response.headers.get("content-encoding") in (None, "identity")
    assert response.body == site["files"]["app.js"]


def test_uncompressed_answer_of_a_compressible_file_varies_too(server):
    """Otherwise a shared cache may hand the plain copy's headers to a gzip client or the
    gzip body to a client that cannot read it."""
    response = raw_get(server.port, "/app.js")
    assert "accept-encoding" in response.headers.get("vary", "").lower()


def test_incompressible_file_is_sent_as_is(server, site):
    response = raw_get(server.port, "/img/noise.png", "Accept-Encoding: gzip\r\n")
    assert response.status == 200
    assert response.headers.get("content-encoding") in (None, "identity")
    assert response.body == site["files"]["img/noise.png"]


def test_conditional_request_on_the_gzip_variant(server):
    etag = raw_get(server.port, "/app.js", "Accept-Encoding: gzip\r\n").headers["etag"]
    response = raw_get(server.port, "/app.js",
                       f"Accept-Encoding: gzip\r\nIf-None-Match: {etag}\r\n")
    assert response.status == 304 and response.body == b""


# ---- no listing, no escape ----

@pytest.mark.parametrize("path", ["/sub/", "/empty/", "/img/", "/data/"])
def test_no_directory_listing(api, site, path):
    response = api.get(path)
    assert response.status_code in (403, 404), response.status_code
    assert b"style.css" not in response.content and b"noise.png" not in response.content
    assert_json_error(response, (403, 404))


def test_directory_without_slash_is_no_listing_either(api):
    response = api.get("/sub")
    assert response.status_code in (301, 302, 308, 403, 404)
    assert b"style.css" not in response.content


ESCAPES = [
    "/../secret.txt",
    "/../../../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/sub/../../secret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt",
    "/sub/..%2f..%2fsecret.txt",
    "/./../secret.txt",
    "/..\\secret.txt",
    "/sub\\..\\..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/..%5csecret.txt",
    "/%252e%252e/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/....//secret.txt",
    "/..;/secret.txt",
    "/index.html%00.png",
    "/%00",
    "/../static.txt",
    "/%2e%2e/static.txt",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/proc/self/environ",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/proc/self/environ",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_no_path_escapes_static_dir(server, site, path):
    response = raw_get(server.port, path)
    assert response.status in (400, 404), (response.status, response.body[:200])
    assert site["secret"].encode() not in response.body
    assert b"root:" not in response.body and b"PATH=" not in response.body


def test_raw_nul_byte_in_the_path(server, site):
    """libmicrohttpd ends the path at a raw NUL byte before the server sees it, so
    "/index.html<NUL>/../../secret.txt" arrives as "/index.html". Whatever follows the NUL
    can therefore never reach outside STATIC_DIR: the answer is a 4xx or exactly the public
    file named before the NUL, never anything else."""
    response = raw_get(server.port, b"/index.html\x00/../../secret.txt")
    assert site["secret"].encode() not in response.body
    if response.status == 200:
        assert response.body == site["files"]["index.html"]
    else:
        assert response.status in (400, 404)
    response = raw_get(server.port, b"/nope\x00/../index.html")
    assert response.status == 404, "the part after the NUL must not pick the file"


def test_server_survives_the_escape_attempts(api, site):
    assert api.get("/tiny.txt").content == site["files"]["tiny.txt"]


# ---- loaded once, at start-up ----

def test_files_are_served_from_memory(make_server, site, tmp_path):
    """Changing or deleting files after start-up changes nothing that is served."""
    static = tmp_path / "static"
    shutil.copytree(site["dir"], static)
    api = Api(make_server({"STATIC_DIR": str(static)}).url)
    (static / "app.js").write_bytes(b"// replaced on disk\n")
    (static / "tiny.txt").unlink()
    (static / "new.txt").write_bytes(b"added after start-up\n")
    assert api.get("/app.js", headers={"Accept-Encoding": "identity"}).content == \
        site["files"]["app.js"]
    assert api.get("/tiny.txt").content == site["files"]["tiny.txt"]
    assert_json_error(api.get("/new.txt"), 404)


def test_symlink_loop_in_static_dir_does_not_stop_start_up(make_server, site, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(site["dir"], static)
    (static / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (static / "self").symlink_to(".", target_is_directory=True)
    api = Api(make_server({"STATIC_DIR": str(static)}, timeout=10).url)
    assert api.get("/", headers={"Accept-Encoding": "identity"}).content == \
        site["files"]["index.html"]


# ---- the game's own files ----

def test_the_shipped_static_directory_is_served(make_server):
    """Every file the repository ships in static/ is served byte for byte by a server with the
    default STATIC_DIR."""
    static = ROOT / "static"
    files = [p for p in static.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert (static / "index.html").is_file(), "static/index.html is missing"
    srv = make_server({"STATIC_DIR": str(static)})
    api = Api(srv.url)
    for path in files:
        response = api.get("/" + path.relative_to(static).as_posix(),
                           headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, path
        assert response.content == path.read_bytes(), path
    assert api.get("/").content == (static / "index.html").read_bytes()
