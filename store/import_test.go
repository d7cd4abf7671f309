package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
)

// TestImportRefusesWhatNoWayInMayBring feeds the importer, as files and
// syncs do, and a webhook delivery records that break the rules every way in
// shares: a record posing as a self-report, a url that is no web address, a
// time out of range. Each is refused with its field named, and nothing of
// the batch is stored.
func TestImportRefusesWhatNoWayInMayBring(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tests := []struct {
			name string
			edit func(*cadre.ActivityRecord)
			want string
		}{
			{"posing as a self-report", func(r *cadre.ActivityRecord) { r.Source, r.Status = cadre.SelfReportSource, cadre.ActivityPending }, `source: "self-report" is reserved`},
			{"script for a url", func(r *cadre.ActivityRecord) { r.URL = "javascript:alert(document.cookie)" }, `url: "javascript:alert(document.cookie)" is not an http(s) address`},
			{"a time in 2100", func(r *cadre.ActivityRecord) { r.OccurredAt = cadre.LatestActivity }, "occurred_at: 2100-01-01T00:00:00Z is out of range"},
		}
		for _, tt := range tests {
			good := rec("github", "1", "forum", t0, "github", "ann")
			good.URL = "https://github.com/example/product/issues/1"
			bad := rec("github", "2", "forum", t0.Add(time.Hour), "github", "ann")
			tt.edit(&bad)
			_, err := s.NewImporter().Import(ctx, []cadre.ActivityRecord{good, bad})
			if cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), "record 2: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: import: %v, want an invalid error with %q", tt.name, err, tt.want)
			}
			_, _, err = s.ImportDeliveries(ctx, []cadre.Delivery{{Platform: "github", ID: "d-" + tt.name, Records: []cadre.ActivityRecord{good, bad}}})
			if cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: delivery: %v, want an invalid error with %q", tt.name, err, tt.want)
			}
		}
		if _, n, _ := s.Activities(ctx, cadre.ActivityFilter{}); n != 0 {
			t.Fatalf("%d activities stored from refused batches, want 0", n)
		}
	})
}
