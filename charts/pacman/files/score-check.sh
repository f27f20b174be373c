#!/bin/bash
# `helm test`: posts a score through the game's HTTP API and reads it back from the database.
#
#   score-check.sh URL      e.g. http://pacman (the game's Service), http://127.0.0.1:8080
#
#  1. waits (up to WAIT_SECONDS, 60) for GET /readyz to answer 200;
#  2. POST /highscores: a score of 0 named "helm test", with a submissionId of its own;
#  3. POST /highscores again with that submissionId and other values: the server answers a
#     replayed submissionId with the score it stored, read back from the replica set's primary,
#     so the answer must be the first score, not the second;
#  4. GET /highscores/list answers a list; while it holds fewer than 10 scores, this one must be
#     among them (within a few seconds: the other replicas' copies are up to a second old).
# Exits 0 when all holds, 1 with what was wrong otherwise. It leaves one score of 0 points,
# named "helm test", in the table.
#
# bash alone (its /dev/tcp, no temporary file) and coreutils' timeout and cat: it runs in the members' mongo image,
# which has no curl. HTTP/1.0, so no reply is chunked.
set -u
export LC_ALL=C # ${#body} counts bytes

url=${1:?usage: score-check.sh URL}
wait_seconds=${WAIT_SECONDS:-60}
[[ $url =~ ^http://([^/:]+)(:([0-9]+))?(/.*)?$ ]] || { echo "score-check: not an http:// URL: $url"; exit 2; }
host=${BASH_REMATCH[1]}
port=${BASH_REMATCH[3]:-80}
prefix=${BASH_REMATCH[4]%/}

fail() {
    echo "score-check: FAILED: $*"
    exit 1
}

# request METHOD PATH [FORM]: sets `status` (000 when there was no answer) and `body`.
request() {
    local method=$1 path=$2 form=${3:-} reply
    status=000
    body=
    { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
    {
        printf '%s %s HTTP/1.0\r\nHost: %s\r\nAccept: application/json\r\n' "$method" "$prefix$path" "$host"
        [ "$method" = POST ] && printf 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n' "${#form}"
        printf '\r\n%s' "$form"
    } >&3 2>/dev/null || { exec 3<&-; return 1; }
    reply=$(timeout 10 cat <&3)
    exec 3<&-
    [[ $reply =~ ^HTTP/1\.[01]\ ([0-9]{3}) ]] || return 1
    status=${BASH_REMATCH[1]}
    body=${reply#*$'\r\n\r\n'}
}

# field NAME: the value of NAME in the JSON object `body` (a string's text or a number).
field() {
    if [[ $body =~ \"$1\"[[:space:]]*:[[:space:]]*(\"([^\"]*)\"|(-?[0-9]+)) ]]; then
        echo "${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
    fi
}

echo "score-check: the game at $url"
deadline=$((SECONDS + wait_seconds))
until request GET /readyz && [ "$status" = 200 ]; do
    [ $SECONDS -lt $deadline ] || fail "GET /readyz answered ${status} for ${wait_seconds} s: ${body:-no answer}"
    sleep 2
done
echo "score-check: GET /readyz: 200"

id="helm-test-$(date +%s)-${SRANDOM:-$RANDOM$RANDOM}"
place="cloud=helm-test&zone=helm-test&host=${HOSTNAME:-helm-test}"
request POST /highscores "name=helm+test&score=0&level=1&$place&submissionId=$id" ||
    fail "POST /highscores: no answer"
[ "$status" = 200 ] || fail "POST /highscores answered $status: $body"
[ "$(field rs)" = success ] || fail "POST /highscores answered 200 without rs: success: $body"
echo "score-check: POST /highscores: stored a score of 0 as \"helm test\" (submissionId $id)"

request POST /highscores "name=replayed&score=10&level=1&$place&submissionId=$id" ||
    fail "POST /highscores (replay): no answer"
[ "$status" = 200 ] || fail "POST /highscores (replay) answered $status: $body"
[ "$(field name)" = "helm test" ] && [ "$(field score)" = 0 ] ||
    fail "the replayed submissionId should answer with the stored score (\"helm test\", 0), answered: $body"
echo "score-check: POST /highscores again: answered with the stored score, read back from the database"

deadline=$((SECONDS + 5))
while true; do
    request GET /highscores/list || fail "GET /highscores/list: no answer"
    [ "$status" = 200 ] || fail "GET /highscores/list answered $status: $body"
    [[ $body == \[* ]] || fail "GET /highscores/list is not a list: $body"
    marked=${body//\"score\"/$'\x01'} # count the "score" keys in bash alone
    marked=${marked//[^$'\x01']/}
    scores=${#marked}
    if [ "$scores" -ge 10 ] || [[ $body == *'"name":"helm test"'* || $body == *'"name": "helm test"'* ]]; then
        break
    fi
    [ $SECONDS -lt $deadline ] || fail "GET /highscores/list holds $scores scores, but not this one: $body"
    sleep 0.5
done
listed="$scores score$([ "$scores" = 1 ] || echo s)"
[ "$scores" -lt 10 ] && listed+=", this one among them"
echo "score-check: GET /highscores/list: 200, $listed"
echo "score-check: passed"
