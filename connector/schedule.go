package connector

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/ingest"
)

// SyncAll syncs every source once, one after another, as owner. A paused
// source is left alone, and a source another instance is syncing is skipped
// quietly: that instance brings its records. A failure is logged and recorded with the source, and the next
// source goes on; the next round tries again from the same cursor. It
// returns an error only when the sources cannot be listed.
func SyncAll(ctx context.Context, log *slog.Logger, st Store, im ingest.Writer, owner string, client *http.Client) error {
	srcs, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	for _, src := range srcs {
		if ctx.Err() != nil {
			return nil
		}
		if src.Paused {
			log.Debug("source paused", "source", src.Name)
			continue
		}
		res, err := Run(ctx, st, im, src.Name, owner, DefaultLease, client)
		switch {
		case cadre.ErrorCode(err) == cadre.ECONFLICT:
			log.Debug("source synced by another instance", "source", src.Name, "err", err)
		case err != nil && ctx.Err() != nil:
			log.Info("sync interrupted", "source", src.Name, "err", err)
		case err != nil:
			log.Error("sync failed", "source", src.Name, "kind", src.Kind, "err", err)
		default:
			log.Info("synced", "source", src.Name, "inserted", res.Inserted, "duplicates", res.Duplicates, "rejected", res.Rejected)
		}
	}
	return nil
}
