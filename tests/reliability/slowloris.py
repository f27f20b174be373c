"""A slowloris client, run as its own process so the test that times real players is not
slowed by it: opens N connections to 127.0.0.1:PORT and keeps each one in the middle of a
request's headers (or fully idle), sending one more header byte every DRIP seconds.

Usage: python slowloris.py PORT COUNT MODE DRIP SECONDS
  MODE drip  every connection sends a request line, then one header byte per DRIP seconds
  MODE idle  every connection connects and sends nothing
  MODE body  every connection sends full headers announcing a 10 KiB body, then one body
             byte per DRIP seconds
Prints one JSON line per second: {"t": seconds, "open": connections still open,
"closed": closed by the server so far, "refused": connects that failed}, and a final one."""

import json
import selectors
import socket
import sys
import time


def main():
    port, count, mode, drip, seconds = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                        float(sys.argv[4]), float(sys.argv[5]))
    selector = selectors.DefaultSelector()
    open_socks = {}
    refused = closed = 0
    started = time.monotonic()
    for i in range(count):
        sock = socket.socket()
        sock.setblocking(True)
        sock.settimeout(5)
        try:
            sock.connect(("127.0.0.1", port))
        except OSError:
            refused += 1
            sock.close()
            continue
        sock.setblocking(False)
        try:
            if mode == "drip":
                sock.send(b"GET /slow-%d HTTP/1.1\r\nHost: 127.0.0.1\r\n" % i)
            elif mode == "body":
                sock.send(b"POST /highscores HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\n"
                          b"Content-Length: 10240\r\n\r\nname=")
        except OSError:
            closed += 1
            sock.close()
            continue
        open_socks[sock.fileno()] = sock
        selector.register(sock, selectors.EVENT_READ)
    next_drip = time.monotonic() + drip
    next_report = time.monotonic() + 1
    while time.monotonic() - started < seconds:
        for key, _ in selector.select(timeout=0.2):
            sock = key.fileobj
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:  # the server closed it (or answered and closed)
                selector.unregister(sock)
                open_socks.pop(sock.fileno(), None)
                sock.close()
                closed += 1
        now = time.monotonic()
        if mode != "idle" and now >= next_drip:
            next_drip = now + drip
            for sock in list(open_socks.values()):
                try:
                    sock.send(b"X" if mode == "drip" else b"a")
                except OSError:
                    pass
        if now >= next_report:
            next_report = now + 1
            print(json.dumps({"t": round(now - started, 1), "open": len(open_socks),
                              "closed": closed, "refused": refused}), flush=True)
    print(json.dumps({"t": round(time.monotonic() - started, 1), "open": len(open_socks),
                      "closed": closed, "refused": refused, "final": True}), flush=True)
    for sock in open_socks.values():
        sock.close()


if __name__ == "__main__":
    main()
