// Package demo generates the community that `cadre demo` loads: members of
// the community around Driftwood, a fictional open-source product, and three
// years of their activity on its forum, Stack Exchange site, GitHub
// repositories, blogs, events and self-reports, with ambassadors, alumni,
// staff and bots among them.
//
// The output is a pure function of Options, so a seed reproduces a demo
// exactly. It is shaped like a real community: activity per member follows a
// power law (a few people do most of the work, most appear once or twice),
// newcomers arrive at a growing rate, many go quiet after a while, and the
// calendar has weekends, summers and holidays. All addresses are under
// example.org or the reserved .example top-level domain.
package demo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cadrehq/cadre"
)

// Defaults and limits of Options.
const (
	DefaultMembers    = 5000
	DefaultActivities = 200000
	// MinMembers is the smallest community that has room for every role.
	MinMembers = 50
	// HistoryYears is how far back the generated activity goes from Options.Now.
	HistoryYears = 3
)

// The demo company, which makes Driftwood and employs the staff members.
const (
	StaffCompany = "Cadre Demo"
	StaffDomain  = "cadre-demo.example"
)

// Options say what community to generate.
type Options struct {
	// Seed selects the community: the same seed and options give the same
	// output.
	Seed uint64
	// Now ends the history, which spans the HistoryYears years before it; zero
	// means the current time.
	Now time.Time
	// Members is the number of people, DefaultMembers when zero and at least
	// MinMembers.
	Members int
	// Activities is the number of activities, DefaultActivities when zero
	// and at least twice Members (a few more in the smallest communities,
	// where every bot gets one).
	Activities int
}

// Community is a generated community.
type Community struct {
	Members []Person // in the order they were first seen, which is CreatedAt
	// Activities are sorted by OccurredAt. Each names its member by an
	// identity of a Person: the one on its source's platform, or for talks
	// (source "events") and self-reports (source "report") the primary one,
	// with the primary email address. Mentees are named by their primary
	// identity. IDs, MemberID and MenteeID are 0.
	Activities []cadre.ActivityRecord
}

// Person is a member with their identities on community platforms. IDs are
// left 0 for the store to assign.
type Person struct {
	Member     cadre.Member
	Identities []cadre.Identity // the primary identity first
}

// Generate returns the community that opts describe. It takes a few hundred
// milliseconds for the default sizes.
func Generate(opts Options) *Community {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Members == 0 {
		opts.Members = DefaultMembers
	}
	if opts.Activities == 0 {
		opts.Activities = DefaultActivities
	}
	opts.Members = max(opts.Members, MinMembers)
	opts.Activities = max(opts.Activities, 2*opts.Members)

	g := newGenerator(opts)
	g.planPeople(opts.Members, opts.Activities)
	slices.SortFunc(g.drafts, func(a, b draft) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq))
	})
	g.assignMentees()
	g.assignStatuses(opts.Members)
	return g.community()
}

// generator holds the state of one generation. Everything random comes from
// rng, consumed in a fixed order, which makes the output deterministic.
type generator struct {
	rng          *rand.Rand
	text         titles
	start, end   int64 // the history, in Unix seconds
	cal          *calendar
	conferences  []conference
	groupWeights []float64
	people       []*person
	drafts       []draft
	kinds        []kind                     // scratch space for one person's activities
	handles      map[string]map[string]bool // lower-cased handles in use, by platform
	emails       map[string]bool
	githubIDs    map[int64]bool
}

func newGenerator(opts Options) *generator {
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6361647265646d6f)) // "cadredmo"
	// Activities fall on whole seconds in [Now - HistoryYears, Now].
	from := opts.Now.AddDate(-HistoryYears, 0, 0)
	start, end := from.Unix(), opts.Now.Unix()
	if from.Nanosecond() > 0 {
		start++
	}
	g := &generator{
		rng:         rng,
		text:        titles{rng: rng},
		start:       start,
		end:         end,
		cal:         newCalendar(start, end),
		conferences: conferencesBetween(start, end),
		handles: map[string]map[string]bool{
			platformDiscourse: {}, platformGitHub: {}, platformStackExchange: {}, platformRSS: {},
		},
		emails:    map[string]bool{},
		githubIDs: map[int64]bool{},
		drafts:    make([]draft, 0, opts.Activities),
	}
	for _, grp := range nameGroups {
		g.groupWeights = append(g.groupWeights, grp.weight)
	}
	return g
}

// community assembles the output: people in the order they were first seen,
// with platform user ids that grow in that order, and the activity records.
func (g *generator) community() *Community {
	order := make([]int, len(g.people))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(g.people[a].firstAt, g.people[b].firstAt); c != 0 {
			return c
		}
		return a - b
	})
	c := &Community{Members: make([]Person, 0, len(g.people))}
	discourseID, stackID := int64(1000), int64(5000)
	for _, i := range order {
		p := g.people[i]
		for j := range p.identities {
			switch id := &p.identities[j]; id.Platform {
			case platformDiscourse:
				discourseID += 1 + g.rng.Int64N(3)
				id.UserID = itoa(discourseID)
			case platformStackExchange:
				stackID += 1 + g.rng.Int64N(40)
				id.UserID = itoa(stackID)
			}
		}
		c.Members = append(c.Members, Person{
			Member: cadre.Member{
				Name:      p.name,
				Emails:    p.emails,
				Status:    p.status,
				Staff:     p.staff,
				Bot:       p.bot,
				Region:    p.region,
				Company:   p.company,
				CreatedAt: time.Unix(p.firstAt, 0).UTC(),
			},
			Identities: p.identities,
		})
	}
	w := newRecordWriter(g)
	c.Activities = make([]cadre.ActivityRecord, len(g.drafts))
	for i, d := range g.drafts {
		c.Activities[i] = w.record(d)
	}
	return c
}

// pickWeighted returns an index of weights, drawn with probability
// proportional to its weight.
func pickWeighted(rng *rand.Rand, weights []float64) int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	u := rng.Float64() * sum
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// logNormal draws a positive number around median with spread sigma.
func logNormal(rng *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*rng.NormFloat64())
}
