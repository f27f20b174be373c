"""SECURITY.md H3: libmicrohttpd 0.9.75 splits a request at a header line it cannot parse, and
no check of ours can see it. Behind nginx (what ingress-nginx runs) nothing of the kind
reaches the server: nginx answers 400 itself. This proves the mitigation the document
relies on, for every framing case of the catalogue."""

import pytest

from catalogue import HEADERS, MHD_SPLITS
from demo.stack import Nginx
from hostile_support import exchange

FRAMING = [c for c in HEADERS if c.defect == MHD_SPLITS or "smuggling" in c.id]


@pytest.fixture(scope="module")
def proxy(server, tmp_path_factory):
    nginx = Nginx(tmp_path_factory.mktemp("nginx")).start([server.port])
    yield nginx
    nginx.stop()


@pytest.mark.parametrize("case", FRAMING, ids=[c.id for c in FRAMING])
def test_nginx_refuses_what_the_server_could_misframe(proxy, case):
    responses, _ = exchange(proxy.port, case.request)
    assert [r["status"] for r in responses] == [400], [r["status"] for r in responses]
    access = (proxy.dir / "logs" / "access.log").read_text().splitlines()
    assert access[-1].split()[4] == "-", f"nginx passed it on to the server: {access[-1]}"
