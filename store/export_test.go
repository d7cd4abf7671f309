package store

import "context"

// TamperAuditLog tries what the append-only audit log must refuse.
func (s *Store) TamperAuditLog(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE audit_log SET actor = 'mallory'`); err == nil {
		return nil
	}
	_, err := s.write.ExecContext(ctx, `DELETE FROM audit_log`)
	return err
}
