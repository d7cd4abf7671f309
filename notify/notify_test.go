package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/notify"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/store/storetest"
	"github.com/cadrehq/cadre/survey"
)

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		w   notify.Webhook
		err string
	}{
		{notify.Webhook{URL: "https://hooks.example.org/cadre", Kind: "json", Secret: "a long enough secret"}, ""},
		{notify.Webhook{URL: "https://hooks.slack.com/services/T/B/X", Kind: "slack", Events: []string{notify.RenewalApplied}}, ""},
		{notify.Webhook{URL: "ftp://x", Kind: "json", Secret: "a long enough secret"}, "http(s) address"},
		{notify.Webhook{URL: "https://x.example", Kind: "xml"}, "kind must be"},
		{notify.Webhook{URL: "https://x.example", Kind: "json", Secret: "short"}, "at least 16"},
		{notify.Webhook{URL: "https://x.example", Kind: "slack", Events: []string{"member.born"}}, "unknown event"},
	} {
		err := tt.w.Check()
		if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("Check(%+v) = %v, want %q", tt.w, err, tt.err)
		}
	}
}

// received is what a receiver saw of one delivery.
type received struct {
	event, delivery, signature string
	body                       []byte
}

// TestDeliver: an application submitted and a review applied reach a
// signed JSON webhook and a Slack one; a receiver down is tried again
// after the backoff, one that refuses (410) is not; on both stores.
func TestDeliver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		st.Now = clock
		var mu sync.Mutex
		var got []received
		status := http.StatusOK
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			got = append(got, received{r.Header.Get("X-Cadre-Event"), r.Header.Get("X-Cadre-Delivery"), r.Header.Get("X-Cadre-Signature-256"), body})
			w.WriteHeader(status)
		}))
		defer srv.Close()
		const secret = "a secret of the receiver's"
		signed := &notify.Webhook{URL: srv.URL + "/json", Kind: notify.KindJSON, Secret: secret, Actor: "pm"}
		slack := &notify.Webhook{URL: srv.URL + "/slack", Kind: notify.KindSlack, Events: []string{notify.RenewalApplied}, Actor: "pm"}
		for _, w := range []*notify.Webhook{signed, slack} {
			if err := st.CreateWebhook(ctx, w); err != nil {
				t.Fatal(err)
			}
		}
		a, err := program.ParseApplication("Zoë", "zoe@example.org", "", "I write tutorials.", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitApplication(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
		q := program.Quarter{Year: 2026, Q: 1}
		if _, err := st.ApplyReview(ctx, q, 0, "pm", func([]program.Term, map[int64]bool, *program.Quarter) (*program.Review, error) {
			return &program.Review{Quarter: q}, nil
		}, nil); err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		status = http.StatusBadGateway
		if sent, failed, err := notify.Deliver(ctx, st, srv.Client(), clock, log); sent != 0 || failed != 3 || err != nil {
			t.Fatalf("receiver failing: sent %d, failed %d, %v", sent, failed, err)
		}
		status = http.StatusOK
		if sent, failed, _ := notify.Deliver(ctx, st, srv.Client(), clock, log); sent+failed != 0 {
			t.Fatalf("before the backoff: sent %d, failed %d", sent, failed)
		}
		now = now.Add(cadre.Backoff(1))
		mu.Lock()
		got = nil
		mu.Unlock()
		if sent, failed, err := notify.Deliver(ctx, st, srv.Client(), clock, log); sent != 3 || failed != 0 || err != nil {
			t.Fatalf("after the backoff: sent %d, failed %d, %v", sent, failed, err)
		}
		events := map[string]received{}
		for _, g := range got {
			events[g.event+" "+map[bool]string{true: "slack", false: "json"}[g.signature == ""]] = g
		}
		app, ok := events[notify.ApplicationSubmitted+" json"]
		if !ok || len(events) != 3 {
			t.Fatalf("received %v", events)
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(app.body)
		if app.signature != "sha256="+hex.EncodeToString(m.Sum(nil)) || app.delivery == "" {
			t.Errorf("signature %q of %s", app.signature, app.body)
		}
		var payload struct {
			Event string `json:"event"`
			Data  struct {
				Name     string  `json:"name"`
				MemberID *string `json:"member_id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(app.body, &payload); err != nil || payload.Event != notify.ApplicationSubmitted || payload.Data.Name != "Zoë" || payload.Data.MemberID != nil {
			t.Errorf("payload %s: %v", app.body, err)
		}
		var text struct{ Text string }
		if err := json.Unmarshal(events[notify.RenewalApplied+" slack"].body, &text); err != nil || !strings.HasPrefix(text.Text, "The 2026Q1 review is applied") {
			t.Errorf("slack message %q: %v", text.Text, err)
		}
		// A receiver that refuses for good is not asked again.
		mem := cadre.Member{Name: "Ada"}
		if err := st.CreateMember(ctx, &mem, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Report(ctx, cadre.SelfReport{MemberID: mem.ID, Type: "speaking", Date: now.AddDate(0, 0, -1), Title: "A talk"}, "ada"); err != nil {
			t.Fatal(err)
		}
		status = http.StatusGone
		if sent, failed, _ := notify.Deliver(ctx, st, srv.Client(), clock, log); sent != 0 || failed != 1 {
			t.Fatalf("a refusal: sent %d, failed %d", sent, failed)
		}
		now = now.Add(24 * time.Hour)
		if sent, failed, _ := notify.Deliver(ctx, st, srv.Client(), clock, log); sent+failed != 0 {
			t.Errorf("a delivery refused for good was tried again: %d, %d", sent, failed)
		}
		ds, err := st.Deliveries(ctx, signed.ID, 10)
		if err != nil || len(ds) != 3 || ds[0].Event != notify.ReportWaiting || ds[0].State() != cadre.MailFailed || ds[0].Status != http.StatusGone ||
			ds[1].State() != cadre.MailSent || ds[2].State() != cadre.MailSent {
			t.Errorf("the signed webhook's deliveries: %d, %v", len(ds), err)
			for _, d := range ds {
				t.Logf("%d %s %s %d %s", d.ID, d.Event, d.State(), d.Status, d.Error)
			}
		}
	})
}

// TestSurveyClosed: a survey is told closed once, when it has closed,
// with its results.
func TestSurveyClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
		st.Now = func() time.Time { return now }
		if err := st.CreateWebhook(ctx, &notify.Webhook{URL: "https://hooks.example.org/x", Kind: notify.KindSlack, Events: []string{notify.SurveyClosed}, Actor: "pm"}); err != nil {
			t.Fatal(err)
		}
		ada := cadre.Member{Name: "Ada"}
		if err := st.CreateMember(ctx, &ada, nil); err != nil {
			t.Fatal(err)
		}
		sv := &survey.Survey{Quarter: program.Quarter{Year: 2026, Q: 2}, OpenedAt: now, ClosesAt: now.Add(48 * time.Hour), Actor: "pm"}
		links, err := st.OpenSurvey(ctx, sv, []int64{ada.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AnswerSurvey(ctx, links[0].Secret, 10, ""); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			at   time.Time
			told int
		}{{now.Add(time.Hour), 0}, {sv.ClosesAt, 1}, {sv.ClosesAt.Add(time.Hour), 0}} {
			if n, err := st.TellClosedSurveys(ctx, tt.at); n != tt.told || err != nil {
				t.Errorf("at %v: told %d, %v; want %d", tt.at, n, err, tt.told)
			}
		}
		ds, err := st.Deliveries(ctx, 0, 10)
		if err != nil || len(ds) != 1 || ds[0].Event != notify.SurveyClosed || !strings.Contains(string(ds[0].Body), "The 2026Q2 survey closed: 1 of 1 answered, NPS 100") {
			t.Errorf("deliveries %v %v", ds, err)
		}
	})
}
