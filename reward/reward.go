// Package reward holds the rules of the program's rewards (SPEC 6): a
// catalog of rewards with who may receive each, pain points with weights,
// the matrix scoring how well each reward answers each pain point and the
// ranking by value it gives, grants of rewards to ambassadors with their
// fulfilment, a budget per quarter, and the impact of a grant on its
// recipient's activity. It is pure: the store keeps the catalog and the
// grants, and the clock is passed in.
package reward

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cadrehq/cadre"
)

// Kind says what a reward appeals to.
type Kind string

// The kinds of reward.
const (
	Extrinsic Kind = "extrinsic" // swag, travel, money's worth
	Intrinsic Kind = "intrinsic" // recognition, access, a voice in the product
)

// ParseKind reads a kind as written in forms and files.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case Extrinsic, Intrinsic:
		return k, nil
	}
	return "", cadre.Errorf(cadre.EINVALID, "kind must be extrinsic or intrinsic, got %q", s)
}

// maxName bounds the names of rewards and pain points.
const maxName = 100

// maxAmount bounds costs and budgets: far beyond any program's, and small
// enough that sums stay exact to the cent.
const maxAmount = 1e9

// Reward is an entry of the catalog.
type Reward struct {
	ID   int64
	Name string
	Kind Kind
	Cost float64 // in the program's currency, what one grant spends
	// Stock is how many are left to grant; nil when there is no limit.
	Stock *int
	Eligibility
}

// Eligibility says who may receive a reward; zero values restrict nothing.
type Eligibility struct {
	Status   cadre.MemberStatus // "" for any status
	MinScore float64            // the score a recipient needs at the grant
	MaxRank  int                // 0 for any; else the leaderboard rank at most
	// Regions are where the reward can be shipped; empty for anywhere.
	// They are compared ignoring case.
	Regions []string
}

// CheckName says whether s names a reward or a pain point.
func CheckName(what, s string) error {
	switch {
	case strings.TrimSpace(s) != s || s == "":
		return cadre.Errorf(cadre.EINVALID, "%s needs a name without surrounding spaces", what)
	case !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\t"):
		return cadre.Errorf(cadre.EINVALID, "%s name %q is not one line of text", what, s)
	case utf8.RuneCountInString(s) > maxName:
		return cadre.Errorf(cadre.EINVALID, "%s name must be at most %d characters", what, maxName)
	case strings.ContainsRune("=+-@", rune(s[0])):
		return cadre.Errorf(cadre.EINVALID, "%s name %q must not start with %c: a spreadsheet would run it as a formula", what, s, s[0])
	case strings.EqualFold(s, WeightRow):
		return cadre.Errorf(cadre.EINVALID, "%q names the weights' row of the matrix file", s)
	}
	return nil
}

// Check says whether r is a catalog entry, and tidies its regions.
func (r *Reward) Check() error {
	if err := CheckName("a reward", r.Name); err != nil {
		return err
	}
	if _, err := ParseKind(string(r.Kind)); err != nil {
		return err
	}
	if err := checkAmount("cost", r.Cost); err != nil {
		return err
	}
	if r.Stock != nil && *r.Stock < 0 {
		return cadre.Errorf(cadre.EINVALID, "stock must not be negative, got %d", *r.Stock)
	}
	e := &r.Eligibility
	switch {
	case e.Status != "" && !e.Status.Valid():
		return cadre.Errorf(cadre.EINVALID, "status must be member, ambassador or alumni, got %q", e.Status)
	case math.IsNaN(e.MinScore) || math.IsInf(e.MinScore, 0) || e.MinScore < 0 || e.MinScore > 1e12:
		return cadre.Errorf(cadre.EINVALID, "minimum score must be from 0 to 1e12")
	case e.MaxRank < 0:
		return cadre.Errorf(cadre.EINVALID, "rank must not be negative, got %d", e.MaxRank)
	}
	regions := e.Regions[:0:0]
	for _, g := range e.Regions {
		g = strings.TrimSpace(g)
		if g == "" || slices.ContainsFunc(regions, func(h string) bool { return strings.EqualFold(g, h) }) {
			continue
		}
		if strings.Contains(g, ",") || utf8.RuneCountInString(g) > maxName || !utf8.ValidString(g) {
			return cadre.Errorf(cadre.EINVALID, "region %q is not a region's name", g)
		}
		regions = append(regions, g)
	}
	e.Regions = regions
	return nil
}

// ParseRegions reads regions written as a comma-separated list.
func ParseRegions(s string) []string {
	var out []string
	for g := range strings.SplitSeq(s, ",") {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

func checkAmount(what string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > maxAmount {
		return cadre.Errorf(cadre.EINVALID, "%s must be from 0 to %.0f", what, float64(maxAmount))
	}
	return nil
}

// Candidate is a member as eligibility sees them at the grant.
type Candidate struct {
	Status cadre.MemberStatus
	Staff  bool // staff and bots receive no reward
	Score  float64
	Rank   int // on the leaderboard; 0 when not ranked
	Region string
}

// CheckEligible says whether c may receive r, and if not why.
func CheckEligible(r *Reward, c Candidate) error {
	e := r.Eligibility
	switch {
	case c.Staff:
		return cadre.Errorf(cadre.EINVALID, "staff and bots receive no reward")
	case e.Status != "" && c.Status != e.Status:
		return cadre.Errorf(cadre.EINVALID, "%s is for the program's %s status, and the member's is %s", r.Name, e.Status, c.Status)
	case c.Score < e.MinScore-1e-9:
		return cadre.Errorf(cadre.EINVALID, "%s needs a score of %g, and the member's is %.2f", r.Name, e.MinScore, c.Score)
	case e.MaxRank > 0 && (c.Rank == 0 || c.Rank > e.MaxRank):
		return cadre.Errorf(cadre.EINVALID, "%s is for the top %d of the leaderboard, and the member is not among them", r.Name, e.MaxRank)
	case len(e.Regions) > 0 && !slices.ContainsFunc(e.Regions, func(g string) bool { return strings.EqualFold(g, c.Region) }):
		where := c.Region
		if where == "" {
			where = "no region given"
		}
		return cadre.Errorf(cadre.EINVALID, "%s ships to %s only, and the member's region is %s", r.Name, strings.Join(e.Regions, ", "), where)
	}
	return nil
}

// State is where a grant's fulfilment stands.
type State string

// The states of a grant: promised → sent → delivered, or cancelled before
// delivery.
const (
	Promised  State = "promised"
	Sent      State = "sent"
	Delivered State = "delivered"
	Cancelled State = "cancelled"
)

// ParseState reads a state.
func ParseState(s string) (State, error) {
	switch st := State(strings.ToLower(strings.TrimSpace(s))); st {
	case Promised, Sent, Delivered, Cancelled:
		return st, nil
	}
	return "", cadre.Errorf(cadre.EINVALID, "state must be promised, sent, delivered or cancelled, got %q", s)
}

// CheckMove says whether a grant may go from one state to another: forward
// along promised → sent → delivered, or to cancelled from either of the
// first two. Delivered and cancelled are final.
func CheckMove(from, to State) error {
	ok := from == Promised && (to == Sent || to == Cancelled) || from == Sent && (to == Delivered || to == Cancelled)
	if !ok {
		return cadre.Errorf(cadre.ECONFLICT, "a grant that is %s cannot become %s", from, to)
	}
	return nil
}

// Next lists the states a grant in state s may move to.
func Next(s State) []State {
	switch s {
	case Promised:
		return []State{Sent, Cancelled}
	case Sent:
		return []State{Delivered, Cancelled}
	}
	return nil
}

// Grant is a reward given to a member.
type Grant struct {
	ID       int64
	RewardID int64
	Reward   string // its name, for listings
	MemberID int64
	Quarter  string  // of the grant, whose budget it spends
	Cost     float64 // the reward's cost when granted
	State    State
	At       time.Time // when it was granted
	Updated  time.Time // when its state last changed
	Note     string
	Actor    string
}

// maxNote bounds a grant's note.
const maxNote = 500

// CheckNote says whether s can be a grant's note.
func CheckNote(s string) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxNote {
		return cadre.Errorf(cadre.EINVALID, "the note must be text of at most %d characters", maxNote)
	}
	return nil
}

// Budget is what a quarter may spend on rewards, and what its grants that
// were not cancelled spend.
type Budget struct {
	Quarter string
	Amount  float64
	Spent   float64
	Set     bool // false: no budget was set, and spending is not limited
}

// CheckBudget says whether amount can be a quarter's budget.
func CheckBudget(amount float64) error { return checkAmount("the budget", amount) }

// Left is what remains of the budget.
func (b Budget) Left() float64 { return b.Amount - b.Spent }

// CheckSpend says whether a grant costing cost fits in the budget.
func (b Budget) CheckSpend(cost float64) error {
	if b.Set && b.Spent+cost > b.Amount+1e-9 {
		return cadre.Errorf(cadre.ECONFLICT, "the %s budget of %g has %g left, and the reward costs %g", b.Quarter, b.Amount, b.Left(), cost)
	}
	return nil
}
