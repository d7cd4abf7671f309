package program

import (
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
)

func TestQuarters(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseQuarter("2026Q4")
	if err != nil || q.String() != "2026Q4" || q.Next() != (Quarter{2027, 1}) {
		t.Fatalf("ParseQuarter(2026Q4) = %v, %v", q, err)
	}
	if got := q.ReviewAt(time.UTC); !got.Equal(time.Date(2026, 12, 31, 23, 59, 59, 999999000, time.UTC)) {
		t.Errorf("review instant %s", got)
	}
	if got := q.ReviewAt(paris); !got.Equal(time.Date(2026, 12, 31, 22, 59, 59, 999999000, time.UTC)) {
		t.Errorf("review instant in Paris %s", got.UTC())
	}
	if got := QuarterOf(time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), paris); got != (Quarter{2026, 2}) {
		t.Errorf("23:30 UTC on 31 March is %s in Paris, want 2026Q2", got)
	}
	if (Quarter{2026, 1}).Prev() != (Quarter{2025, 4}) || (Quarter{2026, 3}).Prev() != (Quarter{2026, 2}) {
		t.Error("Prev")
	}
	if !(Quarter{2025, 4}).Before(Quarter{2026, 1}) || (Quarter{2026, 1}).Before(Quarter{2026, 1}) {
		t.Error("Before")
	}
	for _, bad := range []string{"2026Q5", "2026Q0", "26Q1", "2026-Q1", "1969Q4", ""} {
		if _, err := ParseQuarter(bad); err == nil {
			t.Errorf("ParseQuarter(%q) accepted", bad)
		}
	}
}

func TestStatusAndTerms(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	terms := []Term{{ID: 1, MemberID: 7, Start: d(2024, 1, 1), End: d(2024, 7, 1), Via: ViaRoster}, {ID: 2, MemberID: 7, Start: d(2025, 1, 1), Via: ViaInvitation}}
	for at, want := range map[time.Time]cadre.MemberStatus{
		d(2023, 6, 1): cadre.StatusMember, d(2024, 1, 1): cadre.StatusAmbassador, d(2024, 7, 1): cadre.StatusAlumni,
		d(2024, 12, 31): cadre.StatusAlumni, d(2025, 1, 1): cadre.StatusAmbassador, d(2030, 1, 1): cadre.StatusAmbassador,
	} {
		if got := StatusAt(terms, at); got != want {
			t.Errorf("status at %s: %s, want %s", at.Format(time.DateOnly), got, want)
		}
	}
	m := &cadre.Member{ID: 7}
	tests := []struct {
		name string
		m    *cadre.Member
		t    Term
		want string
	}{
		{"between the two", m, Term{Start: d(2024, 7, 1), End: d(2025, 1, 1), Via: ViaRoster}, ""},
		{"overlapping the first", m, Term{Start: d(2024, 6, 1), End: d(2024, 8, 1), Via: ViaRoster}, "overlaps member 7's term from 2024-01-01T00:00:00Z to 2024-07-01"},
		{"overlapping the open one", m, Term{Start: d(2026, 1, 1), Via: ViaApplication}, "(open)"},
		{"ending before it starts", m, Term{Start: d(2024, 8, 1), End: d(2024, 8, 1), Via: ViaRoster}, "ends after it starts"},
		{"an unknown way in", m, Term{Start: d(2024, 8, 1), End: d(2024, 9, 1), Via: "magic"}, "invitation, application or roster"},
		{"staff", &cadre.Member{ID: 8, Staff: true}, Term{Start: d(2024, 8, 1), Via: ViaRoster}, "staff or a bot"},
		{"a bot", &cadre.Member{ID: 8, Bot: true}, Term{Start: d(2024, 8, 1), Via: ViaRoster}, "staff or a bot"},
	}
	for _, tt := range tests {
		err := CheckTerm(tt.m, terms, &tt.t)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestCheckApply(t *testing.T) {
	q := Quarter{2026, 1}
	end := q.End(time.UTC)
	applied := Quarter{2026, 2}
	tests := []struct {
		now  time.Time
		last *Quarter
		want string
	}{
		{end, nil, ""},
		{end.Add(-time.Microsecond), nil, "has not ended"},
		{end, &q, "applied already"},
		{end.AddDate(1, 0, 0), &applied, "comes before 2026Q2"},
	}
	for _, tt := range tests {
		err := CheckApply(q, tt.now, time.UTC, tt.last)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckApply at %s after %v: %v, want %q", tt.now, tt.last, err, tt.want)
		}
	}
}

func TestReadRoster(t *testing.T) {
	csvText := "member,since,until,via\n" +
		"github:ada,2024-01-01T00:00:00Z,,\n" +
		"bob@example.org,2023-04-01T00:00:00Z,2024-01-01T00:00:00Z,invitation\n" +
		"nobody,2024-01-01T00:00:00Z,,\n" +
		"github:cy,yesterday,,\n" +
		"github:di,2024-01-01T00:00:00Z,2023-01-01T00:00:00Z,\n" +
		"github:ed,2024-01-01T00:00:00Z,,magic\n"
	jsonText := `{"member": "github:ada", "since": "2024-01-01T00:00:00Z"}` + "\n\n" + `{"member": "github:ada", "since": "2024", "extra": 1}` + "\n"
	for _, tt := range []struct {
		name, text string
		good       int
		bad        []string
	}{
		{"roster.csv", csvText, 2, []string{"roster.csv:4: member", "roster.csv:5: since", "roster.csv:6: until", "roster.csv:7: via"}},
		{"roster.jsonl", jsonText, 1, []string{"roster.jsonl:3: not a roster record"}},
	} {
		rows, bad, err := ReadRoster(strings.NewReader(tt.text), tt.name)
		if err != nil || len(rows) != tt.good || len(bad) != len(tt.bad) {
			t.Fatalf("%s: %d rows, %v, %v", tt.name, len(rows), bad, err)
		}
		for i, want := range tt.bad {
			if !strings.HasPrefix(bad[i].Error(), want) {
				t.Errorf("%s: error %q, want %q", tt.name, bad[i], want)
			}
		}
		if rows[0].Via != ViaRoster || rows[0].Member.Handle != "ada" {
			t.Errorf("%s: first row %+v", tt.name, rows[0])
		}
	}
	rows, _, _ := ReadRoster(strings.NewReader(csvText), "roster.csv")
	if term := rows[1].Term(3); term.EndedBy != EndRoster || term.Via != ViaInvitation || term.Open() {
		t.Errorf("a closed roster row's term: %+v", term)
	}
}

func TestInvitations(t *testing.T) {
	sent := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	inv := Invitation{ID: 3, MemberID: 7, State: InvitationSent, SentAt: sent, ExpiresAt: sent.Add(InvitationTTL)}
	if got := inv.StateAt(sent.Add(InvitationTTL - time.Second)); got != InvitationSent {
		t.Errorf("a day before expiry: %s", got)
	}
	if got := inv.StateAt(sent.Add(InvitationTTL)); got != InvitationExpired {
		t.Errorf("at expiry: %s", got)
	}
	if st, err := inv.Decide(true, sent.Add(time.Hour)); err != nil || st != InvitationAccepted {
		t.Errorf("accept: %s, %v", st, err)
	}
	if _, err := inv.Decide(true, sent.Add(InvitationTTL)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("accepting an expired invitation: %v", err)
	}
	done := inv
	done.State = InvitationDeclined
	if _, err := done.Decide(true, sent.Add(time.Hour)); cadre.ErrorCode(err) != cadre.ECONFLICT {
		t.Errorf("accepting a declined invitation: %v", err)
	}
	m := &cadre.Member{ID: 7}
	amb := []Term{{MemberID: 7, Start: sent.AddDate(-1, 0, 0), Via: ViaRoster}}
	for _, tt := range []struct {
		name  string
		m     *cadre.Member
		terms []Term
		invs  []Invitation
		want  string
	}{
		{"a member", m, nil, nil, ""},
		{"an ambassador", m, amb, nil, "an ambassador already"},
		{"an open invitation", m, nil, []Invitation{inv}, "open invitation (3)"},
		{"an expired one", m, nil, []Invitation{{ID: 2, State: InvitationSent, ExpiresAt: sent.Add(-time.Hour)}}, ""},
		{"staff", &cadre.Member{ID: 8, Staff: true}, nil, nil, "staff or a bot"},
	} {
		err := CheckInvite(tt.m, tt.terms, tt.invs, sent.Add(time.Hour))
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestParseApplication(t *testing.T) {
	a, err := ParseApplication(" Ada ", "ADA@example.org", "github:ada\nforum:ada-l, stackexchange:42", "Why not.", "https://a.example/1 https://a.example/2")
	if err != nil || a.Email != "ada@example.org" || len(a.Handles) != 3 || len(a.Links) != 2 || a.State != ApplicationSubmitted {
		t.Fatalf("ParseApplication = %+v, %v", a, err)
	}
	for _, tt := range []struct{ name, email, handles, motivation, links, want string }{
		{"", "a@b.c", "", "m", "", "name:"},
		{"A", "nope", "", "m", "", "email:"},
		{"A", "a@b.c", "octocat", "m", "", "handles:"},
		{"A", "a@b.c", "", "", "", "motivation:"},
		{"A", "a@b.c", "", "m", "javascript:alert(1)", "links:"},
	} {
		if _, err := ParseApplication(tt.name, tt.email, tt.handles, tt.motivation, tt.links); err == nil || !strings.HasPrefix(cadre.ErrorMessage(err), tt.want) {
			t.Errorf("ParseApplication(%+v) = %v, want %q", tt, err, tt.want)
		}
	}
	if got := Gap(20, 60, "speaking", 5); got != "about 40 more points; speaking counts 5x" {
		t.Errorf("Gap = %q", got)
	}
}

func TestMeasureOrganic(t *testing.T) {
	q := Quarter{Year: 2026, Q: 1}
	in, before, after := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	apps := []Application{
		{At: in, State: ApplicationSubmitted},
		{At: in, State: ApplicationAccepted, DecidedAt: in},
		{At: before, State: ApplicationAccepted, DecidedAt: in}, // received earlier, accepted in Q
		{At: in, State: ApplicationRejected, DecidedAt: after},
		{At: after, State: ApplicationSubmitted},
	}
	invs := []Invitation{
		{SentAt: in, State: InvitationAccepted, DecidedAt: in},
		{SentAt: before, State: InvitationAccepted, DecidedAt: in},
		{SentAt: in, State: InvitationDeclined, DecidedAt: in},
		{SentAt: in, State: InvitationSent},
		{SentAt: before, State: InvitationAccepted, DecidedAt: before},
	}
	terms := []Term{
		{Start: in, Via: ViaInvitation},
		{Start: in, Via: ViaInvitation},
		{Start: in, Via: ViaApplication},
		{Start: before, Via: ViaInvitation},
		{Start: after, Via: ViaInvitation},
	}
	tests := []struct {
		name  string
		terms []Term
		want  Organic
		ratio float64 // -1: nil
	}{
		{"with invited terms", terms, Organic{Applications: 3, Accepted: 2, InvitationsSent: 3, InvitationsAccepted: 2, InvitedTerms: 2}, 1.5},
		{"no invited term", terms[2:3], Organic{Applications: 3, Accepted: 2, InvitationsSent: 3, InvitationsAccepted: 2}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MeasureOrganic(q, time.UTC, tt.terms, invs, apps)
			ratio := got.Ratio
			got.Ratio = nil
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			switch {
			case tt.ratio < 0 && ratio != nil:
				t.Errorf("ratio %v, want null", *ratio)
			case tt.ratio >= 0 && (ratio == nil || *ratio != tt.ratio):
				t.Errorf("ratio %v, want %v", ratio, tt.ratio)
			}
		})
	}
}
