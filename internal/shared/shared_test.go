package shared

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	// root/repo is a clone with the shared folder beside it; root/a/repo is
	// one without, below a shared folder that is not beside it.
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	realdata := filepath.Join(root, "shared", "realdata")
	alone := filepath.Join(root, "a", "repo")
	for _, d := range []string{filepath.Join(repo, "criteria"), realdata, filepath.Join(alone, "criteria")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{repo, alone} {
		if err := os.WriteFile(filepath.Join(d, "go.mod"), []byte("module example\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		find    func() (string, error)
		env     string // the variable named, for the test
		set, wd string
		want    string // "" for an error
	}{
		{"conformance named by the variable", FindConformance, ConformanceEnv, "/elsewhere/cases", repo, "/elsewhere/cases"},
		{"conformance in testdata", FindConformance, ConformanceEnv, "", filepath.Join(repo, "criteria"), filepath.Join(repo, "testdata", "conformance")},
		{"conformance outside a module", FindConformance, ConformanceEnv, "", root, ""},
		{"real samples named by the variable", FindRealData, RealDataEnv, "/elsewhere/samples", alone, "/elsewhere/samples"},
		{"real samples beside the repository", FindRealData, RealDataEnv, "", filepath.Join(repo, "criteria"), realdata},
		{"real samples only beside the repository", FindRealData, RealDataEnv, "", filepath.Join(alone, "criteria"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(tt.env, tt.set)
			t.Chdir(tt.wd)
			got, err := tt.find()
			switch {
			case tt.want == "" && err == nil:
				t.Fatalf("found %s, want an error", got)
			case tt.want != "" && (err != nil || got != tt.want):
				t.Fatalf("found %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}
