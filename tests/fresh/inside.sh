#!/usr/bin/env bash
# Runs inside the fresh-machine container (tests/fresh/run.sh): clones the project, runs the
# README's first command, `make run`, as a newcomer would, and checks what it promises: the page
# is served, a score goes in and comes back, and Ctrl-C stops everything it started.
set -euo pipefail
say() { printf 'fresh: %s\n' "$*"; }
fail() { printf 'fresh: FAILED: %s\n' "$*"; [ -f "$LOG" ] && { echo '--- last lines of make run:'; tail -40 "$LOG"; }; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }

LOG=/root/make-run.log
# The machine kind's own set-up, not a project step: its custom CA certificates in the system
# store, and npm on the PATH next to the mounted node.
update-ca-certificates >/dev/null 2>&1
[ -n "${FRESH_NPM_LINK:-}" ] && ln -sf "$FRESH_NPM_TARGET" "$FRESH_NPM_LINK"

t0=$(now)
git clone -q /fresh/src.git /root/pacman
cd /root/pacman
[ ! -e build ] && [ ! -e var ] || fail "the clone has build/ or var/ already"

# A machine without a prerequisite (run.sh leaves out Go or Node): the command must stop at
# once, before installing anything, with one line that says what is missing and where to get
# it, and no stack trace from the linker, npm or make's recipes.
if [ "${1:-run}" = missing ]; then
    command=$2 want=$3
    before=$(dpkg-query -W | wc -l)
    status=0
    timeout 120 make $command > "$LOG" 2>&1 || status=$?
    [ "$status" -ne 0 ] || fail "make $command succeeded without $want"
    grep -q "^deps: $want .* is needed" "$LOG" || fail "make $command did not say that $want is needed"
    ! grep -qiE 'npm ERR|undefined reference|gyp|Traceback|panic:' "$LOG" || fail "make $command showed a stack trace"
    [ "$(dpkg-query -W | wc -l)" -eq "$before" ] || fail "make $command installed packages before stopping"
    say "✔ without $want, make $command stops at once: $(grep "^deps:" "$LOG" | cut -c1-110)…"
    exit 0
fi
say "cloned $(git log -1 --format='%h %s' | cut -c1-72)"

# The README's second command, whole (by hand: FRESH_MODE=test tests/fresh/run.sh; long).
if [ "${1:-run}" = test ]; then
    status=0
    make test > "$LOG" 2>&1 || status=$?
    tail -5 "$LOG"
    [ "$status" -eq 0 ] || fail "make test exited $status after $(since "$t0") s"
    say "✔ make test passed $(since "$t0") s after the clone"
    exit 0
fi

# Like a terminal: make and everything it starts in one process group, which Ctrl-C signals.
setsid make run > "$LOG" 2>&1 < /dev/null &
group=$!
url=http://127.0.0.1:$PORT
until curl -fsS -o /root/page.html "$url/" 2>/dev/null; do
    kill -0 "$group" 2>/dev/null || fail "make run exited before serving the page"
    [ "$(since "$t0")" -lt "$FRESH_TIMEOUT" ] || fail "no page after $FRESH_TIMEOUT s"
    sleep 1
done
page_seconds=$(since "$t0")
grep -q '<canvas' /root/page.html || fail "the page at / has no game canvas"
say "✔ page served ${page_seconds} s after the clone (deps, build, FerretDB from source)"

name="fresh-$RANDOM"
reply=$(curl -fsS --max-time 10 -d "name=$name&cloud=c&zone=z&host=h&score=1230&level=1" "$url/highscores") ||
    fail "POST /highscores failed: $(curl -sS -d "name=$name&score=1230&level=1" "$url/highscores" 2>&1)"
case "$reply" in *'"rs":"success"'* | *'"rs": "success"'*) ;; *) fail "POST /highscores answered $reply" ;; esac
list=$(curl -fsS --max-time 10 "$url/highscores/list") || fail "GET /highscores/list failed"
case "$list" in *"\"$name\""*) ;; *) fail "the stored score is not in the list: $list" ;; esac
say "✔ score stored and listed"

kill -INT -- "-$group"
for _ in $(seq 100); do
    left=$(ps -e -o pid=,args= | grep -E 'build/pacman|ferretdb|run-local|make run' | grep -v grep || true)
    [ -z "$left" ] && break
    sleep 0.2
done
[ -z "$left" ] || fail "after Ctrl-C these were still running: $left"
say "✔ Ctrl-C stopped make, the server and the database"
say "figure: clone to served page ${page_seconds} s"
