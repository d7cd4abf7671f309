package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// browser starts a headless Chromium for the test, or skips the test when
// there is none (CI installs one, and with CI=true its absence fails).
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is required in CI: apt-get install chromium")
		}
		t.Skip("no Chromium on this machine")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		// The machine's network is closed: no background connections.
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// consoleProblems listens to the browser of ctx and returns a function
// that lists the exceptions thrown and the errors and warnings logged so
// far.
func consoleProblems(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
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
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(problems)
	}
}

// TestPagesInBrowser walks the pages as people do, in a real browser: a
// reviewer signs in, filters the members, opens the leaderboard, follows a
// member, sees their chart, reaches the review queue and signs out; then an
// ambassador signs in, lands on their own page and is refused another's.
func TestPagesInBrowser(t *testing.T) {
	storetest.Each(t, testPagesInBrowser)
}

func testPagesInBrowser(t *testing.T, s *store.Store) {
	seed(t, s)
	ctx0 := context.Background()
	ms, _, err := s.Members(ctx0, cadre.MemberFilter{})
	if err != nil || len(ms) != 3 {
		t.Fatal(ms, err)
	}
	ids := map[string]int64{}
	for _, m := range ms {
		ids[m.Name] = m.ID
	}
	hash, err := account.HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []account.User{
		{Email: "rev@example.org", Role: account.Reviewer, PasswordHash: hash},
		{Email: "ada@example.org", Role: account.Ambassador, MemberID: ids["Ada Ambassador"], PasswordHash: hash},
	} {
		if err := s.CreateUser(ctx0, &u, "test"); err != nil {
			t.Fatal(err)
		}
	}
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := browser(t)

	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	signIn := func(email string) {
		t.Helper()
		step("open the login page", chromedp.Do(ctx, chromedp.WaitVisible(`form.login`),
			chromedp.SendKeys(`input[name=email]`, email), chromedp.SendKeys(`input[name=password]`, "a long enough password"),
			chromedp.Click(`form.login button`), chromedp.WaitNotPresent(`form.login`)))
	}
	step("ask for the members page", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")))
	signIn("rev@example.org")
	step("land on the members page", chromedp.Do(ctx, chromedp.WaitVisible(`table.members`)))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.members tbody tr").length`))
	step("count members", err)
	if rows != 3 {
		t.Errorf("members page shows %d rows, want 3", rows)
	}
	step("search", chromedp.Do(ctx, chromedp.SendKeys(`input[name=q]`, "ada"), chromedp.Submit(`input[name=q]`),
		chromedp.WaitVisible(`input[name=q][value=ada]`)))
	names, err := chromedp.Run(ctx, chromedp.Text(`table.members tbody`))
	step("read the results", err)
	if !strings.Contains(names, "Ada Ambassador") || strings.Contains(names, "bob") {
		t.Errorf("members matching ada: %q", names)
	}
	step("open the leaderboard", chromedp.Do(ctx, chromedp.Click(`nav a[href="/leaderboard"]`), chromedp.WaitVisible(`section.bar`)))
	title, err := chromedp.Run(ctx, chromedp.Text(`h1`))
	step("read the heading", err)
	step("follow the first member", chromedp.Do(ctx, chromedp.Click(`table.members tbody tr:first-child a`), chromedp.WaitVisible(`figure.chart svg`)))
	chart, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.querySelector("h1").textContent + " | " + document.querySelectorAll("figure.chart svg path, figure.chart svg polyline").length`))
	step("read the member page", err)
	step("open the review queue", chromedp.Do(ctx, chromedp.Click(`nav a[href="/review"]`), chromedp.WaitVisible(`td.empty`)))
	review, err := chromedp.Run(ctx, chromedp.Text(`td.empty`))
	step("read the review queue", err)
	if !strings.HasPrefix(title, "Leaderboard") {
		t.Errorf("leaderboard heading %q", title)
	}
	if !strings.HasPrefix(chart, "Ada Ambassador") || strings.HasSuffix(chart, "| 0") {
		t.Errorf("first-ranked member's page: %q, want Ada with a drawn chart", chart)
	}
	if review != "Nothing to review." {
		t.Errorf("review queue: %q", review)
	}

	step("sign out", chromedp.Do(ctx, chromedp.Click(`form.logout button`), chromedp.WaitVisible(`form.login`)))
	step("ask for a page signed out", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/leaderboard"), chromedp.WaitVisible(`form.login`)))

	step("ask for the members page as Ada", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")))
	signIn("ada@example.org")
	step("land on her portal", chromedp.Do(ctx, chromedp.WaitVisible(`section.standing`)))
	own, err := chromedp.Run(ctx, chromedp.Text(`h1`))
	step("read her portal", err)
	if !strings.HasPrefix(own, "Ada Ambassador") {
		t.Errorf("an ambassador lands on %q, want her portal", own)
	}
	outlook, err := chromedp.Run(ctx, chromedp.Text(`p.outlook`))
	step("read her outlook", err)
	if !strings.Contains(outlook, "review") {
		t.Errorf("her outlook: %q", outlook)
	}
	nav, err := chromedp.Run(ctx, chromedp.Text(`nav`))
	step("read her menu", err)
	if !strings.Contains(nav, "Portal") || strings.Contains(nav, "Members") || strings.Contains(nav, "Review") {
		t.Errorf("an ambassador's menu: %q, want her portal and no program pages", nav)
	}
	step("ask for Bob's page", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/members/"+strconv.FormatInt(ids["bob"], 10)), chromedp.WaitVisible(`h1`)))
	refused, err := chromedp.Run(ctx, chromedp.Text(`h1`))
	step("read the answer", err)
	if refused != "Forbidden" {
		t.Errorf("an ambassador on another member's page sees %q, want Forbidden", refused)
	}
}
