"""What the members' probes and the bootstrap cost, measured here with the pinned mongosh
against FerretDB, the manifests' choices next to the mongosh probes they replaced, in the same
run. Prints a table (and writes build/k8s/probe-cost.json); fails if the manifests' probes cost
more than a tenth of the mongosh ones per member.

Exec probes run inside the container, so what they cost counts against the container's CPU:
the old probes (mongosh every 10 s for readiness and every 20 s for liveness) used more than
mongod's own 100m request on a 2-core machine. The container runtime's own cost per exec
(runc) is not measured here and comes on top of every exec probe, old or new; tcpSocket probes
are made by the kubelet and cost the container nothing.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import harness
import manifests
from test_mongosh import MONGOSH, SCRIPTS, AuthFerretDB, Member

# The probes the manifests ran before (what the issue measured): mongosh for everything.
MONGOSH_LIVENESS = ["--quiet", "--norc", "--eval", "db.adminCommand('ping')"]
MONGOSH_READINESS = ["--quiet", "--norc", "--eval",
                     "const h = db.hello(); if (!h.setName || !(h.isWritablePrimary || h.secondary)) quit(1)"]
MONGOSH_PERIODS = {"readiness": 10, "liveness": 20}

MEASURE = """
import json, resource, subprocess, sys
command, runs, env = json.loads(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
for _ in range(runs):
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, cwd="/")
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"cpu_s": (usage.ru_utime + usage.ru_stime) / runs, "peak_mb": usage.ru_maxrss / 1024}))
"""


def cost(command: list[str], runs: int, env: dict | None = None) -> dict:
    """CPU-seconds per run and peak resident memory of `command`, in a process of its own."""
    env = env or {**os.environ, "HOME": tempfile.gettempdir()}
    result = subprocess.run([sys.executable, "-c", MEASURE, json.dumps(command), str(runs), json.dumps(env)],
                            capture_output=True, text=True, check=True, timeout=600)
    return json.loads(result.stdout)


def test_probes_cost_a_tenth_of_mongosh_or_less(capsys):
    sts = manifests.find(manifests.render(manifests.K8S), *manifests.MONGO)[0]
    mongod = sts["spec"]["template"]["spec"]["containers"][0]
    boot = manifests.container_named(sts, manifests.BOOTSTRAP_CONTAINER)
    ready_cmd = mongod["readinessProbe"]["exec"]["command"]
    boot_ready_cmd = boot["readinessProbe"]["exec"]["command"]
    periods = {"readiness": mongod["readinessProbe"]["periodSeconds"],
               "bootstrap readiness": boot["readinessProbe"]["periodSeconds"]}
    assert "tcpSocket" in mongod["livenessProbe"] and "tcpSocket" in mongod["startupProbe"]

    db = AuthFerretDB()
    member = Member(db.port)
    try:
        assert member.bootstrap_pass()[0] == 0  # the user exists: passes from now on are the steady ones
        figures = {
            "mongosh readiness": cost([MONGOSH, "--port", str(db.port), *MONGOSH_READINESS], 3),
            "mongosh liveness": cost([MONGOSH, "--port", str(db.port), *MONGOSH_LIVENESS], 3),
            "member-ready.sh": cost(["bash", str(SCRIPTS / "member-ready.sh"), ready_cmd[-1], str(db.port)], 30),
            "test -e (bootstrap readiness)": cost([boot_ready_cmd[0], "-e", "/"], 30),
            "bootstrap pass": cost([MONGOSH, "--nodb", "--quiet", "--norc", str(SCRIPTS / "rs-bootstrap.js")], 3,
                                   env=member.env),
        }
    finally:
        member.remove()
        db.cleanup()

    before = (figures["mongosh readiness"]["cpu_s"] / MONGOSH_PERIODS["readiness"]
              + figures["mongosh liveness"]["cpu_s"] / MONGOSH_PERIODS["liveness"])
    probes_now = (figures["member-ready.sh"]["cpu_s"] / periods["readiness"]
                  + figures["test -e (bootstrap readiness)"]["cpu_s"] / periods["bootstrap readiness"])
    check = int(re.search(r"check=\$\{CHECK_SECONDS:-(\d+)\}", (SCRIPTS / "bootstrap.sh").read_text())[1])
    bootstrap_now = figures["bootstrap pass"]["cpu_s"] / check
    report = {"figures": figures, "periods_s": {**periods, "mongosh readiness": 10, "mongosh liveness": 20,
                                               "bootstrap pass when done": check},
              "millicpu_per_member": {"mongosh probes (before)": round(before * 1000, 1),
                                      "probes now": round(probes_now * 1000, 2),
                                      "bootstrap passes now": round(bootstrap_now * 1000, 1)}}
    (harness.BUILD / "k8s").mkdir(parents=True, exist_ok=True)
    (harness.BUILD / "k8s" / "probe-cost.json").write_text(json.dumps(report, indent=2))
    with capsys.disabled():
        print(f"\nprobe and bootstrap cost, pinned mongosh against FerretDB (load {os.getloadavg()[0]:.1f}):")
        for name, f in figures.items():
            print(f"  {name:32s} {f['cpu_s'] * 1000:8.1f} ms CPU a run   peak {f['peak_mb']:6.1f} MB")
        print(f"  per member: mongosh probes (before) {before * 1000:.1f}m CPU;"
              f" probes now {probes_now * 1000:.2f}m; bootstrap passes now {bootstrap_now * 1000:.1f}m"
              f" (a pass every {check} s once done); probes {before / probes_now:.0f}x cheaper")
    assert probes_now * 10 <= before, report
