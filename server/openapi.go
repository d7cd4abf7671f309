package server

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3 description of /api/v1, kept beside routes.go: a
// test checks that the two name the same operations.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
}
