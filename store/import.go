package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cadrehq/cadre"
)

// dbtx is what both *sql.Tx and *sql.Conn offer; the PostgreSQL import runs its
// transaction on a *sql.Conn so that it can reach the driver's COPY.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Importer writes batches of activity records, resolving the members they name
// and creating those seen for the first time. Each batch is one transaction:
// it lands whole or not at all, so an import killed half-way can be re-run and
// completes with no duplicates. An Importer caches resolved members between
// batches; it is not safe for concurrent use.
type Importer struct {
	s *Store
	// known maps handles and emails to members, as committed.
	handles map[refKey]int64
	emails  map[string]int64
	userIDs map[refKey]int64 // by platform and the platform's user id
	// handleUID holds the user id stored with each known handle.
	handleUID map[refKey]string
	// unnamed holds members this importer created without a name given,
	// named after a handle until a record tells their name.
	unnamed map[int64]bool
	// idPool holds member IDs drawn from the PostgreSQL sequence in advance.
	idPool []int64
	// created counts the members this importer created; analyzed is what it
	// was when PostgreSQL's statistics were last refreshed.
	created, analyzed int
}

type refKey struct{ platform, handle string }

// NewImporter returns an importer writing to s.
func (s *Store) NewImporter() *Importer {
	return &Importer{s: s, handles: make(map[refKey]int64), emails: make(map[string]int64), userIDs: make(map[refKey]int64), handleUID: make(map[refKey]string), unnamed: make(map[int64]bool)}
}

// Import writes one batch of records in one transaction. Records already stored
// (same source and external ID, also within the batch) count as duplicates.
func (im *Importer) Import(ctx context.Context, recs []cadre.ActivityRecord) (cadre.ImportResult, error) {
	if err := validRecords(recs); err != nil {
		return cadre.ImportResult{}, err
	}
	return im.importBatch(ctx, recs, nil)
}

// ImportDelivery imports the records of one webhook delivery, once: the
// delivery's ID is stored in the same transaction, and a delivery already
// taken returns cadre.ErrRedelivery and changes nothing.
func (im *Importer) ImportDelivery(ctx context.Context, platform, deliveryID string, recs []cadre.ActivityRecord) (cadre.ImportResult, error) {
	fresh, res, err := im.ImportDeliveries(ctx, []cadre.Delivery{{Platform: platform, ID: deliveryID, Records: recs}})
	if err == nil && !fresh[0] {
		err = cadre.ErrRedelivery
	}
	return res, err
}

// ImportDeliveries imports webhook deliveries as Importer.ImportDeliveries
// does, with an importer of their own: deliveries come one request at a
// time, with no batch to share a cache across.
func (s *Store) ImportDeliveries(ctx context.Context, ds []cadre.Delivery) (fresh []bool, res cadre.ImportResult, err error) {
	return s.NewImporter().ImportDeliveries(ctx, ds)
}

// ImportDeliveries imports several webhook deliveries in one transaction,
// each once: it reports for each whether it was new (a redelivery adds
// nothing), and counts the records of the new ones together.
func (im *Importer) ImportDeliveries(ctx context.Context, ds []cadre.Delivery) (fresh []bool, res cadre.ImportResult, err error) {
	for _, d := range ds {
		if err := validRecords(d.Records); err != nil {
			return nil, res, fmt.Errorf("delivery %s: %w", d.ID, err)
		}
	}
	res, err = im.importBatch(ctx, nil, func(tx dbtx) ([]cadre.ActivityRecord, error) {
		fresh = make([]bool, len(ds))
		anyFresh := false
		var recs []cadre.ActivityRecord
		for i, d := range ds {
			r, err := tx.ExecContext(ctx, im.s.q(`INSERT INTO webhook_deliveries (platform, delivery_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
				d.Platform, d.ID, im.s.Now().Unix())
			if err != nil {
				return nil, fmt.Errorf("record delivery: %w", err)
			}
			n, err := r.RowsAffected()
			if err != nil {
				return nil, fmt.Errorf("record delivery: %w", err)
			}
			if fresh[i] = n > 0; fresh[i] {
				recs = append(recs, d.Records...)
				anyFresh = true
			}
		}
		if !anyFresh {
			return nil, errNothingNew // roll back: nothing changes
		}
		return recs, nil
	})
	if errors.Is(err, errNothingNew) {
		err = nil
	}
	return fresh, res, err
}

// errNothingNew rolls back a transaction that would change nothing.
var errNothingNew = errors.New("nothing new")

// importBatch writes a batch of valid records; when first is given, it runs
// at the start of the transaction and returns the records to write instead.
func (im *Importer) importBatch(ctx context.Context, recs []cadre.ActivityRecord, first func(dbtx) ([]cadre.ActivityRecord, error)) (cadre.ImportResult, error) {
	if im.s.dialect == Postgres {
		return im.importPostgres(ctx, recs, first)
	}
	var res cadre.ImportResult
	var b *batchResolver
	err := im.s.withTx(ctx, func(tx *sql.Tx) (err error) {
		b = newBatchResolver(im, tx)
		if b.seq, err = im.s.bump(ctx, tx); err != nil {
			return err
		}
		if first != nil {
			if recs, err = first(tx); err != nil {
				return err
			}
		}
		acts, err := b.resolveAll(ctx, recs)
		if err != nil {
			return err
		}
		n, err := im.s.insertActivities(ctx, tx, acts)
		if err != nil {
			return err
		}
		res = cadre.ImportResult{Inserted: n, Duplicates: len(acts) - n}
		return im.s.upsertThreads(ctx, tx, acts)
	})
	if err != nil {
		return cadre.ImportResult{}, err
	}
	b.commit()
	return res, nil
}

// validRecords checks a batch's records, filling in defaults in place.
func validRecords(recs []cadre.ActivityRecord) error {
	for i := range recs {
		if err := recs[i].Validate(); err != nil {
			return fmt.Errorf("record %d: %w", i+1, err)
		}
	}
	return nil
}

var activityColumns = strings.Join(copyColumns, ", ")

// insertChunk is how many rows one multi-row INSERT carries: fewer statements
// is most of the speed on SQLite, and 64 × 12 parameters stays far below its
// limit on bound parameters.
const insertChunk = 64

// insertActivities inserts activities into SQLite, skipping those already
// stored, and returns how many it inserted.
func (s *Store) insertActivities(ctx context.Context, tx *sql.Tx, acts []cadre.Activity) (int, error) {
	// Rows in member order make the inserts into the member index walk it
	// forward instead of jumping around; the unique index barely cares, as a
	// batch's keys are close together anyway. Sorting positions, not the
	// activities, keeps the sort cheap.
	order := make([]int32, len(acts))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		if c := cmp.Compare(acts[i].MemberID, acts[j].MemberID); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	var full *sql.Stmt
	inserted := 0
	args := make([]any, 0, insertChunk*len(copyColumns))
	for start := 0; start < len(acts); start += insertChunk {
		chunk := order[start:min(start+insertChunk, len(acts))]
		args = args[:0]
		for _, i := range chunk {
			args = appendActivityArgs(args, &acts[i])
		}
		var res sql.Result
		var err error
		if len(chunk) == insertChunk {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, insertSQL(insertChunk)); err != nil {
					return 0, fmt.Errorf("prepare insert: %w", err)
				}
				defer full.Close()
			}
			res, err = full.ExecContext(ctx, args...)
		} else {
			res, err = tx.ExecContext(ctx, insertSQL(len(chunk)), args...)
		}
		if err != nil {
			return 0, fmt.Errorf("insert activities: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("insert activities: %w", err)
		}
		inserted += int(n)
	}
	return inserted, nil
}

// insertSQL is the SQLite statement that inserts rows activities. It says OR
// IGNORE rather than ON CONFLICT: with nothing left that could abort the
// statement (records are validated before, and the foreign keys are checked
// at commit), SQLite skips the statement journal, a tenth of the cost of a
// multi-row insert.
func insertSQL(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT OR IGNORE INTO activities (` + activityColumns + `) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?,?,?,?,?,?,?,?,?,?,?,?)`)
	}
	return b.String()
}

func appendActivityArgs(args []any, a *cadre.Activity) []any {
	var effort, mentee any
	if a.HasEffort {
		effort = a.EffortMinutes
	}
	if a.MenteeID != 0 {
		mentee = a.MenteeID
	}
	return append(args, a.MemberID, a.Type, a.OccurredAt.UnixMicro(), a.Source, a.ExternalID,
		string(a.Status), effort, a.URL, a.Title, encodeMetrics(a.Metrics), mentee, a.Thread.ID)
}

// encodeMetrics writes metrics as a JSON object with sorted keys, so the same
// metrics always give the same text.
func encodeMetrics(m map[string]float64) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 16*len(m))
	b = append(b, '{')
	for _, k := range keys {
		if len(b) > 1 {
			b = append(b, ',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			continue // a string always marshals
		}
		b = append(b, kb...)
		b = append(b, ':')
		v := m[k]
		if math.IsInf(v, 0) || math.IsNaN(v) {
			v = 0
		}
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	return string(append(b, '}'))
}

// decodeMetrics reads what encodeMetrics wrote.
func decodeMetrics(s string) (map[string]float64, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]float64
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode metrics: %w", err)
	}
	return m, nil
}
