"""SIGTERM under load, with the proxy taking a replica out when its /readyz turns 503 (what
the kubelet's readiness probe and the endpoints controller do): a rolling restart of every
replica behind nginx fails no client request."""

import time

import pytest

from demo.stack import ReadinessProber, acknowledged_scores, check_acknowledged

DRAIN = 2     # SHUTDOWN_DRAIN_SECONDS: longer than the prober's period plus an nginx reload
PERIOD = 0.25  # the prober's period (the manifests' readinessProbe is slower; see below)


@pytest.mark.slow
def test_rolling_restart_behind_nginx_fails_no_request(make_ferret, make_tier, make_load):
    ferret = make_ferret()
    tier = make_tier(ferret, 3, env={"SHUTDOWN_DRAIN_SECONDS": str(DRAIN),
                                     "SHUTDOWN_GRACE_SECONDS": "10"})
    prober = ReadinessProber(tier, period=PERIOD)
    prober.start()
    load = make_load(tier.nginx.url, players=8)
    try:
        time.sleep(3)
        timings = []
        for old in list(tier.replicas):
            tier.add(1)  # the new pod is ready and in the endpoints first (maxUnavailable 0)
            server = tier.replicas[old]
            sent = time.monotonic()
            server.signal(15)  # SIGTERM
            status = server.wait_exit(DRAIN + 10 + 5)
            assert status == 0, f"{old} exited {status}:\n{server.log()[-2000:]}"
            assert old in prober.taken_out, f"{old} was never taken out of nginx"
            timings.append((round(prober.taken_out[old] - sent, 2),
                            round(time.monotonic() - sent, 2)))
            time.sleep(1)
        time.sleep(2)
    finally:
        records = load.stop()
        prober.stop()

    print(f"\n(taken out of nginx, exited) seconds after SIGTERM, per replica: {timings}")
    failed = [r for r in records if r["s"] != 200]
    assert not failed, f"{len(failed)} of {len(records)} requests failed: {failed[:5]}"
    assert len(records) > 300
    for taken_out, _ in timings:
        assert taken_out < DRAIN, "a replica stayed in nginx past its drain delay"

    acknowledged = acknowledged_scores(records)
    assert not check_acknowledged(ferret, "pacman", acknowledged)
