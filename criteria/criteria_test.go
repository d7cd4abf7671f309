package criteria

import (
	"os"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/cadrehq/cadre/internal/shared"
)

// assertEqual fails unless the documents of got and want are equal. The
// prepared lookups are compared through Location, since two loads of one zone
// are distinct values.
func assertEqual(t *testing.T, got, want *Criteria) {
	t.Helper()
	g, w := *got, *want
	g.loc, g.index, w.loc, w.index = nil, nil, nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("criteria differ\n got: %+v\nwant: %+v", g, w)
	}
	if got.Location().String() != want.Location().String() {
		t.Fatalf("location %s, want %s", got.Location(), want.Location())
	}
}

func TestDefaultYAMLIsDefault(t *testing.T) {
	c, err := Parse([]byte(DefaultYAML))
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, c, Default())
	if err := Default().Validate(); err != nil {
		t.Fatalf("default does not validate: %v", err)
	}
}

func TestDefaultMatchesSpec(t *testing.T) {
	spec, err := os.ReadFile(shared.Spec(t))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)## 1\\. Criteria framework.*?```yaml\n(.*?)```").FindSubmatch(spec)
	if block == nil {
		t.Fatal("no yaml block in section 1 of SPEC.md")
	}
	if string(block[1]) != DefaultYAML {
		t.Errorf("DefaultYAML differs from the block of SPEC section 1:\n%s", block[1])
	}
	c, err := Parse(block[1])
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, c, Default())
}

func TestType(t *testing.T) {
	handBuilt := &Criteria{ActivityTypes: []ActivityType{{Key: "talk", Name: "Talk", Multiplier: 5, Points: 2}}}
	edited := Default()
	edited.ActivityTypes = edited.ActivityTypes[2:]

	tests := []struct {
		name   string
		c      *Criteria
		key    string
		want   float64 // PointValue
		wantOK bool
	}{
		{"default forum", Default(), "forum", 1, true},
		{"default speaking", Default(), "speaking", 5, true},
		{"default code", Default(), "code", 2, true},
		{"undefined type", Default(), "podcast", 0, false},
		{"empty key", Default(), "", 0, false},
		{"case matters", Default(), "Forum", 0, false},
		{"never validated", handBuilt, "talk", 10, true},
		{"never validated, missing", handBuilt, "forum", 0, false},
		{"edited after prepare", edited, "code", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.Type(tt.key)
			if ok != tt.wantOK {
				t.Fatalf("Type(%q) ok = %v, want %v", tt.key, ok, tt.wantOK)
			}
			if ok && got.Key != tt.key {
				t.Errorf("Type(%q) returned key %q", tt.key, got.Key)
			}
			if got.PointValue() != tt.want {
				t.Errorf("Type(%q).PointValue() = %v, want %v", tt.key, got.PointValue(), tt.want)
			}
		})
	}
}

func TestPointValue(t *testing.T) {
	tests := []struct {
		typ  ActivityType
		want float64
	}{
		{ActivityType{Multiplier: 3, Points: 1}, 3},
		{ActivityType{Multiplier: 10, Points: 5}, 50},
		{ActivityType{Multiplier: 0, Points: 5}, 0},
		{ActivityType{Multiplier: 1.5, Points: 0.5}, 0.75},
	}
	for _, tt := range tests {
		if got := tt.typ.PointValue(); got != tt.want {
			t.Errorf("%+v.PointValue() = %v, want %v", tt.typ, got, tt.want)
		}
	}
}

func TestLocation(t *testing.T) {
	tokyo, err := Parse([]byte("timezone: Asia/Tokyo"))
	if err != nil {
		t.Fatal(err)
	}
	changed := Default()
	changed.Timezone = "Europe/Berlin"

	tests := []struct {
		name string
		c    *Criteria
		want string
	}{
		{"default", Default(), "UTC"},
		{"parsed", tokyo, "Asia/Tokyo"},
		{"changed after prepare", changed, "Europe/Berlin"},
		{"never validated", &Criteria{Timezone: "America/Los_Angeles"}, "America/Los_Angeles"},
		{"invalid falls back to UTC", &Criteria{Timezone: "Mars/Olympus"}, "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Location().String(); got != tt.want {
				t.Errorf("Location() = %s, want %s", got, tt.want)
			}
		})
	}
	if Default().Location() != time.UTC {
		t.Error("Default().Location() is not time.UTC")
	}
	// Quarter boundaries are computed in the zone: 2025-03-31 20:00 UTC is
	// already April 1st in Tokyo.
	at := time.Date(2025, 3, 31, 20, 0, 0, 0, time.UTC).In(tokyo.Location())
	if at.Month() != time.April {
		t.Errorf("%v is not in April in Tokyo", at)
	}
}
