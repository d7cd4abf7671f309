package score

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/cadrehq/cadre"
)

// Warning flags a qualifying share outside the criteria's target_share band
// (SPEC section 4).
type Warning string

// Share warnings. The empty Warning means the share is within the band.
const (
	// BarTooLow: the share is above target_share.max, too many qualify.
	BarTooLow Warning = "bar too low"
	// BarTooHigh: the share is below target_share.min, too few qualify.
	BarTooHigh Warning = "bar too high"
)

// Qualification is who qualifies at an instant (SPEC section 4).
type Qualification struct {
	// Active lists the members of the active community, ascending.
	Active []int32
	// Qualifying lists the active members whose score meets achieve, ascending.
	Qualifying []int32
	// Share is len(Qualifying) / len(Active), 0 when nobody is active.
	Share float64
	// Warning compares Share with target_share. There is none when nobody is
	// active, as a share of nobody says nothing about the bar.
	Warning Warning
}

// Qualification returns the active and qualifying members of the board.
func (b *Board) Qualification() Qualification {
	var q Qualification
	achieve := b.c.Thresholds.Achieve
	for m, active := range b.Active {
		if !active {
			continue
		}
		q.Active = append(q.Active, int32(m))
		if meets(b.Scores[m], achieve) {
			q.Qualifying = append(q.Qualifying, int32(m))
		}
	}
	if len(q.Active) == 0 {
		return q
	}
	q.Share = float64(len(q.Qualifying)) / float64(len(q.Active))
	switch band := b.c.TargetShare; {
	case q.Share > band.Max:
		q.Warning = BarTooLow
	case q.Share < band.Min:
		q.Warning = BarTooHigh
	}
	return q
}

// Calibration is a suggested achieve threshold for a target share (SPEC
// section 4).
type Calibration struct {
	// Target is the share asked for.
	Target float64
	// Threshold is s_k, the k-th highest score of the N active members, where
	// k = max(1, floor(Target × N)).
	Threshold float64
	// Active is N.
	Active int
	// Qualifying is how many active members the threshold would qualify; ties
	// at the threshold can make it more than k.
	Qualifying int
	// Share is Qualifying / Active, the share the threshold would really give.
	Share float64
}

// Calibrate suggests the achieve threshold that would make target, a share in
// [0, 1], of the active community qualify. It fails when nobody is active.
func (b *Board) Calibrate(target float64) (Calibration, error) {
	if !(target >= 0 && target <= 1) {
		return Calibration{}, fmt.Errorf("calibrate: %w", cadre.Errorf(cadre.EINVALID, "target share must be in [0, 1], got %v", target))
	}
	var scores []float64
	for m, active := range b.Active {
		if active {
			scores = append(scores, b.Scores[m])
		}
	}
	n := len(scores)
	if n == 0 {
		return Calibration{}, fmt.Errorf("calibrate: %w", cadre.Errorf(cadre.EINVALID, "nobody is active at %s", b.At.Format(time.RFC3339)))
	}
	slices.Sort(scores)
	slices.Reverse(scores)
	k := max(1, int(math.Floor(target*float64(n))))
	c := Calibration{Target: target, Threshold: scores[k-1], Active: n}
	for _, s := range scores {
		if !meets(s, c.Threshold) {
			break
		}
		c.Qualifying++
	}
	c.Share = float64(c.Qualifying) / float64(n)
	return c, nil
}
