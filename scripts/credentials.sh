#!/usr/bin/env bash
# Writes a kustomize overlay that gives this cluster database credentials of its own: distinct
# random passwords for the administrator, the game's user and its next user, and a fresh key file
# for the members, replacing all four Secrets of k8s/ (mongo-root, mongo-app, mongo-app-current,
# mongo-keyfile). Then `kubectl apply -k DIR` instead of k8s/ (docs/credentials.md).
#
#   scripts/credentials.sh [options] [DIR]       DIR defaults to k8s/local (make credentials)
#
#   --base PATH        what the overlay builds on (default: this repository's k8s/base, which is
#                      what k8s/ applies; any overlay of k8s/overlays, or your own kustomization)
#   --component NAME   add k8s/components/NAME (ingress, hpa, ...); repeat for more
#   --adopt            for a cluster already running on the committed demo credentials: keep
#                      them for the administrator, the game's user and the key file (what the
#                      cluster has), new only for the next user; then change each below
#   --rotate app       change the game's password with no failed call: the web pods move to
#                      the next user, whose password every member has had since the last change,
#                      and a new next user is written (one change every 5 minutes at most;
#                      --force to skip that check)
#   --rotate keyfile   the key file, in two applies: the first run writes the old and a new key
#                      (members accept either), the second, once every member restarted, the
#                      new key alone
#   --rotate root      the administrator's password: writes the new one and prints the command
#                      that sets it in the database first
#
# Run again without --rotate, it keeps the credentials and rewrites only kustomization.yaml
# (another --base, other components). The directory ignores itself in git (.gitignore: *).
# Portable: bash and openssl, on Linux and macOS; nothing is edited in place.
set -euo pipefail
umask 077
here=$(cd "$(dirname "$0")/.." && pwd -P)

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { printf 'credentials: %s\n' "$*" >&2; exit 1; }
say() { printf 'credentials: %s\n' "$*" >&2; }

base=$here/k8s/base
components=()
rotate=''
adopt=false
force=false
dir=''
while [ $# -gt 0 ]; do
    case $1 in
        --base) base=${2:?--base needs a path}; shift ;;
        --component) components+=("${2:?--component needs a name}"); shift ;;
        --rotate) rotate=${2:?--rotate needs app, keyfile or root}; shift ;;
        --adopt) adopt=true ;;
        --force) force=true ;;
        -h | --help) usage ;;
        -*) say "unknown option $1"; usage ;;
        *) [ -z "$dir" ] || usage; dir=$1 ;;
    esac
    shift
done
dir=${dir:-$here/k8s/local}
case $rotate in '' | app | keyfile | root) ;; *) die "--rotate takes app, keyfile or root, not '$rotate'" ;; esac
command -v openssl >/dev/null || die "openssl is needed (it makes the passwords and the key)"

# 48 hex digits (192 bits): nothing in them needs quoting in a connection string or a shell.
password() { openssl rand -hex 24; }
# A MongoDB key: base64 of 756 random bytes on one line, 1008 characters (at most 1024 allowed).
key() { openssl rand -base64 756 | tr -d '\n'; }
# USERS: the game's users, taken in turn. The web pods use one, the members keep the next one
# ready, and the one the web pods left keeps its password until its turn comes again.
USERS=(pacman pacman-2 pacman-3)
after() { # the user after $1 in USERS
    local i
    for i in "${!USERS[@]}"; do
        if [ "${USERS[i]}" = "$1" ]; then echo "${USERS[(i + 1) % ${#USERS[@]}]}"; return; fi
    done
    echo "${USERS[0]}"
}
value() { # value FILE KEY: the value of KEY=... in an env file
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in "$2="*) printf '%s' "${line#*=}"; return 0 ;; esac
    done <"$1"
    return 1
}
env_file() { # env_file FILE COMMENT KEY=VALUE...: written whole to FILE.new, then moved
    local file=$1 comment=$2
    shift 2
    { printf '# %s\n' "$comment"; printf '%s\n' "$@"; } >"$file.new"
    mv "$file.new" "$file"
}
physical() { (cd "$1" && pwd -P); }
relative() { # relative FROM TO: TO as a path relative to directory FROM (both physical)
    local from=$1 to=$2 up=''
    while [ "$from" != / ] && [ "${to#"$from"/}" = "$to" ] && [ "$to" != "$from" ]; do
        from=$(dirname "$from")
        up="../$up"
    done
    if [ "$to" = "$from" ]; then
        printf '%s\n' "${up:-.}"
    elif [ "$from" = / ]; then
        printf '%s%s\n' "$up" "${to#/}"
    else
        printf '%s%s\n' "$up" "${to#"$from"/}"
    fi
}

[ -f "$base/kustomization.yaml" ] || die "--base $base: no kustomization.yaml there"
for c in ${components[@]+"${components[@]}"}; do
    [ -f "$here/k8s/components/$c/kustomization.yaml" ] || die "no component k8s/components/$c"
done
created=false
[ -d "$dir" ] || created=true
mkdir -p "$dir"
dir=$(physical "$dir")
base=$(physical "$base")
case $dir/ in "$base"/*)
    $created && rmdir "$dir"
    die "the overlay ($dir) cannot be inside what it builds on ($base): kustomize refuses the cycle" ;;
esac
printf '*\n' >"$dir/.gitignore"  # passwords and keys stay out of any repository this is in

have=false
[ -f "$dir/app.env" ] && [ -f "$dir/app-next.env" ] && [ -f "$dir/root.env" ] && [ -f "$dir/keyfile" ] && have=true
[ -n "$rotate" ] && ! $have && die "nothing to rotate in $dir: run without --rotate first"
$adopt && $have && die "$dir already holds credentials: --adopt only makes a new overlay"

if ! $have; then
    demo=$here/k8s/base/mongo
    if $adopt; then
        root_pw=$(value "$demo/root.env" password)
        app_user=$(value "$demo/app.env" username)
        app_pw=$(value "$demo/app.env" password)
        cp "$demo/keyfile" "$dir/keyfile.new"
    else
        root_pw=$(password)
        app_user=${USERS[0]}
        app_pw=$(password)
        key >"$dir/keyfile.new"
    fi
    next_pw=$(password)
    [ "$root_pw" != "$app_pw" ] && [ "$app_pw" != "$next_pw" ] && [ "$root_pw" != "$next_pw" ] ||
        die "openssl gave the same password twice: is its random generator working?"
    env_file "$dir/root.env" "The database administrator (role root), used only by the members." \
        username=root "password=$root_pw"
    env_file "$dir/app.env" "The game's user the web pods log in with now (readWrite on database pacman)." \
        "username=$app_user" "password=$app_pw"
    env_file "$dir/app-next.env" "The game's next user: every member keeps it ready; --rotate app moves the web pods to it." \
        "next-username=$(after "$app_user")" "next-password=$next_pw"
    mv "$dir/keyfile.new" "$dir/keyfile"
    if $adopt; then
        say "wrote $dir: the demo credentials the cluster runs on, and a new next user; now change each (docs/credentials.md)"
    else
        say "wrote $dir: new passwords for root, $app_user and $(after "$app_user"), a new key file"
    fi
fi

case $rotate in
    app)
        now=$(date +%s)
        last=0
        [ -f "$dir/app-rotated-at" ] && last=$(<"$dir/app-rotated-at")
        if ! $force && [ $((now - last)) -lt 300 ]; then
            die "the last change of the game's password was $((now - last)) s ago: let it finish first (the web pods rolled, every member 2/2 and its new next user created, a few minutes; docs/credentials.md), or --force"
        fi
        user=$(value "$dir/app-next.env" next-username)
        pw=$(value "$dir/app-next.env" next-password)
        next_pw=$(password)
        [ "$next_pw" != "$pw" ] || die "openssl gave the same password twice"
        env_file "$dir/app.env" "The game's user the web pods log in with now (readWrite on database pacman)." \
            "username=$user" "password=$pw"
        env_file "$dir/app-next.env" "The game's next user: every member keeps it ready; --rotate app moves the web pods to it." \
            "next-username=$(after "$user")" "next-password=$next_pw"
        printf '%s\n' "$now" >"$dir/app-rotated-at"
        say "the web pods move to $user, which every member already has; the next user is now $(after "$user") with a new password"
        ;;
    keyfile)
        if [ "$(head -c 2 "$dir/keyfile")" = '- ' ]; then
            # Second apply: the new key alone. Every member accepts it already.
            new=$(sed -n '2s/^- "\(.*\)"$/\1/p' "$dir/keyfile")
            [ -n "$new" ] || die "$dir/keyfile is not the two-key list the first --rotate keyfile writes"
            printf '%s\n' "$new" >"$dir/keyfile.new"
            mv "$dir/keyfile.new" "$dir/keyfile"
            say "the key file holds the new key alone: apply, and the members restart once more with it; done"
        else
            # First apply: both keys. MongoDB accepts a member that shares one of them; each
            # member restarts (the key file Secret's name changes) and still talks to all others.
            old=$(tr -d ' \n\r\t' <"$dir/keyfile")
            { printf -- '- "%s"\n' "$old"; printf -- '- "%s"\n' "$(key)"; } >"$dir/keyfile.new"
            mv "$dir/keyfile.new" "$dir/keyfile"
            say "the key file holds the old key and a new one: apply, wait for \`kubectl rollout status statefulset/mongo -n pacman\`, then run --rotate keyfile again"
        fi
        ;;
    root)
        env_file "$dir/root.env" "The database administrator (role root), used only by the members." \
            username=root "password=$(password)"
        say "the new administrator's password is in $dir/root.env. First set it in the database (on the primary; mongo-0 finds it), then apply:"
        printf '%s\n' "sed -n 's/^password=//p' $dir/root.env | kubectl exec -i mongo-0 -n pacman -c mongod -- bash /scripts/change-root-password.sh" \
            "kubectl apply -k $dir" >&2
        ;;
esac

# kustomization.yaml: rewritten every time from what is asked now.
{
    printf '%s\n' "# Written by scripts/credentials.sh: this cluster's own database credentials (the files here," \
        "# kept out of git by .gitignore) in place of the demo ones of k8s/: kubectl apply -k <this directory>." \
        "# Change them with scripts/credentials.sh --rotate app|keyfile|root (docs/credentials.md)." \
        "apiVersion: kustomize.config.k8s.io/v1beta1" "kind: Kustomization" "resources:" \
        "  - $(relative "$dir" "$base")"
    if [ ${#components[@]} -gt 0 ]; then
        printf '%s\n' "components:"
        for c in "${components[@]}"; do printf '  - %s\n' "$(relative "$dir" "$here/k8s/components/$c")"; done
    fi
    printf '%s\n' "secretGenerator:" \
        "  - name: mongo-root" "    behavior: replace" "    envs: [root.env]" \
        "  - name: mongo-app" "    behavior: replace" "    envs: [app.env]" \
        "  - name: mongo-app-current            # the members' copy, mounted as files" \
        "    behavior: replace" "    envs: [app.env, app-next.env]" \
        "    options:" "      disableNameSuffixHash: true" \
        "  - name: mongo-keyfile" "    behavior: replace" "    files: [keyfile]"
} >"$dir/kustomization.yaml.new"
mv "$dir/kustomization.yaml.new" "$dir/kustomization.yaml"
[ -n "$rotate" ] && [ "$rotate" != root ] && say "now: kubectl apply -k $dir"
[ -z "$rotate" ] && say "now: kubectl apply -k $dir"
exit 0
