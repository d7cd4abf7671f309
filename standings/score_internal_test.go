package standings

import (
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
)

// TestScoreOfMemberWithoutActivity: a member known to the standings but
// with no activity, named after the last member who has one, scores 0.
func TestScoreOfMemberWithoutActivity(t *testing.T) {
	s := newSnapshot()
	for _, m := range []cadre.Member{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}} {
		if err := s.upsertMember(&m); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)
	if err := s.add(cadre.ScoreEvent{MemberID: 1, Type: "speaking", OccurredAt: at}); err != nil {
		t.Fatal(err)
	}
	eng := s.Engine(criteria.Default())
	if got := eng.Score(1, at); got != 5 {
		t.Errorf("member 1 scores %v, want 5", got)
	}
	if got := eng.Score(2, at); got != 0 {
		t.Errorf("member 2, with no activity, scores %v", got)
	}
	if got := eng.Score(3, at); got != 0 {
		t.Errorf("an unknown member scores %v", got)
	}
}
