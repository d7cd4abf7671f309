package score

import (
	"math"
	"slices"
	"time"
)

// quarterMicros is Q of SPEC section 3, a quarter of a Julian year (365.25 / 4
// days), in microseconds: continuous decay takes away the rate once per Q.
const quarterMicros = 7_889_400 * 1_000_000

// thresholdSlack is how far below a threshold a score may fall and still meet
// it (SPEC section 3), absorbing the rounding of float64 sums.
const thresholdSlack = 1e-9

// meets reports whether score reaches threshold by the rule of SPEC section 3.
func meets(score, threshold float64) bool {
	return score >= threshold-thresholdSlack
}

// quarterOf returns q(t) = 4 × year + (month − 1) div 3, the quarter index of
// t in loc (SPEC section 3).
func quarterOf(t time.Time, loc *time.Location) int32 {
	y, m, _ := t.In(loc).Date()
	return int32(4*y + (int(m)-1)/3)
}

// quarterStart returns the first instant of quarter q in loc: the first
// instant whose date in loc lies in the quarter.
func quarterStart(q int32, loc *time.Location) time.Time {
	y, i := q/4, q%4
	if i < 0 { // floor division, for the years before 0
		y, i = y-1, i+4
	}
	start := time.Date(int(y), time.Month(3*i+1), 1, 0, 0, 0, 0, loc)
	if quarterOf(start, loc) == q && quarterOf(start.Add(-time.Microsecond), loc) < q {
		return start
	}
	// Midnight of the first day did not happen, or happened twice: in some
	// zones clocks change at midnight (in Asunción, 1 October 2023 began at
	// 01:00). Search the instants around it, whose dates only move forward.
	lo, hi := start.Add(-48*time.Hour).UnixMicro(), start.Add(48*time.Hour).UnixMicro()
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if quarterOf(time.UnixMicro(mid), loc) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return time.UnixMicro(hi).In(loc)
}

// quarterTable maps instants to quarter indexes through the quarter starts of
// a span, which is much cheaper than converting every activity time to its
// calendar date in the criteria's zone.
type quarterTable struct {
	first int32 // quarter index of starts[0]
	// Unix microseconds of the starts of consecutive quarters, except that
	// the first quarter starts with the span, as its start may lie beyond
	// the Unix microseconds.
	starts []int64
}

// newQuarterTable covers the instants from lo to hi, Unix microseconds.
func newQuarterTable(lo, hi int64, loc *time.Location) quarterTable {
	first := quarterOf(time.UnixMicro(lo), loc)
	last := quarterOf(time.UnixMicro(hi), loc)
	starts := make([]int64, 1, last-first+1)
	starts[0] = lo
	for q := first + 1; q <= last; q++ {
		starts = append(starts, quarterStart(q, loc).UnixMicro())
	}
	return quarterTable{first: first, starts: starts}
}

// index sets the quarter of each activity of acts, which are in time order
// within the covered span.
func (qt *quarterTable) index(acts []activity) {
	if len(acts) == 0 {
		return
	}
	// Find the quarter of the first time by binary search, then walk on.
	k, found := slices.BinarySearch(qt.starts, acts[0].at)
	if !found {
		k-- // the last start before the first time
	}
	for i := range acts {
		for k+1 < len(qt.starts) && qt.starts[k+1] <= acts[i].at {
			k++
		}
		acts[i].quarter = qt.first + int32(k)
	}
}

// quarterFactors fills dst with (1 − r)^d for d = 0, 1, …, n − 1: the weight
// of points d quarters after their own under quarterly decay.
func quarterFactors(dst []float64, base float64, n int) []float64 {
	dst = dst[:0]
	for d := range n {
		dst = append(dst, math.Pow(base, float64(d)))
	}
	return dst
}

// The continuous decay factor (1 − r)^(d / Q) of an age d in microseconds is
// the product of four table entries, one for each 13-bit digit of d, which is
// exact to a few units in the last place and several times faster than
// math.Pow. Ages of 2^52 µs (142 years) and more go to math.Pow.
const (
	digitBits = 13
	digitMask = 1<<digitBits - 1
	tableAges = 1 << (4 * digitBits)
)

// continuousTable holds the factors of each digit of an age.
type continuousTable struct {
	base   float64
	digits [4][1 << digitBits]float64
}

func newContinuousTable(base float64) *continuousTable {
	ct := &continuousTable{base: base}
	for k := range ct.digits {
		for j := range ct.digits[k] {
			age := float64(int64(j) << (k * digitBits))
			ct.digits[k][j] = math.Pow(base, age/quarterMicros)
		}
	}
	return ct
}

// factor returns (1 − r)^(age / Q) for an age ≥ 0 in microseconds.
func (ct *continuousTable) factor(age int64) float64 {
	if age >= tableAges {
		return math.Pow(ct.base, float64(age)/quarterMicros)
	}
	return ct.digits[0][age&digitMask] *
		ct.digits[1][(age>>digitBits)&digitMask] *
		ct.digits[2][(age>>(2*digitBits))&digitMask] *
		ct.digits[3][(age>>(3*digitBits))&digitMask]
}
