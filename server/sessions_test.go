package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestSessionsAndCommitments runs a session through its pages on both
// databases: an admin creates it, two ambassadors submit items and vote on
// each other's (never twice, never their own), the items become
// commitments done on time, late and never, the overdue one is flagged on
// the page every ambassador reads and its owner reminded, and the health's
// follow_through of each quarter matches what the test counts itself.
func TestSessionsAndCommitments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seed(t, s)
		ctx := context.Background()
		now := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
		if err != nil {
			t.Fatal(err)
		}
		ada, err := s.FindMember(ctx, "github:ada")
		if err != nil {
			t.Fatal(err)
		}
		bob, err := s.FindMember(ctx, "github:bob")
		if err != nil {
			t.Fatal(err)
		}
		signIn(t, s, "ada-account@example.org", account.Ambassador, ada)
		signIn(t, s, "bob-account@example.org", account.Ambassador, bob)
		signIn(t, s, "viewer@example.org", account.Viewer, 0)
		const adaCookie, bobCookie, viewerCookie = "ada-account@example.org", "bob-account@example.org", "viewer@example.org"
		// Each request signs in afresh at the test's clock, which moves by
		// weeks: "" is the admin.
		do := func(email, method, path string, form url.Values) (int, string) {
			t.Helper()
			if email == "" {
				email = "admin@example.org"
			}
			u, err := s.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			ss, secret, err := account.NewSession(u.ID, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SaveSession(ctx, ss); err != nil {
				t.Fatal(err)
			}
			cookie := &http.Cookie{Name: "cadre_session", Value: secret}
			var body io.Reader
			if form != nil {
				body = strings.NewReader(form.Encode())
			}
			req := httptest.NewRequest(method, path, body)
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.AddCookie(cookie)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Code, rec.Body.String()
		}

		if code, body := do("", "POST", "/sessions", url.Values{"action": {"create"}, "title": {"Q2"}, "date": {"2025-05-10"}}); code != 400 || !strings.Contains(body, "executive team") {
			t.Errorf("a session without executives: %d", code)
		}
		code, body := do("", "POST", "/sessions", url.Values{"action": {"create"}, "title": {"Q2 with the executives"}, "date": {"2025-05-10"},
			"ambassadors": {"github:ada\ngithub:bob"}, "executives": {"Jane Doe\ncto@example.org"}})
		if code != 200 || !strings.Contains(body, "Session created: Q2 with the executives.") {
			t.Fatalf("create: %d\n%s", code, body)
		}
		sessions, err := s.FeedbackSessions(ctx)
		if err != nil || len(sessions) != 1 || len(sessions[0].Ambassadors) != 2 {
			t.Fatalf("sessions: %+v, %v", sessions, err)
		}
		sid := strconv.FormatInt(sessions[0].ID, 10)

		submit := func(cookie, kind, title string) {
			t.Helper()
			if code, body := do(cookie, "POST", "/feedback", url.Values{"action": {"submit"}, "session": {sid}, "kind": {kind}, "title": {title}}); code != 200 || !strings.Contains(body, "Your item is submitted") {
				t.Fatalf("submit %s: %d\n%s", title, code, body)
			}
		}
		submit(adaCookie, "critique", "The docs lag the releases")
		submit(bobCookie, "feature", "A public roadmap")
		if code, _ := do("", "POST", "/feedback", url.Values{"action": {"submit"}, "session": {sid}, "kind": {"critique"}, "title": {"x"}}); code != 409 {
			t.Errorf("an admin without a member submits: %d, want 409", code)
		}
		if code, _ := do(viewerCookie, "POST", "/feedback", url.Values{"action": {"submit"}}); code != 403 {
			t.Errorf("a viewer submits: %d, want 403", code)
		}
		items, err := s.FeedbackItems(ctx, sessions[0].ID)
		if err != nil || len(items) != 2 {
			t.Fatal(items, err)
		}
		docs, roadmap := items[0], items[1]
		if docs.AuthorID != ada {
			docs, roadmap = roadmap, docs
		}
		vote := func(cookie string, item int64) int {
			code, _ := do(cookie, "POST", "/feedback", url.Values{"action": {"vote"}, "item": {strconv.FormatInt(item, 10)}})
			return code
		}
		if code := vote(bobCookie, docs.ID); code != 200 {
			t.Errorf("bob votes for ada's item: %d", code)
		}
		if code := vote(bobCookie, docs.ID); code != 409 {
			t.Errorf("bob votes twice: %d, want 409", code)
		}
		if code := vote(adaCookie, docs.ID); code != 409 {
			t.Errorf("ada votes for her own: %d, want 409", code)
		}
		code, body = do(bobCookie, "GET", "/feedback", nil)
		if code != 200 || !strings.Contains(body, "The docs lag the releases") || !strings.Contains(body, ">voted<") || !strings.Contains(body, ">yours<") {
			t.Errorf("bob's feedback page: %d\n%s", code, body)
		}
		code, body = do("", "GET", "/sessions?id="+sid, nil)
		if code != 200 || strings.Index(body, "The docs lag") > strings.Index(body, "A public roadmap") {
			t.Errorf("the session's items, the most voted first: %d\n%s", code, body)
		}

		// During the session, items become commitments.
		now = time.Date(2025, 5, 10, 14, 0, 0, 0, time.UTC)
		commit := func(item int64, owner, due, title string) int64 {
			t.Helper()
			code, body := do("", "POST", "/sessions", url.Values{"action": {"commit"}, "session": {sid}, "item": {strconv.FormatInt(item, 10)},
				"owner": {owner}, "due": {due}, "title": {title}})
			if code != 200 || !strings.Contains(body, "Commitment made: "+title+".") {
				t.Fatalf("commit %s: %d\n%s", title, code, body)
			}
			cs, err := s.Commitments(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if c.Title == title {
					return c.ID
				}
			}
			t.Fatalf("no commitment %s", title)
			return 0
		}
		onTime := commit(docs.ID, "cto@example.org", "2025-05-20", "Docs with every release")
		late := commit(roadmap.ID, "Jane Doe", "2025-05-25", "Publish the roadmap")
		overdue := commit(docs.ID, "cto@example.org", "2025-06-10", "A docs team")
		commit(roadmap.ID, "Jane Doe", "2025-07-15", "Roadmap reviews each quarter")
		if code, _ := do("", "POST", "/sessions", url.Values{"action": {"commit"}, "session": {sid}, "item": {strconv.FormatInt(docs.ID, 10)}, "owner": {"x"}, "due": {"soon"}}); code != 400 {
			t.Errorf("a commitment due soon: %d, want 400", code)
		}
		move := func(id int64, status, note string) int {
			code, _ := do("", "POST", "/sessions", url.Values{"action": {"status"}, "session": {sid}, "commitment": {strconv.FormatInt(id, 10)}, "status": {status}, "note": {note}})
			return code
		}
		now = time.Date(2025, 5, 19, 9, 0, 0, 0, time.UTC)
		if code := move(onTime, "done", "shipped with 2.4"); code != 200 {
			t.Errorf("done on time: %d", code)
		}
		if code := move(overdue, "in_progress", "hiring"); code != 200 {
			t.Errorf("in progress: %d", code)
		}
		now = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
		if code := move(late, "done", ""); code != 200 {
			t.Errorf("done late: %d", code)
		}
		if code := move(late, "open", ""); code != 409 {
			t.Errorf("reopened: %d, want 409", code)
		}
		if code, _ := do("", "POST", "/sessions", url.Values{"action": {"note"}, "session": {sid}, "commitment": {strconv.FormatInt(late, 10)}, "text": {"on the blog"}}); code != 200 {
			t.Errorf("note: %d", code)
		}

		now = time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
		code, body = do(adaCookie, "GET", "/commitments", nil)
		if code != 200 || !strings.Contains(body, "1 overdue") || !regexp.MustCompile(`<tr class="overdue"><td>A docs team</td>`).MatchString(body) ||
			!strings.Contains(body, "shipped with 2.4") || !strings.Contains(body, "on the blog") || strings.Count(body, `class="overdue"`) != 1 {
			t.Errorf("the commitments page as an ambassador: %d\n%s", code, body)
		}
		if n, err := server.RemindOverdue(ctx, s, now, time.UTC, nil); err != nil || n != 1 {
			t.Errorf("reminders: %d, %v", n, err)
		}
		if n, err := server.RemindOverdue(ctx, s, now.Add(time.Hour), time.UTC, nil); err != nil || n != 0 {
			t.Errorf("reminders an hour later: %d, %v", n, err)
		}
		box, err := s.Outbox(ctx, true, 10)
		if err != nil || len(box) != 1 || box[0].To != "cto@example.org" || !strings.Contains(box[0].Body, "A docs team") || !strings.HasSuffix(box[0].Link, "/commitments") {
			t.Errorf("outbox: %+v, %v", box, err)
		}

		// follow_through per quarter, counted here from what was done above:
		// due, and done by the due date.
		type record struct {
			due    string
			doneAt time.Time // zero: not done
		}
		records := []record{
			{"2025-05-20", time.Date(2025, 5, 19, 9, 0, 0, 0, time.UTC)},
			{"2025-05-25", time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)},
			{"2025-06-10", time.Time{}},
			{"2025-07-15", time.Time{}},
		}
		for _, q := range []struct {
			quarter, from, to string
		}{{"2025Q1", "2025-01-01", "2025-04-01"}, {"2025Q2", "2025-04-01", "2025-07-01"}, {"2025Q3", "2025-07-01", "2025-10-01"}} {
			due, onTime := 0, 0
			for _, r := range records {
				if r.due < q.from || r.due >= q.to {
					continue
				}
				due++
				if d, _ := time.Parse(time.DateOnly, r.due); !r.doneAt.IsZero() && r.doneAt.Before(d.AddDate(0, 0, 1)) {
					onTime++
				}
			}
			code, body := do("", "GET", "/api/v1/program/health?quarter="+q.quarter, nil)
			var got struct {
				FollowThrough *float64 `json:"follow_through"`
			}
			if err := json.Unmarshal([]byte(body), &got); code != 200 || err != nil {
				t.Fatalf("health %s: %d %v\n%s", q.quarter, code, err, body)
			}
			switch {
			case due == 0 && got.FollowThrough != nil:
				t.Errorf("%s: follow_through %v, want null", q.quarter, *got.FollowThrough)
			case due > 0 && (got.FollowThrough == nil || *got.FollowThrough != float64(onTime)/float64(due)):
				t.Errorf("%s: follow_through %v, want %d/%d", q.quarter, got.FollowThrough, onTime, due)
			}
		}
	})
}

// TestSessionItemInBrowser: an ambassador signs in, submits a critique to
// the coming session from her portal and finds it listed there, follows
// the menu to the feedback page, submits a feature request and finds both
// listed, then reads the commitments page.
func TestSessionItemInBrowser(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx0 := context.Background()
	ada, err := s.FindMember(ctx0, "github:ada")
	if err != nil {
		t.Fatal(err)
	}
	hash, err := account.HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx0, &account.User{Email: "ada@example.org", Role: account.Ambassador, MemberID: ada, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateFeedbackSession(ctx0, &session.Session{Title: "Meet the executives", At: time.Now().AddDate(0, 0, 7),
		Ambassadors: []int64{ada}, Executives: []string{"Jane Doe"}, Actor: "pm"}); err != nil {
		t.Fatal(err)
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
	step("sign in", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible(`form.login`),
		chromedp.SendKeys(`input[name=email]`, "ada@example.org"), chromedp.SendKeys(`input[name=password]`, "a long enough password"),
		chromedp.Click(`form.login button`), chromedp.WaitNotPresent(`form.login`)))
	step("submit an item from the portal", chromedp.Do(ctx, chromedp.WaitVisible(`section.portal-feedback form.submit-item`),
		chromedp.SetValue(`section.portal-feedback select[name=kind]`, "critique"),
		chromedp.SendKeys(`section.portal-feedback input[name=title]`, "Release notes nobody reads"),
		chromedp.Click(`section.portal-feedback form.submit-item button`), chromedp.WaitVisible(`p.ok`)))
	notice, err := chromedp.Run(ctx, chromedp.Text(`p.ok`))
	step("read the portal's notice", err)
	items, err := chromedp.Run(ctx, chromedp.Text(`section.portal-feedback table.items tbody`))
	step("read the portal's items", err)
	if notice != "Your item is submitted." || !strings.Contains(items, "Release notes nobody reads") || !strings.Contains(items, "critique") || !strings.Contains(items, "yours") {
		t.Errorf("after submitting from the portal: notice %q, items %q", notice, items)
	}
	step("back on the portal", chromedp.Do(ctx, chromedp.WaitVisible(`section.standing`)))
	step("open the feedback page", chromedp.Do(ctx, chromedp.Click(`nav a[href="/feedback"]`), chromedp.WaitVisible(`section.feedback-session form.submit-item`)))
	step("submit an item", chromedp.Do(ctx,
		chromedp.SetValue(`form.submit-item select[name=kind]`, "feature"),
		chromedp.SendKeys(`form.submit-item input[name=title]`, "A sandbox for every ambassador"),
		chromedp.SendKeys(`form.submit-item textarea[name=text]`, "To try releases before the community does."),
		chromedp.Click(`form.submit-item button`), chromedp.WaitVisible(`p.ok`)))
	notice, err = chromedp.Run(ctx, chromedp.Text(`p.ok`))
	step("read the notice", err)
	items, err = chromedp.Run(ctx, chromedp.Text(`table.items tbody`))
	step("read the items", err)
	if notice != "Your item is submitted." || !strings.Contains(items, "A sandbox for every ambassador") || !strings.Contains(items, "feature") ||
		!strings.Contains(items, "Release notes nobody reads") || strings.Count(items, "yours") != 2 {
		t.Errorf("after submitting: notice %q, items %q", notice, items)
	}
	stored, err := s.FeedbackItems(ctx0, 1)
	if err != nil || len(stored) != 2 {
		t.Fatalf("stored items: %+v, %v", stored, err)
	}
	kinds := map[string]session.Kind{}
	for _, it := range stored {
		if it.AuthorID != ada {
			t.Errorf("item %q by member %d, want Ada's", it.Title, it.AuthorID)
		}
		kinds[it.Title] = it.Kind
		if it.Kind == session.Feature && it.Body != "To try releases before the community does." {
			t.Errorf("the feature request's details: %q", it.Body)
		}
	}
	if kinds["Release notes nobody reads"] != session.Critique || kinds["A sandbox for every ambassador"] != session.Feature {
		t.Errorf("stored items: %v", kinds)
	}
	step("open the commitments", chromedp.Do(ctx, chromedp.Click(`nav a[href="/commitments"]`), chromedp.WaitVisible(`table.commitments`)))
	empty, err := chromedp.Run(ctx, chromedp.Text(`table.commitments td.empty`))
	step("read the commitments", err)
	if empty != "No commitment yet." {
		t.Errorf("commitments: %q", empty)
	}
	if cadre.ErrorCode(s.Vote(ctx0, stored[0].ID, ada, "ada")) != cadre.ECONFLICT {
		t.Error("ada voted for her own item")
	}
}
