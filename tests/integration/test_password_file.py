"""MONGO_AUTH_PWD_FILE: the database password read from a file (how compose.yaml, Docker secrets
and Kubernetes secrets mounted as files hand it over), against a FerretDB that really checks
logins (SCRAM, a root user made at its start). The file's content is the password, less one
trailing line break; every file the server cannot take stops the start with one line that names
the variable and the path, never the content."""

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pymongo
import pytest

from harness import FerretDB, Server, port_open
from support import Api

ROOT_USER = "root"
# every character the connection string must percent-encode, so a wrong encoding fails to log in
ROOT_PASSWORD = f"p@ss:w/rd %?#-{secrets.token_hex(8)}"


@pytest.fixture(scope="module")
def login_ferret():
    db = FerretDB(root=(ROOT_USER, ROOT_PASSWORD)).start()
    yield db
    db.cleanup()


def password_env(ferret: FerretDB, path, database: str) -> dict:
    return {"MONGO_SERVICE_HOST": "127.0.0.1", "MY_MONGO_PORT": str(ferret.port),
            "MONGO_REPLICA_SET": "rs0", "MONGO_DATABASE": database,
            "MONGO_AUTH_USER": ROOT_USER, "MONGO_AUTH_PWD_FILE": str(path),
            "MONGO_AUTH_SOURCE": "admin", "MONGO_TIMEOUT_MS": "1000"}


def post_score(srv: Server, name: str):
    return Api(srv.url).post_form("/highscores", {"name": name, "score": "4200", "level": "3"})


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"], ids=["no-line-break", "lf", "crlf"])
def test_a_score_is_stored_with_the_password_from_a_file(login_ferret, make_server, tmp_path,
                                                          ending):
    path = tmp_path / "password"
    path.write_bytes((ROOT_PASSWORD + ending).encode())
    database = f"pwfile_{uuid.uuid4().hex[:12]}"
    srv = make_server(password_env(login_ferret, path, database))
    response = post_score(srv, "Filed")
    assert response.status_code == 200, response.text
    with pymongo.MongoClient(login_ferret.uri("admin"), username=ROOT_USER,
                             password=ROOT_PASSWORD, serverSelectionTimeoutMS=10000) as client:
        assert client[database].highscore.count_documents({"name": "Filed", "score": 4200}) == 1
    assert srv.stop() == 0
    assert ROOT_PASSWORD not in srv.log()
    assert f"{ROOT_USER}:***@127.0.0.1:{login_ferret.port}" in srv.log()


@pytest.mark.parametrize("content", [b"not-" + ROOT_PASSWORD.encode(),
                                     ROOT_PASSWORD.encode() + b"\n\n"],
                         ids=["another-password", "two-line-breaks"])
def test_the_file_is_what_logs_in(login_ferret, make_server, tmp_path, content):
    """A file that holds another password starts the server (the database is what says no) and
    every write fails: the file really is the password. Only one line break is taken off."""
    path = tmp_path / "password"
    path.write_bytes(content)
    srv = make_server(password_env(login_ferret, path, f"pwfile_{uuid.uuid4().hex[:12]}"))
    response = post_score(srv, "Refused")
    assert response.status_code == 503, response.text
    assert srv.stop() == 0
    assert content.decode().strip() not in srv.log()


MARK = "QQQQ-" + secrets.token_hex(6)  # in every refused file; never in the output

REFUSED = {
    # name: (what the file is, what the line says)
    "empty": (b"", "is empty"),
    "only-a-line-break": (b"\r\n", "is empty"),
    "nul-byte": (MARK.encode() + b"\0" + MARK.encode(), "holds a NUL byte"),
    "not-utf8": (MARK.encode() + b"\xff\xfe\n", "is not UTF-8 text"),
    "over-1024-bytes": (MARK.encode() * 100, "is over 1024 bytes"),
    "missing": (None, "No such file or directory"),
    "a-directory": ("directory", "not a regular file"),
    "a-fifo-with-no-writer": ("fifo", "not a regular file"),  # must not hang the start
    "both-variables": (MARK.encode(), "are both set"),
}


def run_refused(env: dict, user: str | None = None):
    """Runs the server to its exit (it must not start); returns (status, stdout+stderr lines)."""
    srv = Server(env=env)
    result = subprocess.run([srv.binary], env=srv.env, capture_output=True, timeout=10,
                            start_new_session=True, user=user)
    output = (result.stdout + result.stderr).decode(errors="replace")
    assert not port_open(srv.port), "something listens on the server's port"
    return result.returncode, [line for line in output.splitlines() if line.strip()]


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_password_file_stops_the_start_with_one_line(login_ferret, tmp_path, case):
    made, says = REFUSED[case]
    path = tmp_path / f"password-{case}"
    if made == "directory":
        path.mkdir()
    elif made == "fifo":
        os.mkfifo(path)
    elif made is not None:
        path.write_bytes(made)
    env = password_env(login_ferret, path, "pwfile_refused")
    if case == "both-variables":
        env["MONGO_AUTH_PWD"] = MARK
    status, lines = run_refused(env)
    assert status == 2, lines
    assert len(lines) == 1, f"expected one line, got {lines!r}"
    assert lines[0].startswith("pacman: bad configuration: "), lines[0]
    for expected in ("MONGO_AUTH_PWD_FILE", f'"{path}"', says):
        assert expected in lines[0], lines[0]
    assert MARK not in lines[0] and "listening" not in lines[0]


def test_an_unreadable_password_file_stops_the_start(login_ferret, tmp_path):
    """Readable by its owner only, and the server runs as someone else (nobody, when the tests
    run as root, since root reads every file)."""
    directory = tmp_path
    user = None
    if os.geteuid() == 0:
        # pytest's temporary directories are closed to other users: one in /tmp that is not
        directory = Path(tempfile.mkdtemp(prefix="pacman-pwfile-"))
        directory.chmod(0o755)
        user = pwd.getpwnam("nobody").pw_uid
    path = directory / "password"
    try:
        path.write_text(MARK)
        path.chmod(0o600 if user is not None else 0)
        status, lines = run_refused(password_env(login_ferret, path, "pwfile_refused"), user=user)
    finally:
        if directory != tmp_path:
            shutil.rmtree(directory)
    assert status == 2, lines
    assert len(lines) == 1, lines
    assert f'MONGO_AUTH_PWD_FILE: cannot read "{path}": Permission denied' in lines[0]
    assert MARK not in lines[0]
