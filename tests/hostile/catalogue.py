"""The catalogue of hostile requests: each one byte for byte, with the status it must get.

Kinds of hostility, as the issue lists them: malformed and oversized request lines, headers
and bodies; wrong and missing content types; duplicated fields; numbers that are not plain
decimal integers; MongoDB operator injection; invalid UTF-8 and overlong encodings; control
characters; path traversal in every encoding; methods nobody uses.

`status` is what RFC 9110/9112 and docs/API contract require; a tuple where either answer is
right (the reason is in `why`). `ours` is False where libmicrohttpd itself answers broken HTTP
(its body is a small HTML page, not our JSON error). No case may store anything: the suite
checks the database is empty afterwards. Secrets are filled in from the running server's
fixture: {TOKEN} and {COOKIE} become values that must never reach the log.

`defect` names a case whose right answer the server does not give today; the test expects it
to fail (strict xfail: the day it passes, the mark must go). Each is in SECURITY.md."""

import json
from dataclasses import dataclass

# libmicrohttpd 0.9.75 (Debian 12's) splits a request at a header line it cannot parse, and
# answers the rest as a second request: one client request, two answers. Behind nginx (which
# refuses such lines) no proxy is desynchronised; only a newer libmicrohttpd fixes it.
MHD_SPLITS = "libmicrohttpd 0.9.75 splits the request at this line (SECURITY.md, H3)"
# libmicrohttpd 0.9.75 takes the first Content-Length, a header name with a space in it, and
# Content-Length next to Transfer-Encoding, and then reads what follows the body as the next
# request: the classic request-smuggling shapes. http.c refuses them on the first callback
# (400, connection closed), so SMUGGLED below must never run.
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
UNKNOWN_USER = "ffffffffffffffffffffffff"  # 24 hex digits; no player has it
VALID_SCORE = "name=Ann&cloud=c&zone=z&host=h&score=100&level=1"
VALID_STATS = (f"userId={UNKNOWN_USER}&cloud=c&zone=z&host=h&score=1&level=1&lives=3"
               f"&elapsedTime=10")


@dataclass
class Case:
    id: str
    request: bytes
    status: int | tuple | None  # None: the server closes without answering
    ours: bool = True           # the answer is our JSON (error) body
    why: str = ""
    field: str | None = None    # the field a 400 must name
    defect: str | None = None   # a known defect that gets another answer today (see below)


def head(method: str, target: bytes | str, headers: list[str] = (), version: str = "HTTP/1.1",
         host: bool = True, close: bool = True) -> bytes:
    """A request head; close=False keeps the connection open, as a smuggler does, so that
    whatever follows the body would be read as the next request."""
    if isinstance(target, str):
        target = target.encode("latin-1")
    lines = [f"{method} ".encode("latin-1") + target + f" {version}".encode()]
    if host:
        lines.append(b"Host: 127.0.0.1")
    lines += [h.encode("latin-1") if isinstance(h, str) else h for h in headers]
    if close:
        lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


def get(target, headers=(), **kwargs) -> bytes:
    return head("GET", target, headers, **kwargs)


def post(path: str, body: bytes | str, content_type: str | None = FORM, headers=(),
         method: str = "POST") -> bytes:
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogateescape")
    extra = [f"Content-Type: {content_type}"] if content_type is not None else []
    extra.append(f"Content-Length: {len(body)}")
    return head(method, path, extra + list(headers)) + body


def score_form(**changes) -> bytes:
    """POST /highscores with one field of a valid form replaced by raw (already encoded) text."""
    fields = dict(pair.split("=", 1) for pair in VALID_SCORE.split("&"))
    fields.update(changes)
    return post("/highscores", "&".join(f"{k}={v}" for k, v in fields.items()))


def score_json(raw_fields: str = None, **changes) -> bytes:
    """POST /highscores as JSON; raw_fields replaces the whole object's inside when given."""
    if raw_fields is not None:
        return post("/highscores", "{" + raw_fields + "}", JSON)
    body = {"name": "Ann", "cloud": "c", "zone": "z", "host": "h", "score": 100, "level": 1}
    body.update(changes)
    return post("/highscores", json.dumps(body), JSON)


def raw_score_json(text: str | bytes) -> bytes:
    return post("/highscores", text, JSON)


REQUEST_LINE = [
    Case("method token with @", get("/").replace(b"GET", b"G@T", 1), (400, 405),
         why="not a token: 400 from a strict parser, 405 (no such method here) from ours"),
    Case("lower-case method", get("/").replace(b"GET", b"get", 1), 405,
         why="methods are case-sensitive: 'get' is not GET"),
    Case("method 5,000 characters", get("/").replace(b"GET", b"A" * 5000, 1), (405, 400, 501)),
    Case("no HTTP version", b"GET /\r\nHost: x\r\nConnection: close\r\n\r\n", 400, ours=False),
    Case("HTTP/0.9 request", b"GET /\r\n\r\n", 400, ours=False),
    Case("HTTP/2.0 on an HTTP/1 connection", get("/", version="HTTP/2.0"), 505, ours=False),
    Case("HTTP/9.9", get("/", version="HTTP/9.9"), 505, ours=False),
    Case("version not HTTP", get("/", version="FOO/1.1"), 400, ours=False),
    Case("request target 100 KB", get("/" + "a" * 100_000), 414, ours=False),
    Case("control character in the target", get(b"/a\x01b"), (400, 404)),
    Case("space in the target", get(b"/a b"), (None, 400, 404),
         why="libmicrohttpd's strict mode closes without an answer: nothing is served"),
    Case("absolute-form target", get("http://evil.example/../secret.txt"), (400, 404),
         why="we are no proxy: nothing is fetched, nothing outside the files is served"),
    Case("asterisk-form OPTIONS", head("OPTIONS", "*"), 405),
    Case("CONNECT tunnel", head("CONNECT", "evil.example:443"), 405),
    Case("TLS ClientHello on the HTTP port",
         b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 32 + b"\r\n\r\n",
         (None, 400), ours=False),
]

HEADERS = [
    Case("header line without a colon", get("/", ["Bogus"]), 400, ours=False),
    Case("header value 100 KB", get("/", ["X-Big: " + "a" * 100_000]), 431, ours=False),
    Case("3,000 header lines", get("/", [f"X-{i}: y" for i in range(3000)]), 431, ours=False),
    Case("space before the colon (smuggling)",
         head("POST", "/highscores", [f"Content-Type: {FORM}", "Transfer-Encoding : chunked",
                                      "Content-Length: 5"], close=False) + b"0\r\n\r\n"
         + SMUGGLED, 400,
         why="RFC 9112 5.1: MUST be rejected with 400 (proxies disagree on such names)"),
    Case("empty header name", get("/", [": value"]), 400, defect=MHD_SPLITS,
         why="a field name is a token; an empty one is not"),
    Case("line folding of a header", get("/", ["X-A: a", "\tX-B: b"]), (200, 400),
         ours=False, why="RFC 9112 5.2: reject obs-fold or replace it with a space; "
                         "libmicrohttpd folds it into the name of a header nobody reads"),
    Case("folded Transfer-Encoding (smuggling)",
         head("POST", "/highscores", [f"Content-Type: {FORM}", "Transfer-Encoding:",
                                      " chunked", "Content-Length: 5"], close=False)
         + b"0\r\n\r\n" + SMUGGLED,
         400, defect=MHD_SPLITS, why="obs-fold in a framing header: 400, nothing after it runs"),
    Case("two Host headers", get("/", ["Host: evil.example"]), 400,
         why="RFC 9112 3.2: MUST answer 400"),
    Case("HTTP/1.1 without Host", get("/", host=False), 400, ours=False,
         why="RFC 9112 3.2: MUST answer 400"),
    Case("HTTP/1.0 without Host", get("/", version="HTTP/1.0", host=False), 200, ours=False,
         why="Host is optional before 1.1: the game page"),
    Case("NUL byte in a header value", get("/", [b"X-A: a\x00b"]), (200, 400), ours=False,
         why="RFC 9110 5.5: reject, or the value is cut (the server reads no such header)"),
    Case("Authorization and Cookie sent to the API",
         get("/highscores/list?token={TOKEN}", ["Authorization: Bearer {TOKEN}",
                                                "Cookie: session={COOKIE}"]), 200,
         why="200; neither value may reach the log"),
    Case("two different Content-Length (smuggling)",
         head("POST", "/highscores", [f"Content-Type: {FORM}", "Content-Length: 0",
                                      f"Content-Length: {len(SMUGGLED)}"], close=False)
         + SMUGGLED, 400,
         why="RFC 9112 6.3: unrecoverable framing error, 400 and close; nothing after it runs"),
    Case("Content-Length and Transfer-Encoding (smuggling)",
         head("POST", "/highscores", [f"Content-Type: {FORM}", "Content-Length: 5",
                                      "Transfer-Encoding: chunked"], close=False)
         + b"0\r\n\r\n" + SMUGGLED,
         400,
         why="RFC 9112 6.1: MAY reject; MUST close the connection after answering"),
    Case("negative Content-Length", head("POST", "/highscores", [f"Content-Type: {FORM}",
                                                                 "Content-Length: -1"]),
         400, ours=False),
    Case("Content-Length not a number", head("POST", "/highscores", [f"Content-Type: {FORM}",
                                                                     "Content-Length: abc"]),
         400, ours=False),
    Case("Content-Length past 2^64", head("POST", "/highscores",
                                          [f"Content-Type: {FORM}",
                                           "Content-Length: 18446744073709551617"]),
         (400, 413), ours=False),
    Case("Content-Length of 1 GB, no body", head("POST", "/highscores",
                                                 [f"Content-Type: {JSON}",
                                                  "Content-Length: 1000000000"]) + b"{", 413),
    Case("Transfer-Encoding gzip", head("POST", "/highscores", [f"Content-Type: {FORM}",
                                                                "Transfer-Encoding: gzip"])
         + b"name=x", 400,
         why="RFC 9112 6.3: chunked is not last: 400 and close, at once"),
    Case("Transfer-Encoding gzip, chunked",
         head("POST", "/highscores", [f"Content-Type: {FORM}",
                                      "Transfer-Encoding: gzip, chunked"]) + b"0\r\n\r\n",
         (400, 501),
         why="a coding we do not implement: 501 (RFC 9112 6.1) or 400, at once"),
    Case("Transfer-Encoding twice",
         head("POST", "/highscores", [f"Content-Type: {FORM}", "Transfer-Encoding: chunked",
                                      "Transfer-Encoding: chunked"]) + b"0\r\n\r\n", (400, 501)),
    Case("chunk size not hex",
         head("POST", "/highscores", [f"Content-Type: {FORM}", "Transfer-Encoding: chunked"])
         + b"zz\r\nname=x\r\n0\r\n\r\n", 400, ours=False),
    Case("chunked body over 16 KiB",
         head("POST", "/highscores", [f"Content-Type: {FORM}", "Transfer-Encoding: chunked"])
         + b"".join(b"400\r\n" + b"a" * 1024 + b"\r\n" for _ in range(17)) + b"0\r\n\r\n", 413),
    Case("Expect 100-continue for 100 KB", head("POST", "/highscores",
                                                [f"Content-Type: {FORM}",
                                                 "Expect: 100-continue",
                                                 "Content-Length: 100000"]), 413),
]

BODIES = [
    Case("text/plain body", post("/highscores", VALID_SCORE, "text/plain"), 415),
    Case("no Content-Type", post("/highscores", VALID_SCORE, None), 415),
    Case("multipart/form-data body",
         post("/highscores", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAnn\r\n"
              "--x--\r\n", "multipart/form-data; boundary=x"), 415),
    Case("form type with a suffix", post("/highscores", VALID_SCORE, FORM + "x"), 415),
    Case("JSON patch type", post("/highscores", "{}", "application/json-patch+json"), 415),
    Case("type in capitals is still JSON",
         post("/highscores", '{"name":"Ann","score":"x","level":1}', "APPLICATION/JSON"), 400,
         field="score", why="media types are case-insensitive: parsed, then the score is wrong"),
    Case("UTF-16 JSON", post("/highscores", '{"name":"Ann","score":1,"level":1}'
                             .encode("utf-16"), "application/json; charset=utf-16"), 400),
    Case("JSON sent as a form", post("/highscores", '{"name":"Ann","score":1,"level":1}'), 400),
    Case("form sent as JSON", post("/highscores", VALID_SCORE, JSON), 400),
    Case("empty body", post("/highscores", ""), 400),
    Case("truncated JSON", raw_score_json('{"name": "Ann", "score": '), 400),
    Case("JSON nested 100,000 deep", raw_score_json("[" * 100_000 + "]" * 100_000), (400, 413),
         why="over 16 KiB anyway: 413; either way never parsed to the bottom"),
    Case("JSON nested 2,500 deep", raw_score_json('{"a":' * 2500 + "1" + "}" * 2500), 400,
         why="under 16 KiB, past the parser's depth limit"),
    Case("JSON array body", raw_score_json("[]"), 400),
    Case("33 JSON fields", raw_score_json(json.dumps({f"f{i}": i for i in range(33)})), 400),
    Case("1,000 form fields", post("/highscores", "&".join(f"f{i}=1" for i in range(1000))),
         400),
    Case("field name of 65 characters", score_form(**{"n" * 65: "1"}), 400),
    Case("bad %-escape in a field name", post("/highscores", "na%zzme=Ann&score=1&level=1"), 400),
    Case("raw NUL byte in a form value", post("/highscores", b"name=A\x00nn&score=1&level=1"),
         400),
    Case("duplicated form field", post("/highscores", VALID_SCORE + "&name=Eve"), 400,
         field="name"),
    Case("duplicated score, second one huge", post("/highscores", VALID_SCORE + "&score=9999999"),
         400, field="score"),
    Case("duplicated JSON key", raw_score_json('{"name":"Ann","score":1,"score":999999,"level":1}'),
         400),
    Case("body one byte over 16 KiB",
         post("/highscores", json.dumps({"name": "Ann", "score": 1, "level": 1,
                                         "pad": "p" * (16 * 1024)})[:16 * 1024 + 1], JSON), 413),
    Case("submissionId of spaces only", score_form(submissionId="%20%20%20"), 400,
         field="submissionId", why="not 'no id': a retry would then be stored twice"),
    Case("score far past what a level allows", score_form(score="24601", level="1"), 400,
         field="score", why="api_score_plausible: at most 24,600 a level"),
    Case("stats for a player nobody created",
         post("/user/stats", VALID_STATS + "&updateCounter=1000000&_id=x&date=0"), 404,
         why="extra fields are ignored and nothing is upserted"),
]

NUMBERS = [
    Case("score with a fraction", score_form(score="1.5"), 400, field="score"),
    Case("score with an exponent", score_form(score="1e3"), 400, field="score"),
    Case("score in hex", score_form(score="0x10"), 400, field="score"),
    Case("score past 64 bits", score_form(score="99999999999999999999999"), 400, field="score"),
    Case("negative score", score_form(score="-5"), 400, field="score"),
    Case("score NaN", score_form(score="NaN"), 400, field="score"),
    Case("score Infinity", score_form(score="Infinity"), 400, field="score"),
    Case("score with a plus sign", score_form(score="%2B5"), 400, field="score"),
    Case("score with a leading space", score_form(score="%205"), 400, field="score"),
    Case("score in Arabic-Indic digits", score_form(score="%D9%A3"), 400, field="score"),
    Case("JSON score with a fraction", score_json(score=1.5), 400, field="score"),
    Case("JSON score 1e3", score_json(raw_fields='"name":"Ann","score":1e3,"level":1'), 400,
         field="score"),
    Case("JSON score NaN", score_json(raw_fields='"name":"Ann","score":NaN,"level":1'), 400),
    Case("JSON score 1e400", score_json(raw_fields='"name":"Ann","score":1e400,"level":1'), 400),
    Case("JSON score 2^63", score_json(raw_fields='"name":"Ann","score":9223372036854775808,'
                                                 '"level":1'), 400),
    Case("JSON score as a string of hex", score_json(score="0x10"), 400, field="score"),
    Case("JSON score true", score_json(score=True), 400, field="score"),
    Case("level 0", score_form(level="0"), 400, field="level"),
    Case("level 1000", score_form(level="1000"), 400, field="level"),
    Case("negative lives", post("/user/stats", VALID_STATS.replace("lives=3", "lives=-1")), 400,
         field="lives"),
]

INJECTION = [
    Case("form score[$gt]=", post("/highscores", "name=Ann&score[$gt]=&level=1"), 400),
    Case("form name[$ne]=x", post("/highscores", "name[$ne]=x&score=1&level=1"), 400),
    Case("form $where field", post("/highscores", VALID_SCORE + "&$where=sleep(5000)"), 400),
    Case("form %24gt encoded operator",
         post("/highscores", "name=Ann&score%5B%24gt%5D=0&level=1"), 400),
    Case("JSON object for the name", score_json(name={"$gt": ""}), 400, field="name"),
    Case("JSON object for the score", score_json(score={"$gt": 0}), 400, field="score"),
    Case("JSON $set at the top", raw_score_json('{"name":"Ann","score":1,"level":1,'
                                                '"$set":{"score":9999999}}'), 400),
    Case("JSON $-prefixed dotted key", raw_score_json('{"name":"Ann","score.$gt":1,"level":1}'),
         400),
    Case("JSON array for the name", score_json(name=["Ann"]), 400, field="name"),
    Case("JSON object for the userId",
         post("/user/stats", json.dumps({"userId": {"$ne": None}, "score": 1, "level": 1,
                                         "lives": 1, "elapsedTime": 1}), JSON), 400,
         field="userId"),
    Case("JSON $where for the userId",
         post("/user/stats", json.dumps({"userId": "'; return true; var x='", "score": 1,
                                         "level": 1, "lives": 1, "elapsedTime": 1}), JSON), 400,
         field="userId"),
    Case("operators in the list's query string", get("/highscores/list?score[$gt]=&$where=1"),
         200, why="the query string is not read"),
]

UTF8 = [
    Case("name byte 0xFF", score_form(name="%FF"), 400, field="name"),
    Case("name overlong '/' (C0 AF)", score_form(name="%C0%AF"), 400, field="name"),
    Case("name overlong 3-byte '/'", score_form(name="%E0%80%AF"), 400, field="name"),
    Case("name UTF-16 surrogate", score_form(name="%ED%A0%80"), 400, field="name"),
    Case("name past U+10FFFF", score_form(name="%F4%90%80%80"), 400, field="name"),
    Case("name truncated sequence", score_form(name="A%E2%82"), 400, field="name"),
    Case("JSON raw byte 0xFF", raw_score_json(b'{"name":"A\xffB","score":1,"level":1}'), 400),
    Case("JSON raw overlong", raw_score_json(b'{"name":"\xc0\xaf","score":1,"level":1}'), 400),
    Case("JSON lone surrogate escape", raw_score_json('{"name":"\\ud800","score":1,"level":1}'),
         400),
    Case("name with a byte-order mark", score_form(name="%EF%BB%BFAnn"), 400, field="name"),
    Case("name with a non-character", score_form(name="Ann%EF%BF%BE"), 400, field="name"),
]

CONTROL = [
    Case("name with CR LF and a forged log line",
         score_form(name="Eve%0D%0A2030-01-01T00:00:00Z%20info%20FORGED"), 400, field="name"),
    Case("name with an ANSI escape", score_form(name="%1B%5B31mred"), 400, field="name"),
    Case("name with DEL", score_form(name="a%7Fb"), 400, field="name"),
    Case("name with C1 NEL", score_form(name="a%C2%85b"), 400, field="name"),
    Case("name with right-to-left override", score_form(name="a%E2%80%AEb"), 400, field="name"),
    Case("name with a line separator", score_form(name="a%E2%80%A8b"), 400, field="name"),
    Case("JSON name with \\u0000", raw_score_json('{"name":"a\\u0000b","score":1,"level":1}'),
         400),
    Case("JSON name with a bell", raw_score_json('{"name":"a\\u0007b","score":1,"level":1}'), 400,
         field="name"),
    Case("CR LF in the path (log forging)", get("/x%0D%0A2030-01-01T00:00:00Z%20info%20FORGED"),
         404),
    Case("CR LF in the path (header injection)", get("/x%0D%0ASet-Cookie:%20pwned=1"), 404,
         why="no Set-Cookie may appear in the answer"),
]

# The secret file sits beside STATIC_DIR as secret.txt, and a sibling static.txt.
TRAVERSAL = [Case(f"traversal {target}", get(target), (400, 404)) for target in [
    "/../secret.txt", "/../static.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/..%5csecret.txt", "/%5c..%5csecret.txt",
    "/%252e%252e/secret.txt", "/%c0%ae%c0%ae/secret.txt", "/%e0%80%ae%e0%80%ae/secret.txt",
    "/%uff0e%uff0e/secret.txt", "/.%2e/secret.txt", "/sub/../../secret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt", "//secret.txt", "/%2fetc%2fpasswd", "/..;/secret.txt",
    "/..\\secret.txt", "/....//....//secret.txt", "../secret.txt", "/index.html%00.txt",
    "/index.html/", "/./index.html", "/sub/./index.html", "/%2e/index.html",
]]

METHODS = [Case(f"{method} {path}", head(method, path), 405) for method, path in [
    ("TRACE", "/"), ("TRACK", "/"), ("DEBUG", "/"), ("PROPFIND", "/"), ("MKCOL", "/x"),
    ("DELETE", "/highscores"), ("PATCH", "/user/stats"), ("OPTIONS", "/highscores"),
    ("HEAD", "/user/id"), ("BREW", "/pot"), ("POST", "/user/id"), ("GET", "/highscores"),
]] + [
    Case("PUT over the game page", post("/index.html", "<script>pwned()</script>", "text/html",
                                        method="PUT"), 405),
    Case("POST to a static file", post("/app.js", VALID_SCORE), 405),
]

CATALOGUE: list[Case] = (REQUEST_LINE + HEADERS + BODIES + NUMBERS + INJECTION + UTF8 + CONTROL
                         + TRAVERSAL + METHODS)
