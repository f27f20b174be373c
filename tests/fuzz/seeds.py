#!/usr/bin/env python3
"""Writes the committed seed corpus, tests/fuzz/corpus/<target>/<name>: one file per
interesting shape of input, named for what it is. Run it again after changing a seed here;
run.sh never writes into this directory (fuzzing grows a copy under build/fuzz/)."""

import json
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# config_variables in server/config.c, in order, then the password file's content (what any
# path MONGO_AUTH_PWD_FILE names reads): the fuzz_config input names one by one byte,
# (byte % count); BASE + i, BASE a multiple of the count, keeps the byte printable. The inputs
# in regressions/fuzz_config are written the same way: when the count changes, rewrite their
# first bytes too (each file's name says what it sets).
VARIABLES = ["PORT", "STATIC_DIR", "LOG_FORMAT", "MONGO_URI", "MONGO_SERVICE_HOST",
             "MONGO_NAMESPACE_SERVICE_HOST", "MY_MONGO_PORT", "MONGO_DATABASE",
             "MONGO_AUTH_USER", "MONGO_AUTH_PWD", "MONGO_AUTH_PWD_FILE", "MONGO_AUTH_SOURCE",
             "MONGO_REPLICA_SET",
             "MONGO_USE_SSL", "MONGO_VALIDATE_SSL", "MONGO_TIMEOUT_MS", "MY_NODE_NAME",
             "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "SERVICEACCOUNT_DIR",
             "SHUTDOWN_DRAIN_SECONDS", "SHUTDOWN_GRACE_SECONDS", "HTTP_THREADS", "HTTP_MODE",
             "DB_WORKERS", "MAX_CONNECTIONS", "CONNECTION_TIMEOUT_SECONDS",
             "HIGHSCORES_CACHE_MS", "REQUEST_TIMEOUT_SECONDS", "PLAYER_TTL_SECONDS",
             "PLAYERS_CACHE_MS"]
SLOTS = VARIABLES + ["file"]
BASE = -(-48 // len(SLOTS)) * len(SLOTS)

FORM, FORM_UTF8, JSON_TYPE = b"\x00", b"\x01", b"\x02"
VALID_SCORE = b"name=Ann+Lee&cloud=gce&zone=europe-west1-b&host=pacman-7d9f&score=1200&level=2"
VALID_STATS = (b"userId=0123456789abcdef01234567&cloud=aws&zone=us-east-1a&host=pacman-1"
               b"&score=450&level=1&lives=3&elapsedTime=61")


def js(obj) -> bytes:
    return json.dumps(obj).encode()


BODIES = {
    "form-score": VALID_SCORE,
    "form-stats": VALID_STATS,
    "form-jquery-escapes": b"name=%C3%89lo%C3%AFse+%E2%98%BA&score=10&level=1&submissionId=a1-b_2",
    "form-operator-injection": b"name[$ne]=x&score[$gt]=0&level=1&$where=sleep(1000)",
    "form-numbers": b"score=1e3&level=0x10&lives=-0&elapsedTime=99999999999999999999",
    "form-bad-escapes": b"name=%zz&score=%&level=%0",
    "form-nul-and-controls": b"name=a%00b&zone=%1b[31m&host=%0d%0aX",
    "form-overlong-utf8": b"name=%C0%AF%E0%80%AF%ED%A0%80%F4%90%80%80",
    "form-duplicates": b"score=1&score=2",
    "form-empty-parts": b"&&=&name&=x&",
    "json-score": js({"name": "Ann", "cloud": "gce", "zone": "z", "host": "h", "score": 1200,
                      "level": 2, "submissionId": "3f2a-77"}),
    "json-stats": js({"userId": "0123456789ABCDEF01234567", "score": 1, "level": 1,
                      "lives": 0, "elapsedTime": 86400}),
    "json-operators": b'{"name":{"$gt":""},"score":{"$where":"1"},"level.x":1,"$set":{"a":1}}',
    "json-types": b'{"name":null,"score":1.5,"level":true,"cloud":[],"zone":-0,"host":1e308}',
    "json-escapes": b'{"name":"\\u0000\\ud800\\u202e\\ufeff","score":"12"}',
    "json-duplicate-key": b'{"score":1,"score":2}',
    "json-deep": b"[" * 64 + b"]" * 64,
    "json-not-object": b'"just a string"',
}


def input_seeds():
    seeds = {}
    for name, body in BODIES.items():
        kind = JSON_TYPE if name.startswith("json") else FORM
        seeds[name] = kind + body
    seeds["form-as-utf8-type"] = FORM_UTF8 + VALID_SCORE
    seeds["text-plain"] = b"\x04" + VALID_SCORE
    seeds["no-type"] = b"\x05" + VALID_SCORE
    seeds["own-type"] = b"\xf0application/json; charset=utf-16\n" + BODIES["json-score"]
    return seeds


def submission_seeds():
    return {name: (b"\x01" if name.startswith("json") else b"\x00") + body
            for name, body in BODIES.items()}


PATHS = {
    "root": b"/", "index": b"/index.html", "module": b"/js/main.js", "dir-index": b"/sub/",
    "api": b"/highscores/list", "traversal": b"/../../etc/passwd",
    "traversal-encoded": b"/%2e%2e/%2E%2E/etc%2fpasswd", "double-encoded": b"/%252e%252e/",
    "backslash": b"/..%5c..%5cwindows", "overlong": b"/%c0%ae%c0%ae/%e0%80%af",
    "nul": b"/index.html%00.png", "dot-segment": b"/./index.html", "empty-segment": b"//index.html",
    "space": b"/img/a%20b.png", "percent-literal": b"/x%2541.txt", "crlf": b"/%0d%0aINFO%20forged",
    "no-slash": b"index.html", "bad-escape": b"/%zz%4", "long": b"/" + b"a/" * 300,
    "utf8": b"/caf%c3%a9/\xe5\xb1\xb1", "bidi-and-c1": b"/a%e2%80%aeb%c2%85c\xe2\x81\xa6",
    "fingerprint": b"/highscores/fingerprint",
}


def static_path_seeds():
    return {name: bytes([i % 4]) + path for i, (name, path) in enumerate(PATHS.items())}


def static_header_seeds():
    return {
        "gzip": b"gzip, deflate, br",
        "gzip-refused": b"gzip;q=0, identity",
        "star": b"*;q=0.5",
        "q-odd": b"GZIP;Q=1.0e0, *;q=nan, x;q=-1",
        "etag": b'"0123456789abcdef"',
        "etag-weak-list": b'W/"0123456789abcdef", "x"',
        "etag-any": b"*",
        "etag-explicit": b'"abc", W/"def"\x00W/"def"',
        "etag-unterminated": b'"abc\x00"abc',
    }


def env(**values) -> bytes:
    """One line per variable; file= is the password file's content, where \\x01 stands for a
    line break and \\x02 for a NUL byte (fuzz_config.c)."""
    lines = [bytes([BASE + SLOTS.index(k)]) + (v if isinstance(v, bytes) else v.encode())
             for k, v in values.items()]
    return b"\n".join(lines)


def config_seeds():
    return {
        "empty": b"",
        "old-app": env(MONGO_SERVICE_HOST="mongo-0.mongo,mongo-1.mongo:27018", MY_MONGO_PORT="27017",
                       MONGO_DATABASE="pacman", MONGO_REPLICA_SET="rs0", MONGO_AUTH_USER="app",
                       MONGO_AUTH_PWD="p@ss:w/rd%", MONGO_AUTH_SOURCE="admin",
                       MONGO_USE_SSL="true", MONGO_VALIDATE_SSL="false"),
        "uri": env(MONGO_URI="mongodb://u:secret@h1:1,h2:2/db?replicaSet=rs0&authSource=admin",
                   MONGO_SERVICE_HOST="ignored"),
        "ipv6": env(MONGO_SERVICE_HOST="[::1]:27017, [fe80::1]", MY_MONGO_PORT="1"),
        "namespace": env(MONGO_NAMESPACE_SERVICE_HOST="mongo.pacman.svc"),
        "numbers": env(PORT="65535", MONGO_TIMEOUT_MS="100", HTTP_THREADS="64", DB_WORKERS="256",
                       MAX_CONNECTIONS="16", CONNECTION_TIMEOUT_SECONDS="3600", REQUEST_TIMEOUT_SECONDS="0",
                       HIGHSCORES_CACHE_MS="0", SHUTDOWN_DRAIN_SECONDS="300",
                       SHUTDOWN_GRACE_SECONDS="600", PLAYER_TTL_SECONDS="31622400"),
        "bad-numbers": env(PORT="-1", MONGO_TIMEOUT_MS="1e3", HTTP_THREADS="0x10",
                           PLAYER_TTL_SECONDS="31622401"),
        "modes": env(LOG_FORMAT="JSON", HTTP_MODE="thread-per-connection", MONGO_USE_SSL="on"),
        "kubernetes": env(MY_NODE_NAME="minikube", KUBERNETES_SERVICE_HOST="10.96.0.1",
                          KUBERNETES_SERVICE_PORT="443", SERVICEACCOUNT_DIR="/var/run/x"),
        "credentials-only-user": env(MONGO_AUTH_USER="app"),
        "password-in-bad-host": env(MONGO_AUTH_USER="u", MONGO_AUTH_PWD="hunter2hunter2",
                                    MONGO_SERVICE_HOST="hunter2hunter2/x"),
        "password-file": env(MONGO_SERVICE_HOST="mongo", MONGO_REPLICA_SET="rs0",
                             MONGO_AUTH_USER="pacman", MONGO_AUTH_PWD_FILE="/secrets/pacman-password",
                             MONGO_AUTH_SOURCE="pacman", file=b"p@ss:w/rd%\r\x01"),
        "password-file-two-line-breaks": env(MONGO_AUTH_USER="u", MONGO_AUTH_PWD_FILE="/pw",
                                             file=b"hunter2\x01\x01"),
        "password-file-and-variable": env(MONGO_AUTH_USER="u", MONGO_AUTH_PWD="hunter2",
                                          MONGO_AUTH_PWD_FILE="/pw", file=b"hunter2"),
        "password-file-missing": env(MONGO_AUTH_USER="u", MONGO_AUTH_PWD_FILE="/nowhere"),
        "password-file-empty": env(MONGO_AUTH_USER="u", MONGO_AUTH_PWD_FILE="/pw", file=b"\r\x01"),
        "password-file-nul": env(MONGO_AUTH_USER="u", MONGO_AUTH_PWD_FILE="/pw",
                                 file=b"hunter2\x02hunter2"),
        "password-file-not-utf8": env(MONGO_AUTH_USER="u", MONGO_AUTH_PWD_FILE="/pw",
                                      file=b"hunter2\xc0\xaf"),
        "password-file-too-big": env(MONGO_AUTH_USER="u", MONGO_AUTH_PWD_FILE="/pw",
                                     file=b"hunter2" * 150),
        "password-file-in-its-path": env(MONGO_AUTH_USER="u",
                                         MONGO_AUTH_PWD_FILE="/run/hunter2\xff", file=b"hunter2\xff"),
    }


def redact_seeds():
    uris = {
        "plain": "mongodb://host:27017/pacman",
        "credentials": "mongodb://user:pass@host:27017/db?replicaSet=rs0",
        "encoded": "mongodb://us%40er:p%3Ass%2F@h1,h2:27018/db?authSource=admin",
        "srv": "mongodb+srv://user:pw@cluster0.example.net/db",
        "user-only": "mongodb://user@host/db",
        "empty-password": "mongodb://user:@host/db",
        "two-ats": "mongodb://a:b@c:d@host/db",
        "at-in-query": "mongodb://host/db?x=a:b@c",
        "no-scheme": "user:pass@host",
        "ipv6": "mongodb://u:p@[::1]:27017/db",
        "tls-key-password": "mongodb://h/db?tls=true&tlsCertificateKeyFile=/k.pem&"
                            "tlsCertificateKeyFilePassword=s3cret&replicaSet=rs0",
        "old-key-password": "mongodb://u:p@h/?sslClientCertificateKeyPassword=s3cret;w=1",
        "aws-session-token": "mongodb://h/?authMechanism=MONGODB-AWS&"
                             "authMechanismProperties=AWS_SESSION_TOKEN:t0ken",
        "empty-secret-option": "mongodb://h/db?tlsCertificateKeyFilePassword=&x=1",
    }
    return {name: b"\x01\x00" + uri.encode() for name, uri in uris.items()} | {
        "tiny-buffer": b"\x00\x05mongodb://user:pass@host/db"}


def location_seeds():
    def node(provider=None, labels=None):
        doc = {"kind": "Node", "apiVersion": "v1",
               "metadata": {"name": "n1", "labels": labels or {}}, "spec": {}}
        if provider:
            doc["spec"]["providerID"] = provider
        return b"\x00" + js(doc)

    return {
        "gce": node("gce://project/europe-west1-b/gke-n1",
                    {"topology.kubernetes.io/zone": "europe-west1-b"}),
        "aws": node("aws:///us-east-1a/i-0123", {"failure-domain.beta.kubernetes.io/zone":
                                                 "us-east-1a"}),
        "azure": node("azure:///subscriptions/x/vm/0", {"topology.kubernetes.io/zone": "1"}),
        "kind": node("kind://docker/kind/kind-control-plane"),
        "minikube": node(),
        "hostile": node("\u202egce\u0000://x", {"topology.kubernetes.io/zone": "<script>" * 20}),
        "small-buffers": b"\xff" + node("gce://p/z/n")[1:],
        "not-a-node": b"\x00[1,2,3]",
    }


TARGETS = {
    "fuzz_input": input_seeds, "fuzz_submission": submission_seeds,
    "fuzz_static_path": static_path_seeds, "fuzz_static_headers": static_header_seeds,
    "fuzz_config": config_seeds, "fuzz_redact": redact_seeds, "fuzz_location": location_seeds,
}


def main():
    config_c = (ROOT / "server" / "config.c").read_text()
    listed = config_c.split("config_variables[] = {", 1)[1].split("NULL", 1)[0]
    if re.findall(r'"([A-Z_]+)"', listed) != VARIABLES:
        raise SystemExit("seeds.py: VARIABLES is not config_variables in server/config.c, "
                         "in the same order")
    for target, make in TARGETS.items():
        directory = HERE / "corpus" / target
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        for name, data in make().items():
            (directory / name).write_bytes(data)
        print(f"{target}: {len(list(directory.iterdir()))} seeds")


if __name__ == "__main__":
    main()
