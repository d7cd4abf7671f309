// Package realdata finds the real public samples that tests read
// (../shared/realdata beside the repository): third-party data that is kept
// out of the repository and out of the binary.
package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the folder of real samples: $CADRE_REALDATA_DIR when set, else
// the first shared/realdata found walking up from the working directory. When
// there is none the test fails under CI=true and is skipped elsewhere.
func Dir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("CADRE_REALDATA_DIR"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, "shared", "realdata")
		if fi, err := os.Stat(candidate); err == nil && fi.IsDir() {
			return candidate
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("real samples not found above %s: set CADRE_REALDATA_DIR", wd)
	}
	t.Skipf("real samples not found above %s: set CADRE_REALDATA_DIR", wd)
	return ""
}

// Path returns a file of the real samples, such as Path(t, "gharchive", "2021-07-21-few-hours.jsonl").
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Dir(t)}, elem...)...)
}
