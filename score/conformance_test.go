package score

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/internal/shared"
)

// tolerance is the absolute tolerance of numbers in conformance cases (SPEC
// section 7).
const tolerance = 1e-6

// conformanceCase is one case of SPEC section 7. Decoding rejects unknown
// fields, so that an expectation this runner does not check fails loudly
// instead of passing unchecked.
type conformanceCase struct {
	Name       string          `json:"name"`
	Criteria   json.RawMessage `json:"criteria"`
	At         time.Time       `json:"at"`
	Activities []struct {
		Member     string               `json:"member"`
		Type       string               `json:"type"`
		OccurredAt time.Time            `json:"occurred_at"`
		Status     cadre.ActivityStatus `json:"status"`
		// EffortMinutes feeds influence hours (SPEC section 6), not scores.
		EffortMinutes *float64 `json:"effort_minutes"`
	} `json:"activities"`
	Expect struct {
		Scores     map[string]float64 `json:"scores"`
		Active     []string           `json:"active"`
		Qualifying []string           `json:"qualifying"`
		Share      *float64           `json:"share"`
		Calibrate  *struct {
			Target    float64 `json:"target"`
			Threshold float64 `json:"threshold"`
		} `json:"calibrate"`
	} `json:"expect"`
}

// TestConformance runs the cases of testdata/conformance, or of
// $CADRE_CONFORMANCE_DIR. It fails without them on every machine: a
// conformance run must check something.
func TestConformance(t *testing.T) {
	dir, err := shared.FindConformance()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := loadCases(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cases in %s", len(cases), dir)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			for _, err := range c.check() {
				t.Error(err)
			}
		})
	}
}

// loadCases reads every *.json case in dir, sorted by file name. A folder
// that is missing or holds no case is an error: a conformance run that checks
// nothing must not pass.
func loadCases(dir string) ([]conformanceCase, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("load conformance cases: %w", err)
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("load conformance cases: %w", err)
		}
		return nil, fmt.Errorf("load conformance cases: no *.json case in %s", dir)
	}
	sort.Strings(files)
	cases := make([]conformanceCase, 0, len(files))
	names := make(map[string]string, len(files))
	for _, file := range files {
		c, err := readCase(file)
		if err != nil {
			return nil, fmt.Errorf("load conformance cases: %w", err)
		}
		if other, dup := names[c.Name]; dup {
			return nil, fmt.Errorf("load conformance cases: %s and %s are both named %q", other, file, c.Name)
		}
		names[c.Name] = file
		cases = append(cases, c)
	}
	return cases, nil
}

// readCase decodes one case file and checks that it has what SPEC section 7
// requires.
func readCase(file string) (conformanceCase, error) {
	var c conformanceCase
	data, err := os.ReadFile(file)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %w", file, err)
	}
	var missing []string
	for field, absent := range map[string]bool{
		"name":              c.Name == "",
		"criteria":          c.Criteria == nil,
		"at":                c.At.IsZero(),
		"expect.scores":     c.Expect.Scores == nil,
		"expect.active":     c.Expect.Active == nil,
		"expect.qualifying": c.Expect.Qualifying == nil,
		"expect.share":      c.Expect.Share == nil,
	} {
		if absent {
			missing = append(missing, field)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return c, fmt.Errorf("%s: missing %s", file, strings.Join(missing, ", "))
	}
	return c, nil
}

// check runs the case and returns every way the engine disagrees with it.
func (c *conformanceCase) check() []error {
	crit, err := criteria.Parse(c.Criteria)
	if err != nil {
		return []error{err}
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	// Members get indexes in order of first appearance.
	var h History
	index := make(map[string]int32)
	var names []string
	for i, a := range c.Activities {
		m, ok := index[a.Member]
		if !ok {
			m = int32(len(names))
			index[a.Member] = m
			names = append(names, a.Member)
		}
		status := a.Status
		if status == "" {
			status = cadre.ActivityApproved // the default of the interchange format
		}
		if err := h.Add(Event{Member: m, Type: a.Type, At: a.OccurredAt, Status: status}); err != nil {
			return []error{fmt.Errorf("activity %d: %w", i, err)}
		}
	}
	e := New(crit, &h)
	var b Board
	e.Evaluate(c.At, &b)

	for _, name := range names {
		if _, ok := c.Expect.Scores[name]; !ok {
			fail("expect.scores has no entry for member %q", name)
		}
	}
	for name, want := range c.Expect.Scores {
		m, ok := index[name]
		if !ok {
			fail("expect.scores names %q, who has no activity", name)
			continue
		}
		if got := b.Scores[m]; math.Abs(got-want) > tolerance {
			fail("score of %s = %.9f, want %.9f", name, got, want)
		}
		if got := e.Score(m, c.At); got != b.Scores[m] {
			fail("Score(%s) = %.9f, Evaluate gives %.9f", name, got, b.Scores[m])
		}
	}

	q := b.Qualification()
	memberNames := func(ms []int32) []string {
		s := make([]string, len(ms))
		for i, m := range ms {
			s[i] = names[m]
		}
		return s
	}
	if got, want := sortedSet(memberNames(q.Active)), sortedSet(c.Expect.Active); !slices.Equal(got, want) {
		fail("active = %v, want %v", got, want)
	}
	if got, want := sortedSet(memberNames(q.Qualifying)), sortedSet(c.Expect.Qualifying); !slices.Equal(got, want) {
		fail("qualifying = %v, want %v", got, want)
	}
	if math.Abs(q.Share-*c.Expect.Share) > tolerance {
		fail("share = %v, want %v", q.Share, *c.Expect.Share)
	}

	if want := c.Expect.Calibrate; want != nil {
		got, err := b.Calibrate(want.Target)
		switch {
		case err != nil:
			fail("calibrate %v: %w", want.Target, err)
		case math.Abs(got.Threshold-want.Threshold) > tolerance:
			fail("calibrate %v: threshold %.9f, want %.9f", want.Target, got.Threshold, want.Threshold)
		}
	}
	return errs
}

// sortedSet returns the distinct elements of s, sorted, for comparing lists as
// sets.
func sortedSet(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func TestConformanceRunnerFailsWithoutCases(t *testing.T) {
	tests := []struct {
		name string
		dir  string
	}{
		{"empty folder", t.TempDir()},
		{"missing folder", filepath.Join(t.TempDir(), "absent")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(shared.ConformanceEnv, tt.dir)
			dir, err := shared.FindConformance()
			if err != nil {
				t.Fatal(err)
			}
			if dir != tt.dir {
				t.Fatalf("FindConformance() = %s, want %s from %s", dir, tt.dir, shared.ConformanceEnv)
			}
			if cases, err := loadCases(dir); err == nil {
				t.Fatalf("loadCases(%s) = %d cases and no error, want an error", dir, len(cases))
			}
		})
	}
}

func TestConformanceRunnerCatchesMismatches(t *testing.T) {
	write := func(t *testing.T, doc string) string {
		t.Helper()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "case.json"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	const activities = `"activities": [{"member": "m1", "type": "content", "occurred_at": "2025-09-01T00:00:00Z"}]`
	tests := []struct {
		name    string
		doc     string
		loadErr string // a fault of the file, found on loading
		failed  int    // else the number of failed checks
	}{
		{"passing", `{"name": "ok", "criteria": {}, "at": "2025-10-01T00:00:00Z", ` + activities + `,
			"expect": {"scores": {"m1": 2.25}, "active": ["m1"], "qualifying": [], "share": 0, "calibrate": {"target": 0.5, "threshold": 2.25}}}`, "", 0},
		{"wrong everything", `{"name": "bad", "criteria": {}, "at": "2025-10-01T00:00:00Z", ` + activities + `,
			"expect": {"scores": {"m1": 3}, "active": [], "qualifying": ["m1"], "share": 1, "calibrate": {"target": 0.5, "threshold": 3}}}`, "", 5},
		{"member left out of scores", `{"name": "bad", "criteria": {}, "at": "2025-10-01T00:00:00Z", ` + activities + `,
			"expect": {"scores": {}, "active": ["m1"], "qualifying": [], "share": 0}}`, "", 1},
		{"bad criteria", `{"name": "bad", "criteria": {"decay": {"mode": "sometimes"}}, "at": "2025-10-01T00:00:00Z", ` + activities + `,
			"expect": {"scores": {"m1": 2.25}, "active": ["m1"], "qualifying": [], "share": 0}}`, "", 1},
		{"unknown expectation", `{"name": "bad", "criteria": {}, "at": "2025-10-01T00:00:00Z", ` + activities + `,
			"expect": {"scores": {"m1": 2.25}, "active": ["m1"], "qualifying": [], "share": 0, "renewal_rate": 1}}`, "unknown field", 0},
		{"missing share", `{"name": "bad", "criteria": {}, "at": "2025-10-01T00:00:00Z", ` + activities + `,
			"expect": {"scores": {"m1": 2.25}, "active": ["m1"], "qualifying": []}}`, "missing expect.share", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cases, err := loadCases(write(t, tt.doc))
			if tt.loadErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.loadErr) {
					t.Fatalf("loadCases error = %v, want one containing %q", err, tt.loadErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if errs := cases[0].check(); len(errs) != tt.failed {
				t.Fatalf("check found %d problems, want %d: %v", len(errs), tt.failed, errors.Join(errs...))
			}
		})
	}
}
