package github

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
)

// TestSyntax checks the syntax check of lines against encoding/json.
func TestSyntax(t *testing.T) {
	tests := []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":[1,2,{"b":null}],"c":{"d":[]}}`, `{"a":"\u00e9\n\"\\\/\b\f\r\t"}`,
		`{"a":-0.5e+10}`, `{"a":1E5}`, `{"a":true,"b":false}`, `[]`, `"s"`, `12`, `null`,
		`{"é":"ü"}`, "{\"a\":\"\xff\"}", // invalid UTF-8 is not a syntax error
		`{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{"a":1 "b":2}`, `{"a":[1,]}`, `{"a":[1 2]}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":+1}`, `{"a":0x10}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":True}`, `{"a":"x}`, `{"a":"\x"}`, `{"a":"\x0041"}`, `{"a":"\u12"}`, `{"a":"\u12g4"}`,
		"{\"a\":\"tab\there\"}", "{\"a\":\"nul\x00\"}", "{\"a\":\"\x1f\"}", "{\"a\":\"\x7f\"}",
		`{"a":1}x`, `{"a":1}{}`, `{'a':1}`, `{a:1}`, "\v{}", "{}\f",
		`{"a":[[[[[[[[[[]]]]]]]]]]}`, `{"a":[[[[]]]}`, `{"a":{"b":{"c":}}}`,
		strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
		strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
		`{"a":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `}`,
		`{"a":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`,
		`{"long":"` + strings.Repeat("abcdefgh", 100) + `\"` + strings.Repeat("x", 13) + `"}`,
	}
	for _, text := range tests {
		reason := decodeObject([]byte(text), "line", func(key, value []byte) {})
		ours := reason == "" || strings.HasPrefix(reason, "line: got a JSON")
		if want := json.Valid([]byte(text)); ours != want {
			name := text
			if len(name) > 60 {
				name = name[:60] + "…"
			}
			t.Errorf("%q: syntax check says %q; encoding/json says valid %v", name, reason, want)
		}
	}
}

// TestMembers checks that the members of an object come out decoded.
func TestMembers(t *testing.T) {
	var got []string
	reason := decodeObject([]byte(`{"a":1, "b\u0020c" : [2, {"x":"}"}] ,"d":"e\"f"}`), "line", func(key, value []byte) {
		got = append(got, string(key)+"="+string(value))
	})
	want := []string{`a=1`, `b c=[2, {"x":"}"}]`, `d="e\"f"`}
	if reason != "" || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("members %q (%q), want %q", got, reason, want)
	}
}

func TestCadreThread(t *testing.T) {
	known := func(id string, solved bool) cadre.Thread {
		return cadre.Thread{ID: id, Solved: solved, HasSolved: true}
	}
	tests := []struct {
		name string
		th   thread
		want cadre.Thread
	}{
		{"open issue", thread{HTMLURL: "https://github.com/o/r/issues/7", State: "open"}, known("o/r#7", false)},
		{"issue closed as completed", thread{HTMLURL: "https://github.com/o/r/issues/7", State: "closed", StateReason: "completed"}, known("o/r#7", true)},
		{"issue closed as not planned", thread{HTMLURL: "https://github.com/o/r/issues/7", State: "closed", StateReason: "not_planned"}, known("o/r#7", false)},
		{"issue closed, reason untold", thread{HTMLURL: "https://github.com/o/r/issues/7", State: "closed"}, cadre.Thread{ID: "o/r#7"}},
		{"pull request merged", thread{HTMLURL: "https://github.com/o/r/pull/8", State: "closed", Merged: true}, known("o/r#8", true)},
		{"pull request merged_at", thread{HTMLURL: "https://github.com/o/r/pull/8", State: "closed", MergedAt: "2021-07-21T06:00:00Z"}, known("o/r#8", true)},
		{"state untold", thread{HTMLURL: "https://github.com/o/r/pull/8"}, cadre.Thread{ID: "o/r#8"}},
		{"discussion answered", thread{HTMLURL: "https://github.com/o/r/discussions/9", AnswerHTMLURL: "https://github.com/o/r/discussions/9#discussioncomment-1"}, known("o/r#9", true)},
		{"discussion unanswered", thread{HTMLURL: "https://github.com/o/r/discussions/9", State: "open"}, cadre.Thread{ID: "o/r#9"}},
		{"no address", thread{State: "open"}, cadre.Thread{}},
		{"another host", thread{HTMLURL: "https://example.org/o/r/issues/7", State: "open"}, cadre.Thread{}},
		{"not a number", thread{HTMLURL: "https://github.com/o/r/issues/07", State: "open"}, cadre.Thread{}},
		{"a comment's address", thread{HTMLURL: "https://github.com/o/r/issues/7#issuecomment-1", State: "open"}, cadre.Thread{}},
	}
	for _, tt := range tests {
		if got := tt.th.cadreThread(); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
