package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"time"

	"github.com/cadrehq/cadre"
)

// Outbox is what delivery needs of the store.
type Outbox interface {
	DueMail(ctx context.Context, now time.Time, limit int) ([]cadre.Mail, error)
	ClaimMail(ctx context.Context, m *cadre.Mail, retry time.Time) (bool, error)
	MailSent(ctx context.Context, id int64, at time.Time) error
	MailFailed(ctx context.Context, id int64, reason string, final bool) error
}

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m *cadre.Mail) error
}

// batch is how many due messages one read of the outbox takes.
const batch = 50

// Deliver sends every message due at now, each claimed first so that
// instances sharing the outbox never send one twice at once, and returns
// how many it sent and how many attempts failed. A failed attempt is tried
// again after Backoff; one the server refuses for good (a 5xx reply, or an
// address that cannot be written to) is not.
func Deliver(ctx context.Context, box Outbox, s Sender, now func() time.Time, log *slog.Logger) (sent, failed int, err error) {
	seen := map[int64]bool{}
	for {
		due, err := box.DueMail(ctx, now(), batch)
		if err != nil {
			return sent, failed, err
		}
		fresh := 0
		for i := range due {
			m := &due[i]
			if seen[m.ID] {
				continue // failed this round and due again already: next round
			}
			seen[m.ID], fresh = true, fresh+1
			ok, err := box.ClaimMail(ctx, m, now().Add(cadre.Backoff(m.Attempts+1)))
			if err != nil {
				return sent, failed, err
			}
			if !ok {
				continue
			}
			if err := s.Send(ctx, m); err != nil {
				if ctx.Err() != nil {
					return sent, failed, ctx.Err()
				}
				failed++
				final := permanent(err)
				log.Warn("mail not delivered", "id", m.ID, "to", m.To, "attempt", m.Attempts+1, "final", final, "err", err)
				if err := box.MailFailed(ctx, m.ID, err.Error(), final); err != nil {
					return sent, failed, err
				}
				continue
			}
			if err := box.MailSent(ctx, m.ID, now()); err != nil {
				return sent, failed, fmt.Errorf("mail %d was delivered: %w", m.ID, err)
			}
			sent++
		}
		if fresh == 0 {
			return sent, failed, nil
		}
	}
}

// permanent says whether a failure will not mend by trying again.
func permanent(err error) bool {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply.Code >= 500
	}
	return cadre.ErrorCode(err) == cadre.EINVALID
}
