"""Fixtures for the hostile-input suite: one FerretDB, and one server that holds secrets (a
database password, a Kubernetes service-account token) so that the suite can prove no hostile
request makes it reveal them, with a secret file beside its static directory for the
traversal cases to go after.

The server logs in with PLAIN, the one mechanism FerretDB offers without its experimental
auth; FerretDB accepts any credentials, so the password is a real secret the server holds and
sends, and the database path is exercised for real."""

import os
import uuid

import pymongo
import pytest

from harness import FerretDB, Server, free_port, server_binary, stop_servers
from hostile_support import DATABASE, plain_uri

@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    if not os.access(server_binary(), os.X_OK):
        pytest.exit(f"{server_binary()} is missing: run `make build` first", returncode=2)


@pytest.fixture(scope="session")
def secrets(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    static = root / "static"
    (static / "sub").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>pacman</title><p>waka</p>\n")
    (static / "sub" / "index.html").write_text("<!doctype html><p>sub</p>\n")
    (static / "app.js").write_text("export const ghosts = 4;\n")
    file_secret = f"FILE-SECRET-{uuid.uuid4().hex}"
    (root / "secret.txt").write_text(file_secret + "\n")
    (root / "static.txt").write_text(file_secret + "\n")  # a sibling named like the dir
    token = f"TOKEN-SECRET-{uuid.uuid4().hex}"
    account = root / "serviceaccount"
    account.mkdir()
    (account / "token").write_text(token + "\n")
    (account / "ca.crt").write_text("not a certificate\n")
    return {"root": root, "static": static, "file": file_secret, "token": token,
            "account": account, "password": f"PW-SECRET-{uuid.uuid4().hex}",
            "user": "hostile-app"}


@pytest.fixture(scope="session")
def ferret():
    db = FerretDB().start()
    yield db
    db.cleanup()


@pytest.fixture(scope="session")
def mongo(ferret):
    client = pymongo.MongoClient(ferret.uri(DATABASE), serverSelectionTimeoutMS=10000)
    yield client[DATABASE]
    client.close()


@pytest.fixture(scope="session")
def server(ferret, secrets):
    """The server the catalogue is thrown at. The node lookup points at a closed port, so
    the server reads its token and tries (and fails) to use it."""
    srv = Server(env={
        "MONGO_URI": plain_uri(ferret, secrets["user"], secrets["password"], DATABASE),
        "STATIC_DIR": str(secrets["static"]), "HIGHSCORES_CACHE_MS": "0",
        "MONGO_TIMEOUT_MS": "3000", "CONNECTION_TIMEOUT_SECONDS": "5",
        "MY_NODE_NAME": "node-1", "KUBERNETES_SERVICE_HOST": "127.0.0.1",
        "KUBERNETES_SERVICE_PORT": str(free_port()), "SERVICEACCOUNT_DIR": str(secrets["account"]),
    }).start()
    yield srv
    if srv.running():
        srv.stop()


@pytest.fixture
def make_server(ferret, secrets):
    """Extra servers with their own environment (stopped when the test ends)."""
    started = []

    def start(env: dict, wait: bool = True) -> Server:
        srv = Server(env={"STATIC_DIR": str(secrets["static"]), **env})
        started.append(srv)
        return srv.start(wait=wait) if wait else srv

    yield start
    stop_servers(started, timeout=15)
