//go:build tools

// Pins etcd for tests/cluster/control-plane.sh. Debian's etcd (3.4) is too old for
// kube-apiserver 1.34: it lacks RequestWatchProgress, so watches fail and kwok's node goes
// NotReady after about two minutes.
package tools

import _ "go.etcd.io/etcd/server/v3"
