"""kubectl against the test control plane (tests/cluster/control-plane.sh), and what the tests
ask of it: objects, their generations, workloads settled, a snapshot of everything there is."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTROL_PLANE = ROOT / "tests" / "cluster" / "control-plane.sh"
NAMESPACE = "pacman"
PART_OF = "app.kubernetes.io/part-of=pacman"
# Kinds whose objects come and go on their own (controllers, heartbeats): a snapshot of what
# exists leaves them out.
CHURNING = {"events", "events.events.k8s.io", "leases.coordination.k8s.io",
            "endpoints", "endpointslices.discovery.k8s.io"}


class Timeout(AssertionError):
    pass


@dataclass
class Cluster:
    kubeconfig: Path
    bin_dir: Path
    home: Path
    transcript: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict:
        env = dict(os.environ)
        env.update(KUBECONFIG=str(self.kubeconfig), PATH=f"{self.bin_dir}:{env['PATH']}",
                   HOME=str(self.home))  # kubectl's cache under ~/.kube: not the user's
        return env

    def log(self, text: str) -> None:
        self.transcript.append(text)
        print(text, flush=True)

    # ---- commands ----

    def shell(self, text: str, timeout: float = 180, stdin: str | None = None) -> subprocess.CompletedProcess:
        """A command line as a user types it (bash, pipefail), from the repository's root."""
        return subprocess.run(["bash", "-o", "pipefail", "-c", text], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout, input=stdin)

    def watch(self, text: str, seconds: float = 3) -> tuple[int | None, str, str]:
        """Runs a watching command for `seconds`, then interrupts it as Ctrl-C would. Returns
        (its exit status if it ended by itself before that, else None; stdout; stderr)."""
        proc = subprocess.Popen(["bash", "-o", "pipefail", "-c", text], cwd=ROOT, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=seconds)
            return proc.returncode, out, err
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                out, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
            return None, out, err

    def kubectl(self, *args: str, check: bool = True, stdin: str | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(["kubectl", *args], env=self.env, capture_output=True, text=True,
                                input=stdin, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    def get(self, *args: str) -> dict:
        """`kubectl get ... -o json`, parsed."""
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def items(self, *args: str) -> list[dict]:
        """The objects `kubectl get` returns (one object named alone comes back as itself)."""
        got = self.get(*args)
        return got.get("items", []) if got.get("kind", "").endswith("List") else [got]

    def exists(self, *args: str) -> bool:
        return self.kubectl("get", *args, "--ignore-not-found", "-o", "name", check=False).stdout.strip() != ""

    # ---- waiting ----

    def wait_until(self, what: str, predicate, timeout: float = 90, interval: float = 0.5):
        """Polls predicate() until it returns something true; returns that."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                last = predicate()
            except AssertionError as e:  # a kubectl call that failed: report it on timeout
                last = None
                error = e
            else:
                error = None
            if last:
                return last
            if time.monotonic() > deadline:
                raise Timeout(f"{what}: not after {timeout:.0f} s" + (f" ({error})" if error else ""))
            time.sleep(interval)

    def workloads_settled(self) -> bool:
        """Every Deployment and StatefulSet in the namespace has caught up with its spec: all
        replicas updated, ready and available, and no pod of it is still terminating."""
        for kind in ("deployments", "statefulsets"):
            for w in self.items(kind, "-n", NAMESPACE):
                spec, status = w["spec"], w.get("status", {})
                want = spec.get("replicas", 1)
                if status.get("observedGeneration") != w["metadata"]["generation"]:
                    return False
                if (status.get("updatedReplicas", 0), status.get("readyReplicas", 0),
                        status.get("replicas", 0)) != (want, want, want):
                    return False
                if kind == "deployments" and status.get("availableReplicas", 0) != want:
                    return False
        return True

    def wait_settled(self, timeout: float = 120) -> None:
        self.wait_until("the Deployment and the StatefulSet ready", self.workloads_settled, timeout)

    def remove_the_game(self) -> None:
        """Whatever a test left of the game (a failed one stops half-way): namespace, cluster-wide
        objects labelled part of pacman, volumes. The next test starts from an empty cluster."""
        self.kubectl("delete", "namespace", NAMESPACE, "--ignore-not-found", "--wait=true", timeout=180)
        self.kubectl("delete", "clusterrole,clusterrolebinding", "-l", PART_OF, "--ignore-not-found")
        self.wait_until("no PersistentVolume left", lambda: not self.items("pv"), timeout=90)

    # ---- what exists ----

    def listable_kinds(self) -> list[str]:
        out = self.kubectl("api-resources", "--verbs=list", "-o", "name").stdout.split()
        return sorted(out)

    def ours(self) -> list[dict]:
        """Every object labelled part of pacman, in any namespace or cluster-wide."""
        kinds = ",".join(k for k in self.listable_kinds() if k not in CHURNING)
        return self.items(kinds, "-A", "-l", PART_OF)

    def everything(self) -> set[str]:
        """kind/namespace/name of every object there is, except those that churn by themselves."""
        kinds = [k for k in self.listable_kinds() if k not in CHURNING]
        names = set()
        for obj in self.items(",".join(kinds), "-A"):
            meta = obj["metadata"]
            names.add(f"{obj['kind']}/{meta.get('namespace', '')}/{meta['name']}")
        return names


class ReplicaWatch:
    """Every value the web Deployment's spec.replicas takes, from a watch on the API server."""

    def __init__(self, cluster: Cluster):
        self.values: list[int] = []
        self.proc = subprocess.Popen(
            ["kubectl", "get", "deployment", "pacman", "-n", NAMESPACE, "--watch", "--output-watch-events",
             "-o", "json"], env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()
        cluster.wait_until("the replica watch's first event", lambda: self.values, timeout=20, interval=0.1)

    def read(self):
        decoder, buffer = json.JSONDecoder(), ""
        for line in self.proc.stdout:
            buffer += line
            try:
                event, end = decoder.raw_decode(buffer.lstrip())
            except ValueError:
                continue
            buffer = buffer.lstrip()[end:]
            self.values.append(event["object"]["spec"]["replicas"])

    def stop(self) -> list[int]:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.thread.join(timeout=10)
        return self.values



def key(obj: dict) -> str:
    meta = obj["metadata"]
    return f"{obj['kind']}/{meta.get('namespace', '-')}/{meta['name']}"


def generations(objects: list[dict]) -> dict[str, str]:
    """What a change would move, per object: its metadata.generation (bumped by every change of
    its spec) where it has one; else (ConfigMaps, Secrets, RBAC, Services, autoscalers) a hash of
    the object without its status and the metadata the server keeps moving."""
    out = {}
    for obj in objects:
        meta = obj["metadata"]
        if "generation" in meta:
            out[key(obj)] = f"generation {meta['generation']}"
            continue
        content = {k: v for k, v in obj.items() if k != "status"}
        content["metadata"] = {k: v for k, v in meta.items()
                               if k not in ("resourceVersion", "managedFields", "uid", "creationTimestamp")}
        digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:12]
        out[key(obj)] = f"content {digest}"
    return out
