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
