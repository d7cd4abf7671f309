package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/notify"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

func TestSelfReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		talk := rec("events", "conf:s1:ada", "speaking", t0, "events", "ada")
		talk.URL = "https://conf.example/talks/scaling-cadre"
		talk.Title = "Scaling Cadre to a million members"
		blog := rec("rss", "post-1", "content", t0.AddDate(0, 0, 3), "events", "ada")
		blog.Title = "Why decay matters"
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{talk, blog}); err != nil {
			t.Fatal(err)
		}
		ada, err := s.FindMember(ctx, "events:ada")
		if err != nil {
			t.Fatal(err)
		}
		ingested, _, err := s.Activities(ctx, cadre.ActivityFilter{MemberID: ada})
		if err != nil {
			t.Fatal(err)
		}
		idOf := map[string]int64{}
		for _, a := range ingested {
			idOf[a.Type] = a.ID
		}

		tests := []struct {
			name    string
			report  cadre.SelfReport
			dupOf   int64
			errCode string
		}{
			{"same URL, other words", cadre.SelfReport{Type: "speaking", Date: t0.AddDate(0, 0, 1), Title: "My talk", URL: "http://CONF.example/talks/scaling-cadre/#video"}, idOf["speaking"], ""},
			{"same day and type, similar title", cadre.SelfReport{Type: "content", Date: t0.AddDate(0, 0, 3).Add(5 * time.Hour), Title: "Why decay matters (blog)"}, idOf["content"], ""},
			{"new mentoring", cadre.SelfReport{Type: "mentoring", Date: t0, Title: "Paired with a newcomer on their first PR", EffortMinutes: 90}, 0, ""},
			{"same again", cadre.SelfReport{Type: "mentoring", Date: t0, Title: "Paired with a newcomer on their first PR", EffortMinutes: 90}, 0, cadre.ECONFLICT},
			{"no title", cadre.SelfReport{Type: "beta", Date: t0}, 0, cadre.EINVALID},
			{"future", cadre.SelfReport{Type: "beta", Date: time.Now().AddDate(0, 1, 0), Title: "x"}, 0, cadre.EINVALID},
			{"bad evidence", cadre.SelfReport{Type: "beta", Date: t0, Title: "x", URL: "ftp://x"}, 0, cadre.EINVALID},
			{"unknown member", cadre.SelfReport{MemberID: 999, Type: "beta", Date: t0, Title: "x"}, 0, cadre.ENOTFOUND},
		}
		var reported []*cadre.Activity
		for _, tt := range tests {
			if tt.report.MemberID == 0 {
				tt.report.MemberID = ada
			}
			a, err := s.Report(ctx, tt.report, "ada")
			if cadre.ErrorCode(err) != tt.errCode || (tt.errCode == "" && err != nil) {
				t.Errorf("%s: err %v, want code %q", tt.name, err, tt.errCode)
				continue
			}
			if err != nil {
				continue
			}
			if a.Status != cadre.ActivityPending || a.DuplicateOf != tt.dupOf || a.Source != cadre.SelfReportSource {
				t.Errorf("%s: %+v, want pending, duplicate of %d", tt.name, a, tt.dupOf)
			}
			reported = append(reported, a)
		}
		pending, n, err := s.Activities(ctx, cadre.ActivityFilter{Status: cadre.ActivityPending, Limit: 10})
		if err != nil || n != 3 || len(pending) != 3 {
			t.Fatalf("pending reports: %d, %v", n, err)
		}

		mentoring := reported[2]
		if err := s.ReviewReport(ctx, mentoring.ID, false, "reviewer", ""); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("rejection without a reason: %v", err)
		}
		if err := s.ReviewReport(ctx, mentoring.ID, true, "reviewer", "thanks"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReviewReport(ctx, mentoring.ID, false, "reviewer", "changed my mind"); cadre.ErrorCode(err) != cadre.ECONFLICT {
			t.Errorf("second review: %v, want a conflict", err)
		}
		if err := s.ReviewReport(ctx, reported[0].ID, false, "reviewer", "the talk came in from the events feed"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReviewReport(ctx, idOf["speaking"], true, "reviewer", ""); cadre.ErrorCode(err) != cadre.EINVALID {
			t.Errorf("reviewing an ingested activity: %v", err)
		}
		got, err := s.Activity(ctx, mentoring.ID)
		if err != nil || got.Status != cadre.ActivityApproved || got.EffortMinutes != 90 {
			t.Errorf("approved report = %+v, %v", got, err)
		}
		log, err := s.AuditLog(ctx, fmt.Sprintf("activity:%d", reported[0].ID), 10)
		if err != nil || len(log) != 2 || log[0].Detail != "pending -> rejected: the talk came in from the events feed" {
			t.Errorf("audit of the rejected report: %+v, %v", log, err)
		}
	})
}

// TestSelfReportBatch: a batch of reports is stored whole, each pending with
// its audit entry and its report.waiting delivery, or not at all: a record
// refused before the batch is written, one refused by what the store holds
// after others were written, and a report sent twice in the batch each leave
// the store as it was, and the error names every failing record.
func TestSelfReportBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{rec("events", "conf:s1:ada", "speaking", t0, "events", "ada")}); err != nil {
			t.Fatal(err)
		}
		ada, err := s.FindMember(ctx, "events:ada")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateWebhook(ctx, &notify.Webhook{URL: "https://hooks.example.org/x", Kind: notify.KindSlack, Events: []string{notify.ReportWaiting}, Actor: "pm"}); err != nil {
			t.Fatal(err)
		}
		report := func(day int, title string) cadre.SelfReport {
			return cadre.SelfReport{MemberID: ada, Type: "mentoring", Date: t0.AddDate(0, 0, day), Title: title}
		}
		// stored says what the store holds that a batch may change: the
		// member's activities, the deliveries and the change sequence.
		stored := func() string {
			t.Helper()
			acts, _, err := s.Activities(ctx, cadre.ActivityFilter{MemberID: ada})
			if err != nil {
				t.Fatal(err)
			}
			ds, err := s.Deliveries(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			seq, err := s.ChangeSeq(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%d activities, %d deliveries, change %d", len(acts), len(ds), seq)
		}

		batch := []cadre.SelfReport{report(1, " First pairing "), report(2, "Second pairing"), report(3, "Third pairing")}
		acts, err := s.Reports(ctx, batch, "ada")
		if err != nil || len(acts) != 3 {
			t.Fatalf("a good batch: %+v, %v", acts, err)
		}
		if batch[0].Title != " First pairing " {
			t.Errorf("the caller's report was changed: %q", batch[0].Title)
		}
		for i, a := range acts {
			if a.ID == 0 || a.Status != cadre.ActivityPending || a.Title != strings.TrimSpace(batch[i].Title) {
				t.Errorf("activity %d: %+v", i, a)
			}
			if log, err := s.AuditLog(ctx, fmt.Sprintf("activity:%d", a.ID), 10); err != nil || len(log) != 1 || log[0].Action != "activity.report" {
				t.Errorf("audit of activity %d: %+v, %v", a.ID, log, err)
			}
		}
		if ds, err := s.Deliveries(ctx, 0, 10); err != nil || len(ds) != 3 || ds[0].Event != notify.ReportWaiting {
			t.Errorf("deliveries: one per report, got %d, %v", len(ds), err)
		}
		before := stored()

		tests := []struct {
			name  string
			batch []cadre.SelfReport
			code  string
			want  []string
		}{
			{"an invalid record", []cadre.SelfReport{report(4, "Fourth"), {MemberID: ada, Type: "mentoring", Date: t0}, report(5, "Fifth")},
				cadre.EINVALID, []string{"1 of 3 reports failed, so none was stored: record 1: report: title is required"}},
			{"a report stored before, after others were written", []cadre.SelfReport{report(4, "Fourth"), report(5, "Fifth"), report(2, "Second pairing")},
				cadre.ECONFLICT, []string{"record 2: already reported, as activity " + strconv.FormatInt(acts[1].ID, 10)}},
			{"an unknown member and a report stored before", []cadre.SelfReport{report(4, "Fourth"), {MemberID: 99999, Type: "mentoring", Date: t0, Title: "x"}, report(1, "First pairing")},
				cadre.EINVALID, []string{"2 of 3 reports failed", "record 1: member 99999 not found", "record 2: already reported"}},
			{"one report twice", []cadre.SelfReport{report(4, "Fourth"), report(5, "Fifth"), report(4, "fourth")},
				cadre.ECONFLICT, []string{"record 2: the same report as record 0"}},
			{"nothing", nil, cadre.EINVALID, []string{"no report"}},
			{"over the limit", slices.Repeat([]cadre.SelfReport{report(4, "Fourth")}, 501), cadre.EINVALID, []string{"501 reports, over the limit of 500"}},
		}
		for _, tt := range tests {
			acts, err := s.Reports(ctx, tt.batch, "ada")
			if cadre.ErrorCode(err) != tt.code || acts != nil {
				t.Errorf("%s: %v, %v; want code %q", tt.name, acts, err, tt.code)
				continue
			}
			for _, w := range tt.want {
				if !strings.Contains(cadre.ErrorMessage(err), w) {
					t.Errorf("%s: %q lacks %q", tt.name, cadre.ErrorMessage(err), w)
				}
			}
			if after := stored(); after != before {
				t.Errorf("%s: the store holds %s, want %s as before", tt.name, after, before)
			}
		}
	})
}
