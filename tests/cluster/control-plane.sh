#!/usr/bin/env bash
# A real Kubernetes control plane on 127.0.0.1, without a kubelet and without containers:
# etcd, kube-apiserver, kube-controller-manager and kube-scheduler (Kubernetes v1.34.2), and
# kwok playing the kubelet of one node: the node is Ready, pods are scheduled, become Running and
# Ready (no container is ever started: images, commands and probes are not run), and volume
# claims are provisioned and bound. It looks like minikube after step 1 of docs/kubernetes.md: one node
# with 4 CPUs (3.25 left for pods) and 4 GiB, the `csi-hostpath-sc` storage class of the
# csi-hostpath-driver addon, and the VolumeSnapshot resources of the volumesnapshots addon (no
# snapshot is ever taken).
#
# Usage: tests/cluster/control-plane.sh COMMAND
#   build   build the binaries once (Go modules pinned in tools/kubernetes, tools/etcd,
#           tools/kwok; tools/kube-snapshotter pins the snapshot CRDs) into $PACMAN_TOOLS_DIR
#           (default build/tools), one directory per version
#   start   build if needed, start everything, wait for the node to be Ready; prints the
#           kubeconfig's path on stdout (the only thing it prints there). Already running: says so
#           and prints the path again.
#   env     prints `export KUBECONFIG=...` and `export PATH=<kubectl's directory>:$PATH`
#           for `eval "$(tests/cluster/control-plane.sh env)"`
#   status  exit 0 when every process is running and the API server answers, 1 otherwise
#   stop    stop every process it started (by PID, TERM then KILL), keep the logs
#
# Environment:
#   PACMAN_TOOLS_DIR    where the binaries are built and found (default build/tools); point it
#                       at another worktree's build/tools to reuse its binaries
#   PACMAN_CLUSTER_DIR  the run directory: certificates, kubeconfig, etcd data, logs, PIDs
#                       (default build/cluster); one control plane per directory
#
# Exit status 77 (and a message on stderr) means the binaries are not built and the Go module
# proxy cannot be reached to build them: callers skip, saying so. Any other failure exits 1
# with the log of the process that failed.
#
# Every port is chosen free at start, so several control planes (worktrees) run side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS_DIR=$(realpath -m "${PACMAN_TOOLS_DIR:-build/tools}")
RUN_DIR=$(realpath -m "${PACMAN_CLUSTER_DIR:-build/cluster}")
SKIP=77

KUBE_VERSION=$(sed -n 's|^require k8s.io/kubernetes \(v[0-9.]*\)$|\1|p' tools/kubernetes/go.mod)
ETCD_VERSION=$(sed -n 's|^require go.etcd.io/etcd/server/v3 \(v[0-9.]*\)$|\1|p' tools/etcd/go.mod)
KWOK_VERSION=$(sed -n 's|^require sigs.k8s.io/kwok \(v[0-9.]*\)$|\1|p' tools/kwok/go.mod)
KUBE_BIN=$TOOLS_DIR/kubernetes-$KUBE_VERSION
ETCD_BIN=$TOOLS_DIR/etcd-$ETCD_VERSION
KWOK_BIN=$TOOLS_DIR/kwok-$KWOK_VERSION

NODE_NAME=node-0                          # kwok's node
NODE_ANNOTATION=kwok.x-k8s.io/node=fake   # the nodes kwok manages carry this annotation
STORAGE_CLASS=csi-hostpath-sc             # as minikube's csi-hostpath-driver addon names it

log() { printf 'control-plane: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ---- build ----

# The error text of a `go` command that could not reach the module proxy (or a direct origin).
unreachable() {
    grep -qE 'dial tcp|no such host|connection refused|i/o timeout|TLS handshake timeout|network is unreachable|proxyconnect|Temporary failure in name resolution' "$1"
}

# go_build MODULE_DIR OUT_DIR LDFLAGS OUTPUT PACKAGE... : builds into OUT_DIR once, keyed by
# the module's go.mod and go.sum (kept in OUT_DIR); a half-built directory never stays behind.
# OUTPUT is the binary's name for a single package, or empty for several (named by go).
go_build() {
    local module=$1 out=$2 ldflags=$3 output=$4
    shift 4
    if cmp -s "$module/go.mod" "$out/go.mod" && cmp -s "$module/go.sum" "$out/go.sum"; then
        return 0
    fi
    command -v go >/dev/null || die "Go is needed to build the control plane ($module); this machine kind ships it"
    local tmp="$out.building.$$" errors
    errors=$(mktemp)
    rm -rf "$tmp"
    mkdir -p "$tmp"
    log "building $(basename "$out") from $module (once; cached in $TOOLS_DIR)"
    local started=$SECONDS
    if ! (cd "$module" && go build -trimpath -ldflags="-s -w $ldflags" -o "$tmp/$output" "$@") 2>"$errors"; then
        cat "$errors" >&2
        rm -rf "$tmp"
        if unreachable "$errors"; then
            rm -f "$errors"
            log "the Go module proxy ($(go env GOPROXY)) cannot be reached, so $(basename "$out") cannot be built"
            exit $SKIP
        fi
        rm -f "$errors"
        die "building $(basename "$out") failed"
    fi
    rm -f "$errors"
    cp "$module/go.mod" "$module/go.sum" "$tmp/"
    rm -rf "$out"
    mv "$tmp" "$out"
    log "built $(basename "$out") in $((SECONDS - started)) s"
}

# module_dir TOOLS_MODULE PATH: where the Go module cache holds PATH at the version
# tools/TOOLS_MODULE pins (downloaded first if need be), for the files it ships.
module_dir() {
    local errors dir
    errors=$(mktemp)
    if ! dir=$(cd "tools/$1" && go mod download "$2" && go list -m -f '{{.Dir}}' "$2") 2>"$errors"; then
        cat "$errors" >&2
        if unreachable "$errors"; then
            rm -f "$errors"
            log "the Go module proxy ($(go env GOPROXY)) cannot be reached to fetch $2"
            exit $SKIP
        fi
        rm -f "$errors"
        die "could not find the module $2 (tools/$1)"
    fi
    rm -f "$errors"
    echo "$dir"
}

build() {
    mkdir -p "$TOOLS_DIR"
    # Two worktrees sharing PACMAN_TOOLS_DIR build one at a time; the second finds it built.
    exec 9>"$TOOLS_DIR/.control-plane-build.lock"
    flock 9
    # kubectl refuses a server whose version it cannot parse: both version packages get it.
    local minor=${KUBE_VERSION#v1.} ldflags="" pkg
    minor=${minor%%.*}
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
        ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    # One `go build` of all four: it keeps both cores busy (cold: ~7 min for the API server,
    # ~4 more for the rest).
    go_build tools/kubernetes "$KUBE_BIN" "$ldflags" "" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
        k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
    go_build tools/etcd "$ETCD_BIN" "" etcd go.etcd.io/etcd/server/v3
    go_build tools/kwok "$KWOK_BIN" "" kwok sigs.k8s.io/kwok/cmd/kwok
    exec 9>&-
}

# ---- processes, by PID ----

PIDS=$RUN_DIR/pids
LOGS=$RUN_DIR/logs
PKI=$RUN_DIR/pki
KUBECONFIG_FILE=$RUN_DIR/kubeconfig      # the administrator's (system:masters)
ORDER=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

# The PID in pids/NAME if that process is still the one we started (its command line names our
# binary): a PID reused by another program is never signalled.
pid_of() {
    local file=$PIDS/$1 pid
    [ -f "$file" ] || return 1
    pid=$(<"$file")
    [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "/$1 " || return 1
    echo "$pid"
}

# launch NAME BINARY ARG... : runs in its own session (a Ctrl-C meant for the caller does not
# reach it), output to logs/NAME.log, PID to pids/NAME.
launch() {
    local name=$1
    shift
    setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
    echo $! >"$PIDS/$name"
}

stop_all() {
    local name pid i
    for ((i = ${#ORDER[@]} - 1; i >= 0; i--)); do
        name=${ORDER[i]}
        if pid=$(pid_of "$name"); then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            if kill -0 "$pid" 2>/dev/null; then
                log "$name (pid $pid) ignored TERM for 5 s: KILL"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
        rm -f "$PIDS/$name"
    done
}

running() {
    local name
    for name in "${ORDER[@]}"; do pid_of "$name" >/dev/null || return 1; done
    "$KUBE_BIN/kubectl" --kubeconfig="$KUBECONFIG_FILE" get --raw /readyz >/dev/null 2>&1
}

# wait_for WHAT SECONDS LOG COMMAND... : polls COMMAND every 0.2 s; on timeout shows LOG's end.
wait_for() {
    local what=$1 seconds=$2 logfile=$3 deadline
    shift 3
    deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            log "$what: not ready after $seconds s; the end of $logfile:"
            tail -n 30 "$logfile" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
}

# ---- start ----

free_ports() {
    python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

make_pki() {
    mkdir -p "$PKI"
    (
        cd "$PKI"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=pacman-test-ca \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
            -keyout ca.key -out ca.crt
        openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver -keyout apiserver.key -out apiserver.csr
        printf '%s\n' 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc' \
            'extendedKeyUsage=serverAuth' 'keyUsage=critical,digitalSignature,keyEncipherment' >apiserver.ext
        openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
            -extfile apiserver.ext -out apiserver.crt
        # Service account tokens: the API server checks them with the public key, the
        # controller-manager signs the ones it mints with the private key.
        openssl genrsa -out sa.key 2048
        openssl rsa -in sa.key -pubout -out sa.pub
    ) >"$LOGS/pki.log" 2>&1 || { cat "$LOGS/pki.log" >&2; die "openssl failed"; }
}

# write_kubeconfig FILE USER TOKEN
write_kubeconfig() {
    cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: pacman-test
    cluster:
      server: https://127.0.0.1:$API_PORT
      certificate-authority: $PKI/ca.crt
users:
  - name: $2
    user:
      token: $3
contexts:
  - name: pacman-test
    context: {cluster: pacman-test, user: $2}
current-context: pacman-test
YAML
}

# kwok's stages, from its module (kustomize/stage/): nodes initialized and heartbeating through
# their Lease, pods made Ready (and Job pods completed, deleted pods removed), and claims of
# $STORAGE_CLASS provisioned, bound and, on release, deleted: kwok plays the CSI driver that the
# real controller-manager's volume binder waits for (the stages are written for a class named
# kwok-volume; here they match the addon's class instead).
write_kwok_config() {
    local stages
    stages=$(module_dir kwok sigs.k8s.io/kwok)/kustomize/stage
    local files=(node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
                 pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml
                 volume/fast/pvc-provision.yaml volume/fast/pv-bind.yaml volume/fast/pvc-delete.yaml
                 volume/fast/pv-delete.yaml)
    local f
    for f in "${files[@]}"; do
        [ -f "$stages/$f" ] || die "kwok's stage $stages/$f is missing"
        echo "---"
        sed "s/'kwok-volume'/'$STORAGE_CLASS'/" "$stages/$f"
    done >"$RUN_DIR/kwok.yaml"
}

cluster_objects() {
    cat <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $NODE_NAME
  annotations:
    ${NODE_ANNOTATION%%=*}: ${NODE_ANNOTATION#*=}
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: $NODE_NAME
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
spec: {}
status:
  # What \`minikube start --cpus=4 --memory=4g\` (docs/kubernetes.md, step 1) gives its node, less the
  # 750m CPU minikube's own pods request there (no such pods here). Ephemeral storage: the
  # kubelet reports its filesystem, minikube's default --disk-size=20000mb less what the file
  # system keeps (the manifests request some for every container: their logs).
  capacity: {cpu: "4", memory: 4Gi, pods: "110", ephemeral-storage: 17Gi}
  allocatable: {cpu: 3250m, memory: 4Gi, pods: "110", ephemeral-storage: 17Gi}
---
# As minikube's csi-hostpath-driver addon creates it (docs/kubernetes.md, step 2 makes it the default).
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $STORAGE_CLASS
provisioner: hostpath.csi.k8s.io
reclaimPolicy: Delete
volumeBindingMode: Immediate
YAML
}

snapshot_class() {
    cat <<YAML
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotClass
metadata:
  name: csi-hostpath-snapclass
driver: hostpath.csi.k8s.io
deletionPolicy: Delete
YAML
}

start() {
    mkdir -p "$RUN_DIR"
    if running; then
        log "already running in $RUN_DIR"
        echo "$KUBECONFIG_FILE"
        return 0
    fi
    build
    command -v openssl >/dev/null || die "openssl is needed (scripts/deps.sh cluster installs it)"
    stop_all   # whatever is left of an earlier run in this directory
    rm -rf "$RUN_DIR"
    mkdir -p "$PIDS" "$LOGS"
    trap 'stop_all' EXIT   # a start that fails leaves nothing running
    local started=$SECONDS

    read -r ETCD_PORT ETCD_PEER_PORT API_PORT KCM_PORT SCHED_PORT KWOK_PORT <<<"$(free_ports 6)"
    make_pki
    local name token tokens=()
    : >"$RUN_DIR/tokens.csv"
    chmod 600 "$RUN_DIR/tokens.csv"
    # token,user,uid,"groups": the administrator; the controller-manager and the scheduler as
    # the users the API server's default RBAC grants their work to; kwok, which writes node, pod
    # and volume objects the way a kubelet and a CSI driver would, as an administrator.
    for name in admin kube-controller-manager kube-scheduler kwok; do
        token=$(openssl rand -hex 24)
        tokens+=("$token")
        case $name in
            admin) echo "$token,admin,admin,\"system:masters\"" ;;
            kwok) echo "$token,kwok,kwok,\"system:masters\"" ;;
            *) echo "$token,system:$name,system:$name" ;;
        esac >>"$RUN_DIR/tokens.csv"
    done

    launch etcd "$ETCD_BIN/etcd" --name=pacman --data-dir="$RUN_DIR/etcd" \
        --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
        --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
        --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
        --initial-cluster="pacman=http://127.0.0.1:$ETCD_PEER_PORT" \
        --unsafe-no-fsync --log-level=warn
    wait_for etcd 30 "$LOGS/etcd.log" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

    # Admission: the defaults (Pod Security among them) plus NodeRestriction, as kubeadm and
    # minikube run it. --allow-privileged: a privileged pod is then refused by Pod Security in
    # namespaces that enforce it, not by this flag everywhere.
    launch kube-apiserver "$KUBE_BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
        --bind-address=127.0.0.1 --secure-port="$API_PORT" \
        --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
        --client-ca-file="$PKI/ca.crt" --token-auth-file="$RUN_DIR/tokens.csv" --authorization-mode=Node,RBAC \
        --service-account-issuer=https://kubernetes.default.svc.cluster.local \
        --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
        --service-cluster-ip-range=10.96.0.0/16 --allow-privileged=true \
        --enable-admission-plugins=NodeRestriction --profiling=false
    write_kubeconfig "$KUBECONFIG_FILE" admin "${tokens[0]}"
    write_kubeconfig "$RUN_DIR/kube-controller-manager.kubeconfig" system:kube-controller-manager "${tokens[1]}"
    write_kubeconfig "$RUN_DIR/kube-scheduler.kubeconfig" system:kube-scheduler "${tokens[2]}"
    write_kubeconfig "$RUN_DIR/kwok.kubeconfig" kwok "${tokens[3]}"
    chmod 600 "$RUN_DIR"/*kubeconfig
    local kubectl=("$KUBE_BIN/kubectl" --kubeconfig="$KUBECONFIG_FILE")
    wait_for kube-apiserver 60 "$LOGS/kube-apiserver.log" "${kubectl[@]}" get --raw /readyz

    local kcm=$RUN_DIR/kube-controller-manager.kubeconfig
    launch kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
        --kubeconfig="$kcm" --authentication-kubeconfig="$kcm" --authorization-kubeconfig="$kcm" \
        --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --cert-dir="$RUN_DIR/kcm-certs" \
        --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
        --use-service-account-credentials=true --leader-elect=false --profiling=false
    local sched=$RUN_DIR/kube-scheduler.kubeconfig
    launch kube-scheduler "$KUBE_BIN/kube-scheduler" \
        --kubeconfig="$sched" --authentication-kubeconfig="$sched" --authorization-kubeconfig="$sched" \
        --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --cert-dir="$RUN_DIR/scheduler-certs" \
        --leader-elect=false --profiling=false
    write_kwok_config
    # kwok also reads ~/.kwok/kwok.yaml: not this user's. Its node renews a Lease like a kubelet
    # (40 s, the kubelet's default); without one, the controller-manager marks the node NotReady
    # after its grace period, and every pod on it unready, until kwok sets it Ready again.
    mkdir -p "$RUN_DIR/kwok-home"
    launch kwok env HOME="$RUN_DIR/kwok-home" "$KWOK_BIN/kwok" \
        --kubeconfig="$RUN_DIR/kwok.kubeconfig" --config="$RUN_DIR/kwok.yaml" \
        --manage-nodes-with-annotation-selector="$NODE_ANNOTATION" \
        --node-lease-duration-seconds=40 --server-address="127.0.0.1:$KWOK_PORT"
    wait_for kube-controller-manager 60 "$LOGS/kube-controller-manager.log" curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
    wait_for kube-scheduler 60 "$LOGS/kube-scheduler.log" curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz"

    cluster_objects | "${kubectl[@]}" apply -f - >"$LOGS/cluster-objects.log" 2>&1 ||
        { cat "$LOGS/cluster-objects.log" >&2; die "could not create the node and the storage class"; }
    # The volumesnapshots addon's resources: its CRDs (from the pinned module) and the class the
    # csi-hostpath-driver addon adds. No snapshot controller runs: a VolumeSnapshot is stored
    # and checked against the CRD's schema, never taken.
    local crds
    crds=$(module_dir kube-snapshotter github.com/kubernetes-csi/external-snapshotter/client/v8)/config/crd
    "${kubectl[@]}" apply -f "$crds/snapshot.storage.k8s.io_volumesnapshotclasses.yaml" \
        -f "$crds/snapshot.storage.k8s.io_volumesnapshotcontents.yaml" \
        -f "$crds/snapshot.storage.k8s.io_volumesnapshots.yaml" >>"$LOGS/cluster-objects.log" 2>&1 &&
        "${kubectl[@]}" wait --for=condition=Established --timeout=30s \
            crd/volumesnapshotclasses.snapshot.storage.k8s.io crd/volumesnapshots.snapshot.storage.k8s.io \
            crd/volumesnapshotcontents.snapshot.storage.k8s.io >>"$LOGS/cluster-objects.log" 2>&1 &&
        snapshot_class | "${kubectl[@]}" apply -f - >>"$LOGS/cluster-objects.log" 2>&1 ||
        { cat "$LOGS/cluster-objects.log" >&2; die "could not create the volume snapshot resources"; }
    wait_for "node $NODE_NAME Ready" 60 "$LOGS/kwok.log" \
        "${kubectl[@]}" wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
    # Pods need their namespace's default ServiceAccount, which the controller-manager makes.
    wait_for "service account default/default" 60 "$LOGS/kube-controller-manager.log" \
        "${kubectl[@]}" get serviceaccount default -n default

    printf '%s\n' "ports: etcd $ETCD_PORT, peer $ETCD_PEER_PORT, kube-apiserver $API_PORT," \
        "kube-controller-manager $KCM_PORT, kube-scheduler $SCHED_PORT, kwok $KWOK_PORT" >"$RUN_DIR/ports"
    trap - EXIT
    log "running in $RUN_DIR (node $NODE_NAME Ready after $((SECONDS - started)) s); API server https://127.0.0.1:$API_PORT"
    echo "$KUBECONFIG_FILE"
}

case "${1:-}" in
    build) build ;;
    start) start ;;
    stop) stop_all; log "stopped (logs in $LOGS)" ;;
    status) running ;;
    env)
        printf 'export KUBECONFIG=%q\n' "$KUBECONFIG_FILE"
        printf 'export PATH=%q:"$PATH"\n' "$KUBE_BIN"
        ;;
    *) sed -n '11,33p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
