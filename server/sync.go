package server

import (
	"context"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/connector"
)

// Sync syncs every source now and then every interval until ctx ends, one
// after another. A source another instance is syncing is skipped quietly:
// that instance brings its records. A failure is logged and recorded with
// the source; the next round tries again from the same cursor.
func (s *Server) Sync(ctx context.Context, every time.Duration) {
	owner := connector.Owner()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		s.syncAll(ctx, owner)
		s.autoMerge(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// syncAll runs one round of Sync.
func (s *Server) syncAll(ctx context.Context, owner string) {
	srcs, err := s.store.Sources(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("list sources to sync", "err", err)
		}
		return
	}
	for _, src := range srcs {
		if ctx.Err() != nil {
			return
		}
		res, err := connector.Run(ctx, s.store, src.Name, owner, connector.DefaultLease, nil)
		switch {
		case cadre.ErrorCode(err) == cadre.ECONFLICT:
			s.log.Debug("source synced by another instance", "source", src.Name, "err", err)
		case err != nil && ctx.Err() != nil:
			s.log.Info("sync interrupted", "source", src.Name, "err", err)
		case err != nil:
			s.log.Error("sync failed", "source", src.Name, "kind", src.Kind, "err", err)
		default:
			s.log.Info("synced", "source", src.Name, "inserted", res.Inserted, "duplicates", res.Duplicates, "rejected", res.Rejected)
		}
	}
}

// WithAutoMerge makes every sync round merge the members that merge
// suggestions pair with at least min confidence (0 leaves merging to people).
func WithAutoMerge(min float64) Option { return func(s *Server) { s.autoMergeAt = min } }

// autoMerge applies the confident merge suggestions, when switched on.
func (s *Server) autoMerge(ctx context.Context) {
	if s.autoMergeAt <= 0 || ctx.Err() != nil {
		return
	}
	done, err := s.store.ApplySuggestions(ctx, s.autoMergeAt, "auto-merge")
	for _, sg := range done {
		s.log.Info("merged automatically", "from", sg.From, "into", sg.Into, "confidence", sg.Confidence, "reason", sg.Reason)
	}
	if err != nil && ctx.Err() == nil {
		s.log.Error("automatic merges", "err", err)
	}
}
