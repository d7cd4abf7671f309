package criteria

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	"go.yaml.in/yaml/v3"
)

// Parse reads a criteria document, YAML or JSON, and returns the criteria it
// describes, validated and ready for use.
//
// Omitted fields, and fields given as null, take the defaults of SPEC section 1
// field by field: {"decay": {"mode": "none"}} keeps the default rate, while an
// explicit zero such as "rate: 0" is kept. An empty document is the default.
// When activity_types is given it replaces the default list entirely; in each
// type, points defaults to 1, effort_minutes to 0 and name to the key, while
// key and multiplier are required.
//
// Unknown keys, malformed YAML and more than one YAML document are errors. A
// document that parses but is incomplete (a type without key or multiplier, a
// fractional day count) or breaks a rule of Validate yields an error wrapping
// ValidationErrors (use errors.As) that lists every problem with its field; the
// rules of Validate are checked once the document is complete. Every error
// Parse returns is a fault of the document.
func Parse(data []byte) (*Criteria, error) {
	// Aliases can make a small document expand into a huge one as it is
	// decoded; a criteria document has no use for them, so they are refused
	// before anything is expanded.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse criteria: %w", err)
	}
	if line := aliasLine(&root); line > 0 {
		return nil, fmt.Errorf("parse criteria: line %d: YAML aliases (*name) are not supported; write the value out", line)
	}
	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse criteria: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, fmt.Errorf("parse criteria: %w", err)
		}
		return nil, errors.New("parse criteria: more than one YAML document")
	}

	c, errs := doc.criteria()
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid criteria: %w", errs)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("invalid criteria: %w", err)
	}
	return c, nil
}

// aliasLine returns the line of the first alias under n, or 0 when there is
// none.
func aliasLine(n *yaml.Node) int {
	if n.Kind == yaml.AliasNode {
		return n.Line
	}
	for _, c := range n.Content {
		if line := aliasLine(c); line > 0 {
			return line
		}
	}
	return 0
}

// YAML returns c as a YAML document with every field written out, which Parse
// reads back to an equal Criteria.
func (c *Criteria) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("marshal criteria: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal criteria: %w", err)
	}
	return buf.Bytes(), nil
}

// document is a criteria document as written. Every field is a pointer so that
// an omitted field, which takes its default, can be told from an explicit zero.
// Whole-number fields are read as floats so that 90.5 days is reported rather
// than silently truncated.
type document struct {
	Timezone         *string            `yaml:"timezone"`
	Decay            *decayDocument     `yaml:"decay"`
	ActiveWindowDays *float64           `yaml:"active_window_days"`
	Thresholds       *thresholdsDoc     `yaml:"thresholds"`
	TargetShare      *bandDocument      `yaml:"target_share"`
	RenewalBand      *bandDocument      `yaml:"renewal_band"`
	Activation       *activationDoc     `yaml:"activation"`
	ActivityTypes    []*activityTypeDoc `yaml:"activity_types"`
}

type decayDocument struct {
	Mode *string  `yaml:"mode"`
	Rate *float64 `yaml:"rate"`
}

type thresholdsDoc struct {
	Achieve  *float64 `yaml:"achieve"`
	Maintain *float64 `yaml:"maintain"`
}

type bandDocument struct {
	Min *float64 `yaml:"min"`
	Max *float64 `yaml:"max"`
}

type activationDoc struct {
	WindowDays    *float64 `yaml:"window_days"`
	MinActivities *float64 `yaml:"min_activities"`
}

type activityTypeDoc struct {
	Key           *string  `yaml:"key"`
	Name          *string  `yaml:"name"`
	Multiplier    *float64 `yaml:"multiplier"`
	Points        *float64 `yaml:"points"`
	EffortMinutes *float64 `yaml:"effort_minutes"`
}

// criteria lays the document over the defaults. It reports the problems only
// the document shows (a missing required field, a fractional count); the
// rules on values are left to Validate.
func (d *document) criteria() (*Criteria, ValidationErrors) {
	c := Default()
	var errs ValidationErrors
	setWhole := func(dst *int, src *float64, field string) {
		if src == nil {
			return
		}
		// The bound keeps the conversion exact on every platform; Validate
		// applies the real, much smaller, limits.
		if *src != math.Trunc(*src) || math.Abs(*src) > math.MaxInt32 {
			errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf("must be a whole number, got %v", *src)})
			return
		}
		*dst = int(*src)
	}

	set(&c.Timezone, d.Timezone)
	if d.Decay != nil {
		if d.Decay.Mode != nil {
			c.Decay.Mode = DecayMode(*d.Decay.Mode)
		}
		set(&c.Decay.Rate, d.Decay.Rate)
	}
	setWhole(&c.ActiveWindowDays, d.ActiveWindowDays, "active_window_days")
	if d.Thresholds != nil {
		set(&c.Thresholds.Achieve, d.Thresholds.Achieve)
		set(&c.Thresholds.Maintain, d.Thresholds.Maintain)
	}
	d.TargetShare.over(&c.TargetShare)
	d.RenewalBand.over(&c.RenewalBand)
	if d.Activation != nil {
		setWhole(&c.Activation.WindowDays, d.Activation.WindowDays, "activation.window_days")
		setWhole(&c.Activation.MinActivities, d.Activation.MinActivities, "activation.min_activities")
	}
	if d.ActivityTypes != nil {
		c.ActivityTypes = make([]ActivityType, len(d.ActivityTypes))
		for i, td := range d.ActivityTypes {
			field := fmt.Sprintf("activity_types[%d]", i)
			if td == nil {
				errs = append(errs, FieldError{Field: field, Message: "must be a mapping with key and multiplier"})
				continue
			}
			t := ActivityType{Points: 1}
			if td.Key == nil {
				errs = append(errs, FieldError{Field: field + ".key", Message: "required"})
			} else {
				t.Key = *td.Key
			}
			if td.Multiplier == nil {
				errs = append(errs, FieldError{Field: field + ".multiplier", Message: "required"})
			} else {
				t.Multiplier = *td.Multiplier
			}
			t.Name = t.Key
			set(&t.Name, td.Name)
			set(&t.Points, td.Points)
			set(&t.EffortMinutes, td.EffortMinutes)
			c.ActivityTypes[i] = t
		}
	}
	return c, errs
}

// over lays the band given in a document over dst; a nil band changes nothing.
func (b *bandDocument) over(dst *Band) {
	if b == nil {
		return
	}
	set(&dst.Min, b.Min)
	set(&dst.Max, b.Max)
}

// set stores *src in *dst when the document gave a value.
func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
