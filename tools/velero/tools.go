//go:build tools

// Pins Velero, for its CustomResourceDefinitions (config/crd/v1/bases): tests/cluster/test_backup.py
// installs them on the control plane and applies k8s/components/velero/schedule.yaml against
// their schema. Nothing is built from it.
package tools

import _ "github.com/vmware-tanzu/velero/pkg/apis/velero/v1"
