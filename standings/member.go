package standings

import (
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/score"
)

// MemberScore is a member's score explained: where it comes from, how it
// moved, and where it is heading (issue: member score breakdown).
type MemberScore struct {
	MemberID   int64      `json:"member_id"`
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	Excluded   bool       `json:"excluded"` // staff or bot: never ranked
	At         time.Time  `json:"at"`
	Score      float64    `json:"score"`
	Achieve    float64    `json:"achieve"`
	Maintain   float64    `json:"maintain"`
	ByType     []Part     `json:"by_type"`
	ByQuarter  []Part     `json:"by_quarter"`
	History    []ScoreAt  `json:"history"`
	Projection Projection `json:"projection"`
}

// Part is the share of a score some activities make up.
type Part struct {
	Key        string  `json:"key"`
	Activities int     `json:"activities"`
	Points     float64 `json:"points"`
	Score      float64 `json:"score"`
}

// ScoreAt is a score at an instant.
type ScoreAt struct {
	At    time.Time `json:"at"`
	Score float64   `json:"score"`
}

// Projection is where the score heads without new activity; times are null
// when the score never falls below the threshold or is below it already.
type Projection struct {
	NextReview    time.Time  `json:"next_review"`
	ScoreThen     float64    `json:"score_then"`
	BelowMaintain *time.Time `json:"below_maintain"`
	BelowAchieve  *time.Time `json:"below_achieve"`
	PointsNeeded  float64    `json:"points_needed"`
	// ToMaintain says how many activities of each type alone would make
	// up PointsNeeded, in the criteria's order of types.
	ToMaintain []TypeCount `json:"to_maintain"`
}

// TypeCount is a number of activities of one type.
type TypeCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
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
