package store

import "context"

// TamperAuditLog runs edit, an UPDATE or DELETE of the audit log that the
// append-only log must refuse, on the write connection.
func (s *Store) TamperAuditLog(ctx context.Context, edit string) error {
	_, err := s.write.ExecContext(ctx, edit)
	return err
}
