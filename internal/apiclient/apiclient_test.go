package apiclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	got := Excerpt([]byte(long))
	if !strings.HasSuffix(got, "...") || len(got) > ExcerptBytes+3 || !strings.HasPrefix(long, strings.TrimSuffix(got, "...")) {
		t.Errorf("Excerpt = %q", got)
	}
	if got := Excerpt([]byte("a\n  b\t")); got != "a b" {
		t.Errorf("Excerpt = %q, want one line", got)
	}
}

func TestSleep(t *testing.T) {
	var asked time.Duration
	injected := func(_ context.Context, d time.Duration) error { asked = d; return nil }
	if err := Sleep(context.Background(), time.Hour, injected); err != nil || asked != time.Hour {
		t.Errorf("injected sleep asked for %v (%v), want an hour", asked, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep with a cancelled context: %v", err)
	}
	if err := Sleep(context.Background(), time.Millisecond, nil); err != nil {
		t.Errorf("short sleep: %v", err)
	}
}
