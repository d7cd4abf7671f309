package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/cadrehq/cadre/account"
)

// BenchmarkPagesUnderLoad asks a real server on loopback for the member,
// leaderboard, portal and dashboard pages and three member searches at 200 requests a second each
// for ten seconds with vegeta, a real HTTP load generator, over the stored
// community of benchProgram, and reports the latencies' median and 99th
// percentile and the share of answers that were 200. The standings load
// once before, as when a server starts.
//
//	go test -run '^$' -bench PagesUnderLoad -benchtime 1x ./server
//	CADRE_BENCH_MEMBERS=1000000 CADRE_BENCH_ACTIVITIES=10000000 go test -run '^$' -bench PagesUnderLoad -benchtime 1x -timeout 60m ./server
func BenchmarkPagesUnderLoad(b *testing.B) {
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	s, amb := benchProgram(b, end)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := newBareServer(b, log, s)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	admin, _ := signIn(b, s, "admin@example.org", account.Admin, 0)
	ambassador, _ := signIn(b, s, "amb@example.org", account.Ambassador, amb)
	m, err := s.Member(context.Background(), amb)
	if err != nil {
		b.Fatal(err)
	}
	// The searches: a broad one (Adams, Adaeze, Adebayo …: about one
	// member in twenty), a full name (a few hundred in a million) and a
	// handle (with the dozen longer handles it begins).
	search := func(q string) string { return "/api/v1/members?limit=20&q=" + url.QueryEscape(q) }
	pages := []struct {
		name, path string
		cookie     *http.Cookie
	}{
		{"member", "/members/" + strconv.FormatInt(amb, 10), admin},
		{"leaderboard", "/leaderboard", admin},
		{"members", "/", admin},
		{"ambassadors", "/?status=ambassador", admin},
		{"portal", "/portal", ambassador},
		{"health", "/health?quarter=2026Q1", admin},
		{"search-broad", search("ada"), admin},
		{"search-name", search(m.Name), admin},
		{"search-handle", search("m" + strconv.Itoa(int(amb)*7)), admin},
	}
	for _, p := range pages {
		hdr := http.Header{"Cookie": {p.cookie.String()}}
		if strings.HasPrefix(p.name, "search") {
			hdr.Set("Accept", "application/json")
		}
		target := vegeta.Target{Method: "GET", URL: srv.URL + p.path, Header: hdr}
		// Once first, so that the page's standings and caches are warm.
		resp, err := srv.Client().Do(mustRequest(b, target))
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s: %v %v", p.path, resp, err)
		}
		_ = resp.Body.Close()
		b.Run(p.name, func(b *testing.B) {
			for range b.N {
				var m vegeta.Metrics
				attacker := vegeta.NewAttacker(vegeta.KeepAlive(true))
				for r := range attacker.Attack(vegeta.NewStaticTargeter(target), vegeta.Rate{Freq: 200, Per: time.Second}, 10*time.Second, p.name) {
					m.Add(r)
				}
				m.Close()
				b.ReportMetric(float64(m.Latencies.P50.Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(m.Latencies.P99.Microseconds())/1000, "p99-ms")
				b.ReportMetric(100*float64(m.StatusCodes["200"])/float64(m.Requests), "%ok")
			}
		})
	}
}

func mustRequest(b *testing.B, t vegeta.Target) *http.Request {
	b.Helper()
	req, err := t.Request()
	if err != nil {
		b.Fatal(err)
	}
	return req
}
