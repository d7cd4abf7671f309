package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/ingest"
	"github.com/cadrehq/cadre/interchange"
	"github.com/cadrehq/cadre/platform/discourse"
	"github.com/cadrehq/cadre/platform/events"
	"github.com/cadrehq/cadre/platform/feed"
	"github.com/cadrehq/cadre/platform/github"
	"github.com/cadrehq/cadre/platform/stackexchange"
)

// importOptions are the flags some formats need.
type importOptions struct {
	source  string          // jsonl, csv: the source of records that name none
	owner   cadre.MemberRef // rss: whose blog the feed is; zero for the entries' authors
	baseURL string          // discourse: the forum's address, for links
	site    string          // stackexchange: the site's host name
}

// format reads one input format. Stream formats read a file or standard
// input, and a folder file by file; folder formats read a folder as a whole.
type format struct {
	about string
	// exts are the file name endings read from a folder (before any .gz).
	exts   []string
	stream func(r io.Reader, name string, o *importOptions) (ingest.Source, error)
	folder func(path string, o *importOptions) (ingest.Source, io.Closer, error)
}

var formats = map[string]format{
	"jsonl": {exts: []string{".jsonl", ".json", ".ndjson"}, about: "the interchange format, JSON Lines (docs/IMPORT.md)", stream: func(r io.Reader, name string, o *importOptions) (ingest.Source, error) {
		return interchange.NewJSONLReader(r, name, o.source), nil
	}},
	"csv": {exts: []string{".csv"}, about: "the interchange format, CSV with a header row", stream: func(r io.Reader, name string, o *importOptions) (ingest.Source, error) {
		return interchange.NewCSVReader(r, name, o.source), nil
	}},
	"gharchive": {exts: []string{".json", ".jsonl"}, about: "GH Archive hourly files (.json.gz or JSON lines)", stream: func(r io.Reader, name string, _ *importOptions) (ingest.Source, error) {
		return github.NewArchiveReader(r, name), nil
	}},
	"discourse": {exts: []string{".json"}, about: "saved Discourse API responses (/t/{id}.json, /posts.json, /latest.json); --base-url", stream: func(r io.Reader, name string, o *importOptions) (ingest.Source, error) {
		return discourse.NewReader(r, name, o.baseURL), nil
	}, folder: func(path string, o *importOptions) (ingest.Source, io.Closer, error) {
		rd, err := discourse.Open(path, o.baseURL)
		return rd, io.NopCloser(nil), err
	}},
	"stackexchange": {about: "a Stack Exchange data dump folder (Posts.xml, Users.xml); --site", folder: func(path string, o *importOptions) (ingest.Source, io.Closer, error) {
		site := o.site
		if site == "" {
			site = filepath.Base(filepath.Clean(path))
		}
		rd, err := stackexchange.Open(path, site)
		if err != nil {
			return nil, nil, err
		}
		return rd, rd, nil
	}},
	"rss": {exts: []string{".xml", ".rss", ".atom"}, about: "an RSS or Atom feed; --member names whose blog it is (default: each entry's author)", stream: func(r io.Reader, name string, o *importOptions) (ingest.Source, error) {
		return feed.NewReader(r, name, o.owner)
	}},
	"ics": {exts: []string{".ics"}, about: "iCalendar sessions; speakers are attendees with ROLE=CHAIR, else the organizer", stream: func(r io.Reader, name string, _ *importOptions) (ingest.Source, error) {
		return events.NewICSReader(r, name), nil
	}},
	"events-csv": {exts: []string{".csv"}, about: "sessions with speakers, CSV (docs/IMPORT.md)", stream: func(r io.Reader, name string, _ *importOptions) (ingest.Source, error) {
		return events.NewCSVReader(r, name)
	}},
	"meetup": {exts: []string{".json"}, about: "Meetup API events (hosts are the speakers)", stream: func(r io.Reader, name string, _ *importOptions) (ingest.Source, error) {
		return events.NewMeetupReader(r, name), nil
	}},
}

// formatNames lists the formats for help and errors.
func formatNames() string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// guessFormat names the format of path when --format does not.
func guessFormat(path string, isDir bool) (string, error) {
	if isDir {
		return "", usagef("importing a folder needs --format (one of %s)", formatNames())
	}
	switch filepath.Ext(strings.TrimSuffix(path, ".gz")) {
	case ".csv":
		return "csv", nil
	case ".ics":
		return "ics", nil
	case ".xml", ".rss", ".atom":
		return "rss", nil
	default:
		return "jsonl", nil
	}
}

// decompress returns r, gunzipped when it starts like gzip.
func decompress(r *bufio.Reader, name string) (io.Reader, func() error, error) {
	magic, err := r.Peek(2)
	if err != nil || magic[0] != 0x1f || magic[1] != 0x8b {
		return r, func() error { return nil }, nil // short or plain input: the reader reports it
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return gz, gz.Close, nil
}

// folderSource reads the files of a folder one after the other with a
// stream format. A file that cannot be read to the end comes back as an
// *interchange.FileError, and reading goes on with the next file.
type folderSource struct {
	files []string
	f     format
	o     *importOptions
	count *countingReader // shared by the files, for the progress bar

	cur   ingest.Source
	path  string // the file cur reads
	close func() error
}

func newFolderSource(dir string, f format, o *importOptions, count *countingReader) (*folderSource, int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	s := &folderSource{f: f, o: o, count: count}
	var size int64
	for _, e := range entries {
		ext := filepath.Ext(strings.TrimSuffix(e.Name(), ".gz"))
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") || !slices.Contains(f.exts, ext) {
			continue // READMEs and the like
		}
		s.files = append(s.files, filepath.Join(dir, e.Name()))
		if fi, err := e.Info(); err == nil {
			size += fi.Size()
		}
	}
	if len(s.files) == 0 {
		return nil, 0, fmt.Errorf("%s holds no %s files to import", dir, strings.Join(f.exts, ", "))
	}
	return s, size, nil
}

func (s *folderSource) Next() (cadre.ActivityRecord, error) {
	for {
		if s.cur == nil {
			if len(s.files) == 0 {
				return cadre.ActivityRecord{}, io.EOF
			}
			path := s.files[0]
			s.files = s.files[1:]
			if err := s.open(path); err != nil {
				return cadre.ActivityRecord{}, &interchange.FileError{File: path, Err: err}
			}
		}
		rec, err := s.cur.Next()
		if re, ok := errors.AsType[ingest.Recoverable](err); err == nil || ok && re.Recoverable() {
			return rec, err
		}
		// The end of the file, or an error that ends it. Closing may then
		// report the same error again, as gzip does.
		cerr := s.close()
		s.cur = nil
		switch {
		case errors.Is(err, io.EOF):
			err = cerr
		case cerr != nil && !errors.Is(err, cerr):
			err = errors.Join(err, cerr)
		}
		if err != nil {
			return cadre.ActivityRecord{}, &interchange.FileError{File: s.path, Err: err}
		}
	}
}

func (s *folderSource) open(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	s.count.r = f
	r, closeGz, err := decompress(bufio.NewReaderSize(s.count, 1<<20), path)
	if err != nil {
		f.Close()
		return err
	}
	src, err := s.f.stream(r, path, s.o)
	if err != nil {
		return errors.Join(err, closeGz(), f.Close())
	}
	s.cur, s.path = src, path
	s.close = func() error { return errors.Join(closeGz(), f.Close()) }
	return nil
}

func (s *folderSource) Close() error {
	if s.cur != nil {
		return s.close()
	}
	return nil
}
