package server_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestPortal: an ambassador's portal says where they stand and what the
// next review asks of them, takes a report of an activity (pending until
// reviewed) and their answer to the quarter's survey.
func TestPortal(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	now := time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	ms, _, err := s.Members(ctx, cadre.MemberFilter{Query: "Ada"})
	if err != nil || len(ms) != 1 {
		t.Fatal(ms, err)
	}
	ada := ms[0].ID
	if err := s.StartTerm(ctx, &program.Term{MemberID: ada, Start: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Via: program.ViaRoster, Reason: "roster"}, "pm"); err != nil {
		t.Fatal(err)
	}
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	cookie, _ := signIn(t, s, "ada@example.org", account.Ambassador, ada)
	do := func(method, path, form string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(form))
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	// The seed gives Ada 5 forum posts in March 2025 (3.75 points at the
	// 2025Q2 review after a quarter's decay) and a talk in April (5): she
	// needs 40 − 8.75 more points, 7 talks (5 points each) or 8 mentorings.
	need := 40 - (5*0.75 + 5)
	want := "You fall below maintain at the 2025Q2 review unless you earn " + strconv.Itoa(int(math.Ceil(need))) + " more points: for example " +
		strconv.Itoa(int(math.Ceil(need/5))) + " speaking or " + strconv.Itoa(int(math.Ceil(need/4))) + " mentoring."
	code, body := do("GET", "/portal", "")
	for _, w := range []string{want, "#1</strong> of 3", "Ambassador since 2024-06-01 (roster)", `<option>mentoring</option>`} {
		if code != 200 || !strings.Contains(body, w) {
			t.Errorf("portal: %d, lacks %q\n%s", code, w, body)
		}
	}
	if strings.Contains(body, `form class="survey"`) {
		t.Error("a survey form with no survey open")
	}
	form := url.Values{"type": {"speaking"}, "date": {"2025-05-08"}, "title": {"Cadre at DevConf"}, "url": {"https://devconf.example/talks/9"}, "effort_minutes": {"240"}}
	if code, body := do("POST", "/portal/report", form.Encode()); code != 201 || !strings.Contains(body, "Reported") || !strings.Contains(body, `<a href="https://devconf.example/talks/9" rel="nofollow noopener">Cadre at DevConf</a>`) || !strings.Contains(body, `<span class="tag">pending</span>`) {
		t.Errorf("report: %d\n%s", code, body)
	}
	form.Set("type", "keynote")
	if code, body := do("POST", "/portal/report", form.Encode()); code != 400 || !strings.Contains(body, "speaking") {
		t.Errorf("an unknown type: %d", code)
	}
	if code, body := do("GET", "/portal", ""); code != 200 || !strings.Contains(body, "No reward yet.") {
		t.Errorf("portal without a reward: %d", code)
	}
	pass := reward.Reward{Name: "Conference pass", Kind: reward.Extrinsic, Cost: 400}
	if err := s.SaveReward(ctx, &pass, "pm"); err != nil {
		t.Fatal(err)
	}
	if err := s.GrantReward(ctx, &reward.Grant{RewardID: pass.ID, MemberID: ada, Quarter: "2025Q2", At: now, Actor: "pm"}, nil); err != nil {
		t.Fatal(err)
	}
	if code, body := do("GET", "/portal", ""); code != 200 || !strings.Contains(body, "<td>Conference pass</td><td>2025-05-10</td><td><span class=\"tag\">promised</span>") {
		t.Errorf("portal with a reward: %d\n%s", code, body)
	}
	if _, err := server.OpenSurvey(ctx, s, program.Quarter{Year: 2025, Q: 2}, time.UTC, now, time.Time{}, false, "pm", nil); err != nil {
		t.Fatal(err)
	}
	code, body = do("GET", "/portal", "")
	if code != 200 || !strings.Contains(body, "The 2025Q2 survey") {
		t.Fatalf("portal with a survey: %d\n%s", code, body)
	}
	id := body[strings.Index(body, `name="survey" value="`)+len(`name="survey" value="`):]
	id = id[:strings.IndexByte(id, '"')]
	if code, body := do("POST", "/portal/survey", "survey="+id+"&score=8&comment=Good"); code != 200 || !strings.Contains(body, "your answer is recorded") || !strings.Contains(body, `value="8" required checked`) {
		t.Errorf("answer: %d\n%s", code, body)
	}
	if code, _ := do("POST", "/portal/survey", "survey="+id+"&score=11"); code != 400 {
		t.Errorf("a score of 11: %d", code)
	}

	// The feedback sessions: one held in April, whose item became a
	// commitment now overdue, and one coming, with Bob's item to vote on.
	bob, err := s.FindMember(ctx, "github:bob")
	if err != nil {
		t.Fatal(err)
	}
	code, body = do("GET", "/portal", "")
	if code != 200 || !strings.Contains(body, "No session is taking items now.") || !strings.Contains(body, "No commitment yet.") || !strings.Contains(body, `href="/tokens"`) {
		t.Errorf("the portal without sessions: %d\n%s", code, body)
	}
	held := session.Session{Title: "April with the executives", At: time.Date(2025, 4, 20, 15, 0, 0, 0, time.UTC), Ambassadors: []int64{ada, bob}, Executives: []string{"Jane Doe"}, Actor: "pm"}
	coming := session.Session{Title: "May with the executives", At: time.Date(2025, 5, 20, 15, 0, 0, 0, time.UTC), Ambassadors: []int64{ada, bob}, Executives: []string{"Jane Doe"}, Actor: "pm"}
	for _, ss := range []*session.Session{&held, &coming} {
		if err := s.CreateFeedbackSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	now = time.Date(2025, 4, 10, 12, 0, 0, 0, time.UTC)
	docs := session.Item{SessionID: held.ID, Kind: session.Critique, Title: "The docs lag the releases", AuthorID: bob}
	if err := s.SubmitItem(ctx, &docs, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, &session.Commitment{ItemID: docs.ID, Title: "Docs with every release", Owner: "Jane Doe", Due: time.Date(2025, 5, 1, 23, 59, 59, 0, time.UTC), Actor: "pm"}); err != nil {
		t.Fatal(err)
	}
	now = time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)
	roadmap := session.Item{SessionID: coming.ID, Kind: session.Feature, Title: "A public roadmap", AuthorID: bob}
	if err := s.SubmitItem(ctx, &roadmap, "bob"); err != nil {
		t.Fatal(err)
	}
	code, body = do("GET", "/portal", "")
	for _, w := range []string{
		"<h3>May with the executives, 2025-05-20</h3>", "<strong>A public roadmap</strong>", `<input type="hidden" name="item" value="` + strconv.FormatInt(roadmap.ID, 10) + `"><input type="hidden" name="back" value="portal">`,
		`<input type="hidden" name="session" value="` + strconv.FormatInt(coming.ID, 10) + `"><input type="hidden" name="back" value="portal">`,
		`<tr class="overdue"><td>Docs with every release</td><td>Jane Doe</td><td>2025-05-01 <span class="tag overdue">overdue</span></td><td><span class="tag">open</span></td></tr>`,
		`<a href="/commitments">Every commitment with its history</a>`,
	} {
		if code != 200 || !strings.Contains(body, w) {
			t.Errorf("the portal with sessions: %d, lacks %q\n%s", code, w, body)
		}
	}
	if strings.Contains(body, "April with the executives") || strings.Contains(body, "The docs lag") {
		t.Error("the portal shows the items of a session held already")
	}
	vote := url.Values{"action": {"vote"}, "item": {strconv.FormatInt(roadmap.ID, 10)}, "back": {"portal"}}.Encode()
	if code, body := do("POST", "/feedback", vote); code != 200 || !strings.Contains(body, "Your vote is counted.") || !strings.Contains(body, `<section class="standing">`) || !strings.Contains(body, ">voted<") {
		t.Errorf("a vote from the portal: %d\n%s", code, body)
	}
	if items, err := s.FeedbackItems(ctx, coming.ID); err != nil || len(items) != 1 || !items[0].VotedBy(ada) || items[0].Votes() != 1 {
		t.Errorf("the items after the vote: %+v, %v", items, err)
	}
	if code, body := do("POST", "/feedback", vote); code != 409 || !strings.Contains(body, `<section class="standing">`) {
		t.Errorf("a second vote from the portal: %d, want 409 on the portal\n%s", code, body)
	}
	submit := url.Values{"action": {"submit"}, "session": {strconv.FormatInt(coming.ID, 10)}, "kind": {"critique"}, "title": {"Release notes nobody reads"}, "back": {"portal"}}.Encode()
	if code, body := do("POST", "/feedback", submit); code != 200 || !strings.Contains(body, "Your item is submitted.") || !strings.Contains(body, "<strong>Release notes nobody reads</strong>") || !strings.Contains(body, ">yours<") {
		t.Errorf("an item from the portal: %d\n%s", code, body)
	}
	// Any other page to come back to is the feedback page.
	if code, body := do("POST", "/feedback", url.Values{"action": {"vote"}, "item": {"999999"}, "back": {"https://evil.example/"}}.Encode()); code != 404 || !strings.Contains(body, "<h1>Executive feedback</h1>") {
		t.Errorf("a form naming another page: %d\n%s", code, body)
	}
}
