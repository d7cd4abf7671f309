package standings

import (
	"cmp"
	"slices"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/score"
)

// MemberScore is a member's score explained: where it comes from, how it
// moved, and where it is heading (issue: member score breakdown).
type MemberScore struct {
	MemberID   int64
	Name       string
	Status     string
	Excluded   bool // staff or bot: never ranked
	At         time.Time
	Score      float64
	Achieve    float64
	Maintain   float64
	ByType     []Part
	ByQuarter  []Part
	History    []ScoreAt
	Projection Projection
}

// Part is the share of a score some activities make up.
type Part struct {
	Key        string
	Activities int
	Points     float64
	Score      float64
}

// ScoreAt is a score at an instant.
type ScoreAt struct {
	At    time.Time
	Score float64
}

// Projection is where the score heads without new activity; times are null
// when the score never falls below the threshold or is below it already.
type Projection struct {
	NextReview    time.Time
	ScoreThen     float64
	BelowMaintain *time.Time
	BelowAchieve  *time.Time
	PointsNeeded  float64
	// ToMaintain says how many activities of each type alone would make
	// up PointsNeeded, in the criteria's order of types.
	ToMaintain []TypeCount
}

// TypeCount is a number of activities of one type.
type TypeCount struct {
	Type  string
	Count int
}

// Member explains the score of the member with the given ID at t.
func (e *Engine) Member(id int64, t time.Time) (*MemberScore, error) {
	i, ok := e.snap.index[id]
	if !ok {
		return nil, cadre.Errorf(cadre.ENOTFOUND, "member %d not found", id)
	}
	m := e.snap.members[i]
	b := e.engine.Breakdown(i, t)
	p := e.engine.Project(i, t)
	ms := &MemberScore{
		MemberID: m.ID, Name: m.Name, Status: string(m.Status), Excluded: m.Excluded, At: t, Score: b.Score,
		Achieve: e.criteria.Thresholds.Achieve, Maintain: e.criteria.Thresholds.Maintain,
		ByType: parts(b.ByType), ByQuarter: parts(b.ByQuarter), History: make([]ScoreAt, len(b.History)),
		Projection: Projection{NextReview: p.Next, ScoreThen: p.NextScore, BelowMaintain: timeOrNil(p.BelowMaintain),
			BelowAchieve: timeOrNil(p.BelowAchieve), PointsNeeded: p.PointsNeeded, ToMaintain: make([]TypeCount, len(p.Activities))},
	}
	for k, h := range b.History {
		ms.History[k] = ScoreAt(h)
	}
	for k, tc := range p.Activities {
		ms.Projection.ToMaintain[k] = TypeCount(tc)
	}
	return ms, nil
}

func parts(ps []score.Part) []Part {
	out := make([]Part, len(ps))
	for i, p := range ps {
		out[i] = Part{Key: p.Key, Activities: p.Activities, Points: p.Points, Score: p.Score}
	}
	return out
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// TypeScore is a member's score at an instant with its parts by activity
// type, the first thing a MemberScore tells, without the rest.
type TypeScore struct {
	Name   string
	Score  float64
	ByType []Part
}

// ByType returns the score of the member with the given ID at t and its
// parts by type: cheap enough to ask for thousands of members.
func (e *Engine) ByType(id int64, t time.Time) (TypeScore, error) {
	i, ok := e.snap.index[id]
	if !ok {
		return TypeScore{}, cadre.Errorf(cadre.ENOTFOUND, "member %d not found", id)
	}
	sum, ps := e.engine.ByType(i, t)
	return TypeScore{Name: e.snap.members[i].Name, Score: sum, ByType: parts(ps)}, nil
}

// First returns when the member with the given ID first did something that
// counts, and false when they never did.
func (e *Engine) First(id int64) (time.Time, bool) {
	i, ok := e.snap.index[id]
	if !ok {
		return time.Time{}, false
	}
	return e.engine.First(i)
}

// TopActive returns the IDs of the n active members with the highest scores
// at t, best first (ties by ID); undecayed ranks them by their points before
// decay instead, as if the criteria had no decay.
func (e *Engine) TopActive(t time.Time, n int, undecayed bool) []int64 {
	b := e.board(t)
	scores := b.Scores
	if undecayed {
		scores = e.engine.Points(t)
	}
	var idx []int32
	for m, active := range b.Active {
		if active {
			idx = append(idx, int32(m))
		}
	}
	slices.SortFunc(idx, func(a, c int32) int {
		return cmp.Or(cmp.Compare(scores[c], scores[a]), cmp.Compare(e.snap.members[a].ID, e.snap.members[c].ID))
	})
	out := make([]int64, min(n, len(idx)))
	for k := range out {
		out[k] = e.snap.members[idx[k]].ID
	}
	return out
}

// Start returns when the community began: its first counted activity.
func (e *Engine) Start() (time.Time, bool) { return e.engine.Start() }
