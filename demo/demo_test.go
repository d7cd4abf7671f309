package demo

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
)

var testNow = time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)

// defaultCommunity is generated once with the default sizes; most tests look
// at it.
var defaultCommunity = sync.OnceValue(func() *Community {
	return Generate(Options{Seed: 42, Now: testNow})
})

// index resolves member references to positions in c.Members.
type index map[string]int

func newIndex(tb testing.TB, c *Community) index {
	tb.Helper()
	ix := index{}
	for i, p := range c.Members {
		if len(p.Identities) == 0 {
			tb.Fatalf("member %q has no identity", p.Member.Name)
		}
		for _, id := range p.Identities {
			key := id.Platform + "\x00" + strings.ToLower(id.Handle)
			if _, dup := ix[key]; dup {
				tb.Fatalf("handle %q is used twice on %s", id.Handle, id.Platform)
			}
			ix[key] = i
		}
	}
	return ix
}

// person returns the position of the member that r names, or -1.
func (ix index) person(r cadre.MemberRef) int {
	if i, ok := ix[r.Platform+"\x00"+strings.ToLower(r.Handle)]; ok {
		return i
	}
	return -1
}

// activityCounts returns the number of activities of each member.
func (ix index) activityCounts(c *Community) []int {
	counts := make([]int, len(c.Members))
	for _, a := range c.Activities {
		counts[ix.person(a.Member)]++
	}
	return counts
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, opts := range []Options{
		{Seed: 7, Now: testNow, Members: 400, Activities: 8000},
		{Seed: 42, Now: testNow},
	} {
		a, b := Generate(opts), Generate(opts)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%+v: two runs gave different communities", opts)
		}
		opts.Seed++
		if reflect.DeepEqual(a, Generate(opts)) {
			t.Errorf("%+v: the next seed gave the same community", opts)
		}
	}
}

// TestGenerateInvariants checks, at several sizes, what must hold of every
// community: sizes, times, ordering, references and unique external ids.
func TestGenerateInvariants(t *testing.T) {
	tests := []struct {
		name                   string
		opts                   Options
		members, minActivities int
	}{
		{"defaults", Options{Seed: 1, Now: testNow}, DefaultMembers, DefaultActivities},
		{"small", Options{Seed: 2, Now: testNow, Members: 300, Activities: 5000}, 300, 5000},
		{"below the minimum", Options{Seed: 3, Now: testNow, Members: 10, Activities: 5}, MinMembers, 2 * MinMembers},
		{"few activities", Options{Seed: 4, Now: testNow, Members: 1000, Activities: 100}, 1000, 2000},
		{"odd time", Options{Seed: 5, Now: time.Date(2024, 2, 29, 23, 59, 59, 999, time.FixedZone("", -7*3600)), Members: 200, Activities: 3000}, 200, 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Generate(tt.opts)
			if len(c.Members) != tt.members {
				t.Errorf("got %d members, want %d", len(c.Members), tt.members)
			}
			if len(c.Activities) < tt.minActivities {
				t.Errorf("got %d activities, want at least %d", len(c.Activities), tt.minActivities)
			}
			checkInvariants(t, c, tt.opts.Now)
		})
	}
}

func TestGenerateWithoutNowEndsNow(t *testing.T) {
	before := time.Now()
	c := Generate(Options{Seed: 1, Members: 60, Activities: 500})
	last := c.Activities[len(c.Activities)-1].OccurredAt
	if last.After(time.Now()) || last.Before(before.AddDate(0, -1, 0)) {
		t.Errorf("last activity at %v, want shortly before now", last)
	}
}

func checkInvariants(t *testing.T, c *Community, now time.Time) {
	t.Helper()
	ix := newIndex(t, c)
	from := now.AddDate(-HistoryYears, 0, 0)
	first := make([]time.Time, len(c.Members))
	seen := map[string]bool{}
	for i, a := range c.Activities {
		if i > 0 && a.OccurredAt.Before(c.Activities[i-1].OccurredAt) {
			t.Fatalf("activity %d (%v) is before the one preceding it", i, a.OccurredAt)
		}
		if a.OccurredAt.Before(from) || a.OccurredAt.After(now) {
			t.Errorf("%s %s at %v is outside [%v, %v]", a.Source, a.ExternalID, a.OccurredAt, from, now)
		}
		key := a.Source + "\x00" + a.ExternalID
		if a.ExternalID == "" || seen[key] {
			t.Errorf("source %s: external id %q is empty or not unique", a.Source, a.ExternalID)
		}
		seen[key] = true
		if !a.Status.Valid() || a.MemberID != 0 || a.MenteeID != 0 || a.ID != 0 {
			t.Errorf("%s %s: status %q, ids %d/%d/%d", a.Source, a.ExternalID, a.Status, a.ID, a.MemberID, a.MenteeID)
		}
		p := ix.person(a.Member)
		if p < 0 {
			t.Fatalf("%s %s: member %+v is nobody's identity", a.Source, a.ExternalID, a.Member)
		}
		if platform := a.Source; platform != "events" && platform != "report" && a.Member.Platform != platform {
			t.Errorf("%s %s: member named on %s", a.Source, a.ExternalID, a.Member.Platform)
		}
		if first[p].IsZero() {
			first[p] = a.OccurredAt
		}
		if a.Type == "mentoring" {
			m := ix.person(a.Mentee)
			if m < 0 || m == p {
				t.Errorf("%s %s: mentee %+v is nobody else's identity", a.Source, a.ExternalID, a.Mentee)
			}
		} else if !a.Mentee.IsZero() {
			t.Errorf("%s %s: a %s activity has a mentee", a.Source, a.ExternalID, a.Type)
		}
	}
	for i, p := range c.Members {
		if i > 0 && p.Member.CreatedAt.Before(c.Members[i-1].Member.CreatedAt) {
			t.Errorf("member %d (%s) was created before the one preceding it", i, p.Member.Name)
		}
		if !first[i].IsZero() && p.Member.CreatedAt.After(first[i]) {
			t.Errorf("member %s was created at %v, after their first activity at %v", p.Member.Name, p.Member.CreatedAt, first[i])
		}
	}
}

func TestActivityTypesAndSources(t *testing.T) {
	c := defaultCommunity()
	sources := map[string][]string{
		"forum":     {"discourse", "stackexchange", "github"},
		"content":   {"rss"},
		"mentoring": {"report"},
		"speaking":  {"events"},
		"feedback":  {"github"},
		"beta":      {"report"},
		"code":      {"github"},
	}
	count := map[string]int{}
	for _, a := range c.Activities {
		count[a.Type]++
		if !slices.Contains(sources[a.Type], a.Source) {
			t.Fatalf("%s activity %s from source %q", a.Type, a.ExternalID, a.Source)
		}
	}
	for typ := range sources {
		if count[typ] == 0 {
			t.Errorf("no %s activity", typ)
		}
		if typ != "forum" && count[typ] >= count["forum"] {
			t.Errorf("%d %s activities, not fewer than the %d forum ones", count[typ], typ, count["forum"])
		}
		if typ != "speaking" && count[typ] <= count["speaking"] {
			t.Errorf("%d %s activities, not more than the %d speaking ones", count[typ], typ, count["speaking"])
		}
	}
	if share := float64(count["forum"]) / float64(len(c.Activities)); share < 0.5 {
		t.Errorf("forum share %.2f, want most activities", share)
	}
}

func TestActivityDetails(t *testing.T) {
	c := defaultCommunity()
	// External ids by source and type, in the shapes of SPEC section 9.
	ids := map[string]*regexp.Regexp{
		"discourse/forum":     regexp.MustCompile(`^post:\d+$`),
		"stackexchange/forum": regexp.MustCompile(`^post:\d+$`),
		"github/forum":        regexp.MustCompile(`^(issue_comment|review|review_comment|discussion_comment):\d+$`),
		"github/feedback":     regexp.MustCompile(`^issue:\d+$`),
		"github/code":         regexp.MustCompile(`^pull_request:\d+$`),
		"rss/content":         regexp.MustCompile(`^https://[a-z0-9.-]+\.example(\.org)?/`),
		"events/speaking":     regexp.MustCompile(`^[a-z0-9-]+:\d+:.+$`),
		"report/mentoring":    regexp.MustCompile(`^report:\d+$`),
		"report/beta":         regexp.MustCompile(`^report:\d+$`),
	}
	url := regexp.MustCompile(`^https://[a-z0-9.-]+\.example(\.org)?/`)
	statuses := map[cadre.ActivityStatus]int{}
	var solved, liked int
	for _, a := range c.Activities {
		if id := ids[a.Source+"/"+a.Type]; id == nil || !id.MatchString(a.ExternalID) {
			t.Fatalf("%s %s activity has external id %q", a.Source, a.Type, a.ExternalID)
		}
		if a.Title == "" || (a.URL == "" && a.Type != "mentoring") || (a.URL != "" && !url.MatchString(a.URL)) {
			t.Fatalf("%s %s: title %q, url %q", a.Source, a.ExternalID, a.Title, a.URL)
		}
		switch a.Type {
		case "content":
			if a.Metrics["views"] <= 0 || a.Metrics["likes"] < 0 {
				t.Fatalf("content %s has metrics %v", a.ExternalID, a.Metrics)
			}
		case "forum":
			if a.Metrics["solved"] == 1 {
				solved++
			}
			if a.Metrics["likes"] > 0 {
				liked++
			}
		}
		if a.Source == "report" {
			statuses[a.Status]++
		} else if a.Status != cadre.ActivityApproved {
			t.Errorf("imported %s %s is %s", a.Source, a.ExternalID, a.Status)
		}
	}
	if solved == 0 || liked == 0 {
		t.Errorf("%d solved and %d liked forum answers, want some", solved, liked)
	}
	reports := statuses[cadre.ActivityApproved] + statuses[cadre.ActivityPending] + statuses[cadre.ActivityRejected]
	if statuses[cadre.ActivityPending] == 0 || statuses[cadre.ActivityRejected] == 0 ||
		statuses[cadre.ActivityApproved] < reports*8/10 {
		t.Errorf("self-report statuses %v, want most approved and a few pending and rejected", statuses)
	}
}

func TestActivityFollowsAPowerLaw(t *testing.T) {
	c := defaultCommunity()
	counts := newIndex(t, c).activityCounts(c)
	slices.Sort(counts)
	slices.Reverse(counts)
	top := 0
	for _, n := range counts[:len(counts)/100] {
		top += n
	}
	if share := float64(top) / float64(len(c.Activities)); share < 0.3 {
		t.Errorf("the top 1%% of members have %.2f of the activities, want at least 0.3", share)
	}
	if median := counts[len(counts)/2]; median > 3 {
		t.Errorf("the median member has %d activities, want a few", median)
	}
	if few := len(counts) - slices.IndexFunc(counts, func(n int) bool { return n <= 2 }); few < len(counts)*3/10 {
		t.Errorf("%d members have one or two activities, want at least 30%%", few)
	}
	if counts[0] < 1000 {
		t.Errorf("the busiest member has %d activities, want a thousand or more", counts[0])
	}
}

func TestRoles(t *testing.T) {
	c := defaultCommunity()
	ix := newIndex(t, c)
	counts := ix.activityCounts(c)
	sorted := slices.Clone(counts)
	slices.Sort(sorted)
	top10 := sorted[len(sorted)*9/10]
	recent := testNow.AddDate(0, -6, 0)
	var ambassadors, alumni, staff, bots, alumniRecent, alumniAll, allRecent int
	for _, a := range c.Activities {
		p := c.Members[ix.person(a.Member)].Member
		if p.Status == cadre.StatusAlumni {
			alumniAll++
		}
		if a.OccurredAt.After(recent) {
			allRecent++
			if p.Status == cadre.StatusAlumni {
				alumniRecent++
			}
		}
	}
	for i, p := range c.Members {
		m := p.Member
		switch {
		case m.Bot:
			bots++
			if m.Status != cadre.StatusMember || m.Staff || counts[i] < 100 {
				t.Errorf("bot %s: status %s, staff %v, %d activities", m.Name, m.Status, m.Staff, counts[i])
			}
			for _, id := range p.Identities {
				if id.Platform != "github" || !strings.HasSuffix(id.Handle, "[bot]") {
					t.Errorf("bot %s has identity %s/%s", m.Name, id.Platform, id.Handle)
				}
			}
			continue
		case m.Staff:
			staff++
			if m.Status != cadre.StatusMember || m.Company != StaffCompany || counts[i] < 50 ||
				!strings.HasSuffix(m.Emails[0], "@"+StaffDomain) {
				t.Errorf("staff %s: status %s, company %q, emails %v, %d activities", m.Name, m.Status, m.Company, m.Emails, counts[i])
			}
		case m.Status == cadre.StatusAmbassador:
			ambassadors++
			if counts[i] < top10 {
				t.Errorf("ambassador %s has %d activities, fewer than the top 10%% (%d)", m.Name, counts[i], top10)
			}
		case m.Status == cadre.StatusAlumni:
			alumni++
		}
		for _, id := range p.Identities {
			if strings.HasSuffix(id.Handle, "[bot]") {
				t.Errorf("%s is not a bot but has handle %s", m.Name, id.Handle)
			}
		}
	}
	members := len(c.Members)
	if ambassadors < members/100 || ambassadors > members*2/100 {
		t.Errorf("%d ambassadors, want 1-2%% of %d members", ambassadors, members)
	}
	if alumni < 10 || alumni > ambassadors {
		t.Errorf("%d alumni, want a couple of dozen", alumni)
	}
	if staff != 10 || bots < 3 {
		t.Errorf("%d staff and %d bots, want 10 and a few", staff, bots)
	}
	// Alumni have gone quiet: their share of recent activity is well below
	// their share of all activity.
	if got, all := float64(alumniRecent)/float64(allRecent), float64(alumniAll)/float64(len(c.Activities)); got > all/3 {
		t.Errorf("alumni did %.4f of the last six months' activities and %.4f of all", got, all)
	}
}

func TestPeople(t *testing.T) {
	c := defaultCommunity()
	emails := map[string]bool{}
	userIDs := map[string]bool{}
	regions := map[string]int{}
	names := map[string]bool{}
	platforms := map[int]int{}
	var webmail int
	for _, p := range c.Members {
		m := p.Member
		names[m.Name] = true
		regions[m.Region]++
		platforms[len(p.Identities)]++
		if !m.Bot && len(m.Emails) == 0 {
			t.Errorf("%s has no email address", m.Name)
		}
		for _, e := range m.Emails {
			if e != strings.ToLower(e) || strings.Count(e, "@") != 1 || emails[e] {
				t.Errorf("%s: email %q is not lower-case, valid and unique", m.Name, e)
			}
			if strings.HasSuffix(e, "@"+StaffDomain) != m.Staff {
				t.Errorf("%s (staff %v) has email %s", m.Name, m.Staff, e)
			}
			if strings.HasSuffix(e, "@gmail.example") {
				webmail++
			}
			emails[e] = true
		}
		for _, id := range p.Identities {
			if id.ID != 0 || id.MemberID != 0 {
				t.Errorf("%s: identity %+v has ids", m.Name, id)
			}
			if id.Platform == "rss" {
				continue
			}
			key := id.Platform + "/" + id.UserID
			if id.UserID == "" || userIDs[key] {
				t.Errorf("%s: %s user id %q is empty or not unique", m.Name, id.Platform, id.UserID)
			}
			userIDs[key] = true
		}
	}
	for _, r := range []string{"EMEA", "NA", "LATAM", "APAC"} {
		if regions[r] < len(c.Members)/20 {
			t.Errorf("%d members in %s, want at least 5%%", regions[r], r)
		}
	}
	if len(names) < len(c.Members)/2 {
		t.Errorf("%d distinct names among %d members", len(names), len(c.Members))
	}
	if webmail == 0 {
		t.Errorf("nobody at a webmail domain")
	}
	if platforms[2] < len(c.Members)/10 || platforms[3] == 0 {
		t.Errorf("members by number of platforms: %v, want some on two and three", platforms)
	}
}

func TestMentees(t *testing.T) {
	c := defaultCommunity()
	ix := newIndex(t, c)
	own := make([][]time.Time, len(c.Members))
	for _, a := range c.Activities {
		if a.Status == cadre.ActivityApproved {
			p := ix.person(a.Member)
			own[p] = append(own[p], a.OccurredAt)
		}
	}
	firstSession := map[int]time.Time{}
	for _, a := range c.Activities {
		if a.Type != "mentoring" {
			continue
		}
		if m := ix.person(a.Mentee); firstSession[m].IsZero() {
			firstSession[m] = a.OccurredAt
		}
	}
	// SPEC section 6: activated = 3 approved activities in the 90 days after
	// the first mentoring activity.
	var later, activated int
	for m, at := range firstSession {
		n := 0
		for _, t := range own[m] {
			if t.After(at) && t.Before(at.AddDate(0, 0, 90)) {
				n++
			}
		}
		if len(own[m]) > 0 && own[m][0].After(at) {
			later++
		}
		if n >= 3 {
			activated++
		}
	}
	if later < len(firstSession)/4 || activated == 0 || activated == len(firstSession) {
		t.Errorf("of %d mentees, %d became active later and %d were activated", len(firstSession), later, activated)
	}
}

func TestGrowthAndSeasonality(t *testing.T) {
	c := defaultCommunity()
	var firstYear, lastYear int
	var weekday, weekend float64
	for _, a := range c.Activities {
		switch {
		case a.OccurredAt.Before(testNow.AddDate(-2, 0, 0)):
			firstYear++
		case a.OccurredAt.After(testNow.AddDate(-1, 0, 0)):
			lastYear++
		}
		if d := a.OccurredAt.Weekday(); d == time.Saturday || d == time.Sunday {
			weekend += 1.0 / 2
		} else {
			weekday += 1.0 / 5
		}
	}
	if float64(lastYear) < 1.3*float64(firstYear) || lastYear > 4*firstYear {
		t.Errorf("%d activities in the first year, %d in the last, want some growth", firstYear, lastYear)
	}
	if weekend > 0.7*weekday {
		t.Errorf("%.0f activities on a weekend day, %.0f on a weekday, want quieter weekends", weekend, weekday)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		Generate(Options{Seed: uint64(i), Now: testNow})
	}
}
