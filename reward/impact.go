package reward

import (
	"time"

	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
)

// ImpactWindow is how far before and after a grant its impact looks (SPEC 6).
const ImpactWindow = 60 * 24 * time.Hour

// Impact is a grant's effect on its recipient: their counted activities and
// points before decay in the ImpactWindow before the grant, [at − 60 days,
// at), against the window after, [at, at + 60 days).
type Impact struct {
	BeforeActivities, AfterActivities int
	BeforePoints, AfterPoints         float64
	// Complete says the window after has passed: until then the figures
	// after are so far.
	Complete bool
}

// Activities is the change in counted activities.
func (i Impact) Activities() int { return i.AfterActivities - i.BeforeActivities }

// Points is the change in points before decay.
func (i Impact) Points() float64 { return i.AfterPoints - i.BeforePoints }

// Measure computes the impact of a grant made at at, seen at now, from the
// recipient's approved activities (the caller gives them; those outside
// the windows and of types the criteria do not define are not counted).
func Measure(c *criteria.Criteria, at, now time.Time, acts []program.Activity) Impact {
	im := Impact{Complete: !now.Before(at.Add(ImpactWindow))}
	from, to := at.Add(-ImpactWindow), at.Add(ImpactWindow)
	for _, a := range acts {
		t, ok := c.Type(a.Type)
		if !ok || a.At.Before(from) || !a.At.Before(to) || a.At.After(now) {
			continue
		}
		if a.At.Before(at) {
			im.BeforeActivities++
			im.BeforePoints += t.PointValue()
		} else {
			im.AfterActivities++
			im.AfterPoints += t.PointValue()
		}
	}
	return im
}

// Average is the mean impact of a reward's grants whose window after has
// passed, and how many there were.
type Average struct {
	Grants     int
	Activities float64
	Points     float64
}

// AverageOf averages the complete impacts among ims; the zero Average when
// none is complete.
func AverageOf(ims []Impact) Average {
	var a Average
	for _, im := range ims {
		if !im.Complete {
			continue
		}
		a.Grants++
		a.Activities += float64(im.Activities())
		a.Points += im.Points()
	}
	if a.Grants > 0 {
		a.Activities /= float64(a.Grants)
		a.Points /= float64(a.Grants)
	}
	return a
}
