"""Fixtures: one FerretDB for the session, one server on it, a clean database for every test.

Tests that kill, pause or restart the database or the server start their own (`make_ferret`,
`make_server`) so that the shared ones stay healthy for everybody else.
"""

import json
import os
import uuid

import pymongo
import pytest

from harness import FerretDB, Server, server_binary, stop_servers
from support import Api

SESSION_DB = "pacman_it"
CONNECTION_KEYS = {"MONGO_URI", "MONGO_SERVICE_HOST", "MONGO_NAMESPACE_SERVICE_HOST"}


@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    binary = server_binary()
    if not os.access(binary, os.X_OK):
        pytest.exit(f"{binary} is missing: run `make build` first", returncode=2)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """A static directory with known files, and a secret beside it that must never be served.

    The tests use this instead of the game's static/ so that they know every byte served.
    """
    root = tmp_path_factory.mktemp("site")
    static = root / "static"
    (static / "sub").mkdir(parents=True)
    (static / "img").mkdir()
    (static / "data").mkdir()
    (static / "empty").mkdir()
    files = {
        "index.html": ("<!doctype html>\n<html><head><title>pacman test</title>"
                       "<script type=\"module\" src=\"app.js\"></script></head><body>\n"
                       + "<p>waka waka waka</p>\n" * 300 + "</body></html>\n").encode(),
        "app.js": "export const ghosts = ['blinky', 'pinky', 'inky', 'clyde'];\n".encode() * 500,
        "sub/style.css": b"body { background: black; color: yellow; }\n" * 100,
        "data/map.json": json.dumps({"posY": [{"row": i, "posX": [{"type": "pill"}] * 18}
                                             for i in range(13)]}).encode(),
        "img/noise.png": os.urandom(8192),  # random bytes do not compress
        "img/ghost.svg": b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>\n",
        "tiny.txt": b"hi\n",
    }
    for name, data in files.items():
        (static / name).write_bytes(data)
    secret = f"TOP-SECRET-{uuid.uuid4().hex}"
    (root / "secret.txt").write_text(secret + "\n")
    (root / "static.txt").write_text(secret + "\n")  # a sibling whose name starts like the dir
    return {"dir": static, "files": files, "secret": secret}


@pytest.fixture(scope="session")
def ferret():
    db = FerretDB().start()
    yield db
    db.cleanup()


def mongo_client(ferret_db: FerretDB) -> pymongo.MongoClient:
    return pymongo.MongoClient(ferret_db.uri(), serverSelectionTimeoutMS=10000)


@pytest.fixture(scope="session")
def mongo(ferret):
    client = mongo_client(ferret)
    yield client
    client.close()


@pytest.fixture(scope="session")
def server(ferret, site):
    """The server most tests talk to. HIGHSCORES_CACHE_MS=0 so that every list reads the
    database the test just wrote (the cache has its own test). MONGO_TIMEOUT_MS is raised
    because FerretDB's SQLite writes take up to ~3 s under a few dozen concurrent clients,
    which is FerretDB's speed, not the server's; the fault tests use their own short one."""
    srv = Server(env={"MONGO_URI": ferret.uri(SESSION_DB), "STATIC_DIR": str(site["dir"]),
                      "HIGHSCORES_CACHE_MS": "0", "MONGO_TIMEOUT_MS": "10000"}).start()
    yield srv
    alive = srv.running()
    status = srv.stop()
    assert alive, f"the shared server died during the session:\n{srv.log()[-3000:]}"
    assert status == 0, f"the shared server exited {status} on SIGTERM:\n{srv.log()[-3000:]}"


@pytest.fixture
def api(server) -> Api:
    return Api(server.url)


@pytest.fixture
def db(mongo):
    """The shared server's database, emptied before each test (indexes are kept)."""
    database = mongo[SESSION_DB]
    for name in ("highscore", "userstats"):
        database[name].delete_many({})
    return database


@pytest.fixture
def make_server(ferret, site):
    """Starts extra servers (own environment), stopped when the test ends."""
    started = []

    def start(env: dict | None = None, wait: bool = True, database: str | None = None,
              ferret_db: FerretDB | None = None, timeout: float = 20) -> Server:
        base = {"STATIC_DIR": str(site["dir"]), "HIGHSCORES_CACHE_MS": "0"}
        if not CONNECTION_KEYS & set(env or {}):
            base["MONGO_URI"] = (ferret_db or ferret).uri(database or f"t_{uuid.uuid4().hex[:12]}")
        srv = Server(env={**base, **(env or {})})
        started.append(srv)
        return srv.start(wait=wait, timeout=timeout)

    yield start
    stop_servers(started, timeout=15)


@pytest.fixture
def make_ferret(tmp_path):
    """Starts a private FerretDB the test may kill, pause and restart."""
    started = []

    def start(port: int | None = None, launch: bool = True) -> FerretDB:
        db = FerretDB(data_dir=tmp_path / f"ferret{len(started)}", port=port)
        started.append(db)
        return db.start() if launch else db

    yield start
    for db in started:
        db.stop()
