package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre/survey"
)

// TestSurveyPages: an admin opens the quarter's survey on its page, an
// ambassador answers through the link in their mail and changes the
// answer, the results and the comment (without a name: the survey is
// anonymous) show on the page, a reminder replaces the links of those who
// have not answered, and nobody answers once it closes.
func TestSurveyPages(t *testing.T) {
	s, ms, do := programServer(t)
	ctx := context.Background()
	now := time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	if len(ms) != 3 {
		t.Fatalf("%d members", len(ms))
	}
	code, body := do("POST", "/surveys", url.Values{"action": {"open"}, "quarter": {"2025Q2"}, "closes": {"2025-05-20"}, "anonymous": {"1"}}.Encode())
	if code != 201 || !strings.Contains(body, "The 2025Q2 survey is open until 2025-05-20: 3 ambassadors invited") {
		t.Fatalf("open: %d\n%s", code, body)
	}
	links := regexp.MustCompile(`/survey/[A-Za-z0-9_-]+`).FindAllString(body, -1)
	if len(links) != 3 {
		t.Fatalf("%d links on the page", len(links))
	}
	// Only Ada has an address to write to; the others' links are on the page.
	box, err := s.Outbox(ctx, true, 10)
	if err != nil || len(box) != 1 || box[0].To != "ada@example.org" || !strings.Contains(box[0].Body, survey.Question) {
		t.Fatalf("outbox: %v %v", box, err)
	}
	// Ada answers through the link of her message.
	mailed := path.Base(box[0].Link)
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	public := func(method, secret, form string) (int, string) {
		req := httptest.NewRequest(method, "/survey/"+secret, strings.NewReader(form))
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, body := public("GET", mailed, ""); code != 200 || !strings.Contains(body, survey.Question) || !strings.Contains(body, `name="score" value="10"`) {
		t.Fatalf("the survey page: %d\n%s", code, body)
	}
	if code, body := public("POST", mailed, "score=12"); code != 400 || !strings.Contains(body, "from 0 to 10") {
		t.Errorf("a score of 12: %d", code)
	}
	if code, body := public("POST", mailed, "score=6&comment=More+swag"); code != 200 || !strings.Contains(body, "your answer is recorded") {
		t.Errorf("answer: %d\n%s", code, body)
	}
	if code, body := public("POST", mailed, "score=9&comment=Docs+sprint+was+great"); code != 200 || !strings.Contains(body, `value="9" required checked`) {
		t.Errorf("the changed answer: %d\n%s", code, body)
	}
	code, body = do("GET", "/surveys?quarter=2025Q2", "")
	for _, want := range []string{`<td class="num">100</td><td class="num">1</td><td class="num">3</td>`, "Docs sprint was great", "Remind who has not answered"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("surveys page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "— ") {
		t.Error("an anonymous survey's comment shows its author")
	}
	// A reminder to the two who have not answered, with fresh links.
	if code, body := do("POST", "/surveys", "action=remind&quarter=2025Q2"); code != 200 || !strings.Contains(body, "2 ambassadors reminded") {
		t.Errorf("remind: %d\n%s", code, body)
	}
	stale := ""
	for _, l := range links {
		if path.Base(l) != mailed {
			stale = path.Base(l)
		}
	}
	if code, _ := public("GET", stale, ""); code != 404 {
		t.Errorf("a link a reminder replaced: %d", code)
	}
	if code, _ := public("GET", mailed, ""); code != 200 {
		t.Errorf("the link of one who answered stopped working: %d", code)
	}
	// Closed: the answer stands, no change.
	now = time.Date(2025, 5, 21, 0, 0, 0, 0, time.UTC)
	if code, body := public("POST", mailed, "score=0"); code != 409 || !strings.Contains(body, "closed") {
		t.Errorf("an answer after the close: %d", code)
	}
	if _, body := public("GET", mailed, ""); !strings.Contains(body, "The survey closed on 2025-05-20") || !strings.Contains(body, "<strong>9</strong>") {
		t.Errorf("the closed survey's page:\n%s", body)
	}
	// A quarter not begun has no ambassadors to ask.
	if code, body := do("POST", "/surveys", "action=open&quarter=2025Q4"); code != 400 || !strings.Contains(body, "has not begun") {
		t.Errorf("a survey of a quarter to come: %d", code)
	}
}
