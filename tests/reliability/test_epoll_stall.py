"""The server keeps answering under a flood of keep-alive connections in its default epoll mode.

libmicrohttpd 0.9.75's own epoll threads could go to sleep holding exactly 128 ready
connections unprocessed, until a new connection or the 15 s connection timeout woke them
(server/http.c, http_loop_round). wrk makes every connection of a saturated thread ready at
once: one thread with 128 or 256 connections stalled in the first burst, the default two
threads with 256 in about one burst of 40. Each burst is watched from the kernel's side
(tests/reliability/stall.py): a request that waits unread in a socket's receive queue for more
than 2 s fails the test. The watch sends nothing, since any request would wake the thread.

Bounded: 20 bursts of 3 s, about 1.5 minutes in all."""

import pytest

from reliability.stall import UnreadWatch, wrk

BURST_SECONDS = 3
LONGEST_WAIT_MS = 2000


@pytest.mark.parametrize("threads,connections,bursts", [
    (1, 128, 5),     # all of one thread's connections fill one epoll_wait: stalled at once
    (1, 256, 5),     # two full rounds of 128
    (None, 256, 10),  # the defaults of the report (HTTP_THREADS: the CPU count)
], ids=["1-thread-128", "1-thread-256", "default-threads-256"])
def test_every_burst_is_answered_without_a_request_left_unread(make_ferret, make_server, threads,
                                                               connections, bursts):
    env = {"HTTP_MODE": "epoll"}
    if threads:
        env["HTTP_THREADS"] = str(threads)
    server = make_server(make_ferret(), env)
    url = server.url + "/js/rules/game.js"
    for burst in range(bursts):
        with UnreadWatch(server.port) as watch:
            result = wrk(url, connections, BURST_SECONDS)
        assert watch.samples >= BURST_SECONDS * 3, "the watch did not keep up"
        assert result["requests"] > connections and result["errors"] == 0, (
            f"burst {burst}: {result['output']}")
        assert watch.worst <= LONGEST_WAIT_MS, (
            f"burst {burst}: {watch.worst_count} connections left a request unread for "
            f"{watch.worst} ms ({result['requests']} requests answered)")
    assert server.healthy()
