package cadre

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Error codes say what kind of failure happened, so that each transport can map
// them to its own vocabulary (HTTP status, exit code) in exactly one place.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized" // who is asking is not known
	EFORBIDDEN    = "forbidden"    // who is asking may not do it
	ETOOMANY      = "too_many"     // too many attempts: wait
	EUNSUPPORTED  = "unsupported"  // a body of a type not taken
	EMISDIRECTED  = "misdirected"  // a request for another host name
	ETOOLARGE     = "too_large"    // a body over the limit
)

// Error is an application error with a code and a message safe to show users.
// Err is what caused it, when another error did: errors.Is and errors.As
// reach it.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message. An
// error among args that the format writes with %w becomes its cause, and its
// text goes into the message.
func Errorf(code, format string, args ...any) *Error {
	wrapped := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: wrapped.Error(), Err: errors.Unwrap(wrapped)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the user-facing message of err: that of its *Error, or a
// generic one for internal errors, whose details belong in logs only.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "internal error"
	}
}

// Quote quotes a value for a message, cut short so that a long value does not
// make a long message.
func Quote(s string) string {
	const limit = 60
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}
