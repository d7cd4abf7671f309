package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestDashboardInBrowser draws the health dashboard of a program with an
// applied review, a survey, and rewards scored and granted, in a real
// browser: every chart is drawn with its lines, points or bars, and the
// page logs no error to the console.
func TestDashboardInBrowser(t *testing.T) {
	s := storetest.SQLite(t)
	ids := lifecycleProgram(t, s)
	ctx0 := context.Background()
	// The sample catalog and matrix, as the demo stores them, and grants:
	// two whose 60 days after have passed by the fixture's now (2025-04-10),
	// Ada's talks after the pass and Dan's post after the swag, and one that
	// is not measured yet.
	rewards, matrix := reward.Sample()
	for i := range rewards {
		if err := s.SaveReward(ctx0, &rewards[i], "pm"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ImportRewardMatrix(ctx0, matrix, "pm"); err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		reward string
		member int64
		at     time.Time
	}{
		{"Conference pass", ids["Ada"], time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)},
		{"Swag pack", ids["Dan"], time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)},
		{"Roadmap briefing", ids["Bob"], time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)},
	} {
		r, err := s.RewardByName(ctx0, g.reward)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.GrantReward(ctx0, &reward.Grant{RewardID: r.ID, MemberID: g.member, At: g.at, Quarter: program.QuarterOf(g.at, time.UTC).String(), Actor: "pm"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := account.HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx0, &account.User{Email: "pm@example.org", Role: account.Admin, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := newBareServer(t, log, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.OpenSurvey(ctx0, s, program.Quarter{Year: 2025, Q: 2}, time.UTC, s.Now(), time.Time{}, false, "pm", nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := browser(t)
	problems := consoleProblems(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/health?quarter=2025Q2"), chromedp.WaitVisible(`form.login`),
		chromedp.SendKeys(`input[name=email]`, "pm@example.org"), chromedp.SendKeys(`input[name=password]`, "a long enough password"),
		chromedp.Click(`form.login button`), chromedp.WaitVisible(`figure.chart svg`)); err != nil {
		t.Fatal(err)
	}
	// Each chart draws at least one point or bar; NPS and follow-through
	// may have gaps, but the axes are there.
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll("figure.chart svg")].map(s => s.querySelectorAll("circle, polyline, line, rect").length)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 12 {
		t.Errorf("%d charts drawn, want 12 (10 by quarter, reward value and reward impact)", len(charts))
	}
	for i, n := range charts {
		if n == 0 {
			t.Errorf("chart %d draws nothing", i+1)
		}
	}
	// The rewards' charts draw a bar of some width for each reward in the
	// catalog, and for each reward with a grant measured.
	for _, c := range []struct {
		id   string
		bars int
	}{{"reward-value", len(rewards)}, {"reward-impact", 2}} {
		widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll("h2#`+c.id+` + .columns svg rect")].map(r => r.getBoundingClientRect().width)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(widths) != c.bars {
			t.Errorf("%s: %d bars, want %d", c.id, len(widths), c.bars)
		}
		for i, w := range widths {
			if w <= 0 {
				t.Errorf("%s: bar %d has no width", c.id, i+1)
			}
		}
	}
	if logged := problems(); len(logged) > 0 {
		t.Errorf("the dashboard logged %v", logged)
	}
	// The listener hears the console: an error logged on purpose arrives.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`console.error("probe")`)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if len(problems()) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the console listener heard nothing: the check above proves nothing")
		}
	}
}
