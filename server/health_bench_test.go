package server_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// benchProgram stores storetest.BenchSize's community, ending at end, with
// 5,000 ambassadors holding roster terms, 500 invitations and 500
// applications, and returns it with an ambassador's member ID.
func benchProgram(b testing.TB, end time.Time) (*store.Store, int64) {
	s := storetest.Synthetic(b, end)
	s.Now = func() time.Time { return end }
	ctx := context.Background()
	_, total, err := s.Members(ctx, cadre.MemberFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	// 5,000 ambassadors spread over the members (IDs are dense from 1),
	// each with a term from the roster of one to eight quarters ago.
	step, ambassadors, first := int64(max(1, total/5500)), 0, int64(0)
	for id := step; id <= int64(total) && ambassadors < 5000; id += step {
		err := s.StartTerm(ctx, &program.Term{MemberID: id, Start: end.AddDate(0, -3*int(id%8)-3, 0), Via: program.ViaRoster, Reason: "bench"}, "bench")
		switch cadre.ErrorCode(err) {
		case "":
			ambassadors++
			first = cmp.Or(first, id)
		case cadre.EINVALID: // staff or a bot
		default:
			b.Fatal(err)
		}
	}
	if ambassadors < 5000 {
		b.Fatalf("%d ambassadors of %d members", ambassadors, total)
	}
	for i := range 500 {
		s.Now = func() time.Time { return end.AddDate(0, 0, -i) }
		if _, _, err := s.Invite(ctx, int64(i)*7+3, "bench", nil); err != nil && cadre.ErrorCode(err) != cadre.ECONFLICT && cadre.ErrorCode(err) != cadre.EINVALID {
			b.Fatal(err)
		}
		a, err := program.ParseApplication("Applicant", fmt.Sprintf("a%d@example.org", i), "", "I help.", "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.SubmitApplication(ctx, a, nil); err != nil {
			b.Fatal(err)
		}
	}
	s.Now = func() time.Time { return end }
	return s, first
}

// BenchmarkHealthReport draws the health dashboard, eight quarters of SPEC
// 6's figures, on a stored community of storetest.BenchSize with 5,000
// ambassadors holding terms from the roster, 500 invitations and 500
// applications: per quarter the share at its review instant from the
// standings in memory and the ambassadors' activities read from SQLite by
// index. The eight boards differ from one round to the next, so none is
// reused.
//
//	go test -run '^$' -bench HealthReport -benchtime 5x ./server
//	CADRE_BENCH_MEMBERS=1000000 CADRE_BENCH_ACTIVITIES=10000000 go test -run '^$' -bench HealthReport -benchtime 5x -timeout 60m ./server
func BenchmarkHealthReport(b *testing.B) {
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	s, _ := benchProgram(b, end)
	h, err := newServer(b, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		b.Fatal(err)
	}
	get := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/health?quarter=2026Q1", nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `<a href="/renewal?quarter=2024Q2">2024Q2</a>`) {
			b.Fatalf("health page: %d", rec.Code)
		}
	}
	get() // the standings load once, as when a server starts
	// A sub-benchmark, so that the community is stored once for every round.
	// Each round first changes the standings (a member joins), so that the
	// page computes its quarters afresh rather than answering from the
	// figures it keeps.
	b.Run("8quarters", func(b *testing.B) {
		for i := range b.N {
			b.StopTimer()
			if err := s.CreateMember(context.Background(), &cadre.Member{Name: fmt.Sprintf("Newcomer %d", i)}, nil); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			get()
		}
	})
}
