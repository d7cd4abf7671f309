package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestRewards keeps a catalog, its matrix as a file brings it and as the
// grid edits it, grants with their fulfilment against stock and budget,
// and the activities around a grant; every change audited; on both
// databases.
func TestRewards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		two := 2
		pass := reward.Reward{Name: "Conference pass", Kind: reward.Extrinsic, Cost: 400, Stock: &two,
			Eligibility: reward.Eligibility{Status: cadre.StatusAmbassador, Regions: []string{"EU"}}}
		if err := s.SaveReward(ctx, &pass, "pm"); err != nil || pass.ID == 0 {
			t.Fatal(pass, err)
		}
		if err := s.SaveReward(ctx, &reward.Reward{Name: "conference PASS", Kind: reward.Intrinsic}, "pm"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("a second reward of the name: %v", err)
		}
		if err := s.SaveReward(ctx, &reward.Reward{Name: "Swag", Kind: "money"}, "pm"); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("a reward of an unknown kind: %v", err)
		}
		got, err := s.RewardByName(ctx, "conference pass")
		if err != nil || got.Cost != 400 || got.Stock == nil || *got.Stock != 2 || got.Status != cadre.StatusAmbassador || len(got.Regions) != 1 {
			t.Fatalf("%+v %v", got, err)
		}

		// The file brings a new reward and pain points; its cells are the matrix.
		file := "reward,kind,Visibility,Travel\nweight,,2,\nConference pass,extrinsic,7,10\nRoadmap briefing,intrinsic,,3\n"
		m, err := reward.ReadMatrix(strings.NewReader(file), "m.csv")
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.ImportRewardMatrix(ctx, m, "pm")
		if err != nil || res.RewardsAdded != 1 || res.PainPointsAdded != 2 {
			t.Fatalf("import: %+v %v", res, err)
		}
		stored, err := s.RewardMatrix(ctx)
		if err != nil {
			t.Fatal(err)
		}
		values := reward.Value(stored)
		// Conference pass: 2×7 + 1×10 = 24; Roadmap briefing: 1×3 = 3.
		if len(values) != 2 || values[0].Reward != "Conference pass" || values[0].Value != 24 || values[1].Value != 3 {
			t.Fatalf("values after import: %+v", values)
		}
		// The grid changes a weight and two cells, by ID.
		stored.PainPoints[1].Weight = 10
		stored.Rows[0].Scores[1] = 0 // Conference pass: no longer scored for travel
		stored.Rows[1].Scores[0] = 9 // Roadmap briefing
		if err := s.SetRewardMatrix(ctx, stored, "pm"); err != nil {
			t.Fatal(err)
		}
		again, _ := s.RewardMatrix(ctx)
		values = reward.Value(again)
		// Roadmap briefing: 2×9 + 10×3 = 48; Conference pass: 2×7 = 14.
		if values[0].Reward != "Roadmap briefing" || values[0].Value != 48 || values[1].Value != 14 {
			t.Fatalf("values after the grid: %+v", values)
		}
		again.Rows[0].Scores[0] = 11
		if err := s.SetRewardMatrix(ctx, again, "pm"); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("a cell of 11: %v", err)
		}
		again.Rows[0].Scores[0], again.Rows[0].RewardID = 5, 9999
		if err := s.SetRewardMatrix(ctx, again, "pm"); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Errorf("a cell of a reward not known: %v", err)
		}
		if after, _ := s.RewardMatrix(ctx); reward.Value(after)[0].Value != 48 {
			t.Error("a refused grid changed the matrix")
		}

		// Grants: eligibility decided by the caller, stock and budget here.
		ada := cadre.Member{Name: "Ada", Region: "eu"}
		if err := s.CreateMember(ctx, &ada, nil); err != nil {
			t.Fatal(err)
		}
		q := program.QuarterOf(now, time.UTC)
		if err := s.SetRewardBudget(ctx, q, 1000, "pm"); err != nil {
			t.Fatal(err)
		}
		refuse := errors.New("not eligible")
		grant := func(eligible func(*reward.Reward, *cadre.Member) error) (*reward.Grant, error) {
			g := &reward.Grant{RewardID: pass.ID, MemberID: ada.ID, Quarter: q.String(), At: now, Note: "for the talk", Actor: "pm"}
			return g, s.GrantReward(ctx, g, eligible)
		}
		if _, err := grant(func(r *reward.Reward, m *cadre.Member) error {
			if r.Name != "Conference pass" || m.Region != "eu" {
				t.Errorf("eligibility asked about %v, %v", r, m)
			}
			return refuse
		}); !errors.Is(err, refuse) {
			t.Fatalf("an ineligible grant: %v", err)
		}
		g1, err := grant(nil)
		if err != nil || g1.State != reward.Promised || g1.Cost != 400 {
			t.Fatal(g1, err)
		}
		g2, err := grant(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := grant(nil); cadre.ErrorCode(err) != cadre.ECONFLICT || !strings.Contains(err.Error(), "out of stock") {
			t.Errorf("a third of two in stock: %v", err)
		}
		if err := s.MoveGrant(ctx, g2.ID, reward.Cancelled, "pm"); err != nil {
			t.Fatal(err)
		}
		b, err := s.RewardBudget(ctx, q)
		if err != nil || !b.Set || b.Amount != 1000 || b.Spent != 400 {
			t.Fatalf("budget: %+v %v", b, err)
		}
		// Back in stock, but 400 spent of 1000 leaves room for one more.
		if err := s.SetRewardBudget(ctx, q, 700, "pm"); err != nil {
			t.Fatal(err)
		}
		if _, err := grant(nil); cadre.ErrorCode(err) != cadre.ECONFLICT || !strings.Contains(err.Error(), "has 300 left") {
			t.Errorf("a grant over budget: %v", err)
		}
		for _, to := range []reward.State{reward.Sent, reward.Delivered} {
			if err := s.MoveGrant(ctx, g1.ID, to, "pm"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MoveGrant(ctx, g1.ID, reward.Cancelled, "pm"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("cancelling a delivered grant: %v", err)
		}
		grants, err := s.Grants(ctx, q.String())
		if err != nil || len(grants) != 2 || grants[0].ID != g2.ID || grants[0].State != reward.Cancelled || grants[1].State != reward.Delivered ||
			grants[1].Reward != "Conference pass" || grants[1].Note != "for the talk" || !grants[1].At.Equal(now) {
			t.Fatalf("grants: %+v %v", grants, err)
		}
		if left, _ := s.RewardByName(ctx, "Conference pass"); *left.Stock != 1 {
			t.Errorf("stock %d after two grants of two, one cancelled", *left.Stock)
		}
		if other, _ := s.Grants(ctx, q.Next().String()); len(other) != 0 {
			t.Errorf("the next quarter's grants: %v", other)
		}

		// The activities around a grant: approved ones, in the range.
		im := s.NewImporter()
		pending := rec("forum", "p:3", "forum", now, "forum", "ada")
		pending.Status = cadre.ActivityPending
		if _, err := im.Import(ctx, []cadre.ActivityRecord{
			rec("forum", "p:1", "forum", now.Add(-time.Hour), "forum", "ada"), rec("forum", "p:2", "content", now.Add(time.Hour), "forum", "ada"),
			rec("forum", "p:4", "forum", now.AddDate(1, 0, 0), "forum", "ada"), pending,
		}); err != nil {
			t.Fatal(err)
		}
		adaID, err := s.FindMember(ctx, "forum:ada")
		if err != nil {
			t.Fatal(err)
		}
		acts, err := s.MemberActivities(ctx, adaID, now.Add(-reward.ImpactWindow), now.Add(reward.ImpactWindow))
		if err != nil || len(acts) != 2 || acts[0].Type != "forum" || acts[1].Type != "content" {
			t.Fatalf("activities: %+v %v", acts, err)
		}

		log, err := s.AuditLog(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range log {
			actions[e.Action]++
		}
		for action, n := range map[string]int{"reward.add": 1, "reward.matrix.import": 1, "reward.matrix": 1, "reward.budget": 2, "reward.grant": 2,
			"reward.grant.cancelled": 1, "reward.grant.sent": 1, "reward.grant.delivered": 1} {
			if actions[action] != n {
				t.Errorf("%d audit entries %s, want %d", actions[action], action, n)
			}
		}
	})
}

// TestRewardPainPoints adds and reweighs pain points.
func TestRewardPainPoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := reward.PainPoint{Name: "Visibility", Weight: 1}
		if err := s.SavePainPoint(ctx, &p, "pm"); err != nil {
			t.Fatal(err)
		}
		p.Weight = 2.5
		if err := s.SavePainPoint(ctx, &p, "pm"); err != nil {
			t.Fatal(err)
		}
		if err := s.SavePainPoint(ctx, &reward.PainPoint{Name: "visibility", Weight: 1}, "pm"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("a pain point twice: %v", err)
		}
		if err := s.SavePainPoint(ctx, &reward.PainPoint{Name: "Travel", Weight: -1}, "pm"); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("a negative weight: %v", err)
		}
		ps, err := s.PainPoints(ctx)
		if err != nil || len(ps) != 1 || ps[0].Weight != 2.5 {
			t.Errorf("%+v %v", ps, err)
		}
	})
}
