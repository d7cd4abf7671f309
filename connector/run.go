package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/ingest"
)

// DefaultLease is how long a sync holds its source between renewals: long
// enough for a batch and a rate limit's wait, short enough that a source an
// instance crashed holding is taken over soon.
const DefaultLease = 15 * time.Minute

// batchSize is the records per transaction of a sync. Far below an import's,
// because the lease is renewed between batches and a sync's records trickle
// in page by page.
const batchSize = 1000

// finishTimeout bounds recording a sync's outcome after ctx has ended, as
// when the server shuts down mid-sync: the lease must still be released.
const finishTimeout = 10 * time.Second

// Store is what syncs need of the store: the sources, their leases and
// outcomes.
type Store interface {
	Sources(ctx context.Context) ([]cadre.Source, error)
	AcquireSource(ctx context.Context, name, owner string, lease time.Duration) (*cadre.Source, error)
	FinishSync(ctx context.Context, name, owner, cursor string, res cadre.ImportResult, syncErr error) error
}

// Run syncs the source called name as owner: it takes the source's lease
// (an ECONFLICT error, returned as is, when another instance holds it),
// imports what the connector emits in batches, renewing the lease before
// each, and records the outcome and releases the lease. A failed sync keeps
// the cursor the connector gives back (the old one, or one past what it
// emitted in full and was stored), so the next one fetches the rest again and
// import counts what came twice as duplicates; the batches stored stay stored
// and counted.
// Records the platform gave that cannot be mapped are counted as rejected.
// im writes the batches: one importer may serve many syncs in turn, and
// keeps the members it resolved between them.
func Run(ctx context.Context, st Store, im ingest.Writer, name, owner string, lease time.Duration, client *http.Client) (cadre.ImportResult, error) {
	src, err := st.AcquireSource(ctx, name, owner, lease)
	if err != nil {
		return cadre.ImportResult{}, err
	}
	res, next, syncErr := pull(ctx, st, im, src, owner, lease, client)
	if next == "" {
		next = src.Cursor
	}
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	finishErr := st.FinishSync(finishCtx, name, owner, next, res, syncErr)
	if err := errors.Join(syncErr, finishErr); err != nil {
		return res, fmt.Errorf("sync %s: %w", name, err)
	}
	return res, nil
}

// pull runs src's connector and imports what it emits, returning the totals
// and, when everything emitted was stored, the connector's new cursor.
func pull(ctx context.Context, st Store, im ingest.Writer, src *cadre.Source, owner string, lease time.Duration, client *http.Client) (cadre.ImportResult, string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The connector runs in its own goroutine and hands records and
	// rejections over a channel, so that ingest batches and writes them
	// exactly as it does a file.
	items := make(chan item, 64)
	send := func(it item) error {
		select {
		case items <- it:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// A rejection that cannot be sent is lost only once ctx has ended, when
	// the sync is being abandoned.
	reject := func(err error) { _ = send(item{err: rejection{err}}) }
	conn, err := New(*src, client, reject)
	if err != nil {
		return cadre.ImportResult{}, "", err
	}
	var next string
	var syncErr error
	synced := make(chan struct{})
	go func() {
		defer close(synced)
		defer close(items)
		next, syncErr = conn.Sync(ctx, src.Cursor, func(rec cadre.ActivityRecord) error { return send(item{rec: rec}) })
	}()
	w := &leasedWriter{im: im, st: st, name: src.Name, owner: owner, lease: lease}
	res, importErr := ingest.Run(ctx, w, channelSource(items), ingest.Options{BatchSize: batchSize})
	// A failed write leaves the connector blocked on a send: stop it, then
	// wait so that its results are final.
	cancel()
	<-synced
	if importErr != nil {
		return res, "", importErr
	}
	return res, next, syncErr
}

// item is a record emitted by a connector, or the rejection of one.
type item struct {
	rec cadre.ActivityRecord
	err error
}

// channelSource is an ingest.Source over a connector's emissions; the
// channel closes when the connector returns.
type channelSource <-chan item

func (c channelSource) Next() (cadre.ActivityRecord, error) {
	it, ok := <-c
	if !ok {
		return cadre.ActivityRecord{}, io.EOF
	}
	return it.rec, it.err
}

// rejection is a platform's item a connector could not map: ingest counts
// it and goes on.
type rejection struct{ error }

func (r rejection) Unwrap() error     { return r.error }
func (r rejection) Recoverable() bool { return true }

// leasedWriter imports batches under the source's lease, renewing it before
// each: a sync that outlives its lease must stop rather than write beside
// the instance that took the source over.
type leasedWriter struct {
	im          ingest.Writer
	st          Store
	name, owner string
	lease       time.Duration
}

func (w *leasedWriter) Import(ctx context.Context, recs []cadre.ActivityRecord) (cadre.ImportResult, error) {
	if _, err := w.st.AcquireSource(ctx, w.name, w.owner, w.lease); err != nil {
		return cadre.ImportResult{}, fmt.Errorf("renew lease: %w", err)
	}
	return w.im.Import(ctx, recs)
}
