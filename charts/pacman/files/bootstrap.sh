#!/bin/bash
# The `bootstrap` sidecar of every member: runs passes of rs-bootstrap.js (next to this file)
# in mongosh, for as long as the pod runs.
#
#  - while something is left to do (no set yet, no primary yet, the game's user missing, a
#    member joining or leaving): again after RETRY_SECONDS (2 s), after SLOW_RETRY_SECONDS
#    (10 s) once that has gone on for a minute, so a state only a person can fix costs little;
#  - once all is done: again every CHECK_SECONDS (120 s), and at once when the game's
#    credentials in APP_SECRET_DIR change (the kubelet rewrites them when the Secret changes);
#  - every pass under a deadline of PASS_TIMEOUT_SECONDS (60 s): a member that accepts a
#    connection and then never answers (a half-open connection) costs one pass, not the loop;
#  - SIGTERM ends it at once.
set -u
here=$(dirname "$0")
retry=${RETRY_SECONDS:-2}
slow_retry=${SLOW_RETRY_SECONDS:-10}
check=${CHECK_SECONDS:-120}
deadline=${PASS_TIMEOUT_SECONDS:-60}
child=
trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM INT

# Sleeps n seconds in the background so that SIGTERM is handled at once.
pause() {
    sleep "$1" &
    child=$!
    wait "$child"
    child=
}

# Sets `credentials` to what the credentials files hold (the game's user now and the next one),
# without forking (read is a builtin).
read_credentials() {
    local name value
    credentials=''
    for name in username password next-username next-password; do
        value=''
        [ -e "$APP_SECRET_DIR/$name" ] && IFS= read -r -d '' value <"$APP_SECRET_DIR/$name"
        credentials+="$name=$value"$'\n'
    done
}

failures=0
while true; do
    read_credentials
    seen=$credentials
    timeout --kill-after=5 "$deadline" mongosh --nodb --quiet --norc "$here/rs-bootstrap.js" &
    child=$!
    wait "$child"
    status=$?
    child=
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "rs-bootstrap ${POD_NAME:-}: the pass did not finish within ${deadline} s; starting another"
    fi
    if [ "$status" -eq 0 ]; then
        failures=0
        # Every CHECK_SECONDS, sooner if the credentials change.
        for ((waited = 0; waited < check; waited += retry)); do
            pause "$retry"
            read_credentials
            [ "$credentials" == "$seen" ] || break
        done
    else
        failures=$((failures + 1))
        if [ $((failures * retry)) -lt 60 ]; then pause "$retry"; else pause "$slow_retry"; fi
    fi
done
