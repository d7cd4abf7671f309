package standings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/score"
)

// Store is what live standings read from and keep in the store.
type Store interface {
	CriteriaSource
	Source
	CatchUp(ctx context.Context, seq, activityMark int64, r cadre.ChangeReader) (*cadre.ChangeView, error)
	LoadScoreSnapshot(ctx context.Context) (*cadre.ScoreSnapshot, error)
	SaveScoreSnapshot(ctx context.Context, snap *cadre.ScoreSnapshot) error
	PruneChanges(ctx context.Context, seq int64) error
}

// Live keeps the standings of a store in memory and current: it starts from
// the snapshot stored by an earlier run, catches up on what changed since,
// and from then on applies each change as it is committed, by whichever
// instance, without reading everything again. Engines for each criteria
// version asked for are kept and updated along. It is safe for concurrent
// use.
type Live struct {
	src Store
	log *slog.Logger

	// catchUp serialises catching up, so that concurrent requests after a
	// change wait for one catch-up rather than each doing it.
	catchUp sync.Mutex

	mu      sync.RWMutex
	snap    *Snapshot
	seq     int64 // the change sequence number the standings reflect
	mark    int64 // the largest activity ID they reflect
	engines map[int]*Engine
	// inForce is the criteria version in force (0: none stored, the
	// default applies), known when inForceOK.
	inForce   int
	inForceOK bool

	// What was stored last: the change sequence number of the snapshot and
	// how many activity changes were applied since.
	saved     int64
	unsaved   int
	savedTime time.Time
}

// rebuildAfter is how many activities removed at once (a merge of a busy
// member, say) make preparing the engines afresh cheaper than updating them.
const rebuildAfter = 5000

// keepEngines bounds the engines kept for criteria versions other than the one
// in force, which are asked for rarely (comparisons, history).
const keepEngines = 3

// Open loads the standings of src: from the stored snapshot and the changes
// since when there is one, else by reading every member and activity (and
// then storing a snapshot, so the next start is quick).
func Open(ctx context.Context, src Store, log *slog.Logger) (*Live, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Live{src: src, log: log, engines: map[int]*Engine{}}
	start := time.Now()
	stored, err := src.LoadScoreSnapshot(ctx)
	switch {
	case err == nil:
		err = l.restore(stored)
		if err != nil {
			log.Warn("stored standings unreadable; reading every activity instead", "err", err)
		}
	case cadre.ErrorCode(err) != cadre.ENOTFOUND:
		return nil, err
	}
	if l.snap == nil {
		if err := l.reload(ctx); err != nil {
			return nil, err
		}
		l.unsaved = l.snap.history.Len()
	} else if err := l.Refresh(ctx); err != nil {
		return nil, err
	}
	log.Debug("standings loaded", "members", len(l.snap.members), "activities", l.snap.history.Len(),
		"from_snapshot", stored != nil && l.saved > 0, "took", time.Since(start))
	if l.unsaved >= saveAfter {
		if err := l.Save(ctx); err != nil {
			log.Warn("could not store standings", "err", err)
		}
	}
	return l, nil
}

// reload reads everything from the store.
func (l *Live) reload(ctx context.Context) error {
	s, v, err := load(ctx, l.src)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snap, l.seq, l.mark = s, v.Seq, v.ActivityMark
	l.engines, l.inForceOK = map[int]*Engine{}, false
	return nil
}

// Seq returns the change sequence number the standings reflect.
func (l *Live) Seq() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.seq
}

// Refresh applies what changed in the store since the standings were last
// current. It costs one small query when nothing did.
func (l *Live) Refresh(ctx context.Context) error {
	l.catchUp.Lock()
	defer l.catchUp.Unlock()
	err := l.refresh(ctx)
	if errors.Is(err, cadre.ErrPruned) {
		// Too far behind for the log: start again from the stored standings.
		err = l.restart(ctx)
	}
	return err
}

// refresh is Refresh for a caller holding l.catchUp.
func (l *Live) refresh(ctx context.Context) error {
	l.mu.RLock()
	seq, mark := l.seq, l.mark
	l.mu.RUnlock()

	var members []cadre.Member
	var added []cadre.ScoreEvent
	v, err := l.src.CatchUp(ctx, seq, mark, cadre.ChangeReader{
		Member:   func(m *cadre.Member) error { members = append(members, *m); return nil },
		Activity: func(_ int64, ev cadre.ScoreEvent) error { added = append(added, ev); return nil },
	})
	if err != nil {
		return fmt.Errorf("refresh standings: %w", err)
	}
	if v.Seq == seq {
		return nil
	}
	// An activity changed since the standings were current counted as the
	// first change logged for it says; later entries describe states they
	// never saw. Activities inserted since were never counted at all.
	var removed []cadre.ScoreEvent
	criteriaChanged := false
	first := map[int64]bool{}
	for _, ch := range v.Changes {
		switch ch.Kind {
		case cadre.ChangeCriteria:
			criteriaChanged = true
		case cadre.ChangeActivity:
			if ch.Ref > mark || first[ch.Ref] {
				continue
			}
			first[ch.Ref] = true
			if ch.OldStatus == string(cadre.ActivityApproved) {
				removed = append(removed, ch.Old)
			}
		}
	}

	l.mu.Lock()
	err = l.apply(members, removed, added)
	if err == nil {
		l.seq, l.mark = v.Seq, v.ActivityMark
		l.unsaved += len(removed) + len(added)
		if criteriaChanged {
			l.inForceOK = false
		}
		for _, e := range l.engines {
			e.changed()
		}
	}
	l.mu.Unlock()
	if err != nil {
		// The standings may be half-updated: start again from the store.
		l.log.Warn("standings out of step with the store; reading every activity", "err", err)
		return l.reload(ctx)
	}
	return nil
}

// apply updates the snapshot and every engine kept. The caller holds l.mu.
func (l *Live) apply(members []cadre.Member, removed, added []cadre.ScoreEvent) error {
	s := l.snap
	for i := range members {
		m := &members[i]
		idx, known := s.index[m.ID]
		wasExcluded := known && s.members[idx].Excluded
		if err := s.upsertMember(m); err != nil {
			return err
		}
		idx = s.index[m.ID]
		if excluded := s.members[idx].Excluded; excluded != wasExcluded {
			for _, e := range l.engines {
				if err := e.engine.SetExcluded(idx, excluded); err != nil {
					return err
				}
			}
		}
	}
	evs := make([]score.Event, 0, max(len(removed), len(added)))
	for _, ev := range removed {
		e, err := s.event(ev)
		if err != nil {
			return err
		}
		evs = append(evs, e)
	}
	if n := s.history.Remove(evs...); n != len(evs) {
		return fmt.Errorf("%d of %d activities to uncount were not counted", len(evs)-n, len(evs))
	}
	if len(evs) > rebuildAfter {
		// Removing many activities of one member one by one costs more than
		// preparing the engines again, which happens on their next use.
		clear(l.engines)
	}
	for _, e := range l.engines {
		for _, ev := range evs {
			e.engine.Remove(ev)
		}
	}
	evs = evs[:0]
	for _, ev := range added {
		e, err := s.event(ev)
		if err != nil {
			return err
		}
		if err := s.history.Add(e); err != nil {
			return err
		}
		evs = append(evs, e)
	}
	for _, e := range l.engines {
		for _, ev := range evs {
			if err := e.engine.Add(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// Read calls fn with the engine of a criteria version (0 for the one in
// force), after catching up with the store. The standings do not change while
// fn runs, so fn should return promptly: changes wait for it.
func (l *Live) Read(ctx context.Context, version int, fn func(*Engine) error) error {
	if err := l.Refresh(ctx); err != nil {
		return err
	}
	for {
		e, key, err := l.engine(ctx, version)
		if err != nil {
			return err
		}
		l.mu.RLock()
		// A change applied since may have dropped the engine, to be
		// prepared again: then take the new one.
		if l.engines[key] == e {
			defer l.mu.RUnlock()
			return fn(e)
		}
		l.mu.RUnlock()
	}
}

// ReadVersions calls fn with an engine for each of versions (0 for the one
// in force), by version, after catching up with the store; and with
// prepare, which gives an engine for a criteria document not stored (a
// draft, a what-if), safe to call from several goroutines during fn.
// Engines kept are used; the others are prepared from the standings in
// memory for the call only, so that a look across many versions does not
// evict the kept ones. As with Read, the standings do not change while fn
// runs.
func (l *Live) ReadVersions(ctx context.Context, versions []int, fn func(byVersion map[int]*Engine, prepare func(*criteria.Criteria) *Engine) error) error {
	if err := l.Refresh(ctx); err != nil {
		return err
	}
	// The engine in force is kept, as a server keeps it; drafts share its
	// activities when they count the same types.
	inForce, _, err := l.engine(ctx, 0)
	if err != nil {
		return err
	}
	cs := map[int]*criteria.Criteria{}
	nums := map[int]int{}
	for _, v := range versions {
		if cs[v] != nil {
			continue
		}
		c, num, err := criteriaVersion(ctx, l.src, v)
		if err != nil {
			return err
		}
		cs[v], nums[v] = c, num
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	// A change applied meanwhile dropped the engine in force: prepare
	// drafts afresh then.
	base := l.engines[l.inForce]
	if base != inForce {
		base = nil
	}
	engines := make(map[int]*Engine, len(cs))
	for v, c := range cs {
		switch e := l.engines[nums[v]]; {
		case e != nil:
			engines[v] = e
		case base != nil:
			engines[v] = base.rescored(c)
		default:
			engines[v] = l.snap.Engine(c)
		}
	}
	return fn(engines, func(c *criteria.Criteria) *Engine {
		if base != nil {
			return base.rescored(c)
		}
		return l.snap.Engine(c)
	})
}

// engine returns the engine of a criteria version and its key in l.engines,
// preparing it from the standings in memory when it is not kept.
func (l *Live) engine(ctx context.Context, version int) (*Engine, int, error) {
	l.mu.RLock()
	key := version
	if version == 0 && l.inForceOK {
		key = l.inForce
	}
	if e := l.engines[key]; e != nil && (version != 0 || l.inForceOK) {
		l.mu.RUnlock()
		return e, key, nil
	}
	l.mu.RUnlock()

	c, v, err := criteriaVersion(ctx, l.src, version)
	if err != nil {
		return nil, 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if version == 0 {
		l.inForce, l.inForceOK = v, true
	}
	if e := l.engines[v]; e != nil {
		return e, v, nil
	}
	for old := range l.engines {
		if len(l.engines) < keepEngines {
			break
		}
		if old != l.inForce {
			delete(l.engines, old)
		}
	}
	e := l.snap.Engine(c)
	l.engines[v] = e
	return e, v, nil
}

// criteriaVersion returns a stored criteria version parsed, with its number;
// version 0 asks for the one in force, which is the default of the
// specification, numbered 0, while none is stored.
func criteriaVersion(ctx context.Context, src CriteriaSource, version int) (*criteria.Criteria, int, error) {
	doc, err := src.Criteria(ctx, version)
	if version == 0 && cadre.ErrorCode(err) == cadre.ENOTFOUND {
		return criteria.Default(), 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	c, err := criteria.Parse([]byte(doc.Document))
	if err != nil {
		return nil, 0, fmt.Errorf("criteria version %d: %w", doc.Version, err)
	}
	return c, doc.Version, nil
}

// saveAfter is how many changed activities make storing the standings worth
// it: below it, catching up from the stored snapshot costs little.
const saveAfter = 10_000

// Save stores the standings for the next start, unless they are stored as
// they are already.
func (l *Live) Save(ctx context.Context) error {
	l.mu.RLock()
	seq, mark := l.seq, l.mark
	if seq == l.saved && l.saved != 0 {
		l.mu.RUnlock()
		return nil
	}
	data, err := l.snap.MarshalBinary()
	unsaved := l.unsaved
	l.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("store standings: %w", err)
	}
	if err := l.src.SaveScoreSnapshot(ctx, &cadre.ScoreSnapshot{Seq: seq, ActivityMark: mark, Data: data}); err != nil {
		return err
	}
	// Instances as far behind as the snapshot this one replaces still catch
	// up from the log; those further behind start from this one.
	if prev := l.saved; prev > 0 {
		if err := l.src.PruneChanges(ctx, prev); err != nil {
			return err
		}
	}
	l.mu.Lock()
	l.saved, l.savedTime = seq, time.Now()
	l.unsaved -= unsaved
	l.mu.Unlock()
	l.log.Debug("standings stored", "seq", seq, "bytes", len(data))
	return nil
}

// SaveIfDue stores the standings when enough changed since they were last
// stored, or anything changed and maxAge passed.
func (l *Live) SaveIfDue(ctx context.Context, maxAge time.Duration) error {
	l.mu.RLock()
	due := l.unsaved >= saveAfter || (l.seq != l.saved && time.Since(l.savedTime) >= maxAge)
	l.mu.RUnlock()
	if !due {
		return nil
	}
	return l.Save(ctx)
}

// restart takes the standings from the stored snapshot, else from every
// activity, and catches up. The caller holds l.catchUp.
func (l *Live) restart(ctx context.Context) error {
	stored, err := l.src.LoadScoreSnapshot(ctx)
	if err == nil {
		l.mu.Lock()
		err = l.restore(stored)
		if err == nil {
			l.engines, l.inForceOK = map[int]*Engine{}, false
		}
		l.mu.Unlock()
	}
	if err != nil {
		l.log.Warn("stored standings unusable; reading every activity", "err", err)
		if err := l.reload(ctx); err != nil {
			return err
		}
	}
	return l.refresh(ctx)
}

// restore takes the standings from a stored snapshot.
func (l *Live) restore(stored *cadre.ScoreSnapshot) error {
	s := newSnapshot()
	if err := s.UnmarshalBinary(stored.Data); err != nil {
		return err
	}
	l.snap, l.seq, l.mark = s, stored.Seq, stored.ActivityMark
	l.saved, l.savedTime = stored.Seq, stored.CreatedAt
	return nil
}
