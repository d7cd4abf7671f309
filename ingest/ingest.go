// Package ingest moves activity records from a reader into the store: it
// batches them, reports bad records without stopping, and writes each batch
// in one transaction while the next one is being read.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cadrehq/cadre"
)

// Source yields activity records. A bad record comes back as an error that
// Recoverable says can be skipped; io.EOF ends the source.
type Source interface {
	Next() (cadre.ActivityRecord, error)
}

// Writer stores one batch of records atomically; *store.Importer is one.
type Writer interface {
	Import(ctx context.Context, recs []cadre.ActivityRecord) (cadre.ImportResult, error)
}

// Options tune a run. The zero value imports in batches of DefaultBatch.
type Options struct {
	// BatchSize is the number of records per transaction.
	BatchSize int
	// Strict imports nothing unless every record is good, and then all of
	// them in one transaction.
	Strict bool
	// Reject is called with every bad record's error, in file order.
	Reject func(error)
	// Progress is called after each batch is stored with the running totals.
	Progress func(cadre.ImportResult)
}

// DefaultBatch balances transaction overhead against the work a crash loses.
// Each commit rewrites the index pages its rows touched, so larger batches
// import faster: on SQLite, 50,000 doubles the speed of 10,000.
const DefaultBatch = 50_000

// Recoverable reports whether err is about one record, so reading may go on.
type Recoverable interface {
	error
	Recoverable() bool
}

// ErrRejected is returned, wrapped, when Strict refused an import because some
// records were bad.
var ErrRejected = errors.New("records were rejected")

// Run imports every record of src through w. It returns the totals so far
// with any fatal error; records already written stay written, batch by batch.
func Run(ctx context.Context, w Writer, src Source, opt Options) (cadre.ImportResult, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatch
	}
	if opt.Strict {
		return runStrict(ctx, w, src, opt)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The reader runs ahead by up to two batches, so parsing and writing
	// overlap on separate cores.
	batches := make(chan []cadre.ActivityRecord, 2)
	readErr := make(chan error, 1)
	var rejected int
	go func() {
		defer close(batches)
		readErr <- readBatches(ctx, src, opt, batches, &rejected)
	}()

	var total cadre.ImportResult
	var werr error
	for batch := range batches {
		if werr != nil {
			continue // drain so the reader can finish
		}
		res, err := w.Import(ctx, batch)
		if err != nil {
			werr = fmt.Errorf("write batch: %w", err)
			cancel()
			continue
		}
		total.Add(res)
		if opt.Progress != nil {
			opt.Progress(total)
		}
	}
	rerr := <-readErr
	total.Rejected = rejected
	if werr != nil {
		return total, werr
	}
	return total, rerr
}

// each calls fn with every good record of src, in order, and reports the bad
// ones through opt.Reject; it returns how many were bad. It stops at the end
// of src, or at the first fatal error of src or of fn.
//
// A record that src yields as good but that the store would refuse, such as
// one a platform's reader mapped from a post dated in 2150, is bad too:
// rejected alone here, it would otherwise fail its whole batch.
func each(src Source, opt Options, fn func(cadre.ActivityRecord) error) (rejected int, err error) {
	for {
		rec, err := src.Next()
		if err == io.EOF {
			return rejected, nil
		}
		if err == nil {
			if verr := rec.Validate(); verr != nil {
				err = &invalidRecord{source: rec.Source, externalID: rec.ExternalID, reason: cadre.ErrorMessage(verr)}
			}
		}
		if err != nil {
			var re Recoverable
			if !errors.As(err, &re) || !re.Recoverable() {
				return rejected, err
			}
			rejected++
			if opt.Reject != nil {
				opt.Reject(err)
			}
			continue
		}
		if err := fn(rec); err != nil {
			return rejected, err
		}
	}
}

// invalidRecord is a record that cadre.ActivityRecord.Validate refused, for
// reason: reading goes on with the next.
type invalidRecord struct{ source, externalID, reason string }

func (e *invalidRecord) Error() string {
	return fmt.Sprintf("activity %s/%s: %s", e.source, e.externalID, e.reason)
}

func (e *invalidRecord) Recoverable() bool { return true }

func readBatches(ctx context.Context, src Source, opt Options, out chan<- []cadre.ActivityRecord, rejected *int) error {
	batch := make([]cadre.ActivityRecord, 0, opt.BatchSize)
	send := func() error {
		select {
		case out <- batch:
			batch = make([]cadre.ActivityRecord, 0, opt.BatchSize)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	n, err := each(src, opt, func(rec cadre.ActivityRecord) error {
		batch = append(batch, rec)
		if len(batch) == opt.BatchSize {
			return send()
		}
		return nil
	})
	*rejected = n
	if err == nil && len(batch) > 0 {
		err = send()
	}
	return err
}

func runStrict(ctx context.Context, w Writer, src Source, opt Options) (cadre.ImportResult, error) {
	var all []cadre.ActivityRecord
	var total cadre.ImportResult
	var err error
	total.Rejected, err = each(src, opt, func(rec cadre.ActivityRecord) error {
		all = append(all, rec)
		return nil
	})
	if err != nil {
		return total, err
	}
	if total.Rejected > 0 {
		return total, fmt.Errorf("strict import: %d %w, nothing imported", total.Rejected, ErrRejected)
	}
	res, err := w.Import(ctx, all)
	if err != nil {
		return total, fmt.Errorf("write: %w", err)
	}
	if opt.Progress != nil {
		opt.Progress(res)
	}
	return res, nil
}
