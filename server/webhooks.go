package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/platform/discourse"
	"github.com/cadrehq/cadre/platform/github"
)

// Webhooks configures the webhook receivers; a platform without a secret
// has its receiver switched off.
type Webhooks struct {
	GitHubSecret    []byte
	DiscourseSecret []byte
	// DiscourseURL is the forum's address, for the links of posts that
	// arrive by webhook; the delivery's X-Discourse-Instance header otherwise.
	DiscourseURL string
}

// WithWebhooks switches on the webhook receivers that have a secret.
func WithWebhooks(w Webhooks) Option { return func(s *Server) { s.webhooks = w } }

// maxDelivery bounds a webhook body: GitHub caps its payloads at 25 MB.
const maxDelivery = 25 << 20

// maxUnsigned bounds the webhook bodies read at once before their signature
// is checked: at most this many times maxDelivery in memory.
const maxUnsigned = 8

// delivery is one webhook delivery as the receivers handle it.
type delivery struct {
	platform string
	id       string // the platform's delivery ID, for spotting redeliveries
	secret   []byte
	verify   func(secret, body []byte, header string) error
	sigName  string
	records  func(body []byte) ([]cadre.ActivityRecord, error)
}

func (s *Server) handleGitHubWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.receive(w, r, delivery{
			platform: "github", id: r.Header.Get("X-GitHub-Delivery"), secret: s.webhooks.GitHubSecret,
			verify: github.VerifySignature, sigName: "X-Hub-Signature-256",
			records: func(body []byte) ([]cadre.ActivityRecord, error) {
				return github.WebhookRecords(r.Header.Get("X-GitHub-Event"), body)
			},
		})
	})
}

func (s *Server) handleDiscourseWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := s.webhooks.DiscourseURL
		if base == "" {
			base = r.Header.Get(discourse.InstanceHeader)
		}
		s.receive(w, r, delivery{
			platform: "discourse", id: r.Header.Get("X-Discourse-Event-Id"), secret: s.webhooks.DiscourseSecret,
			verify: discourse.VerifySignature, sigName: discourse.SignatureHeader,
			records: func(body []byte) ([]cadre.ActivityRecord, error) {
				return discourse.WebhookRecords(r.Header.Get(discourse.EventHeader), body, base)
			},
		})
	})
}

// receive verifies a delivery against its signature, maps it to activities
// and imports them with the delivery's ID in one transaction, so that a
// redelivery changes nothing. A bad or missing signature is refused with 401
// before anything is read into the store.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, d delivery) {
	if len(d.secret) == 0 {
		s.fail(w, r, cadre.Errorf(cadre.ENOTFOUND, "%s webhooks are not switched on: give the server a secret (cadre serve --help)", d.platform))
		return
	}
	if r.ContentLength > maxDelivery {
		s.fail(w, r, cadre.Errorf(cadre.ETOOLARGE, "a delivery has at most %d bytes", maxDelivery))
		return
	}
	// Bodies are read before their signature can be checked, by anyone who
	// can reach the server: a bounded number at once, so that many slow or
	// large unsigned bodies cannot hold the memory.
	select {
	case s.unsigned <- struct{}{}:
		defer func() { <-s.unsigned }()
	case <-r.Context().Done():
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDelivery))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.fail(w, r, cadre.Errorf(cadre.ETOOLARGE, "a delivery has at most %d bytes", maxDelivery))
		return
	}
	if err != nil {
		s.fail(w, r, cadre.Errorf(cadre.EINVALID, "read delivery: %w", err))
		return
	}
	if err := d.verify(d.secret, body, r.Header.Get(d.sigName)); err != nil {
		s.log.Warn("webhook refused", "platform", d.platform, "delivery", d.id, "remote", r.RemoteAddr, "err", err)
		s.fail(w, r, cadre.Errorf(cadre.EUNAUTHORIZED, "%w", err))
		return
	}
	if d.id == "" {
		s.fail(w, r, cadre.Errorf(cadre.EINVALID, "%s delivery without a delivery ID header", d.platform))
		return
	}
	recs, err := d.records(body)
	if err == nil {
		// Checked one by one before joining a group: a bad delivery fails
		// alone, never the deliveries written beside it.
		for i := range recs {
			if err = recs[i].Validate(); err != nil {
				err = fmt.Errorf("record %d (%s): %w", i+1, recs[i].ExternalID, err)
				break
			}
		}
	}
	if err != nil {
		s.log.Warn("webhook delivery refused", "platform", d.platform, "delivery", d.id, "err", err)
		s.fail(w, r, cadre.Errorf(cadre.EINVALID, "%s delivery %s: %w", d.platform, d.id, err))
		return
	}
	if len(recs) == 0 {
		// Events that are no activity (pushes, stars, …) are acknowledged
		// and not stored, redelivered or not.
		s.writeJSON(w, http.StatusAccepted, map[string]int{"inserted": 0, "duplicates": 0})
		return
	}
	fresh, err := s.deliveries.submit(r.Context(), s.store, cadre.Delivery{Platform: d.platform, ID: d.id, Records: recs})
	if err != nil {
		s.fail(w, r, fmt.Errorf("%s delivery %s: %w", d.platform, d.id, err))
		return
	}
	if !fresh {
		s.writeJSON(w, http.StatusOK, map[string]any{"redelivery": true})
		return
	}
	s.writeJSON(w, http.StatusAccepted, map[string]int{"records": len(recs)})
}

// groupCommit writes the webhook deliveries that arrive together in one
// transaction: a delivery waits for the one being written, then whoever gets
// to write next takes every delivery waiting. One commit per delivery would
// cap a server at what the database commits a second. The zero value is ready
// to use.
type groupCommit struct {
	mu      sync.Mutex
	waiting []*pendingDelivery
	// writer is held by the request writing groups: a channel rather than a
	// mutex, so that waiting for it ends with the request's context.
	writer chan struct{}
}

type pendingDelivery struct {
	d     cadre.Delivery
	done  chan struct{}
	fresh bool
	err   error
}

// maxGroup bounds the deliveries of one transaction.
const maxGroup = 256

// submit writes d with the deliveries waiting beside it and says whether it
// was fresh. A request whose context ends while its delivery waits returns the
// context's error; a delivery already taken into a group is written all the
// same, for the others in it.
func (g *groupCommit) submit(ctx context.Context, st Store, d cadre.Delivery) (bool, error) {
	p := &pendingDelivery{d: d, done: make(chan struct{})}
	g.mu.Lock()
	if g.writer == nil {
		g.writer = make(chan struct{}, 1)
	}
	g.waiting = append(g.waiting, p)
	g.mu.Unlock()

	select {
	case <-p.done: // written by another request
	case <-ctx.Done():
		return false, g.withdraw(ctx, p)
	case g.writer <- struct{}{}:
		defer func() { <-g.writer }()
		// Ours may be behind more than maxGroup others whose requests have
		// not reached the writer yet: whoever writes goes on until its own
		// delivery is done, else it could wait for a write that never comes.
		for !p.written() {
			if ctx.Err() != nil {
				return false, g.withdraw(ctx, p)
			}
			g.writeGroup(ctx, st)
		}
	}
	return p.fresh, p.err
}

func (p *pendingDelivery) written() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// withdraw takes p out of the queue for a request whose context ended, so that
// a delivery answered with an error is not written after all, unless it was
// already taken into a group.
func (g *groupCommit) withdraw(ctx context.Context, p *pendingDelivery) error {
	g.mu.Lock()
	if i := slices.Index(g.waiting, p); i >= 0 {
		g.waiting = slices.Delete(g.waiting, i, i+1)
	}
	g.mu.Unlock()
	return fmt.Errorf("wait for the delivery to be written: %w", ctx.Err())
}

// writeGroup writes the deliveries at the head of the queue, up to maxGroup,
// in one transaction, and answers each of them. The caller holds the writer.
func (g *groupCommit) writeGroup(ctx context.Context, st Store) {
	g.mu.Lock()
	n := min(len(g.waiting), maxGroup)
	group := g.waiting[:n:n]
	g.waiting = g.waiting[n:]
	g.mu.Unlock()
	ds := make([]cadre.Delivery, len(group))
	for i, q := range group {
		ds[i] = q.d
	}
	// The group is written for every request in it: one client giving up
	// must not fail the others. Deliveries are mapped and checked before they
	// join a group, so what fails a group is the database, for all of them.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	fresh, _, err := st.ImportDeliveries(wctx, ds)
	cancel()
	for i, q := range group {
		if err == nil {
			q.fresh = fresh[i]
		}
		q.err = err
		close(q.done)
	}
}
