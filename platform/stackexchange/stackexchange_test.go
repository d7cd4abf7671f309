package stackexchange

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/internal/realdata"
)

const conlang = "conlang.stackexchange.com"

// readAll reads r to the end, returning the records and the record errors.
func readAll(t testing.TB, r *Reader) ([]cadre.ActivityRecord, []*interchange.RecordError) {
	t.Helper()
	var recs []cadre.ActivityRecord
	var bad []*interchange.RecordError
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, bad
		}
		if re, ok := errors.AsType[*interchange.RecordError](err); ok {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		recs = append(recs, rec)
	}
}

// attrRE finds one attribute of a dump row; rowRE finds the rows. They are
// the test's own reading of the dump, independent of encoding/xml.
var (
	rowRE  = regexp.MustCompile(`<row [^>]*/>`)
	attrRE = regexp.MustCompile(`(\w+)="([^"]*)"`)
)

func rowAttrs(row string) map[string]string {
	m := map[string]string{}
	for _, sub := range attrRE.FindAllStringSubmatch(row, -1) {
		m[sub[1]] = sub[2]
	}
	return m
}

func TestRealDump(t *testing.T) {
	dir := realdata.Path(t, "stackexchange")
	raw, err := os.ReadFile(filepath.Join(dir, "Posts.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var want Stats
	acceptedIDs := map[string]bool{}
	var answers []map[string]string
	for _, row := range rowRE.FindAllString(string(raw), -1) {
		a := rowAttrs(row)
		switch a["PostTypeId"] {
		case "1":
			want.Questions++
			v, _ := strconv.ParseInt(a["ViewCount"], 10, 64)
			want.QuestionViews += v
			if id := a["AcceptedAnswerId"]; id != "" {
				acceptedIDs[id] = true
			}
		case "2":
			if a["OwnerUserId"] == "" {
				want.NoOwner++
				continue
			}
			want.Answers++
			answers = append(answers, a)
		default:
			want.Other++
		}
	}
	for _, a := range answers {
		if acceptedIDs[a["Id"]] {
			want.Accepted++
		}
	}
	if want.Answers == 0 || want.Accepted == 0 || want.Questions == 0 {
		t.Fatalf("the test's own count found nothing: %+v", want)
	}

	r, err := Open(dir, conlang)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recs, bad := readAll(t, r)
	if len(bad) > 0 {
		t.Errorf("record errors in the real dump: %v", bad)
	}
	if got := r.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
	if len(recs) != want.Answers {
		t.Fatalf("%d records, want %d", len(recs), want.Answers)
	}
	solved := 0
	for i, rec := range recs {
		if want := "post:" + answers[i]["Id"]; rec.ExternalID != want {
			t.Errorf("record %d: external_id %q, want %q (dump order)", i, rec.ExternalID, want)
		}
		solved += int(rec.Metrics["solved"])
		// Every answer names its question, whose state the dump tells; an
		// accepted answer's question is solved.
		if th := rec.Thread; th.ID != answers[i]["ParentId"] || !th.HasViews || !th.HasSolved || rec.Metrics["solved"] == 1 && !th.Solved {
			t.Errorf("record %d: thread %+v, want question %s with its state", i, th, answers[i]["ParentId"])
		}
	}
	if solved != want.Accepted {
		t.Errorf("%d records solved, want %d", solved, want.Accepted)
	}

	// Answer 8 is the accepted answer of question 3, by user 2.
	var got cadre.ActivityRecord
	for _, rec := range recs {
		if rec.ExternalID == "post:8" {
			got = rec
		}
	}
	wantRec := cadre.ActivityRecord{
		Activity: cadre.Activity{
			Type:       "forum",
			OccurredAt: time.Date(2018, 2, 6, 20, 40, 35, 520e6, time.UTC),
			Source:     "stackexchange",
			ExternalID: "post:8",
			Status:     cadre.ActivityApproved,
			URL:        "https://conlang.stackexchange.com/a/8",
			Metrics:    map[string]float64{"likes": 17, "solved": 1},
			Thread:     cadre.Thread{ID: "3", Views: 126, HasViews: true, Solved: true, HasSolved: true},
		},
		Member: cadre.MemberRef{Platform: "stackexchange", Handle: "Robert Cartaino", UserID: "34933", Name: "Robert Cartaino"},
	}
	if fmt.Sprint(got) != fmt.Sprint(wantRec) {
		t.Errorf("post:8 =\n%+v\nwant\n%+v", got, wantRec)
	}
}

// writeDump writes a dump of the given Posts.xml rows to a new folder, with
// users 1 ("Alice", account 100) and -1 (Community).
func writeDump(t testing.TB, posts string) string {
	t.Helper()
	dir := t.TempDir()
	users := "\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<users>\n" +
		`  <row Id="-1" DisplayName="Community" AccountId="-1" />` + "\n" +
		`  <row Id="1" DisplayName="Alice" AccountId="100" />` + "\n" +
		"</users>\n"
	write(t, filepath.Join(dir, "Users.xml"), users)
	write(t, filepath.Join(dir, "Posts.xml"), "\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n"+posts+"</posts>\n")
	return dir
}

func write(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRows(t *testing.T) {
	tests := []struct {
		name  string
		posts string
		ids   []string // external ids yielded, in order
		// solved lists the yielded answers with metrics.solved = 1.
		solved []string
		// bad maps the lines of record errors to a part of their reason.
		bad map[int]string
	}{
		{
			name: "answer before its question is still accepted",
			posts: `  <row Id="5" PostTypeId="2" ParentId="4" CreationDate="2020-01-01T00:00:00.000" Score="1" OwnerUserId="1" />` + "\n" +
				`  <row Id="4" PostTypeId="1" AcceptedAnswerId="5" CreationDate="2019-12-31T00:00:00.000" ViewCount="9" OwnerUserId="1" />` + "\n",
			ids:    []string{"post:5"},
			solved: []string{"post:5"},
		},
		{
			name: "bad attributes are record errors and reading goes on",
			posts: `  <row Id="x" PostTypeId="2" CreationDate="2020-01-01T00:00:00" OwnerUserId="1" />` + "\n" +
				`  <row Id="6" PostTypeId="2" CreationDate="yesterday" OwnerUserId="1" />` + "\n" +
				`  <row Id="7" PostTypeId="2" CreationDate="2020-01-01T00:00:00" OwnerUserId="1" Score="lots" />` + "\n" +
				`  <row Id="8" PostTypeId="2" CreationDate="2020-01-01T00:00:00" OwnerUserId="9" />` + "\n" +
				`  <row Id="9" PostTypeId="2" OwnerUserId="1" />` + "\n" +
				`  <row PostTypeId="2" OwnerUserId="1" />` + "\n" +
				`  <row Id="10" PostTypeId="2" CreationDate="2020-01-01T00:00:00" OwnerUserId="1" />` + "\n",
			ids: []string{"post:10"},
			bad: map[int]string{
				3: `Id: "x" is not an integer`,
				4: `CreationDate "yesterday"`,
				5: `Score: "lots"`,
				6: "owner 9 is not in Users.xml",
				7: "answer 9: missing CreationDate",
				8: "missing Id",
			},
		},
		{
			name: "deleted owners, questions and other types yield nothing",
			posts: `  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00" ViewCount="3" />` + "\n" +
				`  <row Id="2" PostTypeId="2" CreationDate="2020-01-01T00:00:00" OwnerDisplayName="user7" />` + "\n" +
				`  <row Id="3" PostTypeId="4" CreationDate="2020-01-01T00:00:00" OwnerUserId="1" />` + "\n",
		},
		{
			name:  "rows on one line get their own line",
			posts: `<row Id="1" PostTypeId="2" CreationDate="2020-01-01T00:00:00" OwnerUserId="1"/><row Id="2" PostTypeId="2" OwnerUserId="1"/>` + "\n",
			ids:   []string{"post:1"},
			bad:   map[int]string{3: "answer 2: missing CreationDate"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(writeDump(t, tt.posts), conlang)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			recs, bad := readAll(t, r)
			var ids, solved []string
			for _, rec := range recs {
				ids = append(ids, rec.ExternalID)
				if rec.Metrics["solved"] == 1 {
					solved = append(solved, rec.ExternalID)
				}
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.ids) || fmt.Sprint(solved) != fmt.Sprint(tt.solved) {
				t.Errorf("ids %v solved %v, want %v and %v", ids, solved, tt.ids, tt.solved)
			}
			if len(bad) != len(tt.bad) {
				t.Errorf("record errors %v, want %d", bad, len(tt.bad))
			}
			for _, e := range bad {
				want, ok := tt.bad[e.Line]
				if !ok || !strings.Contains(e.Reason, want) || !strings.HasSuffix(e.File, "Posts.xml") {
					t.Errorf("unexpected record error %v", e)
				}
			}
		})
	}
}

func TestCommunityIsBot(t *testing.T) {
	r, err := Open(writeDump(t, `<row Id="1" PostTypeId="2" CreationDate="2020-01-01T00:00:00" OwnerUserId="-1" Score="-2" />`+"\n"), "https://conlang.stackexchange.com/")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recs, _ := readAll(t, r)
	if len(recs) != 1 || !recs[0].Member.Bot || recs[0].Metrics["likes"] != -2 || recs[0].URL != "https://conlang.stackexchange.com/a/1" {
		t.Errorf("got %+v, want one bot answer with likes -2 on conlang", recs)
	}
}

func TestBadUsersRow(t *testing.T) {
	dir := writeDump(t, `<row Id="1" PostTypeId="2" CreationDate="2020-01-01T00:00:00" OwnerUserId="1" />`+"\n")
	write(t, filepath.Join(dir, "Users.xml"), "<users>\n<row Id=\"1\" DisplayName=\"Alice\" AccountId=\"100\"/>\n<row Id=\"2\" AccountId=\"none\"/>\n</users>\n")
	r, err := Open(dir, conlang)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	recs, bad := readAll(t, r)
	if len(recs) != 1 || len(bad) != 1 || bad[0].Line != 3 || !strings.HasSuffix(bad[0].File, "Users.xml") {
		t.Errorf("got %d records and errors %v, want 1 record and Users.xml:3", len(recs), bad)
	}
}

func TestFatal(t *testing.T) {
	real := realdata.Path(t, "stackexchange", "Posts.xml")
	raw, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the real file in the middle of a row near its end.
	cut := strings.LastIndex(string(raw[:len(raw)*9/10]), "<row ") + 40
	wantLine := strings.Count(string(raw[:cut]), "\n") + 1

	tests := []struct {
		name  string
		posts string
		users string
		want  string
	}{
		{name: "truncated Posts.xml", posts: string(raw[:cut]), want: fmt.Sprintf("Posts.xml: cut short or not well-formed: XML syntax error on line %d: unexpected EOF", wantLine)},
		{name: "cut after a whole row", posts: "<posts>\n<row Id=\"1\" PostTypeId=\"1\"/>\n", want: "Posts.xml: cut short or not well-formed: XML syntax error on line 3: unexpected EOF"},
		{name: "truncated Users.xml", users: "<users>\n<row Id=\"1\" Disp", want: "Users.xml: cut short or not well-formed: XML syntax error on line 2"},
		{name: "empty Posts.xml", posts: " ", want: "Posts.xml: no <posts> element"},
		{name: "wrong file", posts: "<users>\n</users>\n", want: "Posts.xml:1: root element <users>, want <posts>"},
		{name: "not XML", posts: "{\"posts\": []}", want: "Posts.xml: no <posts> element"},
		{name: "missing Users.xml", users: "-", want: "Users.xml: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDump(t, "")
			if tt.posts != "" {
				write(t, filepath.Join(dir, "Posts.xml"), tt.posts)
			}
			switch tt.users {
			case "":
			case "-":
				os.Remove(filepath.Join(dir, "Users.xml"))
			default:
				write(t, filepath.Join(dir, "Users.xml"), tt.users)
			}
			r, err := Open(dir, conlang)
			if err == nil {
				r.Close()
				t.Fatal("Open succeeded")
			}
			if _, ok := errors.AsType[*interchange.RecordError](err); ok || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want a fatal one containing %q", err, tt.want)
			}
		})
	}
}

func TestBadSite(t *testing.T) {
	for _, site := range []string{"", "https://", "conlang.stackexchange.com/questions"} {
		if _, err := Open(t.TempDir(), site); err == nil || !strings.Contains(err.Error(), "not a host name") {
			t.Errorf("Open(%q): %v, want a complaint about the site", site, err)
		}
	}
}
