package program

import (
	"testing"

	"github.com/cadrehq/cadre/criteria"
)

func TestMeasureForum(t *testing.T) {
	threads := []ForumThread{
		{Views: 100, HasViews: true, Solved: true, HasSolved: true, Ambassador: true},
		{Views: 50, HasViews: true, Solved: false, HasSolved: true, Ambassador: true},
		{Solved: true, HasSolved: true, Ambassador: true}, // views unknown, as GitHub's
		{Views: 9, HasViews: true}, // solved unknown
		{},
	}
	got := MeasureForum(criteria.Default(), threads)
	a, o := got.Ambassador, got.Others
	if a.Threads != 3 || a.MeanViews == nil || *a.MeanViews != 75 || a.SolvedShare == nil || *a.SolvedShare != 2.0/3 {
		t.Errorf("ambassador %+v", a)
	}
	if o.Threads != 2 || o.MeanViews == nil || *o.MeanViews != 9 || o.SolvedShare != nil {
		t.Errorf("others %+v", o)
	}
	if got := MeasureForum(criteria.Default(), nil); got != (ForumOutcomes{}) {
		t.Errorf("no threads: %+v", got)
	}
	// Criteria without the forum type count no forum activity.
	c := criteria.Default()
	for i, at := range c.ActivityTypes {
		if at.Key == "forum" {
			c.ActivityTypes = append(c.ActivityTypes[:i], c.ActivityTypes[i+1:]...)
			break
		}
	}
	if got := MeasureForum(c, threads); got != (ForumOutcomes{}) {
		t.Errorf("without forum: %+v", got)
	}
}
