package shared

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	root := t.TempDir()
	cases := filepath.Join(root, "shared", "conformance")
	deep := filepath.Join(root, "repo", "criteria")
	for _, d := range []string{cases, deep} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		env, wd string
		want    string // "" for an error
	}{
		{"named by the variable", "/elsewhere/cases", deep, "/elsewhere/cases"},
		{"found walking up", "", deep, cases},
		{"shared in the working directory", "", root, cases},
		{"none above", "", t.TempDir(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(ConformanceEnv, tt.env)
			t.Chdir(tt.wd)
			got, err := FindConformance()
			switch {
			case tt.want == "" && err == nil:
				t.Fatalf("FindConformance() = %s, want an error", got)
			case tt.want != "" && (err != nil || got != tt.want):
				t.Fatalf("FindConformance() = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}
