package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// threadRec is a forum record in thread id of source "discourse".
func threadRec(id string, at time.Time, handle string, th cadre.Thread) cadre.ActivityRecord {
	r := rec("discourse", id, "forum", at, "discourse", handle)
	r.Thread = th
	return r
}

func views(n int64) cadre.Thread { return cadre.Thread{Views: n, HasViews: true} }
func solved(b bool) cadre.Thread { return cadre.Thread{Solved: b, HasSolved: true} }
func both(n int64, b bool) cadre.Thread {
	return cadre.Thread{Views: n, HasViews: true, Solved: b, HasSolved: true}
}

func in(id string, th cadre.Thread) cadre.Thread { th.ID = id; return th }

// TestThreadsLatestStateWins imports the state of threads in several
// batches, out of order: for each of views and solved, the state told by
// the latest activity wins, a record seen again at the same instant
// updates it, and what a record does not tell is kept. The export gives
// each activity its thread's state.
func TestThreadsLatestStateWins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		im := s.NewImporter()
		batches := [][]cadre.ActivityRecord{
			{
				threadRec("post:1", t0, "ann", in("topic:1", both(10, false))),
				threadRec("post:2", t0.Add(time.Hour), "bob", in("topic:1", views(20))),
				threadRec("post:3", t0, "bob", in("topic:2", cadre.Thread{})),
				rec("discourse", "post:4", "forum", t0, "discourse", "bob"),
			},
			{
				// Seen again: older than post:2's views, but as late as
				// post:1's solved, which it updates.
				threadRec("post:1", t0, "ann", in("topic:1", both(50, true))),
				// An old file: it changes nothing.
				threadRec("post:0", t0.Add(-24*time.Hour), "ann", in("topic:1", both(999, false))),
				threadRec("post:3", t0, "bob", in("topic:2", views(7))),
			},
			{
				threadRec("post:5", t0.Add(2*time.Hour), "ann", in("topic:1", views(30))),
			},
		}
		for i, b := range batches {
			if _, err := im.Import(ctx, b); err != nil {
				t.Fatalf("batch %d: %v", i+1, err)
			}
		}
		want := map[string]cadre.Thread{
			"post:0": in("topic:1", both(30, true)),
			"post:1": in("topic:1", both(30, true)),
			"post:2": in("topic:1", both(30, true)),
			"post:5": in("topic:1", both(30, true)),
			"post:3": in("topic:2", views(7)),
			"post:4": {},
		}
		got := map[string]cadre.Thread{}
		if err := s.ExportActivities(ctx, func(r *cadre.ActivityRecord) error {
			got[r.ExternalID] = r.Thread
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("exported %d activities, want %d", len(got), len(want))
		}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("%s: thread %+v, want %+v", id, got[id], w)
			}
		}
		acts, _, err := s.Activities(ctx, cadre.ActivityFilter{Source: "discourse", Type: "forum", Limit: 10})
		if err != nil || len(acts) != len(want) {
			t.Fatalf("activities: %d, %v", len(acts), err)
		}
		for _, a := range acts {
			if a.Thread != want[a.ExternalID] {
				t.Errorf("listed %s: thread %+v, want %+v", a.ExternalID, a.Thread, want[a.ExternalID])
			}
		}

		// A webhook delivery tells a thread's state too.
		if _, _, err := s.ImportDeliveries(ctx, []cadre.Delivery{{Platform: "discourse", ID: "d1",
			Records: []cadre.ActivityRecord{threadRec("post:6", t0.Add(3*time.Hour), "bob", in("topic:2", solved(true)))}}}); err != nil {
			t.Fatal(err)
		}
		threads, err := s.ForumThreads(ctx, t0.Add(-48*time.Hour), t0.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		wantThreads := []program.ForumThread{
			{Views: 30, HasViews: true, Solved: true, HasSolved: true},
			{Views: 7, HasViews: true, Solved: true, HasSolved: true},
		}
		if len(threads) != 2 || threads[0] != wantThreads[0] || threads[1] != wantThreads[1] {
			t.Errorf("forum threads %+v, want %+v", threads, wantThreads)
		}
	})
}

// TestForumThreads checks which threads a quarter's forum outcomes read:
// those with an approved forum activity in the period, flagged when a
// member with a term overlapping it has one there.
func TestForumThreads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
		content := threadRec("c:1", t0, "ann", in("topic:3", views(5)))
		content.Type = "content"
		pending := threadRec("p:1", t0, "bob", in("topic:4", views(5)))
		pending.Status = cadre.ActivityPending
		recs := []cadre.ActivityRecord{
			threadRec("a:1", t0, "ann", in("topic:1", both(100, true))),
			threadRec("b:1", t0, "bob", in("topic:1", cadre.Thread{})),
			threadRec("b:2", t0, "bob", in("topic:2", both(10, false))),
			threadRec("b:3", t0, "bob", in("topic:2", cadre.Thread{})),
			// Ann's activity in topic:2 is after the quarter.
			threadRec("a:2", to, "ann", in("topic:2", cadre.Thread{})),
			// Not forum activities, not approved, or before the quarter.
			content, pending,
			threadRec("b:4", from.Add(-time.Microsecond), "bob", in("topic:5", views(1))),
		}
		if _, err := s.NewImporter().Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		acts, _, err := s.Activities(ctx, cadre.ActivityFilter{Source: "discourse", Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var ann int64
		for _, a := range acts {
			if a.ExternalID == "a:1" {
				ann = a.MemberID
			}
		}
		if err := s.StartTerm(ctx, &program.Term{MemberID: ann, Start: from.Add(-time.Hour), Via: program.ViaInvitation, Reason: "invited"}, "pm"); err != nil {
			t.Fatal(err)
		}
		got, err := s.ForumThreads(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := []program.ForumThread{
			{Views: 100, HasViews: true, Solved: true, HasSolved: true, Ambassador: true},
			{Views: 10, HasViews: true, Solved: false, HasSolved: true},
		}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("forum threads %+v, want %+v", got, want)
		}
	})
}
