package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestWhatIfInBrowser edits a draft on the criteria page in a real browser:
// the draft lowers maintain, the replay draws its three charts and names Ada
// among those who gain, the page logs no error, and saving the draft puts it
// in force.
func TestWhatIfInBrowser(t *testing.T) {
	st := storetest.SQLite(t)
	whatIfProgram(t, st)
	hash, err := account.HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(context.Background(), &account.User{Email: "pm@example.org", Role: account.Admin, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), st)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := browser(t)
	problems := consoleProblems(t, ctx)
	draft := "timezone: UTC\nthresholds: {achieve: 8, maintain: 5}\n"
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/whatif"), chromedp.WaitVisible(`form.login`),
		chromedp.SendKeys(`input[name=email]`, "pm@example.org"), chromedp.SendKeys(`input[name=password]`, "a long enough password"),
		chromedp.Click(`form.login button`), chromedp.WaitVisible(`textarea#draft`)); err != nil {
		t.Fatal(err)
	}
	for i, step := range []chromedp.Action[chromedp.Void]{
		chromedp.SetValue(`textarea#draft`, draft), chromedp.SetValue(`#quarters`, "1"),
		chromedp.SetValue(`#from`, "2025Q2"),
		chromedp.Click(`#replay`), chromedp.WaitVisible(`figure.chart svg`),
	} {
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := chromedp.Do(sctx, step)
		cancel()
		if err != nil {
			dbg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " " + document.body.innerText.slice(-800)`))
			t.Fatalf("step %d: %v\n%s", i, err, dbg)
		}
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll("figure.chart svg")].map(s => s.querySelectorAll("circle, polyline").length)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 3 || charts[0] == 0 || charts[1] == 0 {
		t.Errorf("charts %v, want three, share and renewal drawn", charts)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	gains := text[strings.Index(text, "Who gains"):strings.Index(text, "Who loses")]
	if !strings.Contains(gains, "Ada Ambassador") || !strings.Contains(gains, "renewed") {
		t.Errorf("who gains: %q, want Ada renewed", gains)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`button[formaction="/criteria/versions"]`), chromedp.WaitVisible(`p.ok`)); err != nil {
		t.Fatal(err)
	}
	if doc, err := st.Criteria(context.Background(), 0); err != nil || doc.Version != 2 || doc.Document != draft {
		t.Errorf("in force after the save: %+v, %v", doc, err)
	}
	if logged := problems(); len(logged) > 0 {
		t.Errorf("the criteria page logged %v", logged)
	}
}
