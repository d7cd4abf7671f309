package server_test

import (
	"log/slog"
	"testing"

	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
)

// newServer builds a server over st as cadre serve does: live standings
// opened first, the store's clock.
func newServer(t testing.TB, log *slog.Logger, st *store.Store, opts ...server.Option) (*server.Server, error) {
	t.Helper()
	live, err := standings.Open(t.Context(), st, log)
	if err != nil {
		return nil, err
	}
	return server.New(log, st, live, append([]server.Option{server.WithClock(st.Now)}, opts...)...)
}
