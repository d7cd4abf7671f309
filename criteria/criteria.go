// Package criteria holds the program's criteria document (SPEC section 1): the
// decay rule, thresholds, calibration targets and the activity types with their
// weights. A document is YAML (JSON is accepted, being YAML); Parse fills omitted
// fields with the defaults of the specification and validates the result, so a
// *Criteria obtained from Parse or Default is always valid and ready for the
// scoring engine.
package criteria

import (
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// DecayMode says how points lose value over time (SPEC section 3).
type DecayMode string

// Decay modes.
const (
	// DecayQuarterly keeps points at full value during their own quarter and
	// takes away the rate at each quarter boundary.
	DecayQuarterly DecayMode = "quarterly"
	// DecayContinuous takes away the rate per quarter-length of elapsed time,
	// smoothly.
	DecayContinuous DecayMode = "continuous"
	// DecayNone keeps points at full value forever.
	DecayNone DecayMode = "none"
)

// Valid reports whether m is one of the known modes.
func (m DecayMode) Valid() bool {
	switch m {
	case DecayQuarterly, DecayContinuous, DecayNone:
		return true
	}
	return false
}

// Criteria is one version of the program's criteria document. Its exported
// fields mirror the document's keys; the unexported ones are lookups prepared
// by Default, Parse and Validate for the scoring engine.
//
// Treat a Criteria as read-only once prepared: it is then safe for concurrent
// use. A Criteria built or changed by hand must be validated (Validate) before
// Location and Type can be relied on.
type Criteria struct {
	// Timezone is the IANA zone in which quarter boundaries are computed.
	Timezone string `yaml:"timezone" json:"timezone"`
	Decay    Decay  `yaml:"decay" json:"decay"`
	// ActiveWindowDays is N in "the active community are the members with a
	// counted activity in the last N days".
	ActiveWindowDays int            `yaml:"active_window_days" json:"active_window_days"`
	Thresholds       Thresholds     `yaml:"thresholds" json:"thresholds"`
	TargetShare      Band           `yaml:"target_share" json:"target_share"`
	RenewalBand      Band           `yaml:"renewal_band" json:"renewal_band"`
	Activation       Activation     `yaml:"activation" json:"activation"`
	ActivityTypes    []ActivityType `yaml:"activity_types" json:"activity_types"`

	loc   *time.Location
	index map[string]int // activity type key -> position in ActivityTypes
}

// Decay is the rule by which points lose value.
type Decay struct {
	Mode DecayMode `yaml:"mode" json:"mode"`
	// Rate is the fraction of points lost per quarter, in [0, 1).
	Rate float64 `yaml:"rate" json:"rate"`
}

// Thresholds are the scores that qualify a member and keep an ambassador.
type Thresholds struct {
	// Achieve is the score needed to qualify (become eligible).
	Achieve float64 `yaml:"achieve" json:"achieve"`
	// Maintain is the score an ambassador needs at review to renew; it is at
	// most Achieve.
	Maintain float64 `yaml:"maintain" json:"maintain"`
}

// Band is a healthy range of a ratio, both ends in [0, 1] and inclusive.
type Band struct {
	Min float64 `yaml:"min" json:"min"`
	Max float64 `yaml:"max" json:"max"`
}

// Activation defines when a mentee counts as activated (SPEC section 6): at
// least MinActivities approved activities of their own within WindowDays after
// their first mentoring activity.
type Activation struct {
	WindowDays    int `yaml:"window_days" json:"window_days"`
	MinActivities int `yaml:"min_activities" json:"min_activities"`
}

// ActivityType is a kind of contribution and its weight.
type ActivityType struct {
	// Key is what activities name in their type field.
	Key  string `yaml:"key" json:"key"`
	Name string `yaml:"name" json:"name"`
	// Multiplier weighs the type against the others.
	Multiplier float64 `yaml:"multiplier" json:"multiplier"`
	// Points is the base value of one activity (1 when omitted).
	Points float64 `yaml:"points" json:"points"`
	// EffortMinutes is the typical effort of one activity, for influence hours
	// (0 when omitted); an activity's own effort overrides it.
	EffortMinutes float64 `yaml:"effort_minutes" json:"effort_minutes"`
}

// PointValue is what one approved activity of the type earns before decay:
// points × multiplier (SPEC section 2).
func (t ActivityType) PointValue() float64 {
	return t.Points * t.Multiplier
}

// DefaultYAML is the default criteria document of SPEC section 1, the starting
// document of a new program. Parse(DefaultYAML) equals Default().
const DefaultYAML = `timezone: UTC                 # IANA zone; quarter boundaries are computed in it
decay:
  mode: quarterly             # quarterly | continuous | none
  rate: 0.25                  # fraction of points lost per quarter
active_window_days: 90        # "active community" = a counted activity in the last N days
thresholds:
  achieve: 60                 # score needed to qualify (become eligible)
  maintain: 40                # score an ambassador needs at review to renew (maintain <= achieve)
target_share: {min: 0.01, max: 0.05}   # qualifying share of the active community
renewal_band: {min: 0.60, max: 0.90}   # healthy quarterly renewal rate
activation: {window_days: 90, min_activities: 3}   # mentee activation (section 6)
activity_types:
  - {key: forum,     name: Forum participation,  multiplier: 1, points: 1, effort_minutes: 5}
  - {key: content,   name: Published content,    multiplier: 3, points: 1, effort_minutes: 180}
  - {key: mentoring, name: Mentoring,            multiplier: 4, points: 1, effort_minutes: 60}
  - {key: speaking,  name: Speaking or workshop, multiplier: 5, points: 1, effort_minutes: 240}
  - {key: feedback,  name: Product feedback,     multiplier: 2, points: 1, effort_minutes: 60}
  - {key: beta,      name: Beta testing,         multiplier: 2, points: 1, effort_minutes: 120}
  - {key: code,      name: Code contribution,    multiplier: 2, points: 1, effort_minutes: 120}
`

// Default returns the default criteria of SPEC section 1, a new value on each
// call.
func Default() *Criteria {
	c := &Criteria{
		Timezone:         "UTC",
		Decay:            Decay{Mode: DecayQuarterly, Rate: 0.25},
		ActiveWindowDays: 90,
		Thresholds:       Thresholds{Achieve: 60, Maintain: 40},
		TargetShare:      Band{Min: 0.01, Max: 0.05},
		RenewalBand:      Band{Min: 0.60, Max: 0.90},
		Activation:       Activation{WindowDays: 90, MinActivities: 3},
		ActivityTypes: []ActivityType{
			{Key: "forum", Name: "Forum participation", Multiplier: 1, Points: 1, EffortMinutes: 5},
			{Key: "content", Name: "Published content", Multiplier: 3, Points: 1, EffortMinutes: 180},
			{Key: "mentoring", Name: "Mentoring", Multiplier: 4, Points: 1, EffortMinutes: 60},
			{Key: "speaking", Name: "Speaking or workshop", Multiplier: 5, Points: 1, EffortMinutes: 240},
			{Key: "feedback", Name: "Product feedback", Multiplier: 2, Points: 1, EffortMinutes: 60},
			{Key: "beta", Name: "Beta testing", Multiplier: 2, Points: 1, EffortMinutes: 120},
			{Key: "code", Name: "Code contribution", Multiplier: 2, Points: 1, EffortMinutes: 120},
		},
	}
	c.prepare(time.UTC)
	return c
}

// prepare records the lookups that Location and Type serve.
func (c *Criteria) prepare(loc *time.Location) {
	c.loc = loc
	c.index = make(map[string]int, len(c.ActivityTypes))
	for i, t := range c.ActivityTypes {
		c.index[t.Key] = i
	}
}

// Location returns the time zone named by Timezone, loaded once when the
// criteria were prepared. For a Criteria whose Timezone changed since, or that
// was never validated, it loads the zone again, falling back to UTC when the
// name is not a known zone (which Validate reports).
func (c *Criteria) Location() *time.Location {
	if c.loc != nil && c.loc.String() == c.Timezone {
		return c.loc
	}
	loc, err := loadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Type returns the activity type with the given key, and whether the criteria
// define it. Activities of an undefined type earn nothing (SPEC section 2).
func (c *Criteria) Type(key string) (ActivityType, bool) {
	if c.index != nil {
		i, ok := c.index[key]
		if !ok {
			return ActivityType{}, false
		}
		// The position is checked in case ActivityTypes was edited after the
		// index was built; a mismatch falls through to a plain search.
		if i < len(c.ActivityTypes) && c.ActivityTypes[i].Key == key {
			return c.ActivityTypes[i], true
		}
	}
	for _, t := range c.ActivityTypes {
		if t.Key == key {
			return t, true
		}
	}
	return ActivityType{}, false
}

// CheckType returns an EINVALID error naming the known types when key is
// not one of them: a report or a filter of a type that earns nothing is a
// mistake.
func (c *Criteria) CheckType(key string) error {
	if _, ok := c.Type(key); ok {
		return nil
	}
	known := make([]string, len(c.ActivityTypes))
	for i, t := range c.ActivityTypes {
		known[i] = t.Key
	}
	return cadre.Errorf(cadre.EINVALID, "unknown activity type %s: the criteria know %s", cadre.Quote(key), strings.Join(known, ", "))
}
