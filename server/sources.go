package server

import (
	"net/http"
	"slices"
	"time"

	"github.com/cadrehq/cadre"
)

// sourceJSON is a source as the API shows it. Its configuration appears as
// keys only: the values hold API keys.
type sourceJSON struct {
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	ConfigKeys []string   `json:"config_keys"`
	Cursor     string     `json:"cursor"`
	LastSyncAt *time.Time `json:"last_sync_at"` // null before the first sync
	LastError  string     `json:"last_error"`
	Inserted   int        `json:"inserted"`
	Duplicates int        `json:"duplicates"`
	Rejected   int        `json:"rejected"`
	// Syncing says an instance holds the source's lease now.
	Syncing bool `json:"syncing"`
}

func toSourceJSON(src *cadre.Source, now time.Time) sourceJSON {
	j := sourceJSON{Name: src.Name, Kind: src.Kind, ConfigKeys: []string{}, Cursor: src.Cursor, LastError: src.LastError,
		Inserted: src.Inserted, Duplicates: src.Duplicates, Rejected: src.Rejected,
		Syncing: src.Syncing(now)}
	for k := range src.Config {
		j.ConfigKeys = append(j.ConfigKeys, k)
	}
	slices.Sort(j.ConfigKeys)
	if !src.LastSyncAt.IsZero() {
		j.LastSyncAt = &src.LastSyncAt
	}
	return j
}

func (s *Server) handleSources() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srcs, err := s.store.Sources(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := make([]sourceJSON, len(srcs))
		for i := range srcs {
			out[i] = toSourceJSON(&srcs[i], s.now())
		}
		writeJSON(w, http.StatusOK, out)
	})
}
