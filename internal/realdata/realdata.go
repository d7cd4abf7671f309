// Package realdata finds the real public samples that tests read
// (../shared/realdata beside the repository): third-party data that is kept
// out of the repository and out of the binary.
package realdata

import (
	"path/filepath"
	"testing"

	"github.com/cadrehq/cadre/internal/shared"
)

// Dir returns the folder of real samples: $CADRE_REALDATA_DIR when set, else
// shared/realdata beside the repository. When there is none the test fails
// under CI=true and is skipped elsewhere.
func Dir(t testing.TB) string {
	t.Helper()
	return shared.RealData(t)
}

// Path returns a file of the real samples, such as Path(t, "gharchive", "2021-07-21-few-hours.jsonl").
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Dir(t)}, elem...)...)
}
