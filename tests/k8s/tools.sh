#!/usr/bin/env bash
# The pinned tools of the offline Kubernetes suites (test-k8s, test-backup), each installed once
# under build/ and again only when its pin moves:
#   kustomize, kustomize-kubectl (the one inside kubectl 1.27), kube-score: built with Go from
#     tools/NAME/go.mod into build/tools/NAME
#   mongosh: from npm, as tests/k8s/package-lock.json pins it (the members' image's version),
#     into build/k8s/npm
#   venv: the Python venv of tests/k8s/requirements.txt, build/k8s/venv
# Usage: tests/k8s/tools.sh TOOL...
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS=build/tools
log() { printf 'tools: %s\n' "$*" >&2; }

go_tool() { # go_tool NAME PACKAGE
    local name=$1 package=$2
    cmp -s "tools/$name/go.mod" "$TOOLS/$name.go.mod" 2>/dev/null && [ -x "$TOOLS/$name" ] && return 0
    command -v go >/dev/null || { log "Go is needed to build $name (tools/$name)"; exit 1; }
    log "building $name from tools/$name (once; cached in $TOOLS)"
    mkdir -p "$TOOLS"
    (cd "tools/$name" && go build -o "$OLDPWD/$TOOLS/$name" "$package")
    cp "tools/$name/go.mod" "$TOOLS/$name.go.mod"
}

mongosh() {
    cmp -s tests/k8s/package-lock.json build/k8s/npm/.installed 2>/dev/null && return 0
    log "mongosh from npm (tests/k8s/package-lock.json)"
    mkdir -p build/k8s/npm
    cp tests/k8s/package.json tests/k8s/package-lock.json build/k8s/npm/
    (cd build/k8s/npm && npm ci --no-audit --no-fund --loglevel=error)
    cp tests/k8s/package-lock.json build/k8s/npm/.installed
}

venv() {
    cmp -s tests/k8s/requirements.txt build/k8s/venv/.requirements 2>/dev/null && return 0
    log "python venv with tests/k8s/requirements.txt"
    python3 -m venv build/k8s/venv
    build/k8s/venv/bin/pip install -q --disable-pip-version-check -r tests/k8s/requirements.txt
    cp tests/k8s/requirements.txt build/k8s/venv/.requirements
}

for tool in "$@"; do
    case $tool in
        kustomize|kustomize-kubectl) go_tool "$tool" sigs.k8s.io/kustomize/kustomize/v5 ;;
        kube-score) go_tool kube-score github.com/zegl/kube-score/cmd/kube-score ;;
        mongosh) mongosh ;;
        venv) venv ;;
        *) log "no such tool: $tool"; exit 2 ;;
    esac
done
