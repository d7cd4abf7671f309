package server

import (
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	tests := []struct {
		body string
		want string // "" for accepted
	}{
		{`{"a": 1, "b": [1, {"a": 2}], "c": {"a": {"a": 3}}}`, ""},
		{`{"a": 1, "a": 2}`, `"a" appears twice`},
		{`{"x": {"a": 1, "b": 2, "a": 3}}`, `"a" appears twice`},
		{`[{"a": 1}, {"a": 1, "a": 1}]`, `"a" appears twice`},
		{`{"a": [], "a": {}}`, `"a" appears twice`},
		{`{"a": 1} {"b": 2}`, "data after"},
		{`{"a": 1}x`, "data after"},
		{`"text" 1`, "data after"},
		{`{"a": 1}` + "\n", ""},
		{`{"a": }`, "invalid"},
	}
	for _, tt := range tests {
		err := checkJSON([]byte(tt.body))
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("checkJSON(%s) = %v, want %q", tt.body, err, tt.want)
		}
	}
}
