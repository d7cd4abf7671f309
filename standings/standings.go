// Package standings ranks the community: it loads members and activities from
// the store into the scoring engine and answers leaderboards, the qualifying
// share and calibration at any instant, under any criteria version.
package standings

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/score"
)

// Source is what standings read from the store.
type Source interface {
	ReadAll(ctx context.Context, r cadre.ChangeReader) (*cadre.ChangeView, error)
}

// Member is what rankings show of a member.
type Member struct {
	ID     int64
	Name   string
	Status cadre.MemberStatus
	// Excluded members (staff and bots) are scored but never ranked or active.
	Excluded bool
}

// Snapshot is the community's counted activity at one moment, ready to be
// scored under any criteria.
type Snapshot struct {
	members []Member
	index   map[int64]int32 // member ID → dense index
	history score.History
}

func newSnapshot() *Snapshot { return &Snapshot{index: map[int64]int32{}} }

// Load reads every member and approved activity from src.
func Load(ctx context.Context, src Source) (*Snapshot, error) {
	s, _, err := load(ctx, src)
	return s, err
}

// load reads every member and approved activity from one view of src, and
// says which.
func load(ctx context.Context, src Source) (*Snapshot, *cadre.ChangeView, error) {
	s := newSnapshot()
	v, err := src.ReadAll(ctx, cadre.ChangeReader{
		Member:   s.upsertMember,
		Activity: func(_ int64, ev cadre.ScoreEvent) error { return s.add(ev) },
	})
	if err != nil {
		return nil, nil, fmt.Errorf("load standings: %w", err)
	}
	return s, v, nil
}

// upsertMember adds a member, or updates what rankings show of one known.
func (s *Snapshot) upsertMember(m *cadre.Member) error {
	i, ok := s.index[m.ID]
	if !ok {
		i = int32(len(s.members))
		s.index[m.ID] = i
		s.members = append(s.members, Member{})
	}
	// A member merged into another has nothing left to rank.
	excluded := m.Staff || m.Bot || m.MergedInto != 0
	s.members[i] = Member{ID: m.ID, Name: m.Name, Status: m.Status, Excluded: excluded}
	if excluded || ok {
		return s.history.SetExcluded(i, excluded)
	}
	return nil
}

// event returns the engine's form of an approved activity.
func (s *Snapshot) event(ev cadre.ScoreEvent) (score.Event, error) {
	i, ok := s.index[ev.MemberID]
	if !ok {
		return score.Event{}, fmt.Errorf("activity of unknown member %d", ev.MemberID)
	}
	return score.Event{Member: i, Type: ev.Type, At: ev.OccurredAt, Status: cadre.ActivityApproved}, nil
}

// add counts an approved activity.
func (s *Snapshot) add(ev cadre.ScoreEvent) error {
	e, err := s.event(ev)
	if err != nil {
		return err
	}
	return s.history.Add(e)
}

// Engine prepares scoring under c.
func (s *Snapshot) Engine(c *criteria.Criteria) *Engine {
	return &Engine{snap: s, criteria: c, engine: score.New(c, &s.history)}
}

// rescored is an engine for c that shares e's activities when c counts the
// same types in the same zone (score.Engine.Rescored), else one prepared
// afresh; valid while the standings do not change.
func (e *Engine) rescored(c *criteria.Criteria) *Engine {
	if r, ok := e.engine.Rescored(c); ok {
		return &Engine{snap: e.snap, criteria: c, engine: r}
	}
	return e.snap.Engine(c)
}

// Engine scores a snapshot under one criteria version. It is safe for
// concurrent use.
type Engine struct {
	snap     *Snapshot
	criteria *criteria.Criteria
	engine   *score.Engine

	// last is the most recent board, which a page asking for the leaderboard
	// and the share at the same instant evaluates once; with its share and
	// the leaderboards ranked from it, which pages asked for at one instant
	// (now to the minute) share: ranking a million members takes
	// milliseconds, too many for each of 200 requests a second.
	mu     sync.Mutex
	last   *score.Board
	share  *Share
	ranked map[rankedKey][]Entry
}

// rankedKey names a leaderboard kept for the last board.
type rankedKey struct {
	top    int
	status cadre.MemberStatus
}

// keptTop is the longest leaderboard kept: a page's, not an export's.
const keptTop = 1000

// changed forgets the board kept, after the standings changed.
func (e *Engine) changed() {
	e.mu.Lock()
	e.last, e.share, e.ranked = nil, nil, nil
	e.mu.Unlock()
}

// kept returns what is kept for the board b, if b is still the last.
func (e *Engine) kept(b *score.Board, get func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.last == b {
		get()
	}
}

// board returns every member's standing at t. Boards are never changed once
// returned, so callers may share them.
func (e *Engine) board(t time.Time) *score.Board {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.last != nil && e.last.At.Equal(t) {
		return e.last
	}
	e.share, e.ranked = nil, nil
	b := new(score.Board)
	e.engine.Evaluate(t, b)
	e.last = b
	return b
}

// Entry is one line of a leaderboard (SPEC section 8).
type Entry struct {
	Rank     int
	MemberID int64
	Name     string
	Status   string
	Score    float64
}

// Options select a leaderboard's lines and what its scores count.
type Options struct {
	Top    int                // 0 for everyone
	Status cadre.MemberStatus // "" for any
	// Type and the range [Since, Until) narrow the activities that count, as
	// in "this quarter's most active"; zero values do not narrow.
	Type         string
	Since, Until time.Time
}

// tie is how close two scores must be to share a rank: sums of the same
// points in another order differ in the last bits.
const tie = 1e-9

// Leaderboard ranks members by score at t, best first. Members with equal
// scores share a rank ("1, 2, 2, 4"); staff and bots are left out.
func (e *Engine) Leaderboard(t time.Time, opt Options) []Entry {
	var b *score.Board
	keep := opt.Type == "" && opt.Since.IsZero() && opt.Until.IsZero() && opt.Top > 0 && opt.Top <= keptTop
	if !keep && (opt.Type != "" || !opt.Since.IsZero() || !opt.Until.IsZero()) {
		b = new(score.Board)
		score.New(e.criteria, e.snap.history.Select(opt.Type, opt.Since, opt.Until)).Evaluate(t, b)
	} else {
		b = e.board(t)
	}
	key := rankedKey{opt.Top, opt.Status}
	if keep {
		var kept []Entry
		e.kept(b, func() { kept = e.ranked[key] })
		if kept != nil {
			return slices.Clone(kept)
		}
	}
	out := e.rank(b, opt)
	if keep {
		e.kept(b, func() {
			if e.ranked == nil {
				e.ranked = map[rankedKey][]Entry{}
			}
			e.ranked[key] = slices.Clone(out)
		})
	}
	return out
}

// rank ranks the members of b as Leaderboard does.
func (e *Engine) rank(b *score.Board, opt Options) []Entry {
	// Members without any activity are beyond the board's slices: they score 0.
	scoreOf := func(i int32) float64 {
		if int(i) < len(b.Scores) {
			return b.Scores[i]
		}
		return 0
	}
	// better orders the leaderboard: higher scores first, then lower IDs.
	better := func(i, j int32) int {
		if c := cmp.Compare(scoreOf(j), scoreOf(i)); c != 0 {
			return c
		}
		return cmp.Compare(e.snap.members[i].ID, e.snap.members[j].ID)
	}
	top := newTop(opt.Top, better)
	for i, m := range e.snap.members {
		if m.Excluded || (opt.Status != "" && m.Status != opt.Status) {
			continue
		}
		top.offer(int32(i))
	}
	idx := top.sorted()
	n := len(idx)
	out := make([]Entry, n)
	rank := 1
	for k := range n {
		i := idx[k]
		if k > 0 && math.Abs(scoreOf(idx[k-1])-scoreOf(i)) > tie {
			rank = k + 1
		}
		m := e.snap.members[i]
		out[k] = Entry{Rank: rank, MemberID: m.ID, Name: m.Name, Status: string(m.Status), Score: scoreOf(i)}
	}
	return out
}

// Share is the state of the bar at an instant (SPEC section 4).
type Share struct {
	At         time.Time
	Active     int
	Qualifying int
	Share      float64
	Achieve    float64
	TargetMin  float64
	TargetMax  float64
	Warnings   []string
}

// Share returns how much of the active community qualifies at t.
func (e *Engine) Share(t time.Time) Share {
	b := e.board(t)
	var kept *Share
	e.kept(b, func() { kept = e.share })
	if kept != nil {
		sh := *kept
		sh.Warnings = slices.Clone(kept.Warnings)
		return sh
	}
	c := e.criteria
	q := b.Qualification()
	sh := Share{At: t, Active: len(q.Active), Qualifying: len(q.Qualifying), Share: q.Share,
		Achieve: c.Thresholds.Achieve, TargetMin: c.TargetShare.Min, TargetMax: c.TargetShare.Max, Warnings: []string{}}
	if q.Warning != "" {
		sh.Warnings = append(sh.Warnings, string(q.Warning))
	}
	e.kept(b, func() { e.share = &sh })
	return sh
}

// Scored is a member's ID and score at an instant.
type Scored struct {
	ID    int64
	Score float64
}

// Qualifying returns the members who qualify at t (SPEC 4: active, and a
// score that meets achieve) with their scores, in no particular order.
func (e *Engine) Qualifying(t time.Time) []Scored {
	b := e.board(t)
	q := b.Qualification()
	out := make([]Scored, len(q.Qualifying))
	for i, m := range q.Qualifying {
		out[i] = Scored{ID: e.snap.members[m].ID, Score: b.Scores[m]}
	}
	return out
}

// IDs are the IDs of ms, in their order.
func IDs(ms []Scored) []int64 {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

// ActiveScores returns the scores at t of the members of the active
// community (SPEC 4), lowest first: the share that any achieve threshold
// qualifies follows from them.
func (e *Engine) ActiveScores(t time.Time) []float64 {
	b := e.board(t)
	var out []float64
	for m, active := range b.Active {
		if active {
			out = append(out, b.Scores[m])
		}
	}
	slices.Sort(out)
	return out
}

// Calibrate suggests the achieve threshold that would qualify target, a share
// of the active community, at t.
func (e *Engine) Calibrate(target float64, t time.Time) (score.Calibration, error) {
	return e.board(t).Calibrate(target)
}

// CriteriaSource reads stored criteria versions.
type CriteriaSource interface {
	Criteria(ctx context.Context, version int) (*cadre.CriteriaDoc, error)
}

// Summary is the program at an instant: the share of the active community
// that qualifies, the top of the leaderboard and the threshold that would
// qualify a target share.
type Summary struct {
	Share       Share
	Top         []Entry
	Calibration score.Calibration
}

// Summarize computes the summary at t with the top n and a calibration to
// target: the whole of issue 3's "full score at t".
func (e *Engine) Summarize(t time.Time, n int, target float64) (Summary, error) {
	cal, err := e.Calibrate(target, t)
	if err != nil {
		return Summary{}, err
	}
	return Summary{Share: e.Share(t), Top: e.Leaderboard(t, Options{Top: n}), Calibration: cal}, nil
}

// Criteria returns the criteria the engine scores under.
func (e *Engine) Criteria() *criteria.Criteria { return e.criteria }

// Score returns a member's score at t, from the board of t: a review asks
// for many members at one instant. A member not known scores 0.
func (e *Engine) Score(id int64, t time.Time) float64 {
	i, ok := e.snap.index[id]
	if !ok {
		return 0
	}
	// Members named after the history's last activity hold none: the board
	// stops before them.
	if b := e.board(t); int(i) < len(b.Scores) {
		return b.Scores[i]
	}
	return 0
}

// Rank is member id's place on the leaderboard at t (members of equal
// scores share one, as Leaderboard ranks them) and how many are ranked; 0
// for a member not ranked (staff, bots, unknown).
func (e *Engine) Rank(id int64, t time.Time) (rank, of int) {
	b := e.board(t)
	scoreOf := func(i int) float64 {
		if i < len(b.Scores) {
			return b.Scores[i]
		}
		return 0
	}
	me, ok := e.snap.index[id]
	if !ok || e.snap.members[me].Excluded {
		return 0, 0
	}
	mine, above := scoreOf(int(me)), 0
	for i, m := range e.snap.members {
		if m.Excluded {
			continue
		}
		of++
		if scoreOf(i)-mine > tie {
			above++
		}
	}
	return above + 1, of
}
