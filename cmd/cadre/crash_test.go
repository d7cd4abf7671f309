package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildCadre compiles the binary once per test run, for tests that need a
// real child process.
func buildCadre(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cadre-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "cadre")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build cadre: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// TestImportSurvivesKill kills a real import with SIGKILL while it writes and
// checks that only whole batches landed and that re-running the import
// completes it with no duplicates.
func TestImportSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports 200,000 records")
	}
	bin := buildCadre(t)
	const records, batch = 200_000, 1000
	file := filepath.Join(t.TempDir(), "big.jsonl")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range records {
		fmt.Fprintf(w, `{"source":"forum","external_id":"p%d","type":"forum","occurred_at":"2025-01-01T00:00:00Z","member":{"platform":"discourse","handle":"u%d"}}`+"\n", i, i%5000)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			count := func() int {
				_, n, err := st.Activities(ctx, cadre.ActivityFilter{Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}

			cmd := exec.Command(bin, "import", "--db", db, "--batch", fmt.Sprint(batch), file)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill it once some batches have landed, mid-way.
			deadline := time.Now().Add(time.Minute)
			for count() < 10*batch {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the import wrote nothing within a minute")
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			landed := count()
			if landed == records {
				t.Skip("the import finished before it could be killed")
			}
			if landed%batch != 0 {
				t.Fatalf("%d activities after the kill: a partial batch landed (batch %d)", landed, batch)
			}

			out, err := exec.Command(bin, "import", "--db", db, "--batch", fmt.Sprint(batch), file).CombinedOutput()
			if err != nil {
				t.Fatalf("re-run: %v\n%s", err, out)
			}
			want := fmt.Sprintf("%d inserted, %d duplicates, 0 rejected", records-landed, landed)
			if !strings.Contains(string(out), want) {
				t.Fatalf("re-run said %q, want %q", out, want)
			}
			if n := count(); n != records {
				t.Fatalf("%d activities after the re-run, want %d", n, records)
			}
		})
	}
}
