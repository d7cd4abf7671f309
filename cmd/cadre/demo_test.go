package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/demo"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/survey"
	"github.com/cadrehq/cadre/whatif"
)

func TestCalibratedCriteria(t *testing.T) {
	tests := []struct {
		name              string
		doc               string
		achieve, maintain float64 // of the edited document; 0 for an error
	}{
		{"default", criteria.DefaultYAML, 123, 82},
		{"achieve already edited", strings.Replace(criteria.DefaultYAML, "achieve: 60", "achieve: 70", 1), 0, 0},
		{"maintain already edited", strings.Replace(criteria.DefaultYAML, "maintain: 40", "maintain: 30", 1), 0, 0},
		{"no thresholds", "timezone: UTC\n", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := calibratedCriteria(tt.doc, 123)
			if tt.achieve == 0 {
				if err == nil {
					t.Fatalf("calibratedCriteria = %q and no error, want an error", doc)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := criteria.Parse([]byte(doc))
			if err != nil {
				t.Fatalf("%v in\n%s", err, doc)
			}
			if c.Thresholds.Achieve != tt.achieve || c.Thresholds.Maintain != tt.maintain {
				t.Errorf("thresholds %+v, want achieve %v, maintain %v", c.Thresholds, tt.achieve, tt.maintain)
			}
		})
	}
}

// demoNow is the end of the tests' demo history: a fixed instant late in a
// quarter, so that the quarter under way has a history of its own.
var demoNow = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// newDemo populates a demo database, large enough for its program to show
// every kind of event, ending at demoNow, and returns its path and store.
func newDemo(t *testing.T) (string, *store.Store) {
	t.Helper()
	ctx := context.Background()
	db := migrated(t)
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		log: slog.New(slog.DiscardHandler)}
	clock := st.Now
	start := time.Now()
	if err := populateDemo(ctx, e, st, demo.Options{Seed: 1, Members: 2000, Activities: 60000, Now: demoNow}); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo of 2,000 members and 60,000 activities in %v", time.Since(start).Round(time.Millisecond))
	if now := st.Now(); now.Before(start) || now.Sub(clock()) > time.Minute {
		t.Fatalf("after the demo the store's clock says %v: the history's clock was not given back", now)
	}
	return db, st
}

// TestDemo builds one demo and checks what it is made of.
func TestDemo(t *testing.T) {
	db, st := newDemo(t)
	t.Run("criteria are calibrated", func(t *testing.T) { testDemoCriteria(t, st) })
	t.Run("program history", func(t *testing.T) { testDemoProgram(t, db, st) })
	t.Run("statuses follow the terms", func(t *testing.T) { testDemoStatuses(t, st) })
	t.Run("accounts and source", func(t *testing.T) { testDemoAccounts(t, st) })
	t.Run("engagement", func(t *testing.T) { testDemoEngagement(t, db, st) })
	t.Run("a backtest under the criteria in force reproduces the reviews", func(t *testing.T) { testDemoBacktest(t, db, st) })
	t.Run("calibration finds criteria inside both bands", func(t *testing.T) { testDemoCalibration(t, db) })
}

// testDemoCalibration asks for criteria that keep the demo's share and
// renewal rate inside their bands over its eight reviews, letting the decay
// rate move, and replays the best found with cadre whatif: every quarter of
// the backtest lies inside both bands, as the calibration said.
func testDemoCalibration(t *testing.T, db string) {
	first := program.QuarterOf(demoNow, time.UTC)
	for range demoHistoryQuarters {
		first = first.Prev()
	}
	span := []string{"--from", first.String(), "--quarters", strconv.Itoa(demoHistoryQuarters)}
	code, stdout, stderr := cli(t, nil, "", append([]string{"criteria", "calibrate", "--bands", "--db", db, "--decay", "0.1:0.5", "--top", "3", "--json"}, span...)...)
	if code != 0 {
		t.Fatalf("calibrate: exit %d: %s", code, stderr)
	}
	var cal server.BandsJSON
	if err := json.Unmarshal([]byte(stdout), &cal); err != nil {
		t.Fatal(err)
	}
	if !cal.Inside || len(cal.Candidates) == 0 || cal.Scorings != 9 {
		t.Fatalf("calibration over %d scorings found nothing inside both bands: %+v", cal.Scorings, cal.Candidates)
	}
	best := cal.Candidates[0]
	file := filepath.Join(t.TempDir(), "calibrated.yaml")
	if err := os.WriteFile(file, []byte(best.Document), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := criteria.Parse([]byte(best.Document))
	if err != nil || c.Thresholds.Achieve != best.Achieve || c.Thresholds.Maintain != best.Maintain || c.Decay.Rate != best.DecayRate {
		t.Fatalf("the best candidate's document %v: %+v, want achieve %v, maintain %v, decay %v", err, c, best.Achieve, best.Maintain, best.DecayRate)
	}
	code, stdout, stderr = cli(t, nil, "", append([]string{"whatif", "--db", db, "--criteria", file, "--json"}, span...)...)
	if code != 0 {
		t.Fatalf("whatif: exit %d: %s", code, stderr)
	}
	var res server.WhatIfJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	for i, q := range res.Quarters {
		cand := q.Candidate
		if cand.Share < c.TargetShare.Min || cand.Share > c.TargetShare.Max ||
			cand.RenewalRate != nil && (*cand.RenewalRate < c.RenewalBand.Min || *cand.RenewalRate > c.RenewalBand.Max) {
			t.Errorf("%s under the calibrated criteria: share %v, renewal rate %v; want them inside %+v and %+v", q.Quarter, cand.Share, opt(cand.RenewalRate), c.TargetShare, c.RenewalBand)
		}
		if b := best.Quarters[i]; b.Share != cand.Share || !reflect.DeepEqual(b.RenewalRate, cand.RenewalRate) {
			t.Errorf("%s: the calibration said share %v, renewal rate %v; the backtest gives %v, %v", q.Quarter, b.Share, opt(b.RenewalRate), cand.Share, opt(cand.RenewalRate))
		}
	}
}

func opt(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// testDemoBacktest replays the demo's eight reviews under the criteria in
// force: every outcome of every term is the one the applied review
// recorded, and cadre whatif with that document as the candidate finds
// both sides alike, with the stored reviews' counts.
func testDemoBacktest(t *testing.T, db string, st *store.Store) {
	ctx := context.Background()
	first := program.QuarterOf(demoNow, time.UTC)
	for range demoHistoryQuarters {
		first = first.Prev()
	}
	var qs []program.Quarter
	excused := map[program.Quarter]map[int64]bool{}
	for q := first; len(qs) < demoHistoryQuarters; q = q.Next() {
		qs = append(qs, q)
		var err error
		if excused[q], err = st.Excused(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	terms, err := st.Terms(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := standings.Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	eng := snap.Engine(demoCriteriaVersion(t, st, 2))
	steps, _ := whatif.Replay(qs, terms, excused, func(program.Quarter) whatif.Standing { return eng })
	type outcome struct {
		term    int64
		outcome program.Outcome
	}
	reviews := map[program.Quarter]*program.AppliedReview{}
	for _, step := range steps {
		ar, err := st.Review(ctx, step.Quarter)
		if err != nil {
			t.Fatal(err)
		}
		reviews[step.Quarter] = ar
		want, got := map[int64]outcome{}, map[int64]outcome{}
		for _, e := range ar.Entries {
			want[e.MemberID] = outcome{e.TermID, e.Outcome}
		}
		for _, e := range step.Review.Entries {
			got[e.MemberID] = outcome{e.TermID, e.Outcome}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: the replay differs from the applied review:\n got %v\nwant %v", step.Quarter, got, want)
		}
	}
	doc, err := st.Criteria(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "in-force.yaml")
	if err := os.WriteFile(file, []byte(doc.Document), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(t, nil, "", "whatif", "--db", db, "--criteria", file, "--from", first.String(), "--quarters", strconv.Itoa(demoHistoryQuarters), "--json")
	if code != 0 {
		t.Fatalf("whatif: exit %d: %s", code, stderr)
	}
	var res server.WhatIfJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 0 || len(res.Quarters) != demoHistoryQuarters {
		t.Fatalf("whatif with the criteria in force: %d quarters, changes %+v", len(res.Quarters), res.Changes)
	}
	for i, q := range res.Quarters {
		ar := reviews[qs[i]]
		if q.Quarter != qs[i].String() || !reflect.DeepEqual(q.Current, q.Candidate) ||
			q.Current.Renewed != ar.Renewed || q.Current.Lapsed != ar.Lapsed || q.Current.Excused != ar.Excused || q.Current.CarriedOver != ar.CarriedOver {
			t.Errorf("%s: current %+v, candidate %+v; the applied review renewed %d, lapsed %d, excused %d, carried over %d",
				q.Quarter, q.Current, q.Candidate, ar.Renewed, ar.Lapsed, ar.Excused, ar.CarriedOver)
		}
	}
}

// testDemoCriteria reads the criteria version 2 of a demo and checks its
// thresholds against a calibration of the demo's community made here, with
// the standings engine at the demo's instant.
func testDemoCriteria(t *testing.T, st *store.Store) {
	ctx := context.Background()
	snap, err := standings.Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	// The demo qualifies 3% of the active community under version 1, the
	// default criteria.
	cal, err := snap.Engine(demoCriteriaVersion(t, st, 1)).Calibrate(0.03, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	// The document holds whole points, rounded as %.0f rounds: half to even.
	want := criteria.Thresholds{Achieve: math.RoundToEven(cal.Threshold), Maintain: math.RoundToEven(cal.Threshold * 2 / 3)}
	if got := demoCriteriaVersion(t, st, 2).Thresholds; got != want {
		t.Errorf("criteria version 2 thresholds %+v, want %+v from a calibration to %v at %v", got, want, cal.Threshold, demoNow)
	}
	if want == criteria.Default().Thresholds {
		t.Errorf("the calibration gives the default thresholds %+v: the test shows nothing", want)
	}
	// Both versions are in force before the first review they judge.
	first := program.QuarterOf(demoNow, time.UTC)
	for range demoHistoryQuarters {
		first = first.Prev()
	}
	for v := 1; v <= 2; v++ {
		doc, err := st.Criteria(ctx, v)
		if err != nil || doc.Author != demoAuthor || !doc.CreatedAt.Before(first.Start(time.UTC)) {
			t.Errorf("criteria version %d: %+v, %v; want it by %q before %v", v, doc, err, demoAuthor, first)
		}
	}
}

func demoCriteriaVersion(t *testing.T, st *store.Store, version int) *criteria.Criteria {
	t.Helper()
	doc, err := st.Criteria(context.Background(), version)
	if err != nil {
		t.Fatal(err)
	}
	c, err := criteria.Parse([]byte(doc.Document))
	if err != nil {
		t.Fatalf("criteria version %d: %v", version, err)
	}
	return c
}

// testDemoProgram checks the demo's program history against the rules of
// SPEC section 5: a review applied for each of the last eight ended quarters,
// in order, whose outcomes are recomputed here from the scores; lapses and
// returns; one ambassador excused; and, at the end, applications and
// invitations waiting.
func testDemoProgram(t *testing.T, db string, st *store.Store) {
	ctx := context.Background()
	terms, err := st.Terms(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	termByID := map[int64]program.Term{}
	for _, tm := range terms {
		termByID[tm.ID] = tm
	}
	snap, err := standings.Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	current := program.QuarterOf(demoNow, time.UTC)
	if _, err := st.Review(ctx, current); cadre.ErrorCode(err) != cadre.ENOTFOUND {
		t.Errorf("the quarter under way, %s: %v, want it not reviewed", current, err)
	}
	if last, err := st.LastReview(ctx); err != nil || last == nil || *last != current.Prev() {
		t.Errorf("last review %v, %v; want %s", last, err, current.Prev())
	}
	q := current
	for range demoHistoryQuarters {
		q = q.Prev()
	}
	var lapses, excusedQuarters int
	var appliedBefore time.Time
	for ; q.Before(current); q = q.Next() {
		ar, err := st.Review(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if ar.AppliedAt.Before(q.End(time.UTC)) || !ar.AppliedAt.After(appliedBefore) || ar.CriteriaVersion != 2 || ar.Actor != demoAdmin {
			t.Errorf("%s applied at %v (the one before at %v) under version %d by %q: want it after the quarter ended, in order, under the calibrated version 2, by the demo admin",
				q, ar.AppliedAt, appliedBefore, ar.CriteriaVersion, ar.Actor)
		}
		appliedBefore = ar.AppliedAt
		excused, err := st.Excused(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(excused) > 0 {
			excusedQuarters++
		}
		// Every outcome again, from the terms, the excusals and the scores
		// of the criteria version the review used.
		c := demoCriteriaVersion(t, st, ar.CriteriaVersion)
		eng := snap.Engine(c)
		at := q.ReviewAt(time.UTC)
		want := map[int64]program.Outcome{}
		for _, tm := range terms {
			switch {
			case !tm.Holds(at):
			case !tm.Start.Before(q.Start(time.UTC)):
				want[tm.ID] = program.CarriedOver
			case excused[tm.MemberID]:
				want[tm.ID] = program.Excused
			case eng.Score(tm.MemberID, at) >= c.Thresholds.Maintain-1e-9:
				want[tm.ID] = program.Renewed
			default:
				want[tm.ID] = program.Lapsed
			}
		}
		counts := map[program.Outcome]int{}
		for _, e := range ar.Entries {
			counts[e.Outcome]++
			if e.Outcome != want[e.TermID] {
				t.Errorf("%s: term %d of member %d %s, want %s", q, e.TermID, e.MemberID, e.Outcome, want[e.TermID])
			}
			if tm := termByID[e.TermID]; e.Outcome == program.Lapsed && (tm.EndedBy != program.EndReview || !tm.End.Equal(q.End(time.UTC))) {
				t.Errorf("%s: lapsed term %+v, want it ended by review at %v", q, tm, q.End(time.UTC))
			}
		}
		if len(ar.Entries) != len(want) {
			t.Errorf("%s: %d entries, want the %d terms open at %v", q, len(ar.Entries), len(want), at)
		}
		lapses += counts[program.Lapsed]
		// The renewal rate as the CLI and the health report give it, from
		// the outcomes.
		var rate *float64
		if up := counts[program.Renewed] + counts[program.Lapsed]; up > 0 {
			r := float64(counts[program.Renewed]) / float64(up)
			rate = &r
		}
		var review struct {
			Applied         bool
			Renewed, Lapsed int
			Excused         int
			CarriedOver     int      `json:"carried_over"`
			RenewalRate     *float64 `json:"renewal_rate"`
		}
		cliJSON(t, &review, "renewal", "preview", "--db", db, "--quarter", q.String(), "--json")
		if !review.Applied || review.Renewed != counts[program.Renewed] || review.Lapsed != counts[program.Lapsed] ||
			review.Excused != counts[program.Excused] || review.CarriedOver != counts[program.CarriedOver] || !sameRate(review.RenewalRate, rate) {
			t.Errorf("%s: renewal preview %+v, want applied with %v and rate %v", q, review, counts, deref(rate))
		}
		var health struct {
			Review *struct {
				RenewalRate *float64 `json:"renewal_rate"`
			}
		}
		cliJSON(t, &health, "health", "--db", db, "--quarter", q.String(), "--json")
		if health.Review == nil || !sameRate(health.Review.RenewalRate, rate) {
			t.Errorf("%s: health review %+v, want renewal rate %v", q, health.Review, deref(rate))
		}
	}
	if lapses == 0 {
		t.Error("nobody lapsed in two years")
	}
	if excusedQuarters != 1 {
		t.Errorf("ambassadors excused in %d quarters, want 1", excusedQuarters)
	}
	// A return: a term after one that a review ended.
	returns, vias := 0, map[program.Via]int{}
	for _, tm := range terms {
		vias[tm.Via]++
		for _, later := range terms {
			if later.MemberID == tm.MemberID && tm.EndedBy == program.EndReview && !later.Start.Before(tm.End) {
				returns++
			}
		}
	}
	if returns == 0 || vias[program.ViaRoster] == 0 || vias[program.ViaInvitation] == 0 || vias[program.ViaApplication] == 0 {
		t.Errorf("%d returns, terms by way in %v: want a return and terms by roster, invitation and application", returns, vias)
	}
	// The excusal says why.
	found := false
	for _, e := range mustAudit(t, st) {
		found = found || e.Action == "review.excuse" && strings.HasSuffix(e.Detail, ": parental leave")
	}
	if !found {
		t.Error("no excusal for parental leave in the audit log")
	}

	invs, err := st.Invitations(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	invStates := map[program.InvitationState]int{}
	for _, inv := range invs {
		invStates[inv.StateAt(demoNow)]++
	}
	for _, s := range []program.InvitationState{program.InvitationSent, program.InvitationAccepted, program.InvitationDeclined, program.InvitationExpired} {
		if invStates[s] == 0 {
			t.Errorf("invitations at the end %v: none %s", invStates, s)
		}
	}
	apps, err := st.Applications(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	appStates, noted := map[program.ApplicationState]int{}, 0
	for _, a := range apps {
		appStates[a.State]++
		if a.State == program.ApplicationRejected && a.Reason == "" {
			t.Errorf("application %d rejected without a reason", a.ID)
		}
		notes, err := st.ApplicationNotes(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Open() && len(notes) > 0 {
			noted++
		}
	}
	t.Logf("%d lapses, %d returns, invitations %v, applications %v", lapses, returns, invStates, appStates)
	if appStates[program.ApplicationSubmitted] < 3 || noted == 0 || appStates[program.ApplicationAccepted] == 0 ||
		appStates[program.ApplicationRejected] == 0 || appStates[program.ApplicationWithdrawn] != 1 {
		t.Errorf("applications %v, %d open with notes: want several open, one with notes, some accepted and rejected, one withdrawn", appStates, noted)
	}
}

func mustAudit(t *testing.T, st *store.Store) []cadre.AuditEntry {
	t.Helper()
	entries, err := st.AuditLog(context.Background(), "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// cliJSON runs cadre with args and decodes what it prints into v.
func cliJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	code, stdout, stderr := cli(t, nil, "", args...)
	if code != 0 {
		t.Fatalf("cadre %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), v); err != nil {
		t.Fatalf("cadre %s: %v in\n%s", strings.Join(args, " "), err, stdout)
	}
}

func sameRate(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && math.Abs(*a-*b) < 1e-12
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// testDemoStatuses checks every member's status against their terms at the
// end of history: the generator's guess does not survive.
func testDemoStatuses(t *testing.T, st *store.Store) {
	ctx := context.Background()
	ms, _, err := st.Members(ctx, cadre.MemberFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	terms, err := st.Terms(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	byMember := map[int64][]program.Term{}
	for _, tm := range terms {
		byMember[tm.MemberID] = append(byMember[tm.MemberID], tm)
	}
	counts := map[cadre.MemberStatus]int{}
	for _, m := range ms {
		counts[m.Status]++
		if want := program.StatusAt(byMember[m.ID], demoNow); m.Status != want {
			t.Errorf("member %d (%s) is %s, and %s by their terms", m.ID, m.Name, m.Status, want)
		}
	}
	if counts[cadre.StatusAmbassador] == 0 || counts[cadre.StatusAlumni] == 0 {
		t.Errorf("statuses %v: want ambassadors and alumni", counts)
	}
}

// testDemoAccounts checks the demo's ambassador account is an ambassador's,
// and that the sample source, whose host does not exist, is paused.
func testDemoAccounts(t *testing.T, st *store.Store) {
	ctx := context.Background()
	if _, err := demoAccounts(ctx, st); err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByEmail(ctx, "ambassador@demo.cadre.example")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := st.Member(ctx, u.MemberID); err != nil || m.Status != cadre.StatusAmbassador {
		t.Errorf("the ambassador account's member: %+v, %v; want an ambassador", m, err)
	}
	if src, err := st.GetSource(ctx, demoSource); err != nil || !src.Paused {
		t.Errorf("the sample source: %+v, %v; want it paused", src, err)
	}
	if !demoComplete(ctx, st) {
		t.Error("the demo is not complete")
	}
}

// testDemoEngagement checks the demo's engagement (SPEC 6): surveys
// answered in several quarters and the quarter under way's open, which the
// demo's ambassador account has yet to answer; the sample catalog with
// grants in every state; sessions with votes and commitments done on time,
// late and not at all; and one quarter's NPS and follow-through in the
// health report against those computed here from the stored answers and
// commitments.
func testDemoEngagement(t *testing.T, db string, st *store.Store) {
	ctx := context.Background()
	current := program.QuarterOf(demoNow, time.UTC)
	svs, err := st.Surveys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The NPS of the closed surveys, and their answers.
	nps, responses := map[program.Quarter]float64{}, map[program.Quarter]int{}
	open := 0
	for _, sv := range svs {
		answers, err := st.SurveyAnswers(ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		invitees, err := st.SurveyInvitees(ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range answers {
			if a.At.Before(sv.OpenedAt) || !a.At.Before(sv.ClosesAt) || a.At.After(demoNow) || !invitees[a.MemberID] {
				t.Errorf("%s: answer %+v outside the survey's %v to %v, after now or not by an invitee", sv.Quarter, a, sv.OpenedAt, sv.ClosesAt)
			}
		}
		if sv.OpenAt(demoNow) {
			open++
			if sv.Quarter != current || len(answers) == 0 || len(answers) >= len(invitees) {
				t.Errorf("open survey of %s with %d answers from %d invited: want the quarter under way's, %s, partly answered",
					sv.Quarter, len(answers), len(invitees), current)
			}
			continue
		}
		if len(answers) == 0 || sv.ClosesAt.After(sv.Quarter.End(time.UTC)) {
			t.Errorf("closed survey of %s: %d answers, closed %v: want answers, closed within the quarter", sv.Quarter, len(answers), sv.ClosesAt)
			continue
		}
		nps[sv.Quarter], responses[sv.Quarter] = demoNPS(answers), len(answers)
	}
	t.Logf("NPS of the closed surveys %v", nps)
	if len(nps) < 5 || open != 1 {
		t.Errorf("%d closed surveys answered and %d open: want at least 5 and 1", len(nps), open)
	}
	distinct := map[float64]bool{}
	for q, score := range nps {
		distinct[score] = true
		if score < 0 || score > 60 {
			t.Errorf("NPS of %s %v: want a program's, from 0 to 60", q, score)
		}
	}
	if len(distinct) < 2 {
		t.Errorf("NPS %v: want it to vary", nps)
	}
	// The portal asks the demo's ambassador the question.
	if _, err := demoAccounts(ctx, st); err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByEmail(ctx, "ambassador@demo.cadre.example")
	if err != nil {
		t.Fatal(err)
	}
	if sv, a, err := st.MemberSurvey(ctx, u.MemberID, demoNow); err != nil || sv.Quarter != current || a != nil {
		t.Errorf("the demo ambassador's survey: %+v, answer %+v, %v; want %s's, not answered", sv, a, err, current)
	}

	testDemoRewards(t, st)
	commitments := testDemoSessions(t, st)

	// One quarter's figures in the health report: the latest with a closed
	// survey in which some commitments due were kept on time and some not,
	// so that neither a 0 nor a 1 passes by chance.
	var q program.Quarter
	var want *float64
	for q = current.Prev(); ; q = q.Prev() {
		if _, ok := nps[q]; !ok {
			t.Fatalf("no quarter with a closed survey and some of the commitments due kept")
		}
		if want = demoFollowThrough(q, commitments); want != nil && *want > 0 && *want < 1 {
			break
		}
	}
	var health struct {
		NPS *struct {
			Score     *float64
			Responses int
		}
		FollowThrough *float64 `json:"follow_through"`
	}
	cliJSON(t, &health, "health", "--db", db, "--quarter", q.String(), "--json")
	if health.NPS == nil || health.NPS.Score == nil || math.Abs(*health.NPS.Score-nps[q]) > 1e-9 || health.NPS.Responses != responses[q] {
		t.Errorf("%s: health NPS %+v, want %v from %d answers", q, health.NPS, nps[q], responses[q])
	}
	if !sameRate(health.FollowThrough, want) {
		t.Errorf("%s: health follow-through %v, want %v", q, deref(health.FollowThrough), *want)
	}
	t.Logf("%s: NPS %v, follow-through %v", q, nps[q], *want)
}

// demoNPS is the NPS of answers: promoters (9, 10) less detractors (0 to
// 6), in percent of the answers.
func demoNPS(answers []survey.Answer) float64 {
	net := 0
	for _, a := range answers {
		switch {
		case a.Score >= 9:
			net++
		case a.Score <= 6:
			net--
		}
	}
	return 100 * float64(net) / float64(len(answers))
}

// demoFollowThrough is the share of the commitments due in q that were done
// by their due date, nil when none was due.
func demoFollowThrough(q program.Quarter, cs []session.Commitment) *float64 {
	due, kept := 0, 0
	for _, c := range cs {
		if c.Due.Before(q.Start(time.UTC)) || !c.Due.Before(q.End(time.UTC)) {
			continue
		}
		due++
		if c.Status == session.Done && !c.DoneAt.After(c.Due) {
			kept++
		}
	}
	if due == 0 {
		return nil
	}
	f := float64(kept) / float64(due)
	return &f
}

// testDemoRewards checks the demo's rewards: the sample catalog and
// matrix, a budget in each quarter that its grants keep to, grants in
// every state, and some whose impact window has passed.
func testDemoRewards(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sample, matrix := reward.Sample()
	catalog, err := st.Rewards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.RewardMatrix(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(catalog) != len(sample) || len(m.Rows) != len(matrix.Rows) || len(m.PainPoints) != len(matrix.PainPoints) {
		t.Errorf("%d rewards, a matrix of %d × %d: want the sample's %d, %d × %d",
			len(catalog), len(m.Rows), len(m.PainPoints), len(sample), len(matrix.Rows), len(matrix.PainPoints))
	}
	grants, err := st.Grants(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	states, quarters, complete := map[reward.State]int{}, map[string]bool{}, 0
	for _, g := range grants {
		states[g.State]++
		quarters[g.Quarter] = true
		if g.State != reward.Cancelled && !g.At.Add(reward.ImpactWindow).After(demoNow) {
			complete++
		}
	}
	for qs := range quarters {
		q, err := program.ParseQuarter(qs)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := st.RewardBudget(ctx, q); err != nil || !b.Set || b.Spent > b.Amount {
			t.Errorf("%s: budget %+v, %v; want one set and kept to", q, b, err)
		}
	}
	t.Logf("%d grants in %d quarters, %v, %d with their impact complete", len(grants), len(quarters), states, complete)
	if len(quarters) < demoHistoryQuarters || complete == 0 || states[reward.Delivered] == 0 || states[reward.Cancelled] == 0 ||
		states[reward.Promised]+states[reward.Sent] == 0 {
		t.Errorf("grants in %d quarters, %v, %d complete: want them in every quarter, delivered, cancelled and on their way, and some complete",
			len(quarters), states, complete)
	}
}

// testDemoSessions checks the demo's feedback sessions: items voted for by
// others than their authors, and commitments done on time, done late, and
// overdue now, with follow-up notes; it returns the commitments.
func testDemoSessions(t *testing.T, st *store.Store) []session.Commitment {
	ctx := context.Background()
	sessions, err := st.FeedbackSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	votes := 0
	for _, ss := range sessions {
		items, err := st.FeedbackItems(ctx, ss.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			votes += it.Votes()
			if it.VotedBy(it.AuthorID) {
				t.Errorf("item %d voted for by its author", it.ID)
			}
		}
	}
	cs, err := st.Commitments(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	onTime, late, overdue, noted := 0, 0, 0, 0
	for _, c := range cs {
		switch {
		case c.Status == session.Done && !c.DoneAt.After(c.Due):
			onTime++
		case c.Status == session.Done:
			late++
		case c.Status != session.Declined && demoNow.After(c.Due):
			overdue++
		}
		for _, n := range c.Notes {
			if n.Status == "" && n.Text != "" {
				noted++
				break
			}
		}
	}
	t.Logf("%d sessions, %d votes, %d commitments: %d on time, %d late, %d overdue, %d with follow-up notes", len(sessions), votes, len(cs), onTime, late, overdue, noted)
	if len(sessions) < engagedQuarters || votes == 0 || onTime <= late || late == 0 || overdue == 0 || noted == 0 {
		t.Errorf("%d sessions, %d votes, commitments %d on time, %d late, %d overdue, %d noted: want a session a quarter, votes, most on time, some late and overdue, notes",
			len(sessions), votes, onTime, late, overdue, noted)
	}
	// Follow-through varies by quarter.
	rates := map[float64]bool{}
	for q := program.QuarterOf(demoNow, time.UTC); len(rates) < 2 && q.Start(time.UTC).After(demoNow.AddDate(-2, 0, 0)); q = q.Prev() {
		if f := demoFollowThrough(q, cs); f != nil {
			rates[*f] = true
		}
	}
	if len(rates) < 2 {
		t.Errorf("follow-through %v in the last two years: want it to vary", rates)
	}
	return cs
}

// TestDemoAnyDay builds the small demo of cadre demo's tests as of days
// across a year: whatever the day, a first look finds ambassadors, reports
// to review with one repeating a known talk, and members known twice. Two
// days once failed: on 2026-08-31 one outlier set the bar, so that nobody
// else ever qualified; on 2026-12-04 the first six reporters had given no
// talk.
func TestDemoAnyDay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds nine demos")
	}
	ctx := context.Background()
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		log: slog.New(slog.DiscardHandler)}
	days := []time.Time{time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}
	for day := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC); len(days) < 9; day = day.AddDate(0, 0, 47) {
		days = append(days, day)
	}
	for _, day := range days {
		t.Run(day.Format(time.DateOnly), func(t *testing.T) {
			st, err := store.Open(ctx, migrated(t))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := populateDemo(ctx, e, st, demo.Options{Seed: 1, Members: 300, Activities: 5000, Now: day}); err != nil {
				t.Fatal(err)
			}
			if _, n, err := st.Members(ctx, cadre.MemberFilter{Status: cadre.StatusAmbassador, Limit: 1}); err != nil || n == 0 {
				t.Errorf("%d ambassadors (%v)", n, err)
			}
			reports, _, err := st.Activities(ctx, cadre.ActivityFilter{Status: cadre.ActivityPending, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			repeats := 0
			for _, a := range reports {
				if a.DuplicateOf != 0 {
					repeats++
				}
			}
			if len(reports) < 6 || repeats == 0 {
				t.Errorf("%d reports to review, %d repeating known activity; want 6 or more, some repeating", len(reports), repeats)
			}
			if sgs, err := st.MergeSuggestions(ctx); err != nil || len(sgs) == 0 {
				t.Errorf("%d merge suggestions (%v)", len(sgs), err)
			}
		})
	}
}
