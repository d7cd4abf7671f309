package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// collector gathers what a catch-up or full read reports.
type collector struct {
	members []int64
	acts    map[int64]cadre.ScoreEvent
}

func (c *collector) reader() cadre.ChangeReader {
	c.acts = map[int64]cadre.ScoreEvent{}
	return cadre.ChangeReader{
		Member:   func(m *cadre.Member) error { c.members = append(c.members, m.ID); return nil },
		Activity: func(id int64, ev cadre.ScoreEvent) error { c.acts[id] = ev; return nil },
	}
}

func TestChangesAreTracked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seq := func() int64 {
			t.Helper()
			n, err := s.ChangeSeq(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := seq(); n != 0 {
			t.Fatalf("fresh database: change sequence %d, want 0", n)
		}
		var all collector
		v0, err := s.ReadAll(ctx, all.reader())
		if err != nil || v0.Seq != 0 || v0.ActivityMark != 0 || len(all.members) != 0 {
			t.Fatalf("ReadAll of an empty database = %+v, %v, members %v", v0, err, all.members)
		}

		im := s.NewImporter()
		pending := rec("forum", "p:2", "forum", t0.Add(time.Hour), "forum", "bob")
		pending.Status = cadre.ActivityPending
		if _, err := im.Import(ctx, []cadre.ActivityRecord{rec("forum", "p:1", "forum", t0, "forum", "alice"), pending}); err != nil {
			t.Fatal(err)
		}
		if n := seq(); n != 1 {
			t.Fatalf("after one import batch: change sequence %d, want 1", n)
		}
		var c1 collector
		v1, err := s.CatchUp(ctx, v0.Seq, v0.ActivityMark, c1.reader())
		if err != nil {
			t.Fatal(err)
		}
		if v1.Seq != 1 || len(c1.members) != 2 || len(c1.acts) != 1 || len(v1.Changes) != 2 {
			t.Fatalf("catch-up after import: view %+v, members %v, activities %v; want seq 1, 2 members, the approved activity", v1, c1.members, c1.acts)
		}
		var alice, bob int64
		for _, ev := range c1.acts {
			alice = ev.MemberID
		}
		for _, id := range c1.members {
			if id != alice {
				bob = id
			}
		}

		// Nothing new: the same view again, and nothing reported.
		var c2 collector
		v2, err := s.CatchUp(ctx, v1.Seq, v1.ActivityMark, c2.reader())
		if err != nil || v2.Seq != v1.Seq || len(c2.acts)+len(c2.members)+len(v2.Changes) != 0 {
			t.Fatalf("catch-up with nothing new: %+v, %v, %v, %v", v2, err, c2.members, c2.acts)
		}

		// Approving the pending activity and changing a status are changes.
		pendingID := v1.ActivityMark
		if err := s.SetActivityStatus(ctx, pendingID, cadre.ActivityApproved, "reviewer", "looks right"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMemberStatus(ctx, alice, cadre.StatusAmbassador, "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveCriteria(ctx, "timezone: UTC\n", "admin"); err != nil {
			t.Fatal(err)
		}
		var c3 collector
		v3, err := s.CatchUp(ctx, v1.Seq, v1.ActivityMark, c3.reader())
		if err != nil {
			t.Fatal(err)
		}
		kinds := ""
		for _, ch := range v3.Changes {
			kinds += ch.Kind + " "
		}
		if v3.Seq != 4 || kinds != "activity member criteria " {
			t.Fatalf("catch-up after three changes: seq %d, kinds %q", v3.Seq, kinds)
		}
		if ch := v3.Changes[0]; ch.Ref != pendingID || ch.OldStatus != "pending" || ch.Old.MemberID != bob || !ch.Old.OccurredAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("activity change = %+v, want activity %d of member %d, pending before", ch, pendingID, bob)
		}
		if ev, ok := c3.acts[pendingID]; !ok || ev.MemberID != bob || len(c3.acts) != 1 {
			t.Errorf("catch-up activities = %v, want the approved one of member %d", c3.acts, bob)
		}
		if len(c3.members) != 1 || c3.members[0] != alice {
			t.Errorf("catch-up members = %v, want [%d]", c3.members, alice)
		}
		log, err := s.AuditLog(ctx, fmt.Sprintf("activity:%d", pendingID), 10)
		if err != nil || len(log) != 1 || log[0].Detail != "pending -> approved: looks right" {
			t.Errorf("audit of the approval = %+v, %v", log, err)
		}
		if err := s.SetActivityStatus(ctx, 999, cadre.ActivityRejected, "r", ""); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Errorf("status of a missing activity: %v, want ENOTFOUND", err)
		}
		if n := seq(); n != 4 {
			t.Errorf("a refused change moved the sequence to %d", n)
		}
	})
}

func TestScoreSnapshot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.LoadScoreSnapshot(ctx); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Fatalf("no snapshot yet: %v, want ENOTFOUND", err)
		}
		for _, snap := range []cadre.ScoreSnapshot{{Seq: 5, ActivityMark: 50, Data: []byte("old five")}, {Seq: 5, ActivityMark: 50, Data: []byte("five")}, {Seq: 3, ActivityMark: 30, Data: []byte("three")}} {
			if err := s.SaveScoreSnapshot(ctx, &snap); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.LoadScoreSnapshot(ctx)
		if err != nil || got.Seq != 5 || got.ActivityMark != 50 || string(got.Data) != "five" {
			t.Fatalf("snapshot = %+v, %v; want the newer one kept", got, err)
		}
	})
}

// TestCatchUpMissesNothing imports from several importers at once while a
// reader catches up over and over: every activity must be seen exactly once,
// which holds only if IDs become visible in the order readers catch up by.
// The writers also name the same new member, whom only one may create.
func TestCatchUpMissesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const writers, batches, perBatch = 3, 15, 40
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				im := s.NewImporter()
				for b := range batches {
					recs := make([]cadre.ActivityRecord, perBatch)
					for i := range recs {
						recs[i] = rec("src", fmt.Sprintf("%d-%d-%d", w, b, i), "forum", t0.Add(time.Duration(i)*time.Minute), "forum", fmt.Sprintf("w%d-m%d", w, i%7))
						// Every writer names this mentee, whom the first to commit creates.
						recs[i].Mentee = cadre.MemberRef{Platform: "forum", Handle: "shared"}
					}
					if _, err := im.Import(ctx, recs); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()

		seen := map[int64]int{}
		var seq, mark int64
		catchUp := func() {
			v, err := s.CatchUp(ctx, seq, mark, cadre.ChangeReader{
				Member:   func(*cadre.Member) error { return nil },
				Activity: func(id int64, _ cadre.ScoreEvent) error { seen[id]++; return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			seq, mark = v.Seq, v.ActivityMark
		}
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
			}
			catchUp()
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		catchUp()
		var all collector
		if _, err := s.ReadAll(ctx, all.reader()); err != nil {
			t.Fatal(err)
		}
		if len(all.acts) != writers*batches*perBatch {
			t.Fatalf("stored %d activities, want %d", len(all.acts), writers*batches*perBatch)
		}
		var missed, twice []int64
		for id := range all.acts {
			switch seen[id] {
			case 0:
				missed = append(missed, id)
			case 1:
			default:
				twice = append(twice, id)
			}
		}
		sort.Slice(missed, func(i, j int) bool { return missed[i] < missed[j] })
		if len(missed) > 0 || len(twice) > 0 {
			t.Fatalf("catching up missed %d activities (%v…) and saw %d twice", len(missed), missed[:min(5, len(missed))], len(twice))
		}
	})
}

func TestImportDeliveryOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		recs := []cadre.ActivityRecord{rec("github", "issue_comment:1", "forum", t0, "github", "ada")}
		res, err := s.NewImporter().ImportDelivery(ctx, "github", "d-1", recs)
		if err != nil || res.Inserted != 1 {
			t.Fatalf("first delivery: %+v, %v", res, err)
		}
		seq, _ := s.ChangeSeq(ctx)
		// A redelivery, even with other content, changes nothing.
		other := []cadre.ActivityRecord{rec("github", "issue_comment:2", "forum", t0, "github", "bob")}
		if _, err := s.NewImporter().ImportDelivery(ctx, "github", "d-1", other); !errors.Is(err, cadre.ErrRedelivery) {
			t.Fatalf("redelivery: %v, want ErrRedelivery", err)
		}
		if after, _ := s.ChangeSeq(ctx); after != seq {
			t.Errorf("a redelivery moved the change sequence from %d to %d", seq, after)
		}
		if _, n, _ := s.Members(ctx, cadre.MemberFilter{}); n != 1 {
			t.Errorf("%d members after the redelivery, want 1", n)
		}
		// The same ID on another platform is another delivery.
		if res, err := s.NewImporter().ImportDelivery(ctx, "discourse", "d-1", other); err != nil || res.Inserted != 1 {
			t.Errorf("same ID from another platform: %+v, %v", res, err)
		}
	})
}

// TestImportDeliveryDefaultsStatus stores a delivery whose records leave the
// status out: approved, as for any import.
func TestImportDeliveryDefaultsStatus(t *testing.T) {
	s := storetest.SQLite(t)
	r := rec("github", "issue_comment:7", "forum", t0, "github", "ada")
	r.Status = ""
	if _, err := s.NewImporter().ImportDelivery(context.Background(), "github", "d-7", []cadre.ActivityRecord{r}); err != nil {
		t.Fatal(err)
	}
	acts, _, err := s.Activities(context.Background(), cadre.ActivityFilter{})
	if err != nil || len(acts) != 1 || acts[0].Status != cadre.ActivityApproved {
		t.Fatalf("stored %+v, %v", acts, err)
	}
}
