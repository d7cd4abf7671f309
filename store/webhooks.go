package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/notify"
)

const webhookColumns = `id, url, kind, secret, events, created_at, actor`

func scanWebhook(row interface{ Scan(...any) error }, w *notify.Webhook) error {
	var events string
	var created int64
	if err := row.Scan(&w.ID, &w.URL, &w.Kind, &w.Secret, &events, &created, &w.Actor); err != nil {
		return err
	}
	w.Events, w.CreatedAt = strings.Fields(events), time.UnixMicro(created).UTC()
	return nil
}

// CreateWebhook stores an outgoing webhook, audited.
func (s *Store) CreateWebhook(ctx context.Context, w *notify.Webhook) error {
	if err := w.Check(); err != nil {
		return err
	}
	w.CreatedAt = s.Now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO outgoing_webhooks (url, kind, secret, events, created_at, actor) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
			w.URL, w.Kind, w.Secret, strings.Join(w.Events, " "), w.CreatedAt.UnixMicro(), w.Actor).Scan(&w.ID); err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: w.Actor, Action: "webhook.create", Target: fmt.Sprintf("webhook:%d", w.ID),
			Detail: fmt.Sprintf("%s %s for %s", w.Kind, w.URL, strings.Join(append([]string(nil), w.Events...), ", "))})
	})
}

// Webhooks lists the outgoing webhooks.
func (s *Store) Webhooks(ctx context.Context) ([]notify.Webhook, error) {
	return s.webhooks(ctx, s.read)
}

func (s *Store) webhooks(ctx context.Context, db dbtx) ([]notify.Webhook, error) {
	var out []notify.Webhook
	err := eachRow(ctx, db, s.q(`SELECT `+webhookColumns+` FROM outgoing_webhooks ORDER BY id`), nil, func(rows *sql.Rows) error {
		var w notify.Webhook
		err := scanWebhook(rows, &w)
		out = append(out, w)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// DeleteWebhook removes a webhook and its deliveries, audited.
func (s *Store) DeleteWebhook(ctx context.Context, id int64, actor string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM outgoing_deliveries WHERE webhook_id = ?`), id); err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM outgoing_webhooks WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cadre.Errorf(cadre.ENOTFOUND, "no webhook %d", id)
		}
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "webhook.delete", Target: fmt.Sprintf("webhook:%d", id)})
	})
}

// notify writes event e as a delivery to every webhook that asks for it,
// in tx, the transaction of the change that causes it.
func (s *Store) notify(ctx context.Context, tx *sql.Tx, e notify.Event) error {
	hooks, err := s.webhooks(ctx, tx)
	if err != nil {
		return err
	}
	now := s.Now().UnixMicro()
	for i := range hooks {
		w := &hooks[i]
		if !w.Wants(e.Name) {
			continue
		}
		body, err := notify.Body(w.Kind, e)
		if err != nil {
			return fmt.Errorf("write %s for webhook %d: %w", e.Name, w.ID, err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outgoing_deliveries (webhook_id, event, body, created_at, next_at) VALUES (?, ?, ?, ?, ?)`),
			w.ID, e.Name, string(body), now, now); err != nil {
			return fmt.Errorf("queue %s for webhook %d: %w", e.Name, w.ID, err)
		}
	}
	return nil
}

const deliveryColumns = `d.id, d.webhook_id, d.event, d.body, d.created_at, d.attempts, d.next_at, d.sent_at, d.status, d.error`

func scanDelivery(rows *sql.Rows, d *notify.Delivery, extra ...any) error {
	var body string
	var created, next, sent int64
	if err := rows.Scan(append([]any{&d.ID, &d.WebhookID, &d.Event, &body, &created, &d.Attempts, &next, &sent, &d.Status, &d.Error}, extra...)...); err != nil {
		return err
	}
	d.Body, d.CreatedAt, d.NextAt = []byte(body), time.UnixMicro(created).UTC(), time.UnixMicro(next).UTC()
	if sent != 0 {
		d.SentAt = time.UnixMicro(sent).UTC()
	}
	return nil
}

// Deliveries lists the latest deliveries of webhook id (0: of every
// webhook), newest first.
func (s *Store) Deliveries(ctx context.Context, id int64, limit int) ([]notify.Delivery, error) {
	query, args := `SELECT `+deliveryColumns+` FROM outgoing_deliveries d ORDER BY d.id DESC LIMIT ?`, []any{limit}
	if id != 0 {
		query, args = `SELECT `+deliveryColumns+` FROM outgoing_deliveries d WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ?`, []any{id, limit}
	}
	var out []notify.Delivery
	err := eachRow(ctx, s.read, s.q(query), args, func(rows *sql.Rows) error {
		var d notify.Delivery
		err := scanDelivery(rows, &d)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return out, nil
}

// DueDeliveries returns up to limit deliveries due at now, oldest first,
// each with its webhook.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]notify.Due, error) {
	var out []notify.Due
	err := eachRow(ctx, s.read, s.q(`SELECT `+deliveryColumns+`, w.url, w.kind, w.secret FROM outgoing_deliveries d JOIN outgoing_webhooks w ON w.id = d.webhook_id
		WHERE d.sent_at = 0 AND d.next_at <= ? AND d.attempts < ? ORDER BY d.next_at, d.id LIMIT ?`),
		[]any{now.UnixMicro(), cadre.MaxAttempts, limit}, func(rows *sql.Rows) error {
			var d notify.Due
			err := scanDelivery(rows, &d.Delivery, &d.Webhook.URL, &d.Webhook.Kind, &d.Webhook.Secret)
			d.Webhook.ID = d.WebhookID
			out = append(out, d)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read due deliveries: %w", err)
	}
	return out, nil
}

// ClaimDelivery takes d, as DueDeliveries returned it, for one attempt,
// moving its next attempt to retry; false when another instance took it.
func (s *Store) ClaimDelivery(ctx context.Context, d *notify.Delivery, retry time.Time) (bool, error) {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE outgoing_deliveries SET attempts = attempts + 1, next_at = ? WHERE id = ? AND sent_at = 0 AND next_at = ? AND attempts = ?`),
		retry.UnixMicro(), d.ID, d.NextAt.UnixMicro(), d.Attempts)
	if err != nil {
		return false, fmt.Errorf("claim delivery %d: %w", d.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim delivery %d: %w", d.ID, err)
	}
	return n == 1, nil
}

// DeliveryDone records the answer to an attempt at delivery id: sent
// (a 2xx status), or failed with reason, for good when final.
func (s *Store) DeliveryDone(ctx context.Context, id int64, at time.Time, status int, reason string, final bool) error {
	query, args := `UPDATE outgoing_deliveries SET sent_at = ?, status = ?, error = '' WHERE id = ?`, []any{at.UnixMicro(), status, id}
	if reason != "" {
		query, args = `UPDATE outgoing_deliveries SET status = ?, error = ? WHERE id = ?`, []any{status, reason, id}
		if final {
			query = fmt.Sprintf(`UPDATE outgoing_deliveries SET status = ?, error = ?, attempts = %d WHERE id = ?`, cadre.MaxAttempts)
		}
	}
	if _, err := s.write.ExecContext(ctx, s.q(query), args...); err != nil {
		return fmt.Errorf("record delivery %d: %w", id, err)
	}
	return nil
}
