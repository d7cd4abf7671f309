package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
)

// Outbox is what delivery needs of the store.
type Outbox interface {
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]Due, error)
	ClaimDelivery(ctx context.Context, d *Delivery, retry time.Time) (bool, error)
	DeliveryDone(ctx context.Context, id int64, at time.Time, status int, reason string, final bool) error
}

// batch is how many due deliveries one read takes.
const batch = 50

// timeout bounds one delivery.
const timeout = 15 * time.Second

// Deliver posts every delivery due at now, each claimed first so that
// instances never post one twice at once, and returns how many went and
// how many attempts failed. A 2xx answer delivers; a 4xx other than 408
// and 429 fails for good (the receiver refuses it); anything else is
// tried again after Backoff.
func Deliver(ctx context.Context, box Outbox, client *http.Client, now func() time.Time, log *slog.Logger) (sent, failed int, err error) {
	seen := map[int64]bool{}
	for {
		due, err := box.DueDeliveries(ctx, now(), batch)
		if err != nil {
			return sent, failed, err
		}
		fresh := 0
		for i := range due {
			d := &due[i]
			if seen[d.ID] {
				continue
			}
			seen[d.ID], fresh = true, fresh+1
			ok, err := box.ClaimDelivery(ctx, &d.Delivery, now().Add(cadre.Backoff(d.Attempts+1)))
			if err != nil {
				return sent, failed, err
			}
			if !ok {
				continue
			}
			status, err := post(ctx, client, d)
			if ctx.Err() != nil {
				return sent, failed, ctx.Err()
			}
			if err != nil {
				failed++
				final := status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
				log.Warn("webhook not delivered", "delivery", d.ID, "webhook", d.WebhookID, "event", d.Event, "status", status, "final", final, "err", err)
				if err := box.DeliveryDone(ctx, d.ID, now(), status, err.Error(), final); err != nil {
					return sent, failed, err
				}
				continue
			}
			if err := box.DeliveryDone(ctx, d.ID, now(), status, "", false); err != nil {
				return sent, failed, err
			}
			sent++
		}
		if fresh == 0 {
			return sent, failed, nil
		}
	}
}

// post sends one delivery and returns the answer's status.
func post(ctx context.Context, client *http.Client, d *Due) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Webhook.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Cadre-Webhooks/1")
	req.Header.Set("X-Cadre-Event", d.Event)
	req.Header.Set("X-Cadre-Delivery", strconv.FormatInt(d.ID, 10))
	if d.Webhook.Kind == KindJSON {
		req.Header.Set("X-Cadre-Signature-256", Sign(d.Webhook.Secret, d.Body))
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) // so the connection is reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("%s answered %s", d.Webhook.URL, resp.Status)
	}
	return resp.StatusCode, nil
}
