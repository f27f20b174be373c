//go:build tools

// Pins kwok for tests/cluster/control-plane.sh: it plays the kubelet for a Node object (Ready,
// heartbeats) and its pods (Running and Ready, without containers). Its stage configs come from
// this module's kustomize/stage/ directory.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
