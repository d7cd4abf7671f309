package criteria

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Criteria)
		field  string
		want   string // the message contains this
	}{
		{"unknown time zone", func(c *Criteria) { c.Timezone = "Mars/Olympus" }, "timezone", "Mars/Olympus"},
		{"empty time zone", func(c *Criteria) { c.Timezone = "" }, "timezone", "required"},
		{"server's zone", func(c *Criteria) { c.Timezone = "Local" }, "timezone", "Local"},
		{"unknown decay mode", func(c *Criteria) { c.Decay.Mode = "weekly" }, "decay.mode", `unknown mode "weekly"`},
		{"empty decay mode", func(c *Criteria) { c.Decay.Mode = "" }, "decay.mode", "unknown mode"},
		{"rate of one", func(c *Criteria) { c.Decay.Rate = 1 }, "decay.rate", "[0, 1)"},
		{"negative rate", func(c *Criteria) { c.Decay.Rate = -0.1 }, "decay.rate", "[0, 1)"},
		{"NaN rate", func(c *Criteria) { c.Decay.Rate = math.NaN() }, "decay.rate", "NaN"},
		{"zero active window", func(c *Criteria) { c.ActiveWindowDays = 0 }, "active_window_days", "between 1 and"},
		{"negative active window", func(c *Criteria) { c.ActiveWindowDays = -5 }, "active_window_days", "got -5"},
		{"endless active window", func(c *Criteria) { c.ActiveWindowDays = 3661 }, "active_window_days", "between 1 and 3660 days, got 3661"},
		{"negative achieve", func(c *Criteria) { c.Thresholds = Thresholds{Achieve: -1, Maintain: 0} }, "thresholds.achieve", "non-negative"},
		{"negative maintain", func(c *Criteria) { c.Thresholds.Maintain = -1 }, "thresholds.maintain", "non-negative"},
		{"infinite achieve", func(c *Criteria) { c.Thresholds.Achieve = math.Inf(1) }, "thresholds.achieve", "non-negative"},
		{"maintain above achieve", func(c *Criteria) { c.Thresholds = Thresholds{Achieve: 40, Maintain: 60} }, "thresholds.maintain", "must not exceed thresholds.achieve"},
		{"share min above max", func(c *Criteria) { c.TargetShare = Band{Min: 0.1, Max: 0.05} }, "target_share", "min 0.1 exceeds max 0.05"},
		{"share above one", func(c *Criteria) { c.TargetShare.Max = 5 }, "target_share.max", "[0, 1]"},
		{"negative share", func(c *Criteria) { c.TargetShare.Min = -0.01 }, "target_share.min", "[0, 1]"},
		{"renewal min above max", func(c *Criteria) { c.RenewalBand = Band{Min: 0.9, Max: 0.6} }, "renewal_band", "exceeds max"},
		{"renewal above one", func(c *Criteria) { c.RenewalBand.Max = 90 }, "renewal_band.max", "[0, 1]"},
		{"zero activation window", func(c *Criteria) { c.Activation.WindowDays = 0 }, "activation.window_days", "between 1 and"},
		{"negative min activities", func(c *Criteria) { c.Activation.MinActivities = -1 }, "activation.min_activities", "between 1 and 1000000, got -1"},
		{"zero min activities", func(c *Criteria) { c.Activation.MinActivities = 0 }, "activation.min_activities", "between 1 and 1000000, got 0"},
		{"huge min activities", func(c *Criteria) { c.Activation.MinActivities = 1e6 + 1 }, "activation.min_activities", "between 1 and 1000000"},
		{"endless activation window", func(c *Criteria) { c.Activation.WindowDays = 3661 }, "activation.window_days", "between 1 and 3660 days, got 3661"},
		{"huge multiplier", func(c *Criteria) { c.ActivityTypes[2].Multiplier = 1e300 }, "activity_types[2].multiplier", "at most 1e+06, got 1e+300"},
		{"multiplier just above its bound", func(c *Criteria) { c.ActivityTypes[2].Multiplier = 1e6 + 0.5 }, "activity_types[2].multiplier", "at most 1e+06"},
		{"infinite multiplier", func(c *Criteria) { c.ActivityTypes[2].Multiplier = math.Inf(1) }, "activity_types[2].multiplier", "at most 1e+06, got +Inf"},
		{"huge points", func(c *Criteria) { c.ActivityTypes[0].Points = 1e300 }, "activity_types[0].points", "at most 1e+06"},
		{"infinite points", func(c *Criteria) { c.ActivityTypes[0].Points = math.Inf(1) }, "activity_types[0].points", "at most 1e+06"},
		{"NaN points", func(c *Criteria) { c.ActivityTypes[0].Points = math.NaN() }, "activity_types[0].points", "got NaN"},
		{"huge effort", func(c *Criteria) { c.ActivityTypes[1].EffortMinutes = 1e5 + 1 }, "activity_types[1].effort_minutes", "at most 100000"},
		{"infinite effort", func(c *Criteria) { c.ActivityTypes[1].EffortMinutes = math.Inf(1) }, "activity_types[1].effort_minutes", "at most 100000"},
		{"huge threshold", func(c *Criteria) { c.Thresholds.Achieve = 1e300 }, "thresholds.achieve", "at most 1e+12"},
		{"NaN maintain", func(c *Criteria) { c.Thresholds.Maintain = math.NaN() }, "thresholds.maintain", "got NaN"},
		{"infinite rate", func(c *Criteria) { c.Decay.Rate = math.Inf(1) }, "decay.rate", "[0, 1)"},
		{"NaN share", func(c *Criteria) { c.TargetShare.Max = math.NaN() }, "target_share.max", "[0, 1]"},
		{"no activity types", func(c *Criteria) { c.ActivityTypes = nil }, "activity_types", "at least one"},
		{"empty type key", func(c *Criteria) { c.ActivityTypes[2].Key = "" }, "activity_types[2].key", "required"},
		{"type key with space", func(c *Criteria) { c.ActivityTypes[1].Key = "blog post" }, "activity_types[1].key", "white space"},
		{"empty type name", func(c *Criteria) { c.ActivityTypes[0].Name = "" }, "activity_types[0].name", "required"},
		{"duplicate type key", func(c *Criteria) { c.ActivityTypes[4].Key = "forum" }, "activity_types[4].key", `duplicate key "forum" (also activity_types[0])`},
		{"negative multiplier", func(c *Criteria) { c.ActivityTypes[2].Multiplier = -4 }, "activity_types[2].multiplier", "non-negative"},
		{"NaN multiplier", func(c *Criteria) { c.ActivityTypes[2].Multiplier = math.NaN() }, "activity_types[2].multiplier", "non-negative"},
		{"negative points", func(c *Criteria) { c.ActivityTypes[3].Points = -1 }, "activity_types[3].points", "non-negative"},
		{"negative effort", func(c *Criteria) { c.ActivityTypes[6].EffortMinutes = -60 }, "activity_types[6].effort_minutes", "non-negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.change(c)
			err := c.Validate()
			var verrs ValidationErrors
			if !errors.As(err, &verrs) {
				t.Fatalf("Validate() = %v, want ValidationErrors", err)
			}
			if len(verrs) != 1 {
				t.Errorf("want one problem, got %d: %v", len(verrs), verrs)
			}
			if verrs[0].Field != tt.field {
				t.Errorf("field %q, want %q", verrs[0].Field, tt.field)
			}
			if !strings.Contains(verrs[0].Message, tt.want) {
				t.Errorf("message %q does not contain %q", verrs[0].Message, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("Error() = %q does not start with the field", err)
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	c := Default()
	c.Decay.Mode = "linear"
	c.Thresholds = Thresholds{Achieve: 10, Maintain: 20}
	c.ActivityTypes[1].Multiplier = -1
	c.ActivityTypes[3].Key = "content"

	err := c.Validate()
	var verrs ValidationErrors
	if !errors.As(err, &verrs) {
		t.Fatalf("Validate() = %v, want ValidationErrors", err)
	}
	want := []string{"decay.mode", "thresholds.maintain", "activity_types[1].multiplier", "activity_types[3].key"}
	if len(verrs) != len(want) {
		t.Fatalf("got %d problems, want %d: %v", len(verrs), len(want), verrs)
	}
	for i, field := range want {
		if verrs[i].Field != field {
			t.Errorf("problem %d names %q, want %q", i, verrs[i].Field, field)
		}
	}
	if got := strings.Count(err.Error(), "; "); got != len(want)-1 {
		t.Errorf("Error() = %q joins %d problems", err, got+1)
	}

	if _, err := Parse([]byte("decay: {mode: linear}\nthresholds: {achieve: 10, maintain: 20}\n")); !errors.As(err, &verrs) || len(verrs) != 2 {
		t.Errorf("Parse of a document with two problems = %v, want both listed", err)
	}
}

func TestValidateAcceptsEdges(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Criteria)
	}{
		{"zero rate", func(c *Criteria) { c.Decay.Rate = 0 }},
		{"rate just below one", func(c *Criteria) { c.Decay.Rate = 0.999 }},
		{"maintain equals achieve", func(c *Criteria) { c.Thresholds = Thresholds{Achieve: 40, Maintain: 40} }},
		{"zero thresholds", func(c *Criteria) { c.Thresholds = Thresholds{} }},
		{"single-point band", func(c *Criteria) { c.RenewalBand = Band{Min: 0.5, Max: 0.5} }},
		{"full band", func(c *Criteria) { c.TargetShare = Band{Min: 0, Max: 1} }},
		{"zero multiplier", func(c *Criteria) { c.ActivityTypes[0].Multiplier = 0 }},
		{"one min activity", func(c *Criteria) { c.Activation.MinActivities = 1 }},
		{"most min activities", func(c *Criteria) { c.Activation.MinActivities = 1e6 }},
		{"longest window", func(c *Criteria) { c.ActiveWindowDays = 3660 }},
		{"longest activation window", func(c *Criteria) { c.Activation.WindowDays = 3660 }},
		{"largest weights", func(c *Criteria) { c.ActivityTypes[0].Multiplier, c.ActivityTypes[0].Points = 1e6, 1e6 }},
		{"largest effort", func(c *Criteria) { c.ActivityTypes[0].EffortMinutes = 1e5 }},
		{"largest thresholds", func(c *Criteria) { c.Thresholds = Thresholds{Achieve: 1e12, Maintain: 1e12} }},
		{"rate as close to one as can be", func(c *Criteria) { c.Decay.Rate = math.Nextafter(1, 0) }},
		{"one type", func(c *Criteria) { c.ActivityTypes = c.ActivityTypes[:1] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.change(c)
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestValidatePrepares(t *testing.T) {
	c := &Criteria{}
	*c = *Default()
	c.loc, c.index = nil, nil
	c.Timezone = "Asia/Tokyo"
	c.ActivityTypes = append(c.ActivityTypes, ActivityType{Key: "podcast", Name: "Podcast", Multiplier: 3, Points: 1})
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.loc == nil || c.loc.String() != "Asia/Tokyo" {
		t.Errorf("Validate did not prepare the location: %v", c.loc)
	}
	if i, ok := c.index["podcast"]; !ok || i != 7 {
		t.Errorf("Validate did not index the types: %v", c.index)
	}
}
