#!/bin/bash
# Quiesces one secondary of the replica set while its volume is snapshotted, the way MongoDB
# documents for a filesystem snapshot of a replica-set member: db.fsyncLock() flushes every
# write to the data files and blocks writes on that member, the snapshot is cut, then
# db.fsyncUnlock(). The primary never waits: the member locked is a secondary the write majority
# can do without (backup-decide.js next to this file decides which).
#
# Runs in a member's `mongod` container, as the database administrator (the image's
# MONGO_INITDB_ROOT_* variables). Commands:
#
#   choose          print, as JSON, which member a backup should quiesce now (or why none)
#   hold SECONDS    lock this member, which must be that one; print "locked {...}"; then wait
#                   until a line or end of file arrives on standard input, or SECONDS pass,
#                   whichever is first; unlock; print "unlocked {...}" with how long writes
#                   waited here. scripts/backup.py keeps a `kubectl exec -i` open on it: when
#                   the script, its kubectl or the connection dies, standard input ends and the
#                   member is unlocked; a trap unlocks on TERM, INT and HUP too.
#   freeze          per-pod hook (Velero's pre hook, Kanister's and Kasten's backupPrehook, run
#                   on every member): lock this member only if it is the one to quiesce, and
#                   leave a marker; a watchdog unlocks it after BACKUP_HOOK_MAX_SECONDS (300)
#                   if no thaw comes. Prints Kanister's phase output `member` on the one locked.
#   thaw            per-pod hook (post hook): unlock this member if `freeze` locked it.
#
# Exit status: 0 done (also "nothing to do here"; `choose` prints member null and why), 2 usage,
# 3 the database refused (the message says what), 4 this member is not the one to lock (hold),
# 5 no member can be locked without holding the game's writes (freeze).
#
# Where FerretDB differs (the local tests run this script against it): it implements neither
# fsync nor replSetGetStatus, so there `choose` names no member, `freeze` ends with status 5
# and `hold` with 4, locking nothing.
set -u

here=$(dirname "${BASH_SOURCE[0]:-$0}")
state_dir=${BACKUP_HOOK_STATE_DIR:-/tmp}
marker=$state_dir/pacman-backup-hook.locked
max_seconds=${BACKUP_HOOK_MAX_SECONDS:-300}
# backup-decide.js, as text: next to this file in the pods (the backup-hook component mounts
# both), or handed over by scripts/backup.py, which runs this script without the component.
decide_js=${BACKUP_DECIDE_JS:-}
if [ -z "$decide_js" ]; then
    decide_js=$(<"$here/backup-decide.js") || { echo "backup-hook: $here/backup-decide.js is missing" >&2; exit 2; }
fi

say() { printf 'backup-hook %s: %s\n' "${HOSTNAME:-member}" "$*" >&2; }

# mongo JS: runs a script in mongosh on this member as the administrator, backup-decide.js
# loaded first; prints what the script prints. The password is an argument, as the members'
# other mongosh calls pass it: visible to this container's own processes only.
mongo() {
    mongosh --quiet --norc --host "${MONGO_HOST:-127.0.0.1:27017}" \
        -u "${MONGO_INITDB_ROOT_USERNAME:?}" -p "${MONGO_INITDB_ROOT_PASSWORD:?}" \
        --authenticationDatabase admin --eval "$decide_js"$'\n'"$1"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# JSON of {ok, lockCount, error} for db.fsyncLock() / db.fsyncUnlock().
fsync_js() {
    printf '%s' "let r; try { r = db.getSiblingDB('admin').$1(); } catch (e) { r = { ok: 0, errmsg: e.message }; }
print(JSON.stringify({ ok: r.ok === 1 ? 1 : 0, lockCount: r.lockCount, error: r.ok === 1 ? undefined : (r.errmsg || r.codeName || String(r)) }));"
}

lock() {
    local reply
    reply=$(mongo "$(fsync_js fsyncLock)" 2>&1) || { say "fsyncLock failed: $reply"; return 3; }
    case $reply in *'"ok":1'*) echo "$reply" ;; *) say "fsyncLock refused: $reply"; return 3 ;; esac
}

unlock() {
    local reply
    reply=$(mongo "$(fsync_js fsyncUnlock)" 2>&1) || { say "fsyncUnlock failed: $reply"; return 3; }
    case $reply in *'"ok":1'*) echo "$reply" ;; *) say "fsyncUnlock refused: $reply"; return 3 ;; esac
}

# This member's status and the decision, as one JSON line: {choice, freeze, self, secondary}.
decide() {
    mongo "let s; try { s = db.adminCommand({ replSetGetStatus: 1 }); } catch (e) { s = { ok: 0, errmsg: e.message }; }
const self = (s.members || []).find((m) => m.self);
const selfHost = self ? self.name : null;
print(JSON.stringify({ choice: chooseSnapshotMember(s), freeze: decideFreeze(s, selfHost), self: selfHost,
  secondary: !!(self && self.state === STATE_SECONDARY) }));"
}

# The reason of the freeze decision in decide's JSON (its keys come in the order written there).
freeze_reason() { sed -n 's/.*"freeze":{"action":"[a-z]*","reason":"\([^"]*\)".*/\1/p' <<<"$1"; }

case "${1:-}" in
choose)
    out=$(decide 2>&1) || { say "replSetGetStatus failed: $out"; exit 3; }
    echo "$out"
    ;;

hold)
    seconds=${2:-}
    [[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "usage: backup-hook.sh hold SECONDS" >&2; exit 2; }
    out=$(decide 2>&1) || { say "replSetGetStatus failed: $out"; exit 3; }
    case $out in
        *'"action":"lock"'*) ;;
        *) say "not locking this member: $out"; exit 4 ;;
    esac
    locked_at=
    release() {
        [ -n "$locked_at" ] || return 0
        local reply waited
        reply=$(unlock) || { say "could not unlock: run db.fsyncUnlock() here as the administrator"; locked_at=; return 3; }
        waited=$(elapsed "$locked_at" "$(now)")
        locked_at=
        echo "unlocked {\"writesWaitedSeconds\": $waited, \"reply\": $reply, \"why\": \"$why\"}"
    }
    why="standard input ended"
    trap 'why="signal"; release; exit 1' TERM INT HUP
    trap 'release' EXIT
    locked_at=$(now)
    reply=$(lock) || { locked_at=; exit 3; }
    echo "locked {\"self\": \"${HOSTNAME:-$(hostname)}\", \"reply\": $reply, \"maxSeconds\": $seconds}"
    if read -r -t "$seconds" line; then
        line=${line//[^A-Za-z0-9 _.-]/}   # it goes into the JSON below
        why="asked (${line:-empty line})"
    elif [ $? -gt 128 ]; then
        why="the $seconds s deadline passed"
    fi
    release
    status=$?
    trap - EXIT
    exit $status
    ;;

freeze)
    out=$(decide 2>&1) || { say "replSetGetStatus failed: $out"; exit 3; }
    case $out in
        *'"action":"lock"'*) ;;
        # No member can be locked safely: fail, so that the tool does not take a backup it
        # would call consistent (its snapshots would still be crash-consistent: the journal is
        # on the same volume).
        *'"member":null'*) say "$(freeze_reason "$out")"; echo "$out"; exit 5 ;;
        *) say "$(freeze_reason "$out")"; echo "$out"; exit 0 ;;
    esac
    if [ -e "$marker" ]; then
        say "already locked by an earlier freeze ($(<"$marker")): not locking twice"
        exit 0
    fi
    id="$(now) $$"
    lock >/dev/null || exit 3
    echo "$id" >"$marker"
    # If no thaw comes (the backup tool died between its hooks), the watchdog unlocks: a
    # secondary left locked stops replicating, and the set loses its spare member.
    setsid bash -c 'sleep "$1"; [ "$(cat "$2" 2>/dev/null)" == "$3" ] && exec bash "$0" thaw' \
        "${BASH_SOURCE[0]:-$0}" "$max_seconds" "$marker" "$id" </dev/null >/dev/null 2>&1 &
    say "locked (fsyncLock) for the snapshot; thaw unlocks, or the watchdog after ${max_seconds} s"
    # Kanister reads a phase's outputs from lines like this one (what `kando output` prints).
    printf '###Phase-output###: {"key":"member","value":"%s"}\n' "${HOSTNAME:-$(hostname)}"
    ;;

thaw)
    if [ ! -e "$marker" ]; then
        say "nothing to unlock here (freeze locked another member, or none)"
        exit 0
    fi
    started=$(cut -d' ' -f1 "$marker")
    unlock >/dev/null || exit 3
    rm -f "$marker"
    say "unlocked (fsyncUnlock): writes waited here $(elapsed "$started" "$(now)") s"
    ;;

*)
    sed -n '8,22p' "${BASH_SOURCE[0]:-$0}" 2>/dev/null | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
