package archive_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/archive"
)

// FuzzReadMembers reads an archive whose members.jsonl is the fuzzer's: it
// is read or refused with an EINVALID error, never a panic, and a program
// read is written and read back the same.
func FuzzReadMembers(f *testing.F) {
	p, acts := sample()
	base := filepath.Join(f.TempDir(), "archive")
	w, err := archive.Create(base)
	if err != nil {
		f.Fatal(err)
	}
	for i := range acts {
		if err := w.Activity(&acts[i]); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := w.Finish(p, archive.Manifest{ExportedAt: t0}); err != nil {
		f.Fatal(err)
	}
	members, err := os.ReadFile(filepath.Join(base, archive.MembersFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(members)
	for _, line := range bytes.SplitAfter(members, []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"id":"1","name":"x","status":"member","staff":false,"bot":false,"created_at":"2025-01-01T00:00:00Z","emails":["A@B.C"],"identities":[{"id":"1","platform":"p","handle":"H","user_id":"1"}]}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := filepath.Join(t.TempDir(), "archive")
		if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
			t.Fatal(err)
		}
		// The manifest counts the lines that hold something, as a reader does.
		var m archive.Manifest
		b, err := os.ReadFile(filepath.Join(dir, archive.ManifestFile))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		m.Counts.Members = 0
		for _, line := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				m.Counts.Members++
			}
		}
		if b, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string][]byte{archive.ManifestFile: b, archive.MembersFile: data} {
			if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		a, err := archive.Read(dir)
		if err != nil {
			if cadre.ErrorCode(err) != cadre.EINVALID {
				t.Fatalf("not an EINVALID error: %v", err)
			}
			return
		}
		again := filepath.Join(t.TempDir(), "again")
		w, err := archive.Create(again)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		if _, err := w.Finish(&a.Program, a.Manifest); err != nil {
			t.Fatal(err)
		}
		b2, err := archive.Read(again)
		if err != nil {
			t.Fatalf("a program read does not read back: %v", err)
		}
		if !reflect.DeepEqual(b2.Program, a.Program) {
			t.Fatalf("read back\n%+v\nwant\n%+v", b2.Program, a.Program)
		}
	})
}
