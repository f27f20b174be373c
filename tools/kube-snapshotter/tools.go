//go:build tools

// Pins the VolumeSnapshot CustomResourceDefinitions (snapshot.storage.k8s.io/v1) that minikube's
// volumesnapshots addon installs: tests/cluster/control-plane.sh applies the ones in this
// module's config/crd/, so the README's VolumeSnapshot is checked against their schema.
// Nothing is built from it.
package tools

import _ "github.com/kubernetes-csi/external-snapshotter/client/v8/apis/volumesnapshot/v1"
