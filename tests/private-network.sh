#!/bin/sh
# private-network.sh COMMAND [ARG...]: runs COMMAND in a network namespace of its own, with
# loopback and one fixed interface, so that nothing else on the machine can change the network
# it sees while it runs.
#
# Why: Chromium watches the kernel's address and link events (rtnetlink), and when an address
# appears or goes away on any interface it fails its queued and starting requests with
# net::ERR_NETWORK_CHANGED. Podman does that on every container start and stop with a bridge
# network (its veth pairs), so on a machine where other suites run containers, a page load now
# and then lost one of its ES modules: the module graph failed, main.js never ran, and the test
# waited 30 s for a page that had given up in 0.1 s, while the server had answered everything
# it was asked. A namespace sees only its own events. Everything the browser suites talk to
# (the server, FerretDB, Chromium's pipe to Playwright) is on 127.0.0.1 and started inside, so
# nothing is lost; the interface (TEST-NET-2, both ends here) keeps navigator.onLine true, as
# it is for a player.
#
# Needs root, or unprivileged user namespaces; without either it says so and runs COMMAND as is.
set -eu

if [ "${PACMAN_PRIVATE_NETWORK:-}" = inside ]; then
    unset PACMAN_PRIVATE_NETWORK
    ip link set lo up
    ip link add pacman0 type veth peer name pacman1
    # no IPv6 link-local addresses: their duplicate address detection would end a second
    # later with an address event, the very thing this namespace keeps away
    ip link set pacman0 addrgenmode none
    ip link set pacman1 addrgenmode none
    ip address add 198.51.100.1/24 dev pacman0
    ip link set pacman0 up
    ip link set pacman1 up
    exec "$@"
fi

command -v ip >/dev/null || { echo "private-network.sh: ip is missing (iproute2): run scripts/deps.sh browser" >&2; exit 1; }
for how in "--net" "--user --map-root-user --net"; do
    # shellcheck disable=SC2086 # the options are words
    if unshare $how true 2>/dev/null; then
        PACMAN_PRIVATE_NETWORK=inside exec unshare $how "$0" "$@"
    fi
done
echo "private-network.sh: no network namespace (unshare refused): running without one, where" \
     "another program's network changes can fail the browser's requests (net::ERR_NETWORK_CHANGED)" >&2
exec "$@"
