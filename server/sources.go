package server

import (
	"net/http"
)

func (s *Server) handleSources() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srcs, err := s.store.Sources(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := make([]SourceJSON, len(srcs))
		for i := range srcs {
			out[i] = NewSourceJSON(&srcs[i], s.now())
		}
		s.writeJSON(w, http.StatusOK, out)
	})
}
