package whatif

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
)

// TestFastReplayAgreesWithReplay draws programs of terms (some before the
// period and ended by its reviews, some ended otherwise, some starting
// during it, members invited back after a lapse), excusals and scores, and
// checks that the calibration's fast replay gives every quarter the renewal
// rate that replay and program.Preview give, for maintain thresholds across
// the scores.
func TestFastReplayAgreesWithReplay(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	c := criteria.Default()
	loc := c.Location()
	var quarters []program.Quarter
	for q := (program.Quarter{Year: 2024, Q: 1}); len(quarters) < 8; q = q.Next() {
		quarters = append(quarters, q)
	}
	from := quarters[0].Start(loc)
	end := quarters[len(quarters)-1].End(loc)
	for round := range 40 {
		var terms []program.Term
		for id := int64(1); id <= 60; id++ {
			start := from.Add(time.Duration(r.Int64N(int64(end.Sub(from)))) - 365*24*time.Hour)
			t := program.Term{ID: int64(len(terms) + 1), MemberID: id, Start: start, Via: program.ViaRoster}
			switch r.IntN(4) {
			case 0: // lapsed at a review, maybe in the period
				t.End, t.EndedBy = quarters[r.IntN(len(quarters))].Start(loc), program.EndReview
			case 1: // resigned
				t.End, t.EndedBy = start.Add(time.Duration(r.Int64N(int64(400*24*time.Hour)))), program.EndResigned
			}
			if !t.End.IsZero() && !t.End.After(t.Start) {
				t.End = t.Start.Add(time.Hour)
			}
			terms = append(terms, t)
			if !t.End.IsZero() && r.IntN(2) == 0 { // invited back later
				back := t.End.Add(time.Duration(r.Int64N(int64(200 * 24 * time.Hour))))
				terms = append(terms, program.Term{ID: int64(len(terms) + 1), MemberID: id, Start: back, Via: program.ViaInvitation})
			}
		}
		excused := map[program.Quarter]map[int64]bool{}
		scores := make([]map[int64]float64, len(quarters))
		for i, q := range quarters {
			excused[q] = map[int64]bool{int64(r.IntN(60) + 1): true}
			scores[i] = map[int64]float64{}
			for id := int64(1); id <= 60; id++ {
				scores[i][id] = float64(r.IntN(100))
			}
		}
		sp := Space{Current: c, Quarters: quarters, Terms: terms, Excused: excused}
		fr := newFastReplay(sp)
		index := map[program.Quarter]int{}
		for i, q := range quarters {
			index[q] = i
		}
		for _, maintain := range []float64{0, 20, 50, 50.5, 80, 101} {
			cm := *c
			cm.Thresholds = criteria.Thresholds{Achieve: 200, Maintain: maintain}
			want := make([]*float64, len(quarters))
			replay(quarters, terms, func(program.Quarter) *criteria.Criteria { return &cm }, func(q program.Quarter, ts *program.Terms) *program.Review {
				rv := program.Preview(q, &cm, ts.Terms, excused[q], func(id int64, _ time.Time) float64 { return scores[index[q]][id] })
				want[index[q]] = rv.Rate
				return rv
			})
			got := fr.rates(maintain, scores)
			for i := range quarters {
				if (got[i] == nil) != (want[i] == nil) || got[i] != nil && *got[i] != *want[i] {
					t.Fatalf("round %d, maintain %v, %s: fast %v, replay %v", round, maintain, quarters[i], deref(got[i]), deref(want[i]))
				}
			}
		}
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
