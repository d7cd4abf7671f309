package cadre

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestErrorWrapsCause(t *testing.T) {
	err := fmt.Errorf("import: %w", Errorf(EINVALID, "read %s: %w", "a.csv", io.ErrUnexpectedEOF))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is does not reach the cause of %v", err)
	}
	if got := ErrorCode(err); got != EINVALID {
		t.Errorf("code %q, want invalid", got)
	}
	if got, want := ErrorMessage(err), "read a.csv: unexpected EOF"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if e := Errorf(ENOTFOUND, "member %d not found", 7); e.Err != nil || e.Message != "member 7 not found" {
		t.Errorf("an error with no cause: %+v", e)
	}
}
