package server_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

func TestReviewAndSourcesPages(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	if _, err := s.Report(ctx, cadre.SelfReport{MemberID: 1, Type: "speaking", Date: t0, Title: "Meetup <talk>", URL: "https://example.org/t"}, "ada"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSource(ctx, &cadre.Source{Name: "forum", Kind: "discourse", Config: map[string]string{"url": "https://forum.example", "api_key": "s3cret"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireSource(ctx, "forum", "other", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSource(ctx, &cadre.Source{Name: "blog", Kind: "rss", Config: map[string]string{"url": "https://blog.example"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PauseSource(ctx, "blog", true); err != nil {
		t.Fatal(err)
	}
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	page := func(path string) string {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	review := page("/review")
	for _, want := range []string{"Self-reports waiting", "Ada Ambassador", "Meetup &lt;talk&gt;", `href="https://example.org/t"`, `href="/review"`} {
		if !strings.Contains(review, want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	sources := page("/sources")
	for _, want := range []string{"forum", "discourse", "syncing now", `blog <span class="tag">paused</span>`} {
		if !strings.Contains(sources, want) {
			t.Errorf("sources page lacks %q", want)
		}
	}
	if strings.Contains(sources, "s3cret") {
		t.Error("the sources page shows a secret")
	}
	if member := page("/members/1"); !strings.Contains(member, `<span class="tag">github</span> ada`) {
		t.Errorf("member page lacks the identity:\n%s", member)
	}
}

func TestMemberPageShowsTerms(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	ms, _, err := s.Members(ctx, cadre.MemberFilter{Query: "Ada"})
	if err != nil || len(ms) != 1 {
		t.Fatal(ms, err)
	}
	start := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	if err := s.StartTerm(ctx, &program.Term{MemberID: ms[0].ID, Start: start, Via: program.ViaInvitation, Reason: "top of the 2024 list"}, "pm"); err != nil {
		t.Fatal(err)
	}
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/members/"+strconv.FormatInt(ms[0].ID, 10), nil))
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "<td>2024-02-01</td><td>now</td><td>invitation</td>") || !strings.Contains(body, "top of the 2024 list") {
		t.Errorf("member page: %d\n%s", rec.Code, body)
	}
}

// programServer is a signed-in server over the seed, every member holding a
// roster term since June 2024, and a way to ask it for a page or send it a
// form.
func programServer(t *testing.T) (*store.Store, []cadre.MemberSummary, func(method, path, form string) (int, string)) {
	t.Helper()
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
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	return s, ms, func(method, path, form string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(form))
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
}

// TestRenewalPage previews a quarter's review on its page, applies it as
// an admin, and finds it applied and not appliable again.
func TestRenewalPage(t *testing.T) {
	s, ms, page := programServer(t)
	ctx := context.Background()
	// The seed's activity is worth at most 8.75 points: below maintain, so
	// every term lapses at the 2025Q1 review.
	code, body := page("GET", "/renewal?quarter=2025Q1", "")
	if code != 200 || !strings.Contains(body, "<strong>0</strong> renewed · <strong>3</strong> lapsed") || !strings.Contains(body, "Apply the 2025Q1 review") ||
		!strings.Contains(body, "criteria too demanding") {
		t.Fatalf("preview page: %d\n%s", code, body)
	}
	// A leave of absence, before the apply: the reason is required.
	first := strconv.FormatInt(ms[0].ID, 10)
	if code, body := page("POST", "/renewal", "quarter=2025Q1&action=excuse&member="+first+"&reason="); code != 400 || !strings.Contains(body, "needs a reason") {
		t.Errorf("an excuse without a reason: %d", code)
	}
	if code, body := page("POST", "/renewal", "quarter=2025Q1&action=excuse&member="+first+"&reason=parental+leave"); code != 303 {
		t.Fatalf("excuse: %d\n%s", code, body)
	}
	if _, body := page("GET", "/renewal?quarter=2025Q1", ""); !strings.Contains(body, "<strong>0</strong> renewed · <strong>2</strong> lapsed · 1 excused") {
		t.Errorf("preview after the excuse:\n%s", body)
	}
	if code, body := page("POST", "/renewal", "quarter=2025Q1"); code != 303 {
		t.Fatalf("apply: %d\n%s", code, body)
	}
	if code, body := page("POST", "/renewal", "quarter=2025Q1&action=excuse&member="+strconv.FormatInt(ms[1].ID, 10)+"&reason=late"); code != 409 || !strings.Contains(body, "too late") {
		t.Errorf("an excuse after the apply: %d", code)
	}
	code, body = page("GET", "/renewal?quarter=2025Q1", "")
	if code != 200 || !strings.Contains(body, "applied") || strings.Contains(body, "Apply the 2025Q1 review") {
		t.Errorf("applied page: %d\n%s", code, body)
	}
	if code, body := page("POST", "/renewal", "quarter=2025Q1"); code != 409 || !strings.Contains(body, "applied already") {
		t.Errorf("a second apply: %d\n%s", code, body)
	}
	if m, _ := s.Member(ctx, ms[1].ID); m.Status != cadre.StatusAlumni {
		t.Errorf("after the review %s is %s, want alumni", m.Name, m.Status)
	}
	if m, _ := s.Member(ctx, ms[0].ID); m.Status != cadre.StatusAmbassador {
		t.Errorf("after the review the excused %s is %s, want ambassador", m.Name, m.Status)
	}
}

// TestCriteriaPage: anyone reads the framework in force, with every way to
// contribute and its points, without signing in.
func TestCriteriaPage(t *testing.T) {
	s := storetest.SQLite(t)
	doc := strings.Replace(criteria.DefaultYAML, "achieve: 60", "achieve: 75", 1)
	if _, err := s.SaveCriteria(context.Background(), doc, "pm"); err != nil {
		t.Fatal(err)
	}
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/criteria", nil))
	body := rec.Body.String()
	for _, want := range []string{"<td>Speaking or workshop</td><td class=\"num\">5</td>", "score of <strong>75</strong>", "Criteria version 1.", "lose 25% of their value"} {
		if rec.Code != 200 || !strings.Contains(body, want) {
			t.Errorf("/criteria: %d, lacks %q", rec.Code, want)
		}
	}
}

// TestHealthPage shows eight quarters with their charts, the applied
// review of one and the warning of a renewal rate below its band.
func TestHealthPage(t *testing.T) {
	_, _, do := programServer(t)
	if code, body := do("POST", "/renewal", "quarter=2025Q1"); code != 303 {
		t.Fatalf("apply: %d %s", code, body)
	}
	code, body := do("GET", "/health?quarter=2025Q2", "")
	for _, want := range []string{`<a href="/renewal?quarter=2024Q3">2024Q3</a>`, `<a href="/renewal?quarter=2025Q2">2025Q2</a>`,
		"0 renewed, 3 lapsed (0.0%)", "⚠ criteria too demanding or rewards not compelling", `aria-label="Renewal rate by quarter"`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("health page: %d, lacks %q", code, want)
		}
	}
	if strings.Contains(body, "%!") {
		t.Errorf("health page: a figure is misprinted:\n%s", body)
	}
	if n := strings.Count(body, "<svg"); n != 10 {
		t.Errorf("health page has %d charts, want 10 (share, renewal, hours, ambassadors, organic, NPS, follow-through, content, mentees, forum)", n)
	}
	if !strings.Contains(body, "</tspan> weighted by multiplier</tspan>") || !strings.Contains(body, "</tspan> applications received</tspan>") {
		t.Error("health page: the two-line charts lack their legends")
	}
	// No reward and no grant: a sentence each, no empty chart.
	for _, want := range []string{"No reward in the catalog yet", "No reward granted yet"} {
		if !strings.Contains(body, want) {
			t.Errorf("health page without rewards lacks %q", want)
		}
	}
}

// TestHealthPageRewards shows the rewards on the dashboard: the catalog
// ranked by value and the average impact of each reward's grants, as
// charts, tables and CSV files, the figures computed here from the
// matrix and the members' activities; and says so when no grant is
// measured yet.
func TestHealthPageRewards(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	s.Now = func() time.Time { return time.Date(2025, 7, 15, 12, 0, 0, 0, time.UTC) }
	ms, _, err := s.Members(ctx, cadre.MemberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, m := range ms {
		ids[m.Name] = m.ID
	}
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (http.Header, string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 || strings.Contains(rec.Body.String(), "%!") {
			t.Fatalf("%s: %d\n%s", path, rec.Code, rec.Body)
		}
		return rec.Header(), rec.Body.String()
	}
	// between is the text of body from the first from after the first
	// at, up to the next to.
	between := func(body, at, from, to string) string {
		t.Helper()
		_, after, found := strings.Cut(body, at)
		_, after, ok := strings.Cut(after, from)
		if !found || !ok {
			t.Fatalf("the page lacks %s…%s", at, from)
		}
		part, _, _ := strings.Cut(after, to)
		return part
	}
	readCSV := func(path, name string) [][]string {
		t.Helper()
		hdr, body := get(path)
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || hdr.Get("Content-Disposition") != `attachment; filename="`+name+`.csv"` {
			t.Fatalf("%s: %v, %q\n%s", path, err, hdr.Get("Content-Disposition"), body)
		}
		return recs
	}

	// Two pain points, a weight that is not whole, a tie (by name) and a
	// name the page must escape.
	weights := []float64{1.5, 1}
	rows := []struct {
		name   string
		scores []int
	}{{"Conference pass", []int{7, 10}}, {"Swag pack", []int{3, 0}}, {"Roadmap briefing", []int{2, 5}}, {"Tees & <stickers>", []int{3, 0}}}
	m := &reward.Matrix{PainPoints: []reward.PainPoint{{Name: "Visibility", Weight: weights[0]}, {Name: "Travel costs", Weight: weights[1]}}}
	for _, r := range rows {
		m.Rows = append(m.Rows, reward.Row{Reward: r.name, Kind: reward.Extrinsic, Scores: r.scores})
	}
	if _, err := s.ImportRewardMatrix(ctx, m, "pm"); err != nil {
		t.Fatal(err)
	}
	type ranked struct {
		name  string
		value float64
	}
	var values []ranked
	for _, r := range rows {
		v := 0.0
		for j, w := range weights {
			v += w * float64(r.scores[j])
		}
		values = append(values, ranked{r.name, v})
	}
	slices.SortStableFunc(values, func(a, b ranked) int {
		if a.value != b.value {
			return cmp.Compare(b.value, a.value)
		}
		return strings.Compare(a.name, b.name)
	})
	var wantTable, wantBars []string
	wantCSV := [][]string{{"rank", "reward", "value"}}
	for i, v := range values {
		wantTable = append(wantTable, fmt.Sprintf(`<tr><td>%d</td><td class="reward">%s</td><td class="num value">%v</td></tr>`, i+1, html.EscapeString(v.name), v.value))
		wantBars = append(wantBars, html.EscapeString(v.name)+": "+strconv.FormatFloat(v.value, 'f', -1, 64))
		wantCSV = append(wantCSV, []string{strconv.Itoa(i + 1), v.name, strconv.FormatFloat(v.value, 'f', -1, 64)})
	}
	if got := fmt.Sprint(values); got != "[{Conference pass 20.5} {Roadmap briefing 8} {Swag pack 4.5} {Tees & <stickers> 4.5}]" {
		t.Fatalf("the test's own ranking is %s", got) // 1.5×7 + 10, 1.5×2 + 5, 1.5×3 twice
	}
	titles := regexp.MustCompile(`<title>([^<]*)</title>`)
	barsOf := func(svg string) []string {
		var out []string
		for _, m := range titles.FindAllStringSubmatch(svg, -1) {
			out = append(out, m[1])
		}
		return out
	}

	_, body := get("/health?quarter=2025Q2")
	if got := between(body, `<table class="members reward-value">`, "<tbody>", "</tbody>"); got != strings.Join(wantTable, "") {
		t.Errorf("the ranking's table:\n%s\nwant\n%s", got, strings.Join(wantTable, ""))
	}
	if got := barsOf(between(body, `<h2 id="reward-value">`, `aria-label="Rewards ranked by value"`, "</svg>")); !slices.Equal(got, wantBars) {
		t.Errorf("the ranking's bars: %q, want %q", got, wantBars)
	}
	if n := strings.Count(body, "<svg"); n != 11 || !strings.Contains(body, "No reward granted yet") {
		t.Errorf("rewards, no grant: %d charts, want 11 and no impact chart", n)
	}
	if got := readCSV("/health?quarter=2025Q2&format=csv&list=reward-value", "reward-value"); !slices.EqualFunc(got, wantCSV, slices.Equal) {
		t.Errorf("the ranking as CSV: %q, want %q", got, wantCSV)
	}

	grant := func(name, member string, at time.Time) int64 {
		t.Helper()
		r, err := s.RewardByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		g := &reward.Grant{RewardID: r.ID, MemberID: ids[member], At: at, Quarter: program.QuarterOf(at, time.UTC).String(), Actor: "pm"}
		if err := s.GrantReward(ctx, g, nil); err != nil {
			t.Fatal(err)
		}
		return g.ID
	}
	// A grant whose 60 days after run past now is not measured yet.
	july1 := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	grant("Roadmap briefing", "bob", july1)
	_, body = get("/health?quarter=2025Q2")
	if !strings.Contains(body, "No grant measured yet") || strings.Count(body, "<svg") != 11 ||
		!strings.Contains(body, `<tr><td class="reward">Roadmap briefing</td><td class="num">0</td><td class="num">–</td><td class="num">–</td></tr>`) {
		t.Errorf("a grant not measured yet:\n%s", between(body, `<h2 id="reward-impact">`, "", "</table>"))
	}

	// Measured: the pass to Ada and to bob, the swag pack to cy; the swag
	// pack to Ada is cancelled and not measured.
	march20, april1 := time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	measured := []struct {
		reward, member string
		at             time.Time
	}{{"Conference pass", "Ada Ambassador", march20}, {"Conference pass", "bob", march20}, {"Swag pack", "cy", april1}}
	for _, g := range measured {
		grant(g.reward, g.member, g.at)
	}
	if err := s.MoveGrant(ctx, grant("Swag pack", "Ada Ambassador", april1), reward.Cancelled, "pm"); err != nil {
		t.Fatal(err)
	}
	type mean struct {
		name               string
		grants             int
		activities, points float64
	}
	byReward := map[string]*mean{}
	var impacts []*mean
	for _, g := range measured {
		before, after, bp, ap := impactCounts(t, s, ids[g.member], g.at)
		im := byReward[g.reward]
		if im == nil {
			im = &mean{name: g.reward}
			byReward[g.reward] = im
			impacts = append(impacts, im)
		}
		im.grants++
		im.activities += float64(after - before)
		im.points += ap - bp
	}
	for _, im := range impacts {
		im.activities /= float64(im.grants)
		im.points /= float64(im.grants)
	}
	// Ada's pass: 5 forum posts before, a talk after (−4, 0); bob's: an
	// article before, a post after (0, −2); cy: a post after (+1, +1).
	slices.SortStableFunc(impacts, func(a, b *mean) int { return cmp.Compare(b.points, a.points) })
	if got := fmt.Sprintf("%v %v", *impacts[0], *impacts[1]); got != "{Swag pack 1 1 1} {Conference pass 2 -2 -1}" {
		t.Fatalf("the test's own impacts are %s", got)
	}
	signed := func(f float64) string { return fmt.Sprintf("%+.1f", f) }
	wantTable, wantBars = nil, nil
	wantCSV = [][]string{{"reward", "grants_measured", "activities_change", "points_change"}}
	for _, im := range impacts {
		wantTable = append(wantTable, fmt.Sprintf(`<tr><td class="reward">%s</td><td class="num">%d</td><td class="num">%s</td><td class="num">%s</td></tr>`,
			im.name, im.grants, strings.ReplaceAll(signed(im.activities), "+", "&#43;"), strings.ReplaceAll(signed(im.points), "+", "&#43;")))
		wantBars = append(wantBars, im.name+": "+signed(im.points))
		wantCSV = append(wantCSV, []string{im.name, strconv.Itoa(im.grants), strconv.FormatFloat(im.activities, 'f', -1, 64), strconv.FormatFloat(im.points, 'f', -1, 64)})
	}
	wantTable = append(wantTable, `<tr><td class="reward">Roadmap briefing</td><td class="num">0</td><td class="num">–</td><td class="num">–</td></tr>`)
	wantCSV = append(wantCSV, []string{"Roadmap briefing", "0", "", ""})

	_, body = get("/health?quarter=2025Q2")
	if got := between(body, `<table class="members reward-impact">`, "<tbody>", "</tbody>"); got != strings.Join(wantTable, "") {
		t.Errorf("the impact's table:\n%s\nwant\n%s", got, strings.Join(wantTable, ""))
	}
	impactChart := between(body, `<h2 id="reward-impact">`, `aria-label="Average points gained per grant, by reward"`, "</svg>")
	if got := barsOf(impactChart); !slices.Equal(got, wantBars) {
		t.Errorf("the impact's bars: %q, want %q", got, wantBars)
	}
	if !strings.Contains(impactChart, `fill="#c62828"`) {
		t.Error("the pass's points lost are not drawn in red")
	}
	if n := strings.Count(body, "<svg"); n != 12 || strings.Contains(body, "No grant measured yet") || strings.Contains(body, "No reward granted yet") {
		t.Errorf("rewards and grants: %d charts, want 12 and no empty state", n)
	}
	for _, link := range []string{`href="/health?format=csv&amp;list=reward-value"`, `href="/health?format=csv&amp;list=reward-impact"`} {
		if !strings.Contains(body, link) {
			t.Errorf("the page lacks the link %s", link)
		}
	}
	if got := readCSV("/health?quarter=2025Q2&format=csv&list=reward-impact", "reward-impact"); !slices.EqualFunc(got, wantCSV, slices.Equal) {
		t.Errorf("the impact as CSV: %q, want %q", got, wantCSV)
	}
	if got := readCSV("/health?quarter=2025Q2&format=csv", "health"); len(got) != 9 || got[0][0] != "quarter" {
		t.Errorf("the quarters' CSV is not the default: %q", got)
	}
}

// TestInvitationLink: the invitee opens their personal link without an
// account, reads what the program asks, accepts once and is an ambassador.
func TestInvitationLink(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	ms, _, err := s.Members(ctx, cadre.MemberFilter{Query: "bob"})
	if err != nil || len(ms) != 1 {
		t.Fatal(ms, err)
	}
	_, secret, err := s.Invite(ctx, ms[0].ID, "pm", nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, form string) (int, string) {
		req := httptest.NewRequest(method, "/invitation/"+secret, strings.NewReader(form))
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, body := do("GET", ""); code != 200 || !strings.Contains(body, "bob, you are invited") || !strings.Contains(body, "Ways to contribute") {
		t.Fatalf("invitation page: %d\n%s", code, body)
	}
	if code, body := do("POST", "answer=accept"); code != 200 || !strings.Contains(body, "you are an ambassador") {
		t.Fatalf("accept: %d\n%s", code, body)
	}
	if code, body := do("POST", "answer=accept"); code != 409 || !strings.Contains(body, "accepted already") {
		t.Errorf("a second use of the link: %d\n%s", code, body)
	}
	if m, _ := s.Member(ctx, ms[0].ID); m.Status != cadre.StatusAmbassador {
		t.Errorf("bob is %s after accepting", m.Status)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/invitation/"+secret+"x", nil))
	if rec.Code != 404 {
		t.Errorf("a mistyped link: %d", rec.Code)
	}
	// Bob's page tells how he came in.
	staff, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	staff.ServeHTTP(rec, httptest.NewRequest("GET", "/members/"+strconv.FormatInt(ms[0].ID, 10), nil))
	if body := rec.Body.String(); rec.Code != 200 || !regexp.MustCompile(`<td>Invitation \d+</td><td>\d{4}-\d\d-\d\d</td><td><span class="tag">accepted</span></td><td>\d{4}-`).MatchString(body) {
		t.Errorf("bob's page: %d, lacks the accepted invitation\n%s", rec.Code, body)
	}
}

// TestInvitationsPage proposes who qualifies, sends an invitation from the
// page (its link shown once), refuses a second one and revokes the first.
func TestInvitationsPage(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	low := strings.Replace(strings.Replace(criteria.DefaultYAML, "achieve: 60", "achieve: 0.01", 1), "maintain: 40", "maintain: 0.01", 1) // the seed's 2025 points have faded by now
	if _, err := s.SaveCriteria(ctx, low, "pm"); err != nil {
		t.Fatal(err)
	}
	ms, _, _ := s.Members(ctx, cadre.MemberFilter{Query: "bob"})
	bob := strconv.FormatInt(ms[0].ID, 10)
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, form string) (int, string) {
		req := httptest.NewRequest(method, "/invitations", strings.NewReader(form))
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	code, body := do("GET", "")
	if code != 200 || !strings.Contains(body, `<a href="/members/`+bob+`">bob</a>`) || strings.Contains(body, "Ada Ambassador</a> <span") {
		t.Fatalf("proposals: %d\n%s", code, body)
	}
	code, body = do("POST", "action=invite&id="+bob)
	if code != 201 || !strings.Contains(body, `<code id="invitation-link">http://example.com/invitation/`) {
		t.Fatalf("invite: %d\n%s", code, body)
	}
	if code, body := do("POST", "action=invite&id="+bob); code != 409 || !strings.Contains(body, "open invitation") {
		t.Errorf("a second invitation: %d\n%s", code, body)
	}
	if code, _ := do("POST", "action=revoke&id=1"); code != 303 {
		t.Errorf("revoke: %d", code)
	}
	if _, body := do("GET", ""); !strings.Contains(body, `<span class="tag">revoked</span>`) {
		t.Errorf("the revoked invitation is not listed as such:\n%s", body)
	}
}

// TestApplyForm applies through the public form, from another site too,
// refuses a second open application and a bot's, limits one address, and
// withdraws through the applicant's link.
func TestApplyForm(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	h, err := newBareServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	post := func(path string, form url.Values, origin string) (int, string) {
		req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	form := url.Values{"name": {"Ada"}, "email": {"ada@example.org"}, "handles": {"github:ada"}, "motivation": {"I answer on the forum."}, "links": {"https://ada.example/blog"}}
	code, body := post("/apply", form, "https://community.example")
	if code != 201 || !strings.Contains(body, "your application is in") {
		t.Fatalf("apply from another site: %d\n%s", code, body)
	}
	i := strings.Index(body, "/application/")
	secret := body[i+len("/application/") : i+len("/application/")+43]
	if code, body := post("/apply", form, ""); code != 409 || !strings.Contains(body, "waiting for a decision") {
		t.Errorf("a second open application: %d", code)
	}
	bot := url.Values{"name": {"Bot"}, "email": {"bot@example.org"}, "motivation": {"spam"}, "website": {"https://spam.example"}}
	if code, _ := post("/apply", bot, ""); code != 200 {
		t.Errorf("a bot: %d, want a quiet 200", code)
	}
	bad := url.Values{"name": {"Cy"}, "email": {"cy@example.org"}, "motivation": {"x"}, "handles": {"octocat"}}
	if code, body := post("/apply", bad, ""); code != 400 || !strings.Contains(body, "handles: &#34;octocat&#34; is not platform:handle") || !strings.Contains(body, `value="Cy"`) {
		t.Errorf("a bad handle: %d, want the form back with the reason and the fields kept\n%s", code, body)
	}
	apps, err := s.Applications(context.Background(), "")
	if err != nil || len(apps) != 1 || apps[0].Email != "ada@example.org" || apps[0].MemberID == 0 {
		t.Fatalf("applications stored: %+v, %v; want Ada's only, linked to her member", apps, err)
	}
	for i := range 5 {
		f := url.Values{"name": {"N"}, "email": {fmt.Sprintf("n%d@example.org", i)}, "motivation": {"m"}}
		post("/apply", f, "")
	}
	if code, _ := post("/apply", url.Values{"name": {"N"}, "email": {"last@example.org"}, "motivation": {"m"}}, ""); code != 429 {
		t.Errorf("the seventh application from one address: %d, want 429", code)
	}
	if code, body := post("/application/"+secret, nil, ""); code != 200 || !strings.Contains(body, "withdrawn") {
		t.Errorf("withdraw: %d\n%s", code, body)
	}
}

// TestApplicationsQueue: a reviewer sees an application with the member it
// resolves to, refuses a rejection without a reason, and accepts it.
func TestApplicationsQueue(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	ctx := context.Background()
	a, err := program.ParseApplication("Bob B.", "bob-b@example.org", "github:bob", "Blog posts every month.", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitApplication(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, form string) (int, string) {
		req := httptest.NewRequest(method, "/applications", strings.NewReader(form))
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	id := strconv.FormatInt(a.ID, 10)
	if code, body := do("GET", ""); code != 200 || !strings.Contains(body, `<a href="/members/`+strconv.FormatInt(a.MemberID, 10)+`">bob</a>`) {
		t.Fatalf("queue: %d\n%s", code, body)
	}
	if code, _ := do("POST", "id="+id+"&decision=note&note=Check+the+blog+archive"); code != 303 {
		t.Errorf("note: %d", code)
	}
	if code, body := do("POST", "id="+id+"&decision=note&note=+"); code != 400 || !strings.Contains(body, "a note needs text") {
		t.Errorf("an empty note: %d", code)
	}
	if _, body := do("GET", ""); !strings.Contains(body, "admin@example.org") || !strings.Contains(body, "Check the blog archive") {
		t.Errorf("the queue lacks the note and its author:\n%s", body)
	}
	if code, body := do("POST", "id="+id+"&decision=reject&reason="); code != 400 || !strings.Contains(body, "needs a reason") {
		t.Errorf("a rejection without a reason: %d", code)
	}
	if code, _ := do("POST", "id="+id+"&decision=accept"); code != 303 {
		t.Errorf("accept: %d", code)
	}
	if m, _ := s.Member(ctx, a.MemberID); m.Status != cadre.StatusAmbassador {
		t.Errorf("bob is %s after acceptance", m.Status)
	}
	if _, body := do("GET", ""); !strings.Contains(body, "No application waits.") {
		t.Errorf("the queue after the decision:\n%s", body)
	}
}

// TestCSV: every list page comes as CSV with the same filters and every
// row, and a name a spreadsheet would run as a formula is defused.
func TestCSV(t *testing.T) {
	s, ms, do := programServer(t)
	ctx := context.Background()
	evil := cadre.Member{Name: "=HYPERLINK(\"http://evil.example\")"}
	if err := s.CreateMember(ctx, &evil, nil); err != nil {
		t.Fatal(err)
	}
	a, err := program.ParseApplication("Dee", "dee@example.org", "", "I help.", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitApplication(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		header string
		rows   int
	}{
		{"/?format=csv", "id,name,status,staff,bot,activities,emails", len(ms) + 1},
		{"/?status=ambassador&format=csv&offset=2&limit=1", "id,name,status,staff,bot,activities,emails", len(ms)}, // every match, not a page
		{"/leaderboard?format=csv", "rank,member_id,name,status,score", len(ms) + 1},
		{"/renewal?quarter=2025Q1&format=csv", "quarter,member_id,name,score,outcome", len(ms)},
		{"/health?quarter=2025Q2&format=csv", "quarter,active,qualifying,share,ambassadors", 8},
		{"/health?format=csv&list=reward-value", "rank,reward,value", 0},
		{"/health?format=csv&list=reward-impact", "reward,grants_measured,activities_change,points_change", 0},
		{"/applications?format=csv", "id,name,email,handles,state,at,member_id", 1},
		{"/applications?state=accepted&format=csv", "id,name,email,handles,state,at,member_id", 0},
		{"/invitations?format=csv", "id,member_id,name,state,sent_at", 0},
		{"/invitations?format=csv&list=proposals", "member_id,name,status,score,carried_by", -1},
	}
	for _, tt := range tests {
		code, body := do("GET", tt.path, "")
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if code != 200 || err != nil || len(recs) == 0 || !strings.HasPrefix(strings.Join(recs[0], ","), tt.header) || tt.rows >= 0 && len(recs)-1 != tt.rows {
			t.Errorf("%s: %d, %v, %d rows, want header %q and %d rows\n%s", tt.path, code, err, len(recs)-1, tt.header, tt.rows, body)
		}
	}
	_, body := do("GET", "/?format=csv", "")
	recs, _ := csv.NewReader(strings.NewReader(body)).ReadAll()
	defused := false
	for _, rec := range recs {
		for _, c := range rec {
			if strings.HasPrefix(c, "=") {
				t.Errorf("a formula in a name is written as is: %q", c)
			}
			defused = defused || c == `'=HYPERLINK("http://evil.example")`
		}
	}
	if !defused {
		t.Errorf("the member named as a formula is missing:\n%s", body)
	}
	if _, body := do("GET", "/", ""); !strings.Contains(body, `href="/?format=csv"`) {
		t.Error("the members page has no CSV link")
	}
}

// TestRosterPage previews an uploaded roster row by row, changing
// nothing, imports the previewed text, names a bad row by its line, and
// exports what is stored.
func TestRosterPage(t *testing.T) {
	s := storetest.SQLite(t)
	seed(t, s)
	h, err := newServer(t, slog.New(slog.NewTextHandler(io.Discard, nil)), s)
	if err != nil {
		t.Fatal(err)
	}
	upload := func(content string) (int, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("action", "preview")
		fw, _ := mw.CreateFormFile("file", "team.csv")
		_, _ = io.WriteString(fw, content)
		_ = mw.Close()
		req := httptest.NewRequest("POST", "/roster", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	post := func(form url.Values) (int, string) {
		req := httptest.NewRequest("POST", "/roster", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	roster := "member,since,until,via\ngithub:ada,2024-01-01T00:00:00Z,,\nnew@example.org,2023-01-01T00:00:00Z,2024-01-01T00:00:00Z,invitation\n"
	code, body := upload(roster)
	for _, want := range []string{"Preview: 2 terms to add, 0 unchanged, 1 members to create", "new@example.org <span class=\"tag\">new member</span>", "Import these 2 terms"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("preview: %d, lacks %q", code, want)
		}
	}
	if terms, _ := s.Terms(context.Background(), 0); len(terms) != 0 {
		t.Fatalf("a preview stored %d terms", len(terms))
	}
	if code, _ := post(url.Values{"action": {"apply"}, "roster": {roster}}); code != 303 {
		t.Fatalf("apply: %d", code)
	}
	if terms, _ := s.Terms(context.Background(), 0); len(terms) != 2 {
		t.Errorf("after the import: %d terms, want 2", len(terms))
	}
	if code, body := upload(roster); code != 200 || !strings.Contains(body, "0 terms to add, 2 unchanged") {
		t.Errorf("the same roster again: %d", code)
	}
	if code, body := upload("member,since,until,via\ngithub:ada,not a time,,\n"); code != 400 || !strings.Contains(body, "team.csv:2") {
		t.Errorf("a bad row: %d\n%s", code, body)
	}
	if code, body := upload("member,since,until,via\ngithub:bob,2024-01-01T00:00:00Z,,\ngithub:bob,2024-06-01T00:00:00Z,,\n"); code != 409 && code != 400 || !strings.Contains(body, "team.csv:3") {
		t.Errorf("an overlap: %d\n%s", code, body)
	}
	if code, body := get("/roster?format=csv"); code != 200 || body != "member,since,until,via\ngithub:ada,2024-01-01T00:00:00Z,,roster\nnew@example.org,2023-01-01T00:00:00Z,2024-01-01T00:00:00Z,invitation\n" {
		t.Errorf("export: %d\n%s", code, body)
	}
}

// TestWebhooksPage adds a webhook, refuses a bad one with the reason,
// lists what an application sent it, and removes it.
func TestWebhooksPage(t *testing.T) {
	s, _, do := programServer(t)
	if code, body := do("POST", "/webhooks", "action=add&url=ftp%3A%2F%2Fx&kind=json&secret=a+long+enough+secret"); code != 400 || !strings.Contains(body, "http(s) address") {
		t.Errorf("a bad webhook: %d", code)
	}
	if code, _ := do("POST", "/webhooks", "action=add&url=https%3A%2F%2Fhooks.example.org%2Fc&kind=slack&events=application.submitted"); code != 303 {
		t.Fatalf("add: %d", code)
	}
	a, err := program.ParseApplication("Dee", "dee@example.org", "", "I help.", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitApplication(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	code, body := do("GET", "/webhooks", "")
	if code != 200 || !strings.Contains(body, "https://hooks.example.org/c") || !strings.Contains(body, "<td>application.submitted</td>") || !strings.Contains(body, `<span class="tag">waiting</span>`) {
		t.Errorf("the page: %d\n%s", code, body)
	}
	if code, _ := do("POST", "/webhooks", "action=remove&id=1"); code != 303 {
		t.Errorf("remove: %d", code)
	}
	if _, body := do("GET", "/webhooks", ""); !strings.Contains(body, "No webhook yet.") {
		t.Error("the webhook is still listed")
	}
}
