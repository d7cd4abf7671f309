package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestDashboardInBrowser draws the health dashboard of a program with an
// applied review and a survey in a real browser: every chart is drawn with
// its lines or points, and the page logs no error to the console.
func TestDashboardInBrowser(t *testing.T) {
	s := storetest.SQLite(t)
	lifecycleProgram(t, s)
	ctx0 := context.Background()
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
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, "console "+string(e.Type))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/health?quarter=2025Q2"), chromedp.WaitVisible(`form.login`),
		chromedp.SendKeys(`input[name=email]`, "pm@example.org"), chromedp.SendKeys(`input[name=password]`, "a long enough password"),
		chromedp.Click(`form.login button`), chromedp.WaitVisible(`figure.chart svg`)); err != nil {
		t.Fatal(err)
	}
	// Each chart draws at least one point; NPS and follow-through may have
	// gaps, but the axes are there.
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll("figure.chart svg")].map(s => s.querySelectorAll("circle, polyline, line").length)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 10 {
		t.Errorf("%d charts drawn, want 10", len(charts))
	}
	for i, n := range charts {
		if n == 0 {
			t.Errorf("chart %d draws nothing", i+1)
		}
	}
	mu.Lock()
	if len(problems) > 0 {
		t.Errorf("the dashboard logged %v", problems)
	}
	mu.Unlock()
	// The listener hears the console: an error logged on purpose arrives.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`console.error("probe")`)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		heard := len(problems) > 0
		mu.Unlock()
		if heard {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the console listener heard nothing: the check above proves nothing")
		}
	}
}
