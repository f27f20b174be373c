"""Secrets the server holds (the database password, the service-account token) never leave
it: not in its log, not in an error at start-up, not in any answer."""

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest

from hostile_support import DATABASE


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_score(url: str, name: str) -> int:
    body = f"name={name}&score=10&level=1".encode()
    request = urllib.request.Request(url + "/highscores", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("password", [
    "s3cr3t?x-{id}",           # the driver takes ? inside credentials; the log line stopped at it
    "ab\\/cd-{id}",            # a backslash-escaped / is not the end of the host part either
    "p%40ss%3Aw%2Frd-{id}",    # percent-encoded @ : / (written encoded, as the driver wants)
])
def test_password_in_mongo_uri_never_reaches_the_log(ferret, make_server, password):
    password = password.format(id=uuid.uuid4().hex[:12])
    uri = (f"mongodb://app:{password}@{ferret.address}/{DATABASE}_uri?replicaSet=rs0"
           f"&authMechanism=PLAIN&authSource=%24external")
    srv = make_server({"MONGO_URI": uri})
    assert post_score(srv.url, "uri") == 200, srv.log()[-2000:]  # the password is really used
    assert srv.stop() == 0
    log = srv.log()
    assert "app:***@" in log, "the start-up line shows the redacted connection string"
    decoded = urllib.request.unquote(password)
    for form in {password, decoded, password.split("-")[0]}:
        assert form not in log, f"password {form!r} in the log:\n{log[-2000:]}"


def test_password_from_variables_never_reaches_the_log_even_when_login_fails(ferret,
                                                                            make_server):
    """The old app's variables build a SCRAM login, which FerretDB refuses: every failure
    the driver reports is logged, and none may quote the password."""
    password = f"p@ss:w/rd?#%-{uuid.uuid4().hex[:12]}"
    srv = make_server({"MONGO_SERVICE_HOST": "127.0.0.1", "MY_MONGO_PORT": str(ferret.port),
                       "MONGO_REPLICA_SET": "rs0", "MONGO_AUTH_USER": "app",
                       "MONGO_AUTH_PWD": password, "MONGO_TIMEOUT_MS": "500"})
    status, body = fetch(srv.url + "/highscores/list")
    assert status == 503 and json.loads(body)["error"]
    time.sleep(1.5)  # a few monitor rounds of failed logins
    assert srv.stop() == 0
    log = srv.log()
    assert "unreachable" in log or "authentic" in log.lower(), log[-2000:]
    encoded = urllib.request.quote(password, safe="")
    for form in (password, encoded, "w/rd?#%"):
        assert form not in log, f"password form {form!r} in the log:\n{log[-2000:]}"


@pytest.mark.parametrize("env,variable", [
    ({"MONGO_SERVICE_HOST": "bad host/x", "MONGO_AUTH_USER": "u"}, "MONGO_SERVICE_HOST"),
    ({"MONGO_AUTH_USER": "u", "MONGO_DATABASE": "a/b"}, "MONGO_DATABASE"),
    ({"MONGO_AUTH_USER": "u", "MONGO_AUTH_SOURCE": "admin&tls=false"}, "MONGO_AUTH_SOURCE"),
    ({"MONGO_URI": "mongodb://u:{pw}@h:notaport/db"}, "MONGO_URI"),
    ({"MONGO_URI": "mongodb://u:{pw}@h:99999/db?replicaSet=rs0"}, "MONGO_URI"),
])
def test_bad_configuration_names_the_variable_not_the_password(make_server, env, variable):
    password = f"PW-{uuid.uuid4().hex}"
    env = {k: v.format(pw=password) for k, v in env.items()}
    if "MONGO_URI" not in env:
        env["MONGO_AUTH_PWD"] = password
    srv = make_server(env, wait=False)
    result = srv.run_to_exit(timeout=15)
    output = (result.stdout + result.stderr).decode(errors="replace")
    assert result.returncode == 2, output
    assert variable in output, output
    assert password not in output, f"the password is in the start-up output:\n{output}"
