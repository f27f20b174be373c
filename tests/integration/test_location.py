"""GET /location/metadata: the node's cloud and zone read from the Kubernetes API.

There is no cluster here, so a small HTTPS server with a throwaway CA plays the API server: it
answers GET /api/v1/nodes/<name> only with the right bearer token, the way the real one does
for a service account bound to the ClusterRole. The server under test reads the token and CA
from SERVICEACCOUNT_DIR, as it reads them from the pod's mounted service account.
"""

import json
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import free_port, wait_for
from support import Api

TOKEN = "test-token-" + "x" * 40
NODE = "gke-pool-1-abcd"
NODE_OBJECT = {
    "kind": "Node", "apiVersion": "v1",
    "metadata": {"name": NODE, "labels": {"topology.kubernetes.io/zone": "europe-west1-b",
                                          "failure-domain.beta.kubernetes.io/zone": "old-label"}},
    "spec": {"providerID": f"gce://demo-project/europe-west1-b/{NODE}"},
}


def make_ca(directory, names="IP:127.0.0.1"):
    """A self-signed certificate for names (127.0.0.1) and its key; the certificate is the CA."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", f"subjectAltName={names}",
                    "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")],
                   check=True, capture_output=True)
    return directory / "cert.pem", directory / "key.pem"


class FakeApiServer:
    def __init__(self, cert, key, node=NODE_OBJECT):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append((self.path, self.headers.get("Authorization")))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self.send_response(401)
                    self.end_headers()
                    return
                if self.path != f"/api/v1/nodes/{NODE}":
                    self.send_response(404)
                    self.end_headers()
                    return
                body = json.dumps(node).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def account(tmp_path):
    """A service-account directory (token, ca.crt) and the CA's key pair."""
    cert, key = make_ca(tmp_path)
    directory = tmp_path / "serviceaccount"
    directory.mkdir()
    (directory / "token").write_text(TOKEN + "\n")
    (directory / "ca.crt").write_bytes(cert.read_bytes())
    return {"dir": directory, "cert": cert, "key": key}


def pod_env(account, port, node=NODE):
    return {"MY_NODE_NAME": node, "KUBERNETES_SERVICE_HOST": "127.0.0.1",
            "KUBERNETES_SERVICE_PORT": str(port), "SERVICEACCOUNT_DIR": str(account["dir"])}


def metadata(api):
    response = api.get("/location/metadata")
    assert response.status_code == 200
    return response.json()


def test_outside_a_pod_everything_but_the_host_is_unknown(api):
    body = metadata(api)
    assert body == {"cloud": "unknown", "zone": "unknown", "host": socket.gethostname()}


def test_cloud_and_zone_come_from_the_node(make_server, account):
    fake = FakeApiServer(account["cert"], account["key"])
    try:
        server = make_server(pod_env(account, fake.port))
        api = Api(server.url)
        body = wait_for(lambda: (b := metadata(api))["cloud"] != "unknown" and b, 15,
                        "the background node lookup")
        assert body == {"cloud": "gce", "zone": "europe-west1-b", "host": socket.gethostname()}
        assert fake.requests == [(f"/api/v1/nodes/{NODE}", f"Bearer {TOKEN}")], \
            "looked up once, with the service account's token"
    finally:
        fake.close()


def test_an_untrusted_certificate_is_refused(make_server, account, tmp_path):
    """A server whose certificate the pod's CA did not sign never gets the token."""
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other_cert, other_key = make_ca(other_dir)
    fake = FakeApiServer(other_cert, other_key)
    try:
        server = make_server(pod_env(account, fake.port))
        api = Api(server.url)
        time.sleep(1.5)  # the first attempt is made at start-up
        assert metadata(api)["cloud"] == "unknown"
        assert fake.requests == [], "the token was sent over an unverified connection"
        assert "node lookup failed" in server.log()
    finally:
        fake.close()


def test_a_certificate_for_another_address_is_refused(make_server, tmp_path):
    """Signed by the pod's CA, but for 127.0.0.2 and a DNS name: not the API server asked for."""
    cert, key = make_ca(tmp_path, "IP:127.0.0.2,DNS:kubernetes.default.svc")
    directory = tmp_path / "serviceaccount"
    directory.mkdir()
    (directory / "token").write_text(TOKEN + "\n")
    (directory / "ca.crt").write_bytes(cert.read_bytes())
    fake = FakeApiServer(cert, key)
    try:
        server = make_server(pod_env({"dir": directory}, fake.port))
        wait_for(lambda: "node lookup failed" in server.log(), 10, "the lookup's failure")
        assert "certificate" in server.log()
        assert fake.requests == [], "the token was sent to a server that is not the one asked for"
        assert metadata(Api(server.url))["cloud"] == "unknown"
    finally:
        fake.close()


def test_a_large_node_object_is_read_whole(make_server, account):
    """Real nodes list their images: hundreds of KiB, read in many TLS records."""
    node = json.loads(json.dumps(NODE_OBJECT))
    node["status"] = {"images": [{"names": [f"registry.example/image-{i}:{'v' * 40}"],
                                  "sizeBytes": i} for i in range(4000)]}
    assert len(json.dumps(node)) > 300_000
    fake = FakeApiServer(account["cert"], account["key"], node=node)
    try:
        server = make_server(pod_env(account, fake.port))
        body = wait_for(lambda: (b := metadata(Api(server.url)))["cloud"] != "unknown" and b, 15,
                        "the background node lookup")
        assert body["zone"] == "europe-west1-b"
    finally:
        fake.close()


def test_an_unreachable_api_server_never_slows_the_route(make_server, account):
    server = make_server(pod_env(account, free_port()))  # nothing listens there
    api = Api(server.url)
    for _ in range(20):
        started = time.monotonic()
        assert metadata(api)["zone"] == "unknown"
        assert time.monotonic() - started < 0.5


def test_a_forbidden_node_read_is_reported_and_not_retried(make_server, account):
    fake = FakeApiServer(account["cert"], account["key"])
    try:
        server = make_server(pod_env(account, fake.port, node="not-my-node"))
        api = Api(server.url)
        wait_for(lambda: "answered 404" in server.log(), 10, "the lookup's failure in the log")
        time.sleep(1.5)
        assert len(fake.requests) == 1, "a 404 or 403 will not change: asked once"
        assert metadata(api)["cloud"] == "unknown"
        assert TOKEN not in server.log()
    finally:
        fake.close()
