package criteria

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadrehq/cadre/internal/shared"
)

func TestParsePartial(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want func(c *Criteria) // applied to Default() to give the expected value
	}{
		{"empty", ``, func(*Criteria) {}},
		{"null document", `null`, func(*Criteria) {}},
		{"empty JSON object", `{}`, func(*Criteria) {}},
		{"explicit zero rate kept", `{"decay": {"mode": "none", "rate": 0}}`, func(c *Criteria) {
			c.Decay = Decay{Mode: DecayNone, Rate: 0}
		}},
		{"omitted rate takes default", `{"decay": {"mode": "continuous"}}`, func(c *Criteria) {
			c.Decay.Mode = DecayContinuous
		}},
		{"explicit zero thresholds kept", `thresholds: {achieve: 0, maintain: 0}`, func(c *Criteria) {
			c.Thresholds = Thresholds{}
		}},
		{"omitted maintain takes default", `thresholds: {achieve: 45}`, func(c *Criteria) {
			c.Thresholds.Achieve = 45
		}},
		{"explicit zero band kept", `target_share: {min: 0, max: 0}`, func(c *Criteria) {
			c.TargetShare = Band{}
		}},
		{"null field takes default", `{"timezone": null, "decay": null, "activity_types": null}`, func(*Criteria) {}},
		{"fractional thresholds", `{"thresholds": {"achieve": 10, "maintain": 7.5}}`, func(c *Criteria) {
			c.Thresholds = Thresholds{Achieve: 10, Maintain: 7.5}
		}},
		{"whole number written as float", `{"active_window_days": 180.0, "activation": {"min_activities": 5.0}}`, func(c *Criteria) {
			c.ActiveWindowDays = 180
			c.Activation.MinActivities = 5
		}},
		{"time zone", `timezone: Pacific/Auckland`, func(c *Criteria) {
			c.Timezone = "Pacific/Auckland"
		}},
		{"activity types replace the defaults", `
activity_types:
  - {key: talk, name: Conference talk, multiplier: 5, points: 2, effort_minutes: 300}
  - {key: blog, multiplier: 0}
`, func(c *Criteria) {
			c.ActivityTypes = []ActivityType{
				{Key: "talk", Name: "Conference talk", Multiplier: 5, Points: 2, EffortMinutes: 300},
				{Key: "blog", Name: "blog", Multiplier: 0, Points: 1, EffortMinutes: 0},
			}
		}},
		{"explicit zero points and effort kept", `{"activity_types": [{"key": "x", "name": "X", "multiplier": 2, "points": 0, "effort_minutes": 0}]}`, func(c *Criteria) {
			c.ActivityTypes = []ActivityType{{Key: "x", Name: "X", Multiplier: 2, Points: 0}}
		}},
		{"points null takes default", `{"activity_types": [{"key": "x", "name": "X", "multiplier": 2, "points": null}]}`, func(c *Criteria) {
			c.ActivityTypes = []ActivityType{{Key: "x", Name: "X", Multiplier: 2, Points: 1}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			tt.want(want)
			assertEqual(t, got, want)
		})
	}
}

func TestParseConformanceCriteria(t *testing.T) {
	dir := shared.Conformance(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no conformance case in %s", dir)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var tc struct {
				Criteria json.RawMessage `json:"criteria"`
			}
			if err := json.Unmarshal(data, &tc); err != nil {
				t.Fatal(err)
			}
			c, err := Parse(tc.Criteria)
			if err != nil {
				t.Fatalf("criteria %s: %v", tc.Criteria, err)
			}
			// Every field the case gives must come through unchanged, and the
			// rest must be the default: encoding both as generic JSON and laying
			// the case over the default compares them.
			var got, want map[string]any
			mustRoundJSON(t, c, &got)
			mustRoundJSON(t, Default(), &want)
			var given map[string]any
			if err := json.Unmarshal(tc.Criteria, &given); err != nil {
				t.Fatal(err)
			}
			overlay(want, given)
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("parsed\n %s\nwant\n %s", gotJSON, wantJSON)
			}
		})
	}
}

// mustRoundJSON encodes v as JSON and decodes it into out.
func mustRoundJSON(t *testing.T, v any, out *map[string]any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatal(err)
	}
}

// overlay lays src over dst key by key, descending into objects; lists and
// other values replace.
func overlay(dst, src map[string]any) {
	for k, v := range src {
		sub, isMap := v.(map[string]any)
		dsub, dIsMap := dst[k].(map[string]any)
		if isMap && dIsMap {
			overlay(dsub, sub)
			continue
		}
		dst[k] = v
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		field string // a FieldError with this field is expected when set
		want  string // the error message contains this
	}{
		{"unknown top-level key", `{"timezone": "UTC", "decay_rate": 0.1}`, "", "decay_rate"},
		{"unknown nested key", "decay:\n  mode: none\n  half_life: 3\n", "", "half_life"},
		{"unknown activity type key", `{"activity_types": [{"key": "x", "multiplier": 1, "weight": 2}]}`, "", "weight"},
		{"misspelt key", `thresholds: {achieve: 60, maintian: 40}`, "", "maintian"},
		{"malformed YAML", "decay: [\n", "", "parse criteria"},
		{"wrong shape", `decay: quarterly`, "", "parse criteria"},
		{"not a mapping", `[1, 2]`, "", "parse criteria"},
		{"duplicate key", "timezone: UTC\ntimezone: Asia/Tokyo\n", "", "timezone"},
		{"two documents", "timezone: UTC\n---\ntimezone: UTC\n", "", "more than one YAML document"},
		{"string for number", `decay: {rate: "0.1"}`, "", "parse criteria"},
		{"missing multiplier", `{"activity_types": [{"key": "x", "name": "X"}]}`, "activity_types[0].multiplier", "required"},
		{"missing key", `{"activity_types": [{"name": "X", "multiplier": 1}]}`, "activity_types[0].key", "required"},
		{"null activity type", `{"activity_types": [{"key": "x", "multiplier": 1}, null]}`, "activity_types[1]", "mapping"},
		{"fractional days", `active_window_days: 90.5`, "active_window_days", "whole number"},
		{"fractional min activities", `activation: {min_activities: 2.5}`, "activation.min_activities", "whole number"},
		{"huge days", `activation: {window_days: 1e300}`, "activation.window_days", "whole number"},
		{"NaN days", `active_window_days: .nan`, "active_window_days", "whole number"},
		{"does not validate", `{"decay": {"mode": "weekly"}}`, "decay.mode", "weekly"},
		{"empty activity types", `activity_types: []`, "activity_types", "at least one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse accepted %q: %+v", tt.doc, c)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			var verrs ValidationErrors
			isValidation := errors.As(err, &verrs)
			if tt.field == "" {
				if isValidation {
					t.Errorf("error %q is a ValidationErrors, want a parse error", err)
				}
				return
			}
			if !isValidation {
				t.Fatalf("error %q is not a ValidationErrors", err)
			}
			if !hasField(verrs, tt.field) {
				t.Errorf("errors %q do not name field %s", verrs, tt.field)
			}
		})
	}
}

func hasField(errs ValidationErrors, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

func TestYAMLRoundTrip(t *testing.T) {
	docs := []string{
		DefaultYAML,
		`{"decay": {"mode": "none", "rate": 0}}`,
		`{"decay": {"mode": "continuous", "rate": 0.1}, "timezone": "Europe/Berlin", "active_window_days": 180, "thresholds": {"achieve": 5, "maintain": 3.75}}`,
		`
timezone: America/Los_Angeles
target_share: {min: 0, max: 1}
renewal_band: {min: 0.333333333333333, max: 0.9}
activation: {window_days: 1, min_activities: 1}
activity_types:
  - {key: "yes", name: "no", multiplier: 1e-7}
  - {key: "123", name: "  padded: 'quoted' # not a comment", multiplier: 123456.789, points: 0.1}
  - {key: "ünïcode", name: "line\nbreak", multiplier: 0, effort_minutes: 0.5}
`,
	}
	for _, doc := range docs {
		c, err := Parse([]byte(doc))
		if err != nil {
			t.Fatalf("Parse(%q): %v", doc, err)
		}
		assertRoundTrip(t, c)
	}
}

// assertRoundTrip fails unless c, written out by YAML, parses back equal.
func assertRoundTrip(t *testing.T, c *Criteria) {
	t.Helper()
	out, err := c.YAML()
	if err != nil {
		t.Fatalf("YAML(): %v", err)
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(YAML()) of\n%s: %v", out, err)
	}
	assertEqual(t, back, c)
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		DefaultYAML,
		``,
		`{}`,
		`{"decay": {"mode": "none", "rate": 0}}`,
		`{"decay": {"mode": "quarterly", "rate": 0.5}, "timezone": "Asia/Tokyo", "thresholds": {"achieve": 10, "maintain": 7.5}}`,
		`{"activity_types": [{"key": "forum", "name": "Forum", "multiplier": 1, "points": 5, "effort_minutes": 5}, {"key": "code", "multiplier": 0}]}`,
		"activation: {window_days: 30, min_activities: 1}\ntarget_share: {min: 0, max: 1}\n",
		"activity_types:\n  - {key: a, multiplier: .inf}\n",
		"activity_types:\n  - {key: a, multiplier: 1e6, points: 1e6, effort_minutes: 1e5}\nthresholds: {achieve: 1e12, maintain: 1e12}\n",
		"activity_types:\n  - {key: a, multiplier: 1e300, points: 1e300}\ndecay: {rate: 0.9999999999999999}\n",
		"timezone: Local\n",
		"decay: &d {mode: none}\nrenewal_band: *d\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a document that does not validate: %v", err)
		}
		// The bounds of SPEC section 1 keep every score finite: a point is
		// worth at most 1e12, and decay keeps a part of it.
		for _, typ := range c.ActivityTypes {
			if v := typ.PointValue(); !(v >= 0 && v <= 1e12) || !(typ.EffortMinutes >= 0 && typ.EffortMinutes <= 1e5) {
				t.Fatalf("type %q is worth %v points and %v minutes", typ.Key, v, typ.EffortMinutes)
			}
		}
		if !(c.Thresholds.Achieve <= 1e12) || !(1-c.Decay.Rate > 0) {
			t.Fatalf("thresholds %+v, decay %+v", c.Thresholds, c.Decay)
		}
		assertRoundTrip(t, c)
	})
}

func TestParseRefusesAliases(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	for _, doc := range []string{"decay: &d {mode: none}\nrenewal_band: *d\n", bomb} {
		_, err := Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), "aliases") {
			t.Errorf("Parse(%q) = %v, want an error about aliases", doc, err)
		}
	}
}
