package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store/storetest"
)

// narrowLayout is what a page looks like at a phone's width, as the browser
// lays it out.
type narrowLayout struct {
	ScrollWidth int  `json:"scrollWidth"` // the page's width, scrolling included
	InnerWidth  int  `json:"innerWidth"`  // the screen's
	Current     int  `json:"current"`     // right edge of the menu entry of the page, -1 without one
	Garbled     bool `json:"garbled"`     // a template printed a formatting error such as %!f
}

const readNarrowLayout = `({
	scrollWidth: document.documentElement.scrollWidth,
	innerWidth: window.innerWidth,
	current: (e => e ? Math.ceil(e.getBoundingClientRect().right) : -1)(document.querySelector('nav a[aria-current="page"]')),
	garbled: document.body.innerText.includes("%!"),
})`

// TestNarrowPagesInBrowser opens every page at a phone's width, 390 pixels,
// and checks that none is wider than the screen (a wide table scrolls inside
// itself, the menu wraps, a long link breaks) and that the menu entry of the
// page is on the screen. Its application is made through the form, so that
// the confirmation with its long personal link is checked too.
func TestNarrowPagesInBrowser(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ms, _, err := s.Members(context.Background(), cadre.MemberFilter{Status: cadre.StatusAmbassador})
	if err != nil || len(ms) == 0 {
		t.Fatal(ms, err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	public, err := newBareServer(t, log, s)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := newServer(t, log, s)
	if err != nil {
		t.Fatal(err)
	}
	ps, as := httptest.NewServer(public), httptest.NewServer(admin)
	defer ps.Close()
	defer as.Close()
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}

	check := func(page string, menu bool) {
		t.Helper()
		l, err := chromedp.Run(ctx, chromedp.Evaluate[narrowLayout](readNarrowLayout))
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		if l.ScrollWidth > l.InnerWidth {
			t.Errorf("%s is %d pixels wide on a screen of %d: the page scrolls sideways", page, l.ScrollWidth, l.InnerWidth)
		}
		if menu && (l.Current < 0 || l.Current > l.InnerWidth) {
			t.Errorf("%s: the menu entry of the page ends at %d, want on a screen of %d", page, l.Current, l.InnerWidth)
		}
		if l.Garbled {
			t.Errorf("%s shows a formatting error (%%!)", page)
		}
	}
	open := func(base, path string) {
		t.Helper()
		res, err := chromedp.RunResponse(ctx, chromedp.Navigate(base+path))
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		if res.Status != 200 {
			t.Fatalf("open %s: status %d", path, res.Status)
		}
	}

	for _, path := range []string{"/login", "/apply", "/criteria"} {
		open(ps.URL, path)
		check(path, false)
	}
	open(ps.URL, "/apply")
	if err := chromedp.Do(ctx, chromedp.SendKeys(`input[name=name]`, "Dee Developer"),
		chromedp.SendKeys(`input[name=email]`, "dee.developer.with.a.long.address@example.org"),
		chromedp.SendKeys(`textarea[name=motivation]`, "I answer questions on the forum every week."),
		chromedp.Click(`form.apply button`), chromedp.WaitVisible(`#application-link`)); err != nil {
		t.Fatalf("apply: %v", err)
	}
	check("the application's confirmation", false)

	for _, p := range []struct {
		path string
		menu bool // the page has its own entry in the menu
	}{
		{"/", true}, {"/leaderboard", true}, {"/members/" + strconv.FormatInt(ms[0].ID, 10), false},
		{"/review", true}, {"/applications", true}, {"/invitations", true}, {"/renewal", true},
		{"/health", true}, {"/sources", true}, {"/outbox", true}, {"/tokens", true}, {"/whatif", true},
	} {
		open(as.URL, p.path)
		check(p.path, p.menu)
	}
}
