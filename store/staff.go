package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/identity"
)

// staffDomainsKey is the setting that holds the staff's email domains.
const staffDomainsKey = "staff_domains"

// StaffDomains returns the email domains whose members are staff.
func (s *Store) StaffDomains(ctx context.Context) ([]string, error) {
	return s.staffDomains(ctx, s.read)
}

func (s *Store) staffDomains(ctx context.Context, db dbtx) ([]string, error) {
	var v string
	err := db.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), staffDomainsKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read staff domains: %w", err)
	}
	if v == "" {
		return nil, nil
	}
	return strings.Split(v, ","), nil
}

// SetStaffDomains makes the members with an email in one of domains staff,
// now and when they are first seen later, and returns how many members it
// flagged now. Members flagged before stay staff. The change is audited.
func (s *Store) SetStaffDomains(ctx context.Context, domains []string, actor string) (int, error) {
	clean, err := identity.StaffDomains(domains)
	if err != nil {
		return 0, err
	}
	flagged := 0
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.bump(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
			staffDomainsKey, strings.Join(clean, ",")); err != nil {
			return fmt.Errorf("save staff domains: %w", err)
		}
		var ids []int64
		for _, d := range clean {
			found, err := s.ids(ctx, tx, `SELECT DISTINCT m.id FROM members m JOIN member_emails e ON e.member_id = m.id
				WHERE NOT m.staff AND e.email LIKE ? ESCAPE '\'`, "%@"+escapeLike(d))
			if err != nil {
				return err
			}
			ids = append(ids, found...)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if err := forIDs(ids, func(in string, args []any) error {
			_, err := tx.ExecContext(ctx, s.q(`UPDATE members SET staff = ? WHERE id IN (`+in+`)`), append([]any{true}, args...)...)
			return err
		}); err != nil {
			return fmt.Errorf("flag staff: %w", err)
		}
		if err := s.logMembers(ctx, tx, seq, ids); err != nil {
			return err
		}
		flagged = len(ids)
		return s.appendAudit(ctx, tx, cadre.AuditEntry{Actor: actor, Action: "settings.staff_domains", Target: "settings",
			Detail: fmt.Sprintf("staff domains: %s; %d members flagged staff", strings.Join(clean, ", "), len(ids))})
	})
	return flagged, err
}
