package criteria

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// The largest numbers a document may hold (SPEC section 1). Each is far
// beyond any sensible program, and together they keep every score, hour and
// share finite: a point is worth at most 1e12, so that even a billion
// activities sum to a finite score, and day counts stay well inside
// time.Duration's range.
const (
	maxWeight        = 1e6  // an activity type's multiplier and points
	maxEffort        = 1e5  // an activity type's effort_minutes
	maxThreshold     = 1e12 // thresholds.achieve and thresholds.maintain
	maxDays          = 3660 // active_window_days and activation.window_days
	maxMinActivities = 1e6  // activation.min_activities
)

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
// ValidationErrors listing every problem, each number against its range
// there. Beyond the specification's rules it requires share and band ends in
// [0, 1] and at least one activity type, each with a name and a key free of
// white space.
//
// When c is valid, Validate also prepares the lookups that Location and Type
// serve, so call it after building or changing a Criteria by hand, and not
// while others read c.
func (c *Criteria) Validate() error {
	var errs ValidationErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	// upTo checks that v is a number from 0 to limit, which NaN is not.
	upTo := func(field string, v, limit float64) bool {
		if !(v >= 0 && v <= limit) {
			add(field, "must be a non-negative number of at most %g, got %v", limit, v)
			return false
		}
		return true
	}
	count := func(field string, v, limit int, unit string) {
		if v < 1 || v > limit {
			add(field, "must be between 1 and %d%s, got %d", limit, unit, v)
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
	count("active_window_days", c.ActiveWindowDays, maxDays, " days")
	okAchieve := upTo("thresholds.achieve", c.Thresholds.Achieve, maxThreshold)
	okMaintain := upTo("thresholds.maintain", c.Thresholds.Maintain, maxThreshold)
	if okAchieve && okMaintain && c.Thresholds.Maintain > c.Thresholds.Achieve {
		add("thresholds.maintain", "must not exceed thresholds.achieve (%v > %v)", c.Thresholds.Maintain, c.Thresholds.Achieve)
	}
	band("target_share", c.TargetShare)
	band("renewal_band", c.RenewalBand)
	count("activation.window_days", c.Activation.WindowDays, maxDays, " days")
	count("activation.min_activities", c.Activation.MinActivities, maxMinActivities, "")

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
		upTo(field+".multiplier", t.Multiplier, maxWeight)
		upTo(field+".points", t.Points, maxWeight)
		upTo(field+".effort_minutes", t.EffortMinutes, maxEffort)
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
