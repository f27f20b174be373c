"""Fixtures for the reliability suite: private databases and servers each test may kill,
pause or flood, player load in a process of its own (demo/players.py), and a check after every
test that no server reported a sanitizer error (run the suite with
PACMAN_BINARY=build/asan/pacman to make that check bite)."""

import os
import re
import uuid

import pytest

from demo.stack import PlayerLoad, WebTier  # noqa: F401  (re-exported for the tests)
from harness import FerretDB, Server, server_binary, stop_servers

SANITIZER = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|"
                       r"SUMMARY: UndefinedBehaviorSanitizer")


@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    if not os.access(server_binary(), os.X_OK):
        pytest.exit(f"{server_binary()} is missing: run `make build` first", returncode=2)


@pytest.fixture
def make_ferret(tmp_path):
    started = []

    def start(launch: bool = True) -> FerretDB:
        db = FerretDB(data_dir=tmp_path / f"ferret{len(started)}")
        started.append(db)
        return db.start() if launch else db

    yield start
    for db in started:
        db.stop()


@pytest.fixture
def make_server(tmp_path):
    """Servers on a database of their choosing; killed if still running at the end, and their
    logs checked for sanitizer reports."""
    started = []

    def start(ferret: FerretDB, env: dict | None = None, wait: bool = True) -> Server:
        srv = Server(env={"MONGO_URI": ferret.uri(f"rel_{uuid.uuid4().hex[:8]}"),
                          **(env or {})},
                     log_path=tmp_path / f"pacman{len(started)}.log")
        started.append(srv)
        return srv.start(wait=wait)

    yield start
    stop_servers(started, timeout=30)
    for srv in started:
        match = SANITIZER.search(srv.log())
        assert not match, f"sanitizer report in {srv.log_path}:\n{srv.log()[-4000:]}"


@pytest.fixture
def make_load(tmp_path):
    loads = []

    def start(url: str, players: int = 6, pace: float = 0.15) -> PlayerLoad:
        load = PlayerLoad(url, tmp_path / f"players{len(loads)}.jsonl", players=players,
                          pace=pace)
        loads.append(load)
        return load

    yield start
    for load in loads:
        load.kill()


@pytest.fixture
def make_tier(tmp_path):
    tiers = []

    def start(ferret: FerretDB, replicas: int, env: dict | None = None) -> WebTier:
        tier = WebTier(tmp_path / f"tier{len(tiers)}", ferret.uri("pacman"), env=env)
        tiers.append(tier)
        return tier.start(replicas)

    yield start
    for tier in tiers:
        tier.close()
        for server in tier.all_servers().values():
            match = SANITIZER.search(server.log())
            assert not match, f"sanitizer report in {server.log_path}"
