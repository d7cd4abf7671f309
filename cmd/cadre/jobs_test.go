package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestSyncJobMerges runs the worker's sync job once with automatic merges
// from 0.85: the pair with the same handle and name on two platforms merges,
// the one with only a handle in common does not.
func TestSyncJobMerges(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	var recs []cadre.ActivityRecord
	for i, m := range []struct{ platform, handle, name string }{
		{"github", "grace-h", "Grace Hopper"}, {"discourse", "grace-h", "Grace Hopper"},
		{"github", "linus", "Linus"}, {"forum", "linus", "L. T."},
	} {
		recs = append(recs, cadre.ActivityRecord{
			Activity: cadre.Activity{Source: m.platform, ExternalID: fmt.Sprint(i), Type: "forum", OccurredAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
			Member:   cadre.MemberRef{Platform: m.platform, Handle: m.handle, Name: m.name},
		})
	}
	if _, err := s.NewImporter().Import(ctx, recs); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	e := &env{log: slog.New(slog.NewTextHandler(&logs, nil))}
	live, err := standings.Open(ctx, s, e.log)
	if err != nil {
		t.Fatal(err)
	}
	js := jobs(e, s, live, serveOptions{syncEvery: time.Hour, autoMerge: 0.85})
	var names []string
	for _, j := range js {
		names = append(names, j.Name)
	}
	if strings.Join(names, " ") != "standings sync webhooks reminders" {
		t.Fatalf("jobs %v, want standings, sync, webhooks and reminders (no mail without a mail server)", names)
	}
	if err := js[1].Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, n, err := s.Members(ctx, cadre.MemberFilter{}); err != nil || n != 3 {
		t.Fatalf("%d members after the round (%v), want 3: the Graces merged, the Linuses not", n, err)
	}
	if !strings.Contains(logs.String(), `confidence=0.9`) {
		t.Errorf("log lacks the merge:\n%s", logs.String())
	}
	if js := jobs(e, s, live, serveOptions{}); len(js) != 3 {
		t.Errorf("without --sync-every the worker has %d jobs, want the standings, webhooks and reminders", len(js))
	}
}
