package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

func TestSourcesAndLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		src := &cadre.Source{Name: "forum", Kind: "discourse", Config: map[string]string{"url": "https://forum.example"}}
		if err := s.SaveSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSource(ctx, &cadre.Source{Name: " "}); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("nameless source: %v", err)
		}
		got, err := s.AcquireSource(ctx, "forum", "instance-a", time.Minute)
		if err != nil || got.Config["url"] != "https://forum.example" || got.Cursor != "" {
			t.Fatalf("acquire: %+v, %v", got, err)
		}
		if _, err := s.AcquireSource(ctx, "forum", "instance-b", time.Minute); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Fatalf("second instance took a held lease: %v", err)
		}
		if _, err := s.AcquireSource(ctx, "forum", "instance-a", time.Minute); err != nil {
			t.Fatalf("renewing one's own lease: %v", err)
		}
		if err := s.FinishSync(ctx, "forum", "instance-a", "post:120", cadre.ImportResult{Inserted: 7, Duplicates: 2}, nil); err != nil {
			t.Fatal(err)
		}
		// A failed sync keeps the cursor it is given and records the error.
		if _, err := s.AcquireSource(ctx, "forum", "instance-b", time.Minute); err != nil {
			t.Fatalf("after release: %v", err)
		}
		if err := s.FinishSync(ctx, "forum", "instance-b", "post:120", cadre.ImportResult{Inserted: 1}, errors.New("429 Too Many Requests")); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishSync(ctx, "forum", "instance-b", "x", cadre.ImportResult{}, nil); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("finishing without the lease: %v", err)
		}
		// Re-saving the configuration keeps the history.
		src.Config["api_key"] = "k"
		if err := s.SaveSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		all, err := s.Sources(ctx)
		if err != nil || len(all) != 1 {
			t.Fatal(all, err)
		}
		f := all[0]
		if f.Cursor != "post:120" || f.Inserted != 8 || f.Duplicates != 2 || f.LastError != "429 Too Many Requests" || f.LastSyncAt.IsZero() || f.LeaseOwner != "" || f.Config["api_key"] != "k" {
			t.Errorf("source after two syncs: %+v", f)
		}
		if err := s.DeleteSource(ctx, "forum"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSource(ctx, "forum"); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Errorf("deleted source: %v", err)
		}
	})
}

// TestPauseSource pauses a source: no lease is given on it, saving its
// configuration again keeps it paused, and resuming gives leases again.
func TestPauseSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		src := &cadre.Source{Name: "blog", Kind: "rss", Config: map[string]string{"url": "https://blog.example"}}
		if err := s.SaveSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetSource(ctx, "blog"); err != nil || got.Paused {
			t.Fatalf("a new source: %+v, %v; want it active", got, err)
		}
		if err := s.PauseSource(ctx, "blog", true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcquireSource(ctx, "blog", "instance", time.Minute); cadre.ErrorCode(err) != cadre.ECONFLICT || !strings.Contains(err.Error(), "paused") {
			t.Errorf("lease on a paused source: %v, want a conflict saying it is paused", err)
		}
		src.Config["url"] = "https://blog.example/feed"
		if err := s.SaveSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		all, err := s.Sources(ctx)
		if err != nil || len(all) != 1 || !all[0].Paused || all[0].Config["url"] != "https://blog.example/feed" || all[0].LeaseOwner != "" {
			t.Fatalf("paused source saved again: %+v, %v", all, err)
		}
		if err := s.PauseSource(ctx, "blog", false); err != nil {
			t.Fatal(err)
		}
		if got, err := s.AcquireSource(ctx, "blog", "instance", time.Minute); err != nil || got.Paused {
			t.Errorf("lease on a resumed source: %+v, %v", got, err)
		}
		if err := s.PauseSource(ctx, "nope", true); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Errorf("pausing an unknown source: %v, want not found", err)
		}
		// A source may be added paused; saving it again, unpaused, keeps it so.
		feed := &cadre.Source{Name: "feed", Kind: "rss", Config: map[string]string{"url": "https://feed.example"}, Paused: true}
		if err := s.SaveSource(ctx, feed); err != nil {
			t.Fatal(err)
		}
		feed.Paused = false
		if err := s.SaveSource(ctx, feed); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetSource(ctx, "feed"); err != nil || !got.Paused {
			t.Errorf("a source added paused: %+v, %v", got, err)
		}
	})
}

// TestLeaseExpires takes a lease that a crashed instance left behind.
func TestLeaseExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.SaveSource(ctx, &cadre.Source{Name: "blog", Kind: "rss"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcquireSource(ctx, "blog", "crashed", -time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcquireSource(ctx, "blog", "alive", time.Minute); err != nil {
			t.Fatalf("an expired lease was not taken over: %v", err)
		}
	})
}
