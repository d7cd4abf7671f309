package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/identity"
)

// batchResolver resolves the member references of one batch inside its
// transaction. It looks up every reference the importer does not know yet in
// a few set queries, resolves the records in order in memory, and writes the
// new members, identities and emails with multi-row inserts: per-record
// statements would cost more than the activities themselves.
//
// What it learns joins the importer's cache only once the transaction has
// committed, so a rolled-back batch leaves no stale IDs behind.
type batchResolver struct {
	im *Importer
	tx dbtx

	handles map[refKey]int64
	emails  map[string]int64
	userIDs map[refKey]int64 // by platform and the platform's user id
	// handleUID holds the user id stored with a handle looked up, to tell
	// a handle taken over by another account from the same account.
	handleUID map[refKey]string
	// storedNames are the names of members found in the database, to spot
	// those still named after the handle they were first seen by.
	storedNames map[int64]string
	unnamed     map[int64]bool // created in this batch without a name
	named       map[int64]bool // given their name in this batch

	seq        int64 // the change sequence number of the batch's transaction
	nextID     int64 // SQLite: the last member ID handed out in this batch
	newMembers []newMember
	memberAt   map[int64]int // index in newMembers by ID
	newIdents  []any         // flattened rows of identityColumns
	// identity updates: user ids learnt for known handles, handles that
	// changed for known user ids, handles freed for another account.
	setUserID  map[refKey]string
	setHandle  map[refKey]string // (platform, user id) → new handle
	freeHandle map[refKey]string // handle → the user id that held it
	newEmails  []any             // flattened rows of emailColumns
	renames    map[int64]string
	// staffDomains are the email domains whose new members are staff.
	staffDomains []string
}

type newMember struct {
	id         int64
	name       string
	bot, staff bool
}

func newBatchResolver(im *Importer, tx dbtx) *batchResolver {
	return &batchResolver{
		im: im, tx: tx,
		handles: map[refKey]int64{}, emails: map[string]int64{}, userIDs: map[refKey]int64{}, handleUID: map[refKey]string{},
		storedNames: map[int64]string{}, setUserID: map[refKey]string{}, setHandle: map[refKey]string{}, freeHandle: map[refKey]string{},
		unnamed: map[int64]bool{}, named: map[int64]bool{}, memberAt: map[int64]int{}, renames: map[int64]string{},
	}
}

func (b *batchResolver) commit() {
	for k, v := range b.emails {
		b.im.emails[k] = v
	}
	for k, v := range b.userIDs {
		b.im.userIDs[k] = v
	}
	for k := range b.freeHandle {
		delete(b.im.handles, k)
		delete(b.im.handleUID, k)
	}
	for k, v := range b.handles {
		b.im.handles[k] = v
	}
	for k, v := range b.handleUID {
		b.im.handleUID[k] = v
	}
	for id := range b.unnamed {
		b.im.unnamed[id] = true
	}
	for id := range b.named {
		delete(b.im.unnamed, id)
	}
}

// resolveAll returns the batch's activities with member and mentee IDs set,
// creating the members seen for the first time.
func (b *batchResolver) resolveAll(ctx context.Context, recs []cadre.ActivityRecord) ([]cadre.Activity, error) {
	for i := range recs {
		recs[i].Member = identity.Canonical(recs[i].Member)
		recs[i].Mentee = identity.Canonical(recs[i].Mentee)
	}
	var err error
	if b.staffDomains, err = b.im.s.staffDomains(ctx, b.tx); err != nil {
		return nil, err
	}
	if err := b.prefetch(ctx, recs); err != nil {
		return nil, err
	}
	acts := make([]cadre.Activity, len(recs))
	for i := range recs {
		r := &recs[i]
		id, err := b.resolve(ctx, r.Member)
		if err != nil {
			return nil, fmt.Errorf("resolve member of %s/%s: %w", r.Source, r.ExternalID, err)
		}
		acts[i] = r.Activity
		acts[i].MemberID = id
		if !r.Mentee.IsZero() {
			if acts[i].MenteeID, err = b.resolve(ctx, r.Mentee); err != nil {
				return nil, fmt.Errorf("resolve mentee of %s/%s: %w", r.Source, r.ExternalID, err)
			}
		}
	}
	return acts, b.flush(ctx)
}

func keyOf(ref cadre.MemberRef) refKey {
	return refKey{ref.Platform, strings.ToLower(ref.Handle)}
}

func emailOf(ref cadre.MemberRef) string {
	return strings.ToLower(strings.TrimSpace(ref.Email))
}

// lookupChunk bounds the number of values in one IN list.
const lookupChunk = 500

// prefetch looks up, in a few queries, every handle and email of the batch
// that the importer has not resolved before.
func (b *batchResolver) prefetch(ctx context.Context, recs []cadre.ActivityRecord) error {
	byPlatform := map[string][]any{}
	uidsByPlatform := map[string][]any{}
	seenKey, seenUID := map[refKey]bool{}, map[refKey]bool{}
	var emails []any
	seenEmail := map[string]bool{}
	note := func(ref cadre.MemberRef) {
		if ref.UserID != "" {
			k := refKey{ref.Platform, ref.UserID}
			if _, ok := b.im.userIDs[k]; !ok && !seenUID[k] {
				seenUID[k] = true
				uidsByPlatform[k.platform] = append(uidsByPlatform[k.platform], k.handle)
			}
		}
		if ref.Handle != "" {
			k := keyOf(ref)
			if _, ok := b.im.handles[k]; !ok && !seenKey[k] {
				seenKey[k] = true
				byPlatform[k.platform] = append(byPlatform[k.platform], k.handle)
			}
		}
		if e := emailOf(ref); e != "" {
			if _, ok := b.im.emails[e]; !ok && !seenEmail[e] {
				seenEmail[e] = true
				emails = append(emails, e)
			}
		}
	}
	for i := range recs {
		note(recs[i].Member)
		if !recs[i].Mentee.IsZero() {
			note(recs[i].Mentee)
		}
	}
	s := b.im.s
	for platform, keys := range byPlatform {
		for start := 0; start < len(keys); start += lookupChunk {
			chunk := keys[start:min(start+lookupChunk, len(keys))]
			query := `SELECT i.handle_key, i.member_id, m.name, i.user_id FROM identities i JOIN members m ON m.id = i.member_id
				WHERE i.platform = ? AND i.handle_key IN (` + placeholders(len(chunk)) + `)`
			err := eachRow(ctx, b.tx, s.q(query), append([]any{platform}, chunk...), func(rows *sql.Rows) error {
				var handle, name, uid string
				var id int64
				if err := rows.Scan(&handle, &id, &name, &uid); err != nil {
					return err
				}
				b.handles[refKey{platform, handle}] = id
				b.handleUID[refKey{platform, handle}] = uid
				b.storedNames[id] = name
				return nil
			})
			if err != nil {
				return fmt.Errorf("look up identities: %w", err)
			}
		}
	}
	for platform, uids := range uidsByPlatform {
		for start := 0; start < len(uids); start += lookupChunk {
			chunk := uids[start:min(start+lookupChunk, len(uids))]
			query := `SELECT i.user_id, i.handle, i.member_id, m.name FROM identities i JOIN members m ON m.id = i.member_id
				WHERE i.platform = ? AND i.user_id IN (` + placeholders(len(chunk)) + `)`
			err := eachRow(ctx, b.tx, s.q(query), append([]any{platform}, chunk...), func(rows *sql.Rows) error {
				var uid, handle, name string
				var id int64
				if err := rows.Scan(&uid, &handle, &id, &name); err != nil {
					return err
				}
				b.userIDs[refKey{platform, uid}] = id
				b.handles[refKey{platform, strings.ToLower(handle)}] = id
				b.handleUID[refKey{platform, strings.ToLower(handle)}] = uid
				b.storedNames[id] = name
				return nil
			})
			if err != nil {
				return fmt.Errorf("look up user ids: %w", err)
			}
		}
	}
	for start := 0; start < len(emails); start += lookupChunk {
		chunk := emails[start:min(start+lookupChunk, len(emails))]
		err := eachRow(ctx, b.tx, s.q(`SELECT email, member_id FROM member_emails WHERE email IN (`+placeholders(len(chunk))+`)`), chunk, func(rows *sql.Rows) error {
			var email string
			var id int64
			err := rows.Scan(&email, &id)
			b.emails[email] = id
			return err
		})
		if err != nil {
			return fmt.Errorf("look up emails: %w", err)
		}
	}
	return nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func (b *batchResolver) lookupHandle(k refKey) (int64, bool) {
	if _, freed := b.freeHandle[k]; freed {
		if id, ok := b.handles[k]; ok {
			return id, true // taken again in this batch
		}
		return 0, false
	}
	if id, ok := b.im.handles[k]; ok {
		return id, true
	}
	id, ok := b.handles[k]
	return id, ok
}

func (b *batchResolver) lookupEmail(e string) (int64, bool) {
	if id, ok := b.im.emails[e]; ok {
		return id, true
	}
	id, ok := b.emails[e]
	return id, ok
}

// resolve finds the member a reference names: by the platform's user id,
// then platform handle, then email; a reference matching nobody creates a
// member. A handle first seen with a known email joins that email's member;
// an email first seen with a known handle joins the handle's member, unless
// it is somebody else's. A known user id seen under a new handle renames the
// identity; a handle held by another user id was given up by that account,
// and goes to the new one.
func (b *batchResolver) resolve(ctx context.Context, ref cadre.MemberRef) (int64, error) {
	email := emailOf(ref)
	key := keyOf(ref)
	if ref.UserID != "" {
		if id, ok := b.lookupUserID(refKey{ref.Platform, ref.UserID}); ok {
			b.rename(id, ref)
			if ref.Handle != "" {
				// A renamed account; when another identity still holds the new
				// handle, the rename waits until that one is seen again.
				if _, taken := b.lookupHandle(key); !taken {
					b.setHandle[refKey{ref.Platform, ref.UserID}] = ref.Handle
					b.handles[key] = id
					b.handleUID[key] = ref.UserID
				}
			}
			b.addEmail(id, email)
			return id, nil
		}
	}
	if ref.Handle != "" {
		if id, ok := b.lookupHandle(key); ok {
			switch stored := b.storedUID(key); {
			case ref.UserID == "" || stored == ref.UserID:
			case stored == "":
				b.setUserID[key] = ref.UserID
				b.userIDs[refKey{ref.Platform, ref.UserID}] = id
			default:
				// Another account holds the handle now (or shares it: display
				// names stand in for handles on some platforms).
				b.freeHandle[key] = stored
				b.freePending(key, stored)
				delete(b.handles, key)
				delete(b.handleUID, key)
				return b.resolve(ctx, ref)
			}
			b.rename(id, ref)
			b.addEmail(id, email)
			return id, nil
		}
	}
	id, ok := int64(0), false
	if email != "" {
		id, ok = b.lookupEmail(email)
	}
	if !ok {
		var err error
		if id, err = b.create(ctx, ref, email); err != nil {
			return 0, err
		}
	}
	if ref.Handle != "" {
		b.newIdents = append(b.newIdents, id, ref.Platform, ref.Handle, key.handle, ref.UserID)
		b.handles[key] = id
		b.handleUID[key] = ref.UserID
		if ref.UserID != "" {
			b.userIDs[refKey{ref.Platform, ref.UserID}] = id
		}
	}
	return id, nil
}

// freePending moves a handle out of the way when the identity holding it was
// created in this batch, as the update of stored identities does.
func (b *batchResolver) freePending(k refKey, uid string) {
	for i := 0; i+4 < len(b.newIdents); i += 5 {
		if b.newIdents[i+1] == k.platform && b.newIdents[i+3] == k.handle && b.newIdents[i+4] == uid {
			b.newIdents[i+3] = k.handle + "#" + uid
		}
	}
}

// addEmail gives member id an email seen with one of their handles, unless
// the email is somebody's already.
func (b *batchResolver) addEmail(id int64, email string) {
	if email == "" {
		return
	}
	if _, taken := b.lookupEmail(email); !taken {
		b.newEmails = append(b.newEmails, email, id, 1)
		b.emails[email] = id
	}
}

// storedUID returns the user id stored with a known handle.
func (b *batchResolver) storedUID(k refKey) string {
	if uid, ok := b.handleUID[k]; ok {
		return uid
	}
	return b.im.handleUID[k]
}

func (b *batchResolver) lookupUserID(k refKey) (int64, bool) {
	if id, ok := b.im.userIDs[k]; ok {
		return id, true
	}
	id, ok := b.userIDs[k]
	return id, ok
}

// create queues a new member for ref and returns its ID.
func (b *batchResolver) create(ctx context.Context, ref cadre.MemberRef, email string) (int64, error) {
	id, err := b.newID(ctx)
	if err != nil {
		return 0, err
	}
	name := strings.TrimSpace(ref.Name)
	if name == "" {
		b.unnamed[id] = true
		name = ref.Handle
		if name == "" {
			name, _, _ = strings.Cut(email, "@")
		}
	}
	b.memberAt[id] = len(b.newMembers)
	b.newMembers = append(b.newMembers, newMember{id: id, name: name, bot: ref.Bot || cadre.IsBotHandle(ref.Handle),
		staff: identity.IsStaffEmail(email, b.staffDomains)})
	if email != "" {
		b.newEmails = append(b.newEmails, email, id, 0)
		b.emails[email] = id
	}
	return id, nil
}

// idBlock is how many member IDs one trip to the PostgreSQL sequence takes.
const idBlock = 1024

// newID hands out a member ID. SQLite has one writer at a time, so IDs follow
// the largest stored; PostgreSQL instances draw them from the sequence.
func (b *batchResolver) newID(ctx context.Context) (int64, error) {
	s := b.im.s
	if s.dialect == Postgres {
		if len(b.im.idPool) == 0 {
			err := eachRow(ctx, b.tx, `SELECT nextval(pg_get_serial_sequence('members', 'id')) FROM generate_series(1, $1)`, []any{idBlock}, func(rows *sql.Rows) error {
				var id int64
				err := rows.Scan(&id)
				b.im.idPool = append(b.im.idPool, id)
				return err
			})
			if err != nil {
				return 0, fmt.Errorf("allocate member ids: %w", err)
			}
		}
		id := b.im.idPool[0]
		b.im.idPool = b.im.idPool[1:]
		return id, nil
	}
	if b.nextID == 0 {
		if err := b.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM members`).Scan(&b.nextID); err != nil {
			return 0, fmt.Errorf("allocate member ids: %w", err)
		}
	}
	b.nextID++
	return b.nextID, nil
}

// rename gives a member the name a record tells when they were named after a
// handle so far, such as a mentee who later reports under their own name.
func (b *batchResolver) rename(id int64, ref cadre.MemberRef) {
	name := strings.TrimSpace(ref.Name)
	if name == "" || b.named[id] {
		return
	}
	switch {
	case b.unnamed[id]:
		b.newMembers[b.memberAt[id]].name = name
		delete(b.unnamed, id)
	case b.im.unnamed[id]:
		b.renames[id] = name
	case b.storedNames[id] == ref.Handle && name != ref.Handle:
		b.renames[id] = name
		b.storedNames[id] = name
	default:
		return
	}
	b.named[id] = true
}

// flush writes what resolving the batch queued.
func (b *batchResolver) flush(ctx context.Context) error {
	s := b.im.s
	now := s.Now().Unix()
	members := make([]any, 0, 5*len(b.newMembers))
	for _, m := range b.newMembers {
		members = append(members, m.id, m.name, m.bot, m.staff, now)
	}
	if err := s.insertValues(ctx, b.tx, `INSERT INTO members (id, name, bot, staff, created_at) VALUES `, 5, members, ""); err != nil {
		return fmt.Errorf("create members: %w", err)
	}
	if err := s.insertValues(ctx, b.tx, `INSERT INTO member_emails (email, member_id, position) VALUES `, 3, b.newEmails, ` ON CONFLICT DO NOTHING`); err != nil {
		return fmt.Errorf("add emails: %w", err)
	}
	// Handles freed by accounts that gave them up are renamed out of the way
	// first, keeping the identity under its user id.
	for k, uid := range b.freeHandle {
		if _, err := b.tx.ExecContext(ctx, s.q(`UPDATE identities SET handle_key = ? WHERE platform = ? AND handle_key = ? AND user_id = ?`),
			k.handle+"#"+uid, k.platform, k.handle, uid); err != nil {
			return fmt.Errorf("free handle %s:%s: %w", k.platform, k.handle, err)
		}
	}
	for k, handle := range b.setHandle {
		if _, err := b.tx.ExecContext(ctx, s.q(`UPDATE identities SET handle = ?, handle_key = ? WHERE platform = ? AND user_id = ?`),
			handle, strings.ToLower(handle), k.platform, k.handle); err != nil {
			return fmt.Errorf("rename identity %s:%s: %w", k.platform, handle, err)
		}
	}
	for k, uid := range b.setUserID {
		if _, err := b.tx.ExecContext(ctx, s.q(`UPDATE identities SET user_id = ? WHERE platform = ? AND handle_key = ?`), uid, k.platform, k.handle); err != nil {
			return fmt.Errorf("set user id of %s:%s: %w", k.platform, k.handle, err)
		}
	}
	if err := s.insertValues(ctx, b.tx, `INSERT INTO identities (member_id, platform, handle, handle_key, user_id) VALUES `, 5, b.newIdents, ""); err != nil {
		return fmt.Errorf("add identities: %w", err)
	}
	changed := make([]int64, 0, len(b.newMembers)+len(b.renames))
	for _, m := range b.newMembers {
		changed = append(changed, m.id)
	}
	for id, name := range b.renames {
		if _, err := b.tx.ExecContext(ctx, s.q(`UPDATE members SET name = ? WHERE id = ?`), name, id); err != nil {
			return fmt.Errorf("name member %d: %w", id, err)
		}
		changed = append(changed, id)
	}
	return s.logMembers(ctx, b.tx, b.seq, changed)
}

// valuesChunk bounds the parameters of one multi-row INSERT.
const valuesChunk = 900

// insertValues runs prefix followed by as many value tuples of ncols columns
// as args holds, in statements of at most valuesChunk parameters.
func (s *Store) insertValues(ctx context.Context, tx dbtx, prefix string, ncols int, args []any, suffix string) error {
	tuple := "(" + placeholders(ncols) + ")"
	perStmt := valuesChunk / ncols * ncols
	for start := 0; start < len(args); start += perStmt {
		chunk := args[start:min(start+perStmt, len(args))]
		query := prefix + strings.TrimSuffix(strings.Repeat(tuple+",", len(chunk)/ncols), ",") + suffix
		if _, err := tx.ExecContext(ctx, s.q(query), chunk...); err != nil {
			return err
		}
	}
	return nil
}
