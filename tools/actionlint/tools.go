//go:build tools

// Pins actionlint, the workflow linter `make test-release` runs on .github/workflows/: built
// once into build/tools/actionlint from this module (tests/image/release.sh).
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
