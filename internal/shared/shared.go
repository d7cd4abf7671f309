// Package shared finds what tests read from the shared folder beside the
// repository (../shared): the specification, its conformance cases and real
// public samples. They are kept out of the repository, so a test finds them
// through an environment variable, else by walking up from where it runs.
package shared

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The environment variables that name the shared folders, as CI sets them.
const (
	ConformanceEnv = "CADRE_CONFORMANCE_DIR"
	RealDataEnv    = "CADRE_REALDATA_DIR"
)

// FindConformance returns the folder of conformance cases: $CADRE_CONFORMANCE_DIR
// when set, else the first shared/conformance found walking up from the
// working directory.
func FindConformance() (string, error) { return find("conformance", ConformanceEnv) }

// Conformance returns the folder of conformance cases, as FindConformance
// finds it. When there is none the test fails under CI=true, where every test
// must run, and is skipped elsewhere.
func Conformance(t testing.TB) string {
	t.Helper()
	return dir(t, "conformance", ConformanceEnv)
}

// Spec returns the path of the specification, SPEC.md, which sits in the
// shared folder beside its conformance cases. When it is missing the test
// fails under CI=true and is skipped elsewhere.
func Spec(t testing.TB) string {
	t.Helper()
	path := filepath.Join(filepath.Dir(Conformance(t)), "SPEC.md")
	if _, err := os.Stat(path); err != nil {
		missing(t, fmt.Errorf("find the specification beside the conformance cases: %w", err))
	}
	return path
}

// RealData returns the folder of real samples: $CADRE_REALDATA_DIR when set,
// else the first shared/realdata found walking up from the working directory.
// When there is none the test fails under CI=true and is skipped elsewhere.
func RealData(t testing.TB) string {
	t.Helper()
	return dir(t, "realdata", RealDataEnv)
}

func dir(t testing.TB, name, env string) string {
	t.Helper()
	d, err := find(name, env)
	if err != nil {
		missing(t, err)
	}
	return d
}

// missing fails the test under CI=true and skips it elsewhere: a machine
// without the shared folder may run what it can, CI must run everything.
func missing(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
	t.Skip(err)
}

func find(name, env string) (string, error) {
	if d := os.Getenv(env); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find shared/%s: %w", name, err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "shared", name)
		if fi, err := os.Stat(candidate); err == nil && fi.IsDir() {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("find shared/%s: none above %s; set %s", name, wd, env)
		}
	}
}
