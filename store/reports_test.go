package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
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
