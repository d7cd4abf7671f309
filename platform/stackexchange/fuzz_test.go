package stackexchange

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadrehq/cadre/interchange"
)

// FuzzPosts runs the whole reader over a dump whose Posts.xml is the input:
// it must never panic, and every error must name the file.
func FuzzPosts(f *testing.F) {
	for _, seed := range []string{
		"<posts>\n<row Id=\"1\" PostTypeId=\"1\" AcceptedAnswerId=\"2\" ViewCount=\"5\"/>\n" +
			"<row Id=\"2\" PostTypeId=\"2\" CreationDate=\"2020-01-01T00:00:00.123\" Score=\"3\" OwnerUserId=\"1\"/>\n</posts>\n",
		"\ufeff<?xml version=\"1.0\"?>\n<posts><row Id=\"3\" PostTypeId=\"2\" OwnerUserId=\"-1\" CreationDate=\"2020-01-01T00:00:00\"/></posts>",
		"<posts>\n<row Id=\"x\" PostTypeId=\"2\"/>\n<row Id=\"4\" PostTypeId=\"2\" CreationDate=\"bad\" OwnerUserId=\"9\"/>\n",
		"<posts><row><row Id=\"5\"/></row></posts>",
		"<users></users>",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, posts string) {
		dir := writeDump(t, "")
		write(t, filepath.Join(dir, "Posts.xml"), posts)
		r, err := Open(dir, conlang)
		if err != nil {
			if !strings.Contains(err.Error(), "Posts.xml") {
				t.Fatalf("Open: error does not name the file: %v", err)
			}
			return
		}
		defer r.Close()
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if re, ok := errors.AsType[*interchange.RecordError](err); ok {
				if re.Line < 1 || re.Reason == "" {
					t.Fatalf("record error without a line or reason: %v", re)
				}
				continue
			}
			if err != nil {
				// Posts.xml was read whole by Open: nothing can be fatal now.
				t.Fatalf("Next: %v", err)
			}
			if !strings.HasPrefix(rec.ExternalID, "post:") || rec.Member.Handle == "" || rec.OccurredAt.IsZero() {
				t.Fatalf("incomplete record %+v", rec)
			}
		}
	})
}
