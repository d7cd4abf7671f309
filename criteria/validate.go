package criteria

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
)

// maxDays bounds the day counts of a document. A century is far beyond any
// sensible window and keeps day arithmetic well inside time.Duration's range.
const maxDays = 36525

// FieldError is one problem with a criteria document, naming the field by its
// path in the document, such as "decay.rate" or "activity_types[2].multiplier".
type FieldError struct {
	Field   string
	Message string
}

// Error returns "field: message".
func (e FieldError) Error() string {
	return e.Field + ": " + e.Message
}

// ValidationErrors lists every problem found in a criteria document, in
// document order.
type ValidationErrors []FieldError

// Error joins the problems with "; ".
func (e ValidationErrors) Error() string {
	msgs := make([]string, len(e))
	for i, fe := range e {
		msgs[i] = fe.Error()
	}
	return strings.Join(msgs, "; ")
}

// Validate checks c against the rules of SPEC section 1 and returns nil or a
// ValidationErrors listing every problem. Beyond the specification's rules it
// requires positive day counts of at most a century, non-negative thresholds and
// activation counts, share and band ends in [0, 1], finite numbers, and at least
// one activity type, each with a name and a key free of white space.
//
// When c is valid, Validate also prepares the lookups that Location and Type
// serve, so call it after building or changing a Criteria by hand, and not
// while others read c.
func (c *Criteria) Validate() error {
	var errs ValidationErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	nonNegative := func(field string, v float64) bool {
		if !(v >= 0) || math.IsInf(v, 1) {
			add(field, "must be a non-negative number, got %v", v)
			return false
		}
		return true
	}
	days := func(field string, v int) {
		if v < 1 || v > maxDays {
			add(field, "must be between 1 and %d days, got %d", maxDays, v)
		}
	}
	band := func(field string, b Band) {
		okMin := b.Min >= 0 && b.Min <= 1
		okMax := b.Max >= 0 && b.Max <= 1
		if !okMin {
			add(field+".min", "must be in [0, 1], got %v", b.Min)
		}
		if !okMax {
			add(field+".max", "must be in [0, 1], got %v", b.Max)
		}
		if okMin && okMax && b.Min > b.Max {
			add(field, "min %v exceeds max %v", b.Min, b.Max)
		}
	}

	loc, err := loadLocation(c.Timezone)
	if err != nil {
		add("timezone", "%v", err)
	}
	if !c.Decay.Mode.Valid() {
		add("decay.mode", "unknown mode %q (want %s, %s or %s)", c.Decay.Mode, DecayQuarterly, DecayContinuous, DecayNone)
	}
	if !(c.Decay.Rate >= 0 && c.Decay.Rate < 1) {
		add("decay.rate", "must be in [0, 1), got %v", c.Decay.Rate)
	}
	days("active_window_days", c.ActiveWindowDays)
	okAchieve := nonNegative("thresholds.achieve", c.Thresholds.Achieve)
	okMaintain := nonNegative("thresholds.maintain", c.Thresholds.Maintain)
	if okAchieve && okMaintain && c.Thresholds.Maintain > c.Thresholds.Achieve {
		add("thresholds.maintain", "must not exceed thresholds.achieve (%v > %v)", c.Thresholds.Maintain, c.Thresholds.Achieve)
	}
	band("target_share", c.TargetShare)
	band("renewal_band", c.RenewalBand)
	days("activation.window_days", c.Activation.WindowDays)
	if c.Activation.MinActivities < 0 {
		add("activation.min_activities", "must not be negative, got %d", c.Activation.MinActivities)
	}

	if len(c.ActivityTypes) == 0 {
		add("activity_types", "must define at least one activity type")
	}
	first := make(map[string]int, len(c.ActivityTypes))
	for i, t := range c.ActivityTypes {
		field := fmt.Sprintf("activity_types[%d]", i)
		switch {
		case t.Key == "":
			add(field+".key", "required")
		case strings.ContainsFunc(t.Key, unicode.IsSpace):
			add(field+".key", "must not contain white space, got %q", t.Key)
		}
		if t.Key != "" {
			if j, dup := first[t.Key]; dup {
				add(field+".key", "duplicate key %q (also activity_types[%d])", t.Key, j)
			} else {
				first[t.Key] = i
			}
		}
		if t.Name == "" {
			add(field+".name", "required")
		}
		nonNegative(field+".multiplier", t.Multiplier)
		nonNegative(field+".points", t.Points)
		nonNegative(field+".effort_minutes", t.EffortMinutes)
	}

	if len(errs) > 0 {
		return errs
	}
	c.prepare(loc)
	return nil
}

// loadLocation loads an IANA time zone, refusing the empty name and "Local",
// which time.LoadLocation would take as UTC and the server's zone.
func loadLocation(name string) (*time.Location, error) {
	switch name {
	case "":
		return nil, errors.New("required: an IANA time zone such as UTC or Europe/Berlin")
	case "Local":
		return nil, errors.New(`"Local" depends on the server; name an IANA time zone`)
	}
	// The error of time.LoadLocation already names the zone.
	return time.LoadLocation(name)
}
