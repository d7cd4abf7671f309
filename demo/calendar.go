package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

const (
	secondsPerDay = 24 * 60 * 60
	// quarter is SPEC section 3's Q: 365.25 / 4 days.
	quarter = 7889400 * time.Second
	// activityGrowth is how much busier an active member is at the end of
	// the history than at its start; joinGrowth is the same for newcomers.
	activityGrowth = 1.5
	joinGrowth     = 2.5
)

// Relative activity by month (January first) and by weekday (Sunday first).
var (
	monthLevel   = [12]float64{1.0, 1.05, 1.1, 1.0, 0.97, 0.9, 0.8, 0.72, 0.98, 1.08, 1.05, 0.85}
	weekdayLevel = [7]float64{0.4, 1.0, 1.05, 1.05, 1.0, 0.9, 0.45}
)

// hourLevel is the relative activity by local hour of the day.
var hourLevel = [24]float64{
	0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 3.5, 3.5,
	2.5, 3.0, 3.5, 3.5, 3.0, 2.5, 2.0, 2.0, 2.0, 1.8, 1.2, 0.6,
}

// calendar knows how busy the community is on each day of the history:
// quieter at weekends, in the northern summer and over the year-end holidays,
// and slowly busier as the product grows.
type calendar struct {
	firstDay int64     // Unix day number of the history's first day
	level    []float64 // relative activity per day, at most 1
	hourSum  [24]float64
}

func newCalendar(start, end int64) *calendar {
	first, last := start/secondsPerDay, end/secondsPerDay
	c := &calendar{firstDay: first, level: make([]float64, last-first+1)}
	top := 0.0
	for i := range c.level {
		t := time.Unix((first+int64(i))*secondsPerDay, 0).UTC()
		l := monthLevel[t.Month()-1] * weekdayLevel[t.Weekday()]
		if (t.Month() == time.December && t.Day() >= 22) || (t.Month() == time.January && t.Day() <= 2) {
			l *= 0.5
		}
		l *= math.Pow(activityGrowth, float64(i)/float64(len(c.level)))
		c.level[i] = l
		top = max(top, l)
	}
	for i := range c.level {
		c.level[i] /= top
	}
	sum := 0.0
	for h, l := range hourLevel {
		sum += l
		c.hourSum[h] = sum
	}
	return c
}

// at draws a moment in [lo, hi] for someone whose local time is offset
// seconds ahead of UTC: a day weighted by how busy it is, then an hour
// weighted by the working day.
func (c *calendar) at(rng *rand.Rand, lo, hi, offset int64) int64 {
	if hi <= lo {
		return lo
	}
	d0, d1 := lo/secondsPerDay-c.firstDay, hi/secondsPerDay-c.firstDay
	var t int64
	for range 8 {
		d := d0 + rng.Int64N(d1-d0+1)
		for range 16 {
			if rng.Float64() < c.level[d] {
				break
			}
			d = d0 + rng.Int64N(d1-d0+1)
		}
		t = (c.firstDay+d)*secondsPerDay + c.secondOfDay(rng) - offset
		if t >= lo && t <= hi {
			return t
		}
	}
	return min(max(t, lo), hi)
}

// secondOfDay draws a local time of day, in seconds after midnight.
func (c *calendar) secondOfDay(rng *rand.Rand) int64 {
	u := rng.Float64() * c.hourSum[23]
	h := 0
	for h < 23 && c.hourSum[h] < u {
		h++
	}
	return int64(h)*3600 + rng.Int64N(3600)
}

// joinPosition draws when, as a fraction of the history, a newcomer shows up:
// newcomers arrive at a rate that grows joinGrowth-fold over the history.
func joinPosition(rng *rand.Rand) float64 {
	return math.Log1p(rng.Float64()*(joinGrowth-1)) / math.Log(joinGrowth)
}
