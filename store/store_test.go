package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func rec(source, id, typ string, at time.Time, platform, handle string) cadre.ActivityRecord {
	return cadre.ActivityRecord{
		Activity: cadre.Activity{Source: source, ExternalID: id, Type: typ, OccurredAt: at, Status: cadre.ActivityApproved},
		Member:   cadre.MemberRef{Platform: platform, Handle: handle},
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		n, err := s.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate: applied %d, err %v; want 0, nil", n, err)
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Fatalf("CheckSchema after migrate: %v", err)
		}
	})
}

func TestCheckSchemaRefusesUnmigrated(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.CheckSchema(ctx)
	if cadre.ErrorCode(err) != cadre.EINVALID {
		t.Fatalf("CheckSchema on empty database = %v, want EINVALID", err)
	}
}

func TestEmpty(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		dsn  func(testing.TB) string // a new database
	}{
		{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "new.db") }},
		{"postgres", storetest.PostgresDSN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := store.Open(ctx, tt.dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if empty, err := s.Empty(ctx); err != nil || !empty {
				t.Fatalf("Empty() on a new database = %t, %v; want true", empty, err)
			}
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if empty, err := s.Empty(ctx); err != nil || empty {
				t.Fatalf("Empty() after migrating = %t, %v; want false", empty, err)
			}
		})
	}
}

func TestImportResolvesAndDedupes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		im := s.NewImporter()
		a := rec("discourse", "post:1", "forum", t0, "discourse", "Alice")
		a.Member.Email = "Alice@Example.org"
		a.Member.Name = "Alice A."
		b := rec("github", "issue:9", "feedback", t0.Add(time.Hour), "github", "alice-gh")
		b.Member.Email = "alice@example.org" // same person by email
		c := rec("discourse", "post:2", "mentoring", t0.Add(2*time.Hour), "discourse", "alice")
		c.Mentee = cadre.MemberRef{Platform: "github", Handle: "bob"}
		c.Metrics = map[string]float64{"views": 120, "solved": 1}
		c.EffortMinutes, c.HasEffort = 30, true
		dup := rec("discourse", "post:1", "forum", t0, "discourse", "alice")

		res, err := im.Import(ctx, []cadre.ActivityRecord{a, b, c, dup})
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 3 || res.Duplicates != 1 {
			t.Fatalf("first import = %+v, want 3 inserted 1 duplicate", res)
		}
		// A second importer (no cache) sees the same people and the same rows.
		res, err = s.NewImporter().Import(ctx, []cadre.ActivityRecord{a, b, c})
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 0 || res.Duplicates != 3 {
			t.Fatalf("re-import = %+v, want 0 inserted 3 duplicates", res)
		}

		members, total, err := s.Members(ctx, cadre.MemberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 {
			t.Fatalf("members = %d, want 2 (alice, bob)", total)
		}
		alice := members[0]
		if alice.Name != "Alice A." || alice.Activities != 3 || len(alice.Emails) != 1 || alice.Emails[0] != "alice@example.org" {
			t.Fatalf("alice = %+v", alice)
		}
		ids, err := s.Identities(ctx, alice.ID)
		if err != nil || len(ids) != 2 {
			t.Fatalf("alice identities = %v, %v; want discourse and github", ids, err)
		}

		acts, n, err := s.Activities(ctx, cadre.ActivityFilter{MemberID: alice.ID, Type: "mentoring"})
		if err != nil || n != 1 {
			t.Fatalf("mentoring activities = %d, %v", n, err)
		}
		got := acts[0]
		if got.MenteeID != members[1].ID || got.Metrics["views"] != 120 || !got.HasEffort || got.EffortMinutes != 30 || !got.OccurredAt.Equal(c.OccurredAt) {
			t.Fatalf("mentoring activity = %+v", got)
		}
	})
}

func TestImportFlagsBots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{rec("github", "issue:1", "feedback", t0, "github", "dependabot[bot]")}); err != nil {
			t.Fatal(err)
		}
		ms, _, err := s.Members(ctx, cadre.MemberFilter{})
		if err != nil || len(ms) != 1 || !ms[0].Bot {
			t.Fatalf("members = %+v, %v; want one bot", ms, err)
		}
	})
}

func TestImportRejectsBadRecordWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		good := rec("x", "1", "forum", t0, "p", "h")
		bad := rec("x", "2", "forum", t0, "p", "h")
		bad.Status = "maybe"
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{good, bad}); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Fatalf("import with bad status: err %v, want EINVALID", err)
		}
		if _, n, _ := s.Activities(ctx, cadre.ActivityFilter{}); n != 0 {
			t.Fatalf("%d activities stored after a refused batch, want 0", n)
		}
	})
}

func TestActivityFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var recs []cadre.ActivityRecord
		for i, typ := range []string{"forum", "forum", "content", "speaking"} {
			recs = append(recs, rec("src"+string(rune('a'+i%2)), string(rune('0'+i)), typ, t0.AddDate(0, i, 0), "p", "h"))
		}
		if _, err := s.NewImporter().Import(ctx, recs); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    cadre.ActivityFilter
			want int
		}{
			{"all", cadre.ActivityFilter{}, 4},
			{"type", cadre.ActivityFilter{Type: "forum"}, 2},
			{"source", cadre.ActivityFilter{Source: "srca"}, 2},
			{"since", cadre.ActivityFilter{Since: t0.AddDate(0, 1, 0)}, 3},
			{"until", cadre.ActivityFilter{Until: t0.AddDate(0, 1, 0)}, 1},
			{"range and type", cadre.ActivityFilter{Since: t0.AddDate(0, 1, 0), Until: t0.AddDate(0, 3, 0), Type: "forum"}, 1},
		}
		for _, tt := range tests {
			_, n, err := s.Activities(ctx, tt.f)
			if err != nil || n != tt.want {
				t.Errorf("%s: %d activities, err %v; want %d", tt.name, n, err, tt.want)
			}
		}
		page, n, err := s.Activities(ctx, cadre.ActivityFilter{Limit: 3, Offset: 3})
		if err != nil || n != 4 || len(page) != 1 || page[0].Type != "forum" {
			t.Fatalf("second page = %+v (total %d, %v); want the oldest forum activity", page, n, err)
		}
	})
}

func TestExportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := rec("discourse", "post:1", "forum", t0, "discourse", "alice")
		a.Member.Email = "alice@example.org"
		a.URL, a.Title = "https://forum.example.org/t/1/2", "Re: TLS"
		b := rec("report", "m1", "mentoring", t0, "github", "alice-gh")
		b.Member.Email = "alice@example.org"
		b.Mentee = cadre.MemberRef{Platform: "github", Handle: "bob"}
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{a, b}); err != nil {
			t.Fatal(err)
		}
		var got []cadre.ActivityRecord
		err := s.ExportActivities(ctx, func(r *cadre.ActivityRecord) error {
			got = append(got, *r)
			return nil
		})
		if err != nil || len(got) != 2 {
			t.Fatalf("export = %d records, %v", len(got), err)
		}
		if got[0].Member.Platform != "discourse" || got[0].Member.Handle != "alice" || got[0].Member.Email != "alice@example.org" || got[0].Title != "Re: TLS" {
			t.Errorf("first exported record = %+v", got[0])
		}
		if got[1].Mentee.Handle != "bob" || got[1].Member.Email != "alice@example.org" {
			t.Errorf("second exported record = %+v", got[1])
		}
		// Importing the export into a fresh store gives the same activities.
		other := storetest.SQLite(t)
		res, err := other.NewImporter().Import(ctx, got)
		if err != nil || res.Inserted != 2 {
			t.Fatalf("import of export = %+v, %v", res, err)
		}
		if _, total, _ := other.Members(ctx, cadre.MemberFilter{}); total != 2 {
			t.Fatalf("members after re-import = %d, want 2", total)
		}
	})
}

func TestMemberStatusIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = func() time.Time { return t0 }
		m := cadre.Member{Name: "Carol", Emails: []string{"Carol@Example.org"}}
		if err := s.CreateMember(ctx, &m, []cadre.Identity{{Platform: "github", Handle: "carol"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMemberStatus(ctx, m.ID, cadre.StatusAmbassador, "admin"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMemberStatus(ctx, m.ID, "boss", "admin"); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Fatalf("unknown status: %v, want EINVALID", err)
		}
		if err := s.SetMemberStatus(ctx, 999, cadre.StatusAlumni, "admin"); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Fatalf("unknown member: %v, want ENOTFOUND", err)
		}
		got, err := s.Member(ctx, m.ID)
		if err != nil || got.Status != cadre.StatusAmbassador || got.Emails[0] != "carol@example.org" {
			t.Fatalf("member = %+v, %v", got, err)
		}
		log, err := s.AuditLog(ctx, "", 10)
		if err != nil || len(log) != 1 {
			t.Fatalf("audit log = %+v, %v; want one entry", log, err)
		}
		if e := log[0]; e.Actor != "admin" || e.Action != "member.status" || e.Detail != "member -> ambassador" || !e.At.Equal(t0) {
			t.Fatalf("audit entry = %+v", e)
		}
		// Another member may not take Carol's handle or email.
		other := cadre.Member{Name: "Mallory", Emails: []string{"carol@example.org"}}
		if err := s.CreateMember(ctx, &other, nil); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Fatalf("duplicate email: %v, want ECONFLICT", err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.SaveCriteria(ctx, "timezone: UTC\n", "admin"); err != nil {
			t.Fatal(err)
		}
		before, err := s.AuditLog(ctx, "", 10)
		if err != nil || len(before) == 0 {
			t.Fatalf("audit log = %+v, %v; want the criteria's entry", before, err)
		}
		// The refusal the triggers of store/migrations raise, on both
		// backends: any other error (a mistyped statement, say) would not show
		// that they work.
		const refusal = "audit_log is append-only"
		for _, edit := range []string{
			`UPDATE audit_log SET actor = 'mallory'`,
			`DELETE FROM audit_log`,
		} {
			if err := s.TamperAuditLog(ctx, edit); err == nil || !strings.Contains(err.Error(), refusal) {
				t.Errorf("%s: %v, want the triggers' %q", edit, err, refusal)
			}
		}
		after, err := s.AuditLog(ctx, "", 10)
		if err != nil || !reflect.DeepEqual(after, before) {
			t.Fatalf("audit log after the refused edits = %+v, %v; want %+v", after, err, before)
		}
	})
}

func TestCriteriaVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.Criteria(ctx, 0); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Fatalf("criteria on empty store: %v, want ENOTFOUND", err)
		}
		if _, err := s.SaveCriteria(ctx, "thresholds: {achieve: 10, maintain: 50}\n", "admin"); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Fatalf("saving invalid criteria: %v, want EINVALID", err)
		}
		for i, doc := range []string{"thresholds: {achieve: 70}\n", "thresholds: {achieve: 80}\n"} {
			v, err := s.SaveCriteria(ctx, doc, "admin")
			if err != nil || v != i+1 {
				t.Fatalf("save %d: version %d, %v", i, v, err)
			}
		}
		latest, err := s.Criteria(ctx, 0)
		if err != nil || latest.Version != 2 || latest.Document != "thresholds: {achieve: 80}\n" || latest.Author != "admin" {
			t.Fatalf("latest = %+v, %v", latest, err)
		}
		first, err := s.Criteria(ctx, 1)
		if err != nil || first.Document != "thresholds: {achieve: 70}\n" {
			t.Fatalf("version 1 = %+v, %v", first, err)
		}
		if _, err := s.Criteria(ctx, 7); cadre.ErrorCode(err) != cadre.ENOTFOUND {
			t.Fatalf("version 7: %v, want ENOTFOUND", err)
		}
		hist, err := s.CriteriaHistory(ctx)
		if err != nil || len(hist) != 2 || hist[0].Version != 2 {
			t.Fatalf("history = %+v, %v", hist, err)
		}
	})
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{rec("x", "1", "forum", t0, "p", "h")}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, path); cadre.ErrorCode(err) != cadre.ECONFLICT {
		t.Fatalf("backup over an existing file: %v, want ECONFLICT", err)
	}
	c, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.CheckSchema(ctx); err != nil {
		t.Fatalf("backup schema: %v", err)
	}
	if _, n, err := c.Activities(ctx, cadre.ActivityFilter{}); err != nil || n != 1 {
		t.Fatalf("backup has %d activities, %v; want 1", n, err)
	}
}

func TestImportNamesMembersFirstSeenWithoutName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mentoring := rec("report", "m1", "mentoring", t0, "github", "ann")
		mentoring.Mentee = cadre.MemberRef{Platform: "github", Handle: "bob"}
		mentoring2 := rec("report", "m2", "mentoring", t0, "github", "ann")
		mentoring2.Mentee = cadre.MemberRef{Platform: "github", Handle: "cy"}
		named := func(id, handle, name string) cadre.ActivityRecord {
			r := rec("github", id, "forum", t0, "github", handle)
			r.Member.Name = name
			return r
		}
		// bob is named later in the same batch, cy by a later importer.
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{mentoring, mentoring2, named("c1", "bob", "Bob Builder")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{named("c2", "cy", "Cy Twombly"), named("c3", "ann", "")}); err != nil {
			t.Fatal(err)
		}
		ms, _, err := s.Members(ctx, cadre.MemberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, m := range ms {
			names[m.Name] = true
		}
		for _, want := range []string{"ann", "Bob Builder", "Cy Twombly"} {
			if !names[want] {
				t.Errorf("no member named %q among %v", want, names)
			}
		}
	})
}

func TestFindMember(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ann := cadre.Member{Name: "Ann", Emails: []string{"ann@example.org"}}
		if err := s.CreateMember(ctx, &ann, []cadre.Identity{{Platform: "github", Handle: "Ann-Gh"}, {Platform: "forum", Handle: "sam"}}); err != nil {
			t.Fatal(err)
		}
		sam := cadre.Member{Name: "Sam"}
		if err := s.CreateMember(ctx, &sam, []cadre.Identity{{Platform: "github", Handle: "sam"}, {Platform: "discourse", Handle: "sam@work"}}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			ref  string
			id   int64
			code string
		}{
			{strconv.FormatInt(ann.ID, 10), ann.ID, ""},
			{"ANN@example.org", ann.ID, ""},
			{"github:ann-gh", ann.ID, ""},
			{"ann-gh", ann.ID, ""},
			{"github:sam", sam.ID, ""},
			{"sam", 0, cadre.ECONFLICT},
			{"nobody", 0, cadre.ENOTFOUND},
			{"999", 0, cadre.ENOTFOUND},
			// As cadre.ParseMemberRef reads it: a handle with an "@" on a
			// platform, not an email address.
			{"discourse:sam@work", sam.ID, ""},
			{"github:", 0, cadre.EINVALID},
		}
		for _, tt := range tests {
			id, err := s.FindMember(ctx, tt.ref)
			if id != tt.id || cadre.ErrorCode(err) != tt.code {
				t.Errorf("FindMember(%q) = %d, %v; want %d, %q", tt.ref, id, err, tt.id, tt.code)
			}
		}
	})
}
