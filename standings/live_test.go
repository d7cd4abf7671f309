package standings_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// countingStore counts full reads, to tell a start from the stored snapshot
// from one that read every activity.
type countingStore struct {
	*store.Store
	readAll int
}

func (c *countingStore) ReadAll(ctx context.Context, r cadre.ChangeReader) (*cadre.ChangeView, error) {
	c.readAll++
	return c.Store.ReadAll(ctx, r)
}

// sameAsFresh checks that live standings rank everyone as standings loaded
// afresh from the store do, at several instants, under the criteria in force.
func sameAsFresh(t *testing.T, s *store.Store, l *standings.Live) {
	t.Helper()
	ctx := context.Background()
	snap, err := standings.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	c := criteria.Default()
	doc, err := s.Criteria(ctx, 0)
	switch {
	case err == nil:
		if c, err = criteria.Parse([]byte(doc.Document)); err != nil {
			t.Fatal(err)
		}
	case cadre.ErrorCode(err) != cadre.ENOTFOUND:
		t.Fatal(err)
	}
	fresh := snap.Engine(c)
	for _, when := range []time.Time{at.AddDate(0, 0, -10), at, at.AddDate(0, 4, 0)} {
		want := fresh.Leaderboard(when, standings.Options{})
		var got []standings.Entry
		if err := l.Read(ctx, 0, func(e *standings.Engine) error {
			got = e.Leaderboard(when, standings.Options{})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("at %s: live board has %d lines, fresh %d:\n%v\n%v", when, len(got), len(want), got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.MemberID != w.MemberID || g.Rank != w.Rank || g.Status != w.Status || g.Name != w.Name || math.Abs(g.Score-w.Score) > 1e-9 {
				t.Fatalf("at %s line %d: live %+v, fresh %+v", when, i, g, w)
			}
		}
	}
}

func post(handle string, n int, day time.Time) cadre.ActivityRecord {
	return cadre.ActivityRecord{
		Activity: cadre.Activity{Source: "forum", ExternalID: fmt.Sprintf("%s-%d-%s", handle, n, day.Format("0102")), Type: "forum",
			OccurredAt: day, Status: cadre.ActivityApproved},
		Member: cadre.MemberRef{Platform: "forum", Handle: handle},
	}
}

func TestLiveFollowsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		community(t, s, map[string]int{"ann": 9, "bob": 7, "cy": 3, "bot[bot]": 20}, map[string]cadre.Member{"bot[bot]": {Bot: true}})
		l, err := standings.Open(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		sameAsFresh(t, s, l)

		// New activity, some of it older than what is known, and a newcomer.
		im := s.NewImporter()
		recs := []cadre.ActivityRecord{post("cy", 1, at), post("cy", 2, at.AddDate(0, -5, 0)), post("dan", 1, at.AddDate(0, 0, -3))}
		for i := range 6 {
			recs = append(recs, post("dan", 10+i, at.AddDate(0, 0, -i)))
		}
		pending := post("bob", 99, at)
		pending.Status = cadre.ActivityPending
		recs = append(recs, pending)
		if _, err := im.Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		sameAsFresh(t, s, l)

		// Approving the pending post, rejecting one of ann's, a status change.
		acts, _, err := s.Activities(ctx, cadre.ActivityFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var annPost, bobPending int64
		for _, a := range acts {
			switch {
			case a.Status == cadre.ActivityPending:
				bobPending = a.ID
			case annPost == 0 && a.ExternalID == "ann-0":
				annPost = a.ID
			}
		}
		if annPost == 0 || bobPending == 0 {
			t.Fatalf("fixtures not found among %d activities", len(acts))
		}
		if err := s.SetActivityStatus(ctx, bobPending, cadre.ActivityApproved, "reviewer", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SetActivityStatus(ctx, annPost, cadre.ActivityRejected, "reviewer", "duplicate"); err != nil {
			t.Fatal(err)
		}
		sameAsFresh(t, s, l)
		// Rejected then approved again, with no catch-up in between.
		if err := s.SetActivityStatus(ctx, annPost, cadre.ActivityApproved, "reviewer", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SetActivityStatus(ctx, annPost, cadre.ActivityRejected, "reviewer", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SetActivityStatus(ctx, annPost, cadre.ActivityApproved, "reviewer", ""); err != nil {
			t.Fatal(err)
		}
		members, _, err := s.Members(ctx, cadre.MemberFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetMemberStatus(ctx, members[0].ID, cadre.StatusAmbassador, "admin"); err != nil {
			t.Fatal(err)
		}
		sameAsFresh(t, s, l)

		// A merge moves activity between members; the unmerge moves it back.
		bob, err := s.FindMember(ctx, "forum:bob")
		if err != nil {
			t.Fatal(err)
		}
		cy, err := s.FindMember(ctx, "forum:cy")
		if err != nil {
			t.Fatal(err)
		}
		merge, err := s.MergeMembers(ctx, cy, bob, "admin", "same person")
		if err != nil {
			t.Fatal(err)
		}
		sameAsFresh(t, s, l)
		if err := s.UnmergeMembers(ctx, merge, "admin", "not the same"); err != nil {
			t.Fatal(err)
		}
		sameAsFresh(t, s, l)

		// A new criteria version takes over from the default.
		if _, err := s.SaveCriteria(ctx, "decay: {mode: continuous, rate: 0.5}\n", "admin"); err != nil {
			t.Fatal(err)
		}
		sameAsFresh(t, s, l)
	})
}

func TestLiveRestartsFromStoredStandings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		community(t, s, map[string]int{"ann": 9, "bob": 7, "staff": 30}, map[string]cadre.Member{"staff": {Staff: true}})
		cs := &countingStore{Store: s}
		first, err := standings.Open(ctx, cs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Save(ctx); err != nil {
			t.Fatal(err)
		}
		// A change after the snapshot, which the next start catches up on.
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{post("bob", 1, at), post("bob", 2, at), post("eve", 1, at)}); err != nil {
			t.Fatal(err)
		}
		cs.readAll = 0
		second, err := standings.Open(ctx, cs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cs.readAll != 0 {
			t.Fatalf("a start with stored standings read every activity %d times", cs.readAll)
		}
		sameAsFresh(t, s, second)

		// Unreadable stored standings: read everything instead, and still right.
		seq, err := s.ChangeSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveScoreSnapshot(ctx, &cadre.ScoreSnapshot{Seq: seq, ActivityMark: 1, Data: []byte("garbage")}); err != nil {
			t.Fatal(err)
		}
		third, err := standings.Open(ctx, cs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cs.readAll != 1 {
			t.Fatalf("with garbage stored, full reads = %d, want 1", cs.readAll)
		}
		sameAsFresh(t, s, third)
	})
}

// TestLiveFarBehind has one instance store its standings twice, pruning the
// log of changes; another instance that was behind both starts again from the
// stored standings and is right.
func TestLiveFarBehind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		community(t, s, map[string]int{"ann": 4, "bob": 2}, nil)
		behind, err := standings.Open(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		ahead, err := standings.Open(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, who := range []string{"bob", "cy"} {
			if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{post(who, 100+i, at), post(who, 200+i, at)}); err != nil {
				t.Fatal(err)
			}
			// A status change: only the log says so.
			id, err := s.FindMember(ctx, "forum:"+who)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SetMemberStatus(ctx, id, cadre.StatusAmbassador, "admin"); err != nil {
				t.Fatal(err)
			}
			if err := ahead.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			if err := ahead.Save(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var pruned collectorSeq
		if _, err := s.CatchUp(ctx, 0, 0, pruned.reader()); !errors.Is(err, cadre.ErrPruned) {
			t.Fatalf("catching up from the start after pruning: %v, want ErrPruned", err)
		}
		sameAsFresh(t, s, behind)
	})
}

type collectorSeq struct{}

func (collectorSeq) reader() cadre.ChangeReader {
	return cadre.ChangeReader{Member: func(*cadre.Member) error { return nil }, Activity: func(int64, cadre.ScoreEvent) error { return nil }}
}
