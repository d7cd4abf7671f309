// Package shared finds what tests read beside their own files: the
// specification and its conformance cases, of which the repository keeps a
// copy in testdata, and the real public samples, which are third-party data
// kept out of the repository in the shared folder beside it (../shared). An
// environment variable names another folder for either.
package shared

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The environment variables that name the shared folders, as CI sets them.
const (
	ConformanceEnv  = "CADRE_CONFORMANCE_DIR"
	RealDataEnv     = "CADRE_REALDATA_DIR"
	ProgramCasesEnv = "CADRE_PROGRAM_CASES_DIR"
)

// ProgramCases returns the folder of program cases (SPEC sections 5-6):
// $CADRE_PROGRAM_CASES_DIR when set, else the copy in the repository,
// testdata/program-cases. It fails the test when it cannot tell.
func ProgramCases(t testing.TB) string {
	t.Helper()
	if d := os.Getenv(ProgramCasesEnv); d != "" {
		return d
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(fmt.Errorf("find the program cases: %w", err))
	}
	return filepath.Join(root, "testdata", "program-cases")
}

// FindConformance returns the folder of conformance cases: $CADRE_CONFORMANCE_DIR
// when set, else the copy in the repository, testdata/conformance.
func FindConformance() (string, error) {
	if d := os.Getenv(ConformanceEnv); d != "" {
		return d, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", fmt.Errorf("find the conformance cases: %w", err)
	}
	return filepath.Join(root, "testdata", "conformance"), nil
}

// Conformance returns the folder of conformance cases, as FindConformance
// finds it, failing the test when it cannot.
func Conformance(t testing.TB) string {
	t.Helper()
	d, err := FindConformance()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Spec returns the path of the specification, SPEC.md, which sits beside its
// conformance cases: testdata/SPEC.md unless $CADRE_CONFORMANCE_DIR names
// another folder. When it is missing the test fails under CI=true and is
// skipped elsewhere.
func Spec(t testing.TB) string {
	t.Helper()
	path := filepath.Join(filepath.Dir(Conformance(t)), "SPEC.md")
	if _, err := os.Stat(path); err != nil {
		missing(t, fmt.Errorf("no specification beside the conformance cases: %w", err))
	}
	return path
}

// RealData returns the folder of real samples: $CADRE_REALDATA_DIR when set,
// else shared/realdata beside the repository. When there is none the test
// fails under CI=true and is skipped elsewhere.
func RealData(t testing.TB) string {
	t.Helper()
	d, err := FindRealData()
	if err != nil {
		missing(t, err)
	}
	return d
}

// FindRealData returns the folder of real samples, as RealData finds it.
func FindRealData() (string, error) {
	if d := os.Getenv(RealDataEnv); d != "" {
		return d, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", fmt.Errorf("find the real samples: %w", err)
	}
	d := filepath.Join(filepath.Dir(root), "shared", "realdata")
	if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("no real samples at %s: set %s to run the tests that read them", d, RealDataEnv)
	}
	return d, nil
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

// moduleRoot returns the folder of the repository: the nearest one above the
// working directory, where a test runs, that holds go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}
