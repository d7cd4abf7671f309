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

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestMemberPageChangesTerms: an admin starts a term from a member's page
// and ends it, each with a reason, audited; a form the rules refuse shows
// the page again with why and changes nothing; staff and bots get no term;
// a reviewer sees the terms and no form, and may not post one.
func TestMemberPageChangesTerms(t *testing.T) {
	s := storetest.SQLite(t)
	now := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	seed(t, s)
	ctx := context.Background()
	ids := map[string]int64{}
	bob, err := s.FindMember(ctx, "github:bob")
	if err != nil {
		t.Fatal(err)
	}
	ids["bob"] = bob
	for _, m := range []cadre.Member{{Name: "Sam", Staff: true}, {Name: "dependabot", Bot: true}} {
		if err := s.CreateMember(ctx, &m, nil); err != nil {
			t.Fatal(err)
		}
		ids[m.Name] = m.ID
	}
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	do := func(req *http.Request) (int, string, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Header().Get("Location"), rec.Body.String()
	}
	page := func(id int64) string {
		t.Helper()
		code, _, body := do(httptest.NewRequest("GET", "/members/"+strconv.FormatInt(id, 10), nil))
		if code != 200 {
			t.Fatalf("member %d's page: %d\n%s", id, code, body)
		}
		return body
	}
	form := `action="/members/` + strconv.FormatInt(bob, 10) + `/terms"`
	if body := page(bob); !strings.Contains(body, form) || !strings.Contains(body, `value="start"`) || !strings.Contains(body, `type="date" name="at" value="2025-06-10"`) {
		t.Fatalf("bob's page has no form to start a term:\n%s", body)
	}
	termID := func() string {
		terms, err := s.Terms(ctx, bob)
		if err != nil || len(terms) == 0 {
			t.Fatal(terms, err)
		}
		return strconv.FormatInt(terms[len(terms)-1].ID, 10)
	}

	tests := []struct {
		name   string
		member string
		form   func() url.Values
		code   int
		want   []string // in the answer, or in the page it redirects to
		terms  int      // the member's terms after
		status cadre.MemberStatus
	}{
		{"start without a reason", "bob", func() url.Values {
			return url.Values{"action": {"start"}, "at": {"2025-01-15"}, "via": {"roster"}, "reason": {" "}}
		},
			400, []string{"starting a term needs a reason", `value="2025-01-15"`, `<option selected>roster</option>`}, 0, cadre.StatusMember},
		{"start a bad date", "bob", func() url.Values { return url.Values{"action": {"start"}, "at": {"15/01/2025"}, "reason": {"x"}} },
			400, []string{"date: want an RFC 3339 time"}, 0, cadre.StatusMember},
		{"start", "bob", func() url.Values {
			return url.Values{"action": {"start"}, "at": {"2025-01-15"}, "via": {"roster"}, "reason": {"ran the Lisbon meetup before Cadre"}}
		},
			303, []string{"<td>2025-01-15</td><td>now</td><td>roster</td><td></td><td>ran the Lisbon meetup before Cadre</td>", `status-ambassador`, `value="end"`, "End term"}, 1, cadre.StatusAmbassador},
		{"start another, overlapping", "bob", func() url.Values {
			return url.Values{"action": {"start"}, "at": {"2025-03-01"}, "via": {"invitation"}, "reason": {"again"}}
		},
			409, []string{"overlaps member"}, 1, cadre.StatusAmbassador},
		{"end without a reason", "bob", func() url.Values { return url.Values{"action": {"end"}, "term": {termID()}, "as": {"resigned"}} },
			400, []string{"ending a term needs a reason"}, 1, cadre.StatusAmbassador},
		{"end before the start", "bob", func() url.Values {
			return url.Values{"action": {"end"}, "term": {termID()}, "as": {"removed"}, "at": {"2025-01-01"}, "reason": {"code of conduct"}}
		},
			400, []string{"it cannot end before", `value="code of conduct"`, `<option selected>removed</option>`}, 1, cadre.StatusAmbassador},
		{"end as something else", "bob", func() url.Values {
			return url.Values{"action": {"end"}, "term": {termID()}, "as": {"review"}, "reason": {"x"}}
		},
			400, []string{"resigned or removed"}, 1, cadre.StatusAmbassador},
		{"end another member's term", "Sam", func() url.Values {
			return url.Values{"action": {"end"}, "term": {termID()}, "as": {"resigned"}, "reason": {"x"}}
		},
			404, []string{"has no term"}, 0, cadre.StatusMember},
		{"end as resigned", "bob", func() url.Values {
			return url.Values{"action": {"end"}, "term": {termID()}, "as": {"resigned"}, "at": {"2025-06-10"}, "reason": {"moved to another company"}}
		},
			303, []string{"<td>2025-01-15</td><td>2025-06-10</td><td>roster</td><td>resigned</td><td>moved to another company</td>", `status-alumni`, "Start a term"}, 1, cadre.StatusAlumni},
		{"end it twice", "bob", func() url.Values {
			return url.Values{"action": {"end"}, "term": {termID()}, "as": {"resigned"}, "reason": {"x"}}
		},
			409, []string{"ended already"}, 1, cadre.StatusAlumni},
		{"start for staff", "Sam", func() url.Values { return url.Values{"action": {"start"}, "via": {"invitation"}, "reason": {"hired"}} },
			400, []string{"is staff or a bot, who hold no term", "Staff and bots hold no term."}, 0, cadre.StatusMember},
		{"start for a bot", "dependabot", func() url.Values { return url.Values{"action": {"start"}, "via": {"invitation"}, "reason": {"busy"}} },
			400, []string{"is staff or a bot, who hold no term"}, 0, cadre.StatusMember},
		{"no action", "bob", func() url.Values { return url.Values{"reason": {"x"}} },
			400, []string{"action must be start or end"}, 1, cadre.StatusAlumni},
	}
	for _, tt := range tests {
		id := ids[tt.member]
		path := "/members/" + strconv.FormatInt(id, 10)
		req := httptest.NewRequest("POST", path+"/terms", strings.NewReader(tt.form().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		code, location, body := do(req)
		if code == 303 {
			if location != path {
				t.Errorf("%s: redirected to %q, want %q", tt.name, location, path)
			}
			body = page(id)
		}
		if code != tt.code {
			t.Errorf("%s: %d, want %d\n%s", tt.name, code, tt.code, body)
		}
		for _, want := range tt.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %q\n%s", tt.name, want, body)
			}
		}
		terms, err := s.Terms(ctx, id)
		m, merr := s.Member(ctx, id)
		if err != nil || merr != nil || len(terms) != tt.terms || m.Status != tt.status {
			t.Errorf("%s: %s holds %d terms and is %s (%v, %v), want %d and %s", tt.name, tt.member, len(terms), m.Status, err, merr, tt.terms, tt.status)
		}
	}
	if body := page(ids["Sam"]); strings.Contains(body, "Start a term") {
		t.Error("a staff member's page offers to start a term")
	}

	audit, err := s.AuditLog(ctx, "member:"+strconv.FormatInt(bob, 10), 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		if strings.HasPrefix(e.Action, "term.") {
			actions = append(actions, e.Action+" by "+e.Actor+": "+e.Detail)
		}
	}
	if len(actions) != 2 || !strings.Contains(actions[0], "term.end by admin@example.org") || !strings.Contains(actions[0], "resigned") ||
		!strings.Contains(actions[1], "term.start by admin@example.org") || !strings.Contains(actions[1], "ran the Lisbon meetup") {
		t.Errorf("audit log of bob's terms: %q, want one start and one end, by the admin", actions)
	}

	// A reviewer reads the terms and is offered no change, nor allowed one.
	cookie, _ := signIn(t, s, "reviewer@example.org", account.Reviewer, 0)
	req := httptest.NewRequest("GET", "/members/"+strconv.FormatInt(bob, 10), nil)
	req.AddCookie(cookie)
	if code, _, body := do(req); code != 200 || !strings.Contains(body, "moved to another company") || strings.Contains(body, form) || strings.Contains(body, "<form class=\"term\"") {
		t.Errorf("bob's page to a reviewer: %d, want the terms and no form\n%s", code, body)
	}
	req = httptest.NewRequest("POST", "/members/"+strconv.FormatInt(bob, 10)+"/terms", strings.NewReader("action=start&reason=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	if code, _, _ := do(req); code != 403 {
		t.Errorf("a reviewer starts a term: %d, want 403", code)
	}
	if terms, _ := s.Terms(ctx, bob); len(terms) != 1 {
		t.Errorf("after the reviewer's try bob holds %d terms", len(terms))
	}
}
