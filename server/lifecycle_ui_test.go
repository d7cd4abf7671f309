package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/mail"
	"github.com/cadrehq/cadre/mail/mailtest"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// lifecycleProgram is a small program on 10 April 2025, just after 2025Q1
// ended, under criteria of achieve 10 and maintain 5: Ada and Dan hold
// terms from the roster (Ada gave three talks in the quarter and renews;
// Dan's one forum answer of last July does not keep him), Bob gave three
// talks and qualifies, and Cy answered twice on the forum.
func lifecycleProgram(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	s.Now = func() time.Time { return time.Date(2025, 4, 10, 12, 0, 0, 0, time.UTC) }
	doc := strings.Replace(strings.Replace(criteria.DefaultYAML, "achieve: 60", "achieve: 10", 1), "maintain: 40", "maintain: 5", 1)
	if _, err := s.SaveCriteria(ctx, doc, "pm"); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	var recs []cadre.ActivityRecord
	for _, p := range []struct {
		name, handle, email, typ string
		n                        int
		at                       time.Time
	}{
		{"Ada", "ada", "ada@example.org", "speaking", 3, time.Date(2025, 2, 10, 0, 0, 0, 0, time.UTC)},
		{"Dan", "dan", "dan@example.org", "forum", 1, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)},
		{"Bob", "bob", "bob@example.org", "speaking", 3, time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)},
		{"Cy", "cy", "", "forum", 2, time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)},
	} {
		m := cadre.Member{Name: p.name}
		if p.email != "" {
			m.Emails = []string{p.email}
		}
		if err := s.CreateMember(ctx, &m, []cadre.Identity{{Platform: "github", Handle: p.handle}}); err != nil {
			t.Fatal(err)
		}
		ids[p.name] = m.ID
		for i := range p.n {
			recs = append(recs, cadre.ActivityRecord{
				Activity: cadre.Activity{Type: p.typ, Source: "events", ExternalID: p.handle + strconv.Itoa(i), OccurredAt: p.at.AddDate(0, 0, i), Status: cadre.ActivityApproved},
				Member:   cadre.MemberRef{Platform: "github", Handle: p.handle},
			})
		}
	}
	if _, err := s.NewImporter().Import(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Ada", "Dan"} {
		if err := s.StartTerm(ctx, &program.Term{MemberID: ids[name], Start: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Via: program.ViaRoster, Reason: "roster"}, "pm"); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// TestLifecycleInBrowser runs the program's lifecycle in a real browser,
// with its mail delivered to a real SMTP server: Cy applies on the public
// form and is told so by mail; the admin accepts the application and Cy is
// an ambassador on their page; the admin invites Bob, who accepts from the
// link in his mail; the admin previews the 2025Q1 review, applies it, and
// Ada and Dan are told their outcomes.
func TestLifecycleInBrowser(t *testing.T) {
	storetest.Each(t, testLifecycleInBrowser)
}

func testLifecycleInBrowser(t *testing.T, s *store.Store) {
	ids := lifecycleProgram(t, s)
	hash, err := account.HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(context.Background(), &account.User{Email: "pm@example.org", Role: account.Admin, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := newBareServer(t, log, s, server.WithMailServer())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	smtpd := mailtest.Start(t, "", "")
	sender, err := mail.NewSMTP(smtpd.URL, "Ambassadors <devrel@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	// What the server's mail job does every few seconds, done at the
	// moments the test needs it.
	deliver := func(want int) []mailtest.Message {
		t.Helper()
		before := len(smtpd.Messages())
		if sent, failed, err := mail.Deliver(context.Background(), s, sender, s.Now, log); sent != want || failed != 0 || err != nil {
			t.Fatalf("deliver: sent %d, failed %d, %v; want %d sent", sent, failed, err, want)
		}
		return smtpd.Messages()[before:]
	}
	ctx := browser(t)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	status := func(name string) string {
		t.Helper()
		step("open "+name+"'s page", chromedp.Navigate(srv.URL+"/members/"+strconv.FormatInt(ids[name], 10)), chromedp.WaitVisible(`h1 .status`))
		return text(`h1 .status`)
	}

	// Cy applies, signed out, and is told by mail.
	step("open the public form", chromedp.Navigate(srv.URL+"/apply"), chromedp.WaitVisible(`form.apply`),
		chromedp.SendKeys(`input[name=name]`, "Cy"), chromedp.SendKeys(`input[name=email]`, "cy@example.org"),
		chromedp.SendKeys(`textarea[name=handles]`, "github:cy"), chromedp.SendKeys(`textarea[name=motivation]`, "I answer newcomers on the forum."),
		chromedp.Click(`form.apply button`), chromedp.WaitVisible(`#application-link`))
	if h1 := text(`h1`); h1 != "Thank you, Cy: your application is in" {
		t.Errorf("after applying: %q", h1)
	}
	got := deliver(1)
	if got[0].To[0] != "cy@example.org" || !strings.Contains(got[0].Body, srv.URL+"/application/") {
		t.Errorf("Cy's confirmation: %+v", got[0])
	}

	// The admin signs in and accepts the application.
	step("sign in", chromedp.Navigate(srv.URL+"/applications"), chromedp.WaitVisible(`form.login`),
		chromedp.SendKeys(`input[name=email]`, "pm@example.org"), chromedp.SendKeys(`input[name=password]`, "a long enough password"),
		chromedp.Click(`form.login button`), chromedp.WaitVisible(`table.members`))
	if row := text(`table.members tbody tr`); !strings.Contains(row, "Cy") || !strings.Contains(row, "cy@example.org") {
		t.Fatalf("the queue: %q", row)
	}
	step("accept", chromedp.Click(`table.members tbody tr button[value=accept]`), chromedp.WaitVisible(`td.empty`))
	if st := status("Cy"); st != "ambassador" {
		t.Errorf("Cy after acceptance is %q, want ambassador", st)
	}
	if got := deliver(1); got[0].To[0] != "cy@example.org" || got[0].Subject != "Welcome to the ambassador program" {
		t.Errorf("Cy's decision: %+v", got[0])
	}

	// The admin invites Bob, the one proposal; Bob accepts from his mail.
	step("open the invitations", chromedp.Navigate(srv.URL+"/invitations"), chromedp.WaitVisible(`table.members`))
	if row := text(`table.members tbody tr`); !strings.Contains(row, "Bob") {
		t.Fatalf("proposals: %q", row)
	}
	step("invite Bob", chromedp.Click(`table.members tbody tr button`), chromedp.WaitVisible(`#invitation-link`))
	got = deliver(1)
	link := regexp.MustCompile(`https?://\S+/invitation/\S+`).FindString(got[0].Body)
	if got[0].To[0] != "bob@example.org" || link == "" {
		t.Fatalf("Bob's invitation: %+v", got[0])
	}
	step("sign out", chromedp.Click(`form.logout button`), chromedp.WaitVisible(`form.login`))
	step("open the link from the mail", chromedp.Navigate(link), chromedp.WaitVisible(`form.invitation`),
		chromedp.Click(`form.invitation button[value=accept]`), chromedp.WaitNotPresent(`form.invitation`))
	if h1 := text(`h1`); h1 != "Welcome, Bob: you are an ambassador" {
		t.Errorf("after accepting: %q", h1)
	}
	step("open the link again", chromedp.Navigate(link), chromedp.WaitVisible(`h1`))
	if h1 := text(`h1`); h1 != "Welcome, Bob: you are an ambassador" || strings.Contains(text(`main`), "Decline") {
		t.Errorf("the link a second time: %q", h1)
	}

	// The admin previews and applies the 2025Q1 review.
	step("sign in again", chromedp.Navigate(srv.URL+"/renewal?quarter=2025Q1"), chromedp.WaitVisible(`form.login`),
		chromedp.SendKeys(`input[name=email]`, "pm@example.org"), chromedp.SendKeys(`input[name=password]`, "a long enough password"),
		chromedp.Click(`form.login button`), chromedp.WaitVisible(`form[action="/renewal"]`))
	preview := text(`main`)
	for _, want := range []string{"1 renewed · 1 lapsed", "Apply the 2025Q1 review"} {
		if !strings.Contains(strings.ReplaceAll(preview, "\n", " "), want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	step("apply", chromedp.Click(`form[action="/renewal"] button`), chromedp.WaitNotPresent(`form[action="/renewal"]`))
	got = deliver(2)
	outcomes := map[string]string{}
	for _, m := range got {
		outcomes[m.To[0]] = m.Subject
	}
	if outcomes["ada@example.org"] != "Your ambassador status is renewed (2025Q1 review)" || outcomes["dan@example.org"] != "Your ambassador term ends (2025Q1 review)" {
		t.Errorf("outcomes: %v", outcomes)
	}
	// Dan's term ended at the next quarter's start, 1 April: he is an alumnus.
	if st := status("Dan"); st != "alumni" {
		t.Errorf("Dan after the review is %q, want alumni", st)
	}

	// The admin opens 2025Q2's survey; Ada answers from her mail, and finds
	// her answer when she opens the link again.
	step("open the survey", chromedp.Navigate(srv.URL+"/surveys"), chromedp.WaitVisible(`form.open-survey`),
		chromedp.SetValue(`form.open-survey input[name=quarter]`, "2025Q2"), chromedp.Click(`form.open-survey button`),
		chromedp.WaitVisible(`p.ok`))
	got = deliver(2) // Ada and Bob have addresses; Cy's link is on the page
	var survey string
	for _, m := range got {
		if m.To[0] == "ada@example.org" {
			survey = regexp.MustCompile(`https?://\S+/survey/\S+`).FindString(m.Body)
		}
	}
	if survey == "" {
		t.Fatalf("no survey link in Ada's mail: %+v", got)
	}
	step("sign out before answering", chromedp.Click(`form.logout button`), chromedp.WaitVisible(`form.login`))
	step("answer the survey", chromedp.Navigate(survey), chromedp.WaitVisible(`form.survey`),
		chromedp.Click(`form.survey input[name=score][value="9"]`), chromedp.SendKeys(`form.survey textarea[name=comment]`, "The docs sprint was great"),
		chromedp.Click(`form.survey button`), chromedp.WaitVisible(`p.ok`))
	step("open the link again", chromedp.Navigate(survey), chromedp.WaitVisible(`form.survey`))
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("form.survey input[name=score]:checked").value + "|" + document.querySelector("form.survey textarea").value`))
	if err != nil || checked != "9|The docs sprint was great" {
		t.Errorf("the answer found again: %q, %v", checked, err)
	}
}
