package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

const rewardMatrixFile = "reward,kind,Visibility,Travel costs\n" +
	"weight,,2,1\n" +
	"Conference pass,extrinsic,7,10\n" +
	"Roadmap briefing,intrinsic,2,\n" +
	"Swag pack,extrinsic,3,\n"

// upload posts a matrix file to /rewards as the page's form does.
func upload(t *testing.T, h func(method, path, contentType string, body io.Reader) (int, string), file string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("action", "import")
	fw, _ := mw.CreateFormFile("file", "matrix.csv")
	_, _ = io.WriteString(fw, file)
	mw.Close()
	return h("POST", "/rewards", mw.FormDataContentType(), &buf)
}

// impactOf computes a grant's impact here, as the rewards page prints it.
func impactOf(t *testing.T, s *store.Store, member int64, at time.Time) string {
	t.Helper()
	before, after, bp, ap := impactCounts(t, s, member, at)
	return fmt.Sprintf(`<td class="num">%d → %d</td><td class="num">%g → %g</td>`, before, after, bp, ap)
}

// impactCounts computes a grant's impact here, from the member's
// activities as the API lists them and the default criteria's points
// written out: counted activities and points in [at − 60 days, at) against
// [at, at + 60 days).
func impactCounts(t *testing.T, s *store.Store, member int64, at time.Time) (before, after int, bp, ap float64) {
	t.Helper()
	points := map[string]float64{"forum": 1, "content": 3, "mentoring": 4, "speaking": 5, "feedback": 2, "beta": 2, "code": 2}
	acts, _, err := s.Activities(context.Background(), cadre.ActivityFilter{MemberID: member, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	window := 60 * 24 * time.Hour
	for _, a := range acts {
		p, ok := points[a.Type]
		if !ok || a.Status != cadre.ActivityApproved {
			continue
		}
		switch {
		case !a.OccurredAt.Before(at.Add(-window)) && a.OccurredAt.Before(at):
			before, bp = before+1, bp+p
		case !a.OccurredAt.Before(at) && a.OccurredAt.Before(at.Add(window)):
			after, ap = after+1, ap+p
		}
	}
	return before, after, bp, ap
}

// TestRewardPages: an admin imports the matrix file, sees the ranking,
// edits the catalog, sets the quarter's budget, grants rewards (refused
// to a member the reward does not ship to, and over budget), moves the
// grants along, and reads each grant's impact and the average per reward,
// checked against values computed here; the matrix comes back as the file.
func TestRewardPages(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	ms, _, err := s.Members(ctx, cadre.MemberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if err := s.StartTerm(ctx, &program.Term{MemberID: m.ID, Start: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Via: program.ViaRoster, Reason: "roster"}, "pm"); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	var session *http.Cookie // when set, instead of the handler's own
	do := func(method, path, contentType string, body io.Reader) (int, string) {
		req := httptest.NewRequest(method, path, body)
		if session != nil {
			req.AddCookie(session)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	form := func(v url.Values) (int, string) {
		return do("POST", "/rewards", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	}
	ids := map[string]string{}
	for _, m := range ms {
		ids[m.Name] = fmt.Sprint(m.ID)
	}

	if code, body := upload(t, do, "reward,kind,a\nx,swag,1\n"); code != 400 || !strings.Contains(body, "the file:2: column 2: kind must be") {
		t.Errorf("a bad file: %d\n%s", code, body)
	}
	if code, body := upload(t, do, rewardMatrixFile); code != 200 || !strings.Contains(body, "imported 3 rewards (3 new), 2 new pain points") {
		t.Fatalf("import: %d\n%s", code, body)
	}
	// Conference pass 2×7 + 10 = 24, Swag pack 6, Roadmap briefing 4.
	_, body := do("GET", "/rewards", "", nil)
	ranking := regexp.MustCompile(`<td class="reward">([^<]+)</td><td class="num value">([^<]+)</td>`).FindAllStringSubmatch(body, -1)
	if got := fmt.Sprint(ranking); got != "[[<td class=\"reward\">Conference pass</td><td class=\"num value\">24</td> Conference pass 24] "+
		"[<td class=\"reward\">Swag pack</td><td class=\"num value\">6</td> Swag pack 6] "+
		"[<td class=\"reward\">Roadmap briefing</td><td class=\"num value\">4</td> Roadmap briefing 4]]" {
		t.Errorf("ranking: %s", got)
	}
	if code, body := do("GET", "/rewards?format=csv", "", nil); code != 200 || body != rewardMatrixFile {
		t.Errorf("the matrix as CSV: %d\n%q", code, body)
	}

	// The catalog: the pass costs 400, two in stock, for ambassadors; the
	// swag ships to the EU only.
	pass, err := s.RewardByName(ctx, "Conference pass")
	if err != nil {
		t.Fatal(err)
	}
	swag, _ := s.RewardByName(ctx, "Swag pack")
	if code, body := form(url.Values{"action": {"reward"}, "id": {fmt.Sprint(pass.ID)}, "name": {"Conference pass"}, "kind": {"extrinsic"},
		"cost": {"400"}, "stock": {"2"}, "status": {"ambassador"}}); code != 200 || !strings.Contains(body, "saved Conference pass") || !strings.Contains(body, "<td>ambassadors</td>") {
		t.Fatalf("edit the pass: %d\n%s", code, body)
	}
	if code, body := form(url.Values{"action": {"reward"}, "id": {fmt.Sprint(swag.ID)}, "name": {"Swag pack"}, "kind": {"extrinsic"}, "cost": {"x"}}); code != 400 || !strings.Contains(body, "cost must be a number") || !strings.Contains(body, `value="Swag pack"`) {
		t.Errorf("a cost in words: %d", code)
	}
	if code, _ := form(url.Values{"action": {"reward"}, "id": {fmt.Sprint(swag.ID)}, "name": {"Swag pack"}, "kind": {"extrinsic"}, "cost": {"30"}, "regions": {"EU"}}); code != 200 {
		t.Fatalf("edit the swag: %d", code)
	}
	if code, body := form(url.Values{"action": {"budget"}, "quarter": {"2025Q2"}, "amount": {"500"}}); code != 200 || !strings.Contains(body, "<strong>0</strong> spent of 500") {
		t.Fatalf("budget: %d\n%s", code, body)
	}

	ada, bob := ids["Ada Ambassador"], ids["bob"]
	if code, body := form(url.Values{"action": {"grant"}, "reward": {"Swag pack"}, "member": {ada}}); code != 400 || !strings.Contains(body, "ships to EU only") {
		t.Errorf("swag to a member of no region: %d", code)
	}
	if code, body := form(url.Values{"action": {"grant"}, "reward": {"Conference pass"}, "member": {"github:ada"}, "note": {"for the keynote"}}); code != 201 || !strings.Contains(body, "Conference pass promised") {
		t.Fatalf("grant to Ada: %d\n%s", code, body)
	}
	if code, body := form(url.Values{"action": {"grant"}, "reward": {"Conference pass"}, "member": {bob}}); code != 409 || !strings.Contains(body, "has 100 left") {
		t.Errorf("a grant over budget: %d", code)
	}
	if code, _ := form(url.Values{"action": {"budget"}, "quarter": {"2025Q2"}, "amount": {"1000"}}); code != 200 {
		t.Fatal(code)
	}
	if code, body := form(url.Values{"action": {"grant"}, "reward": {"Conference pass"}, "member": {bob}}); code != 201 {
		t.Fatalf("grant to bob: %d\n%s", code, body)
	}
	grants, err := s.Grants(ctx, "")
	if err != nil || len(grants) != 2 {
		t.Fatal(grants, err)
	}
	bobGrant, adaGrant := fmt.Sprint(grants[0].ID), fmt.Sprint(grants[1].ID)
	for _, step := range []struct{ grant, state string }{{bobGrant, "cancelled"}, {adaGrant, "sent"}, {adaGrant, "delivered"}} {
		if code, body := form(url.Values{"action": {"move"}, "grant": {step.grant}, "state": {step.state}}); code != 200 {
			t.Fatalf("grant %s %s: %d\n%s", step.grant, step.state, code, body)
		}
	}
	if code, body := form(url.Values{"action": {"move"}, "grant": {adaGrant}, "state": {"sent"}}); code != 409 || !strings.Contains(body, "delivered cannot become sent") {
		t.Errorf("a delivered grant sent again: %d", code)
	}

	// Past the 60 days: each grant's impact, and the pass's average over
	// Ada's grant alone (bob's was cancelled).
	now = time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)
	session, _ = signIn(t, s, "later@example.org", account.Viewer, 0) // the first session has expired
	at := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	_, body = do("GET", "/rewards?quarter=2025Q2", "", nil)
	var adaID, bobID int64
	fmt.Sscan(ada, &adaID)
	fmt.Sscan(bob, &bobID)
	for _, want := range []string{impactOf(t, s, adaID, at), impactOf(t, s, bobID, at), "<strong>400</strong> spent of 1000, 600 left"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if !strings.Contains(body, `<td class="num">5 → 1</td><td class="num">5 → 5</td>`) {
		t.Errorf("Ada's impact is not the seed's: 5 forum posts before, a talk after")
	}
	// Ada: 1 − 5 activities, 5 − 5 points.
	if !strings.Contains(body, `<tr><td>Conference pass</td><td class="num">1</td><td class="num">-4.0</td><td class="num">&#43;0.0</td></tr>`) {
		t.Errorf("average impact:\n%s", body)
	}
	log, _ := s.AuditLog(ctx, "", 100)
	if len(log) < 10 {
		t.Errorf("%d audit entries", len(log))
	}
}

// TestRewardMatrixInBrowser: an admin scores the matrix on its grid in a
// real browser, saves it, and sees the ranking change.
func TestRewardMatrixInBrowser(t *testing.T) {
	storetest.Each(t, testRewardMatrixInBrowser)
}

func testRewardMatrixInBrowser(t *testing.T, s *store.Store) {
	seed(t, s)
	ctx0 := context.Background()
	hash, err := account.HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx0, &account.User{Email: "pm@example.org", Role: account.Admin, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	cookie, _ := signIn(t, s, "upload@example.org", account.Admin, 0)
	// The matrix as the file brings it, through the page's upload.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("action", "import")
	fw, _ := mw.CreateFormFile("file", "matrix.csv")
	_, _ = io.WriteString(fw, rewardMatrixFile)
	mw.Close()
	up := httptest.NewRequest("POST", "/rewards", &buf)
	up.Header.Set("Content-Type", mw.FormDataContentType())
	up.AddCookie(cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, up)
	if rec.Code != 200 {
		t.Fatalf("upload: %d\n%s", rec.Code, rec.Body)
	}
	ctx := browser(t)
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("ask for the rewards page", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/rewards")))
	step("sign in", chromedp.Do(ctx, chromedp.WaitVisible(`form.login`),
		chromedp.SendKeys(`input[name=email]`, "pm@example.org"), chromedp.SendKeys(`input[name=password]`, "a long enough password"),
		chromedp.Click(`form.login button`), chromedp.WaitNotPresent(`form.login`)))
	step("open the rewards page", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/rewards"), chromedp.WaitVisible(`form.matrix`)))
	ranking := func() string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`[...document.querySelectorAll("table.ranking tbody tr")].map(r => r.querySelector(".reward").textContent + "=" + r.querySelector(".value").textContent).join(", ")`))
		step("read the ranking", err)
		return got
	}
	if got := ranking(); got != "Conference pass=24, Swag pack=6, Roadmap briefing=4" {
		t.Errorf("ranking before: %q", got)
	}
	// The roadmap briefing answers travel costs fully, and travel now
	// weighs 3: Roadmap briefing 2×2 + 3×10 = 34, Conference pass 2×7 + 3×10 = 44,
	// and the swag pack's visibility is cleared: 0.
	pass, _ := s.RewardByName(ctx0, "Roadmap briefing")
	swag, _ := s.RewardByName(ctx0, "Swag pack")
	pps, _ := s.PainPoints(ctx0)
	cell := func(r int64, p int64) string { return fmt.Sprintf(`input[name="s-%d-%d"]`, r, p) }
	step("score the grid", chromedp.Do(ctx,
		chromedp.SetValue(cell(pass.ID, pps[1].ID), ""), chromedp.SendKeys(cell(pass.ID, pps[1].ID), "10"),
		chromedp.SetValue(fmt.Sprintf(`input[name="w-%d"]`, pps[1].ID), ""), chromedp.SendKeys(fmt.Sprintf(`input[name="w-%d"]`, pps[1].ID), "3"),
		chromedp.SetValue(cell(swag.ID, pps[0].ID), ""),
		chromedp.Click(`form.matrix button`), chromedp.WaitVisible(`p.ok`)))
	if got := ranking(); got != "Conference pass=44, Roadmap briefing=34, Swag pack=0" {
		t.Errorf("ranking after: %q", got)
	}
	notice, err := chromedp.Run(ctx, chromedp.Text(`p.ok`))
	step("read the notice", err)
	if notice != "matrix saved." {
		t.Errorf("notice %q", notice)
	}
}
