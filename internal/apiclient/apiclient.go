// Package apiclient holds what the platforms' API clients share: waiting out
// rate limits and quoting error responses.
package apiclient

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Sleep waits for d, or until ctx ends. A client's injected sleep, when set,
// waits instead, so that tests never wait for real.
func Sleep(ctx context.Context, d time.Duration, injected func(context.Context, time.Duration) error) error {
	if injected != nil {
		return injected(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ExcerptBytes is how much of an error response's body Excerpt keeps.
const ExcerptBytes = 200

// Excerpt returns the start of a response body for an error message, on one
// line, cut on a character boundary.
func Excerpt(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) <= ExcerptBytes {
		return s
	}
	cut := ExcerptBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// HTTPError is a response with a status a client cannot use.
type HTTPError struct {
	Platform   string // for the message: "discourse", …
	Method     string
	Path       string // path and query, relative to the API's root, without secrets
	StatusCode int
	Status     string
	Body       string // the start of the body, from Excerpt
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s: %s %s: %s", e.Platform, e.Method, e.Path, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}
