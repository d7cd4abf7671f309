package main

import (
	"bytes"
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
// completes it with no duplicates. The import reads its records from a pipe
// that never gets the last one, so that it is still writing when it is
// killed however fast it runs.
func TestImportSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports 200,000 records")
	}
	bin := buildCadre(t)
	const records, batch = 200_000, 1000
	var input bytes.Buffer
	for i := range records {
		fmt.Fprintf(&input, `{"source":"forum","external_id":"p%d","type":"forum","occurred_at":"2025-01-01T00:00:00Z","member":{"platform":"discourse","handle":"u%d"}}`+"\n", i, i%5000)
	}
	file := filepath.Join(t.TempDir(), "big.jsonl")
	if err := os.WriteFile(file, input.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	allButLast := input.Bytes()[:bytes.LastIndexByte(input.Bytes()[:input.Len()-1], '\n')+1]

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

			cmd := exec.Command(bin, "import", "--db", db, "--batch", fmt.Sprint(batch), "-")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			fed := make(chan struct{})
			go func() {
				defer close(fed)
				// Fails with a broken pipe once the import is killed.
				stdin.Write(allButLast)
			}()
			// Kill it once its first batch is committed, while it writes the
			// next ones.
			deadline := time.Now().Add(time.Minute)
			for count() < batch {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatal("the import committed no batch within a minute")
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			<-fed
			landed := count()
			t.Logf("killed with %d of %d records written", landed, records)
			if landed%batch != 0 || landed >= records {
				t.Fatalf("%d activities after the kill: want whole batches of %d, fewer than the %d records", landed, batch, records)
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
