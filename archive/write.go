package archive

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/interchange"
)

// Writer writes an archive into a folder. The activities come first, as they
// stream from the database; Finish writes the rest, then the manifest, which
// marks the archive complete. Files are readable by their owner only: they
// hold members' names and emails.
type Writer struct {
	dir        string
	createdDir bool
	written    []string // paths created, in order, for Abort
	acts       *os.File
	buf        *bufio.Writer
	jw         *interchange.JSONLWriter
	activities int
	done       bool
}

// Create starts an archive in dir, which is created, or must be an empty
// folder: files of another archive beside these would make a mix that no
// reader could tell.
func Create(dir string) (*Writer, error) {
	w := &Writer{dir: dir}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create archive folder: %w", err)
		}
		w.createdDir = true
	case err != nil:
		return nil, fmt.Errorf("archive folder: %w", err)
	case !fi.IsDir():
		return nil, cadre.Errorf(cadre.EINVALID, "%s is a file: an archive goes into a new or empty folder", dir)
	default:
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("archive folder: %w", err)
		}
		if len(entries) > 0 {
			return nil, cadre.Errorf(cadre.ECONFLICT, "%s is not empty (it holds %s): an archive goes into a new or empty folder", dir, entries[0].Name())
		}
	}
	if w.acts, err = w.create(ActivitiesFile); err != nil {
		w.Abort()
		return nil, err
	}
	w.buf = bufio.NewWriterSize(w.acts, 256<<10)
	w.jw = interchange.NewJSONLWriter(w.buf)
	w.jw.IDs = true
	return w, nil
}

// create creates the file name of the archive, which must not exist.
func (w *Writer) create(name string) (*os.File, error) {
	path := filepath.Join(w.dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write archive: %w", err)
	}
	w.written = append(w.written, path)
	return f, nil
}

// Activity writes an activity, with its IDs. One that the interchange format
// cannot carry (text that is not UTF-8) is an EINVALID error: an archive
// without it would not be the whole program.
func (w *Writer) Activity(rec *cadre.ActivityRecord) error {
	if err := w.jw.Write(*rec); err != nil {
		if cadre.ErrorCode(err) == cadre.EINVALID {
			return cadre.Errorf(cadre.EINVALID, "%s, which an archive cannot carry", cadre.ErrorMessage(err))
		}
		return err
	}
	w.activities++
	return nil
}

// Finish writes p and, last, the manifest m, with the format, the version
// and the counts filled in, and returns the manifest.
func (w *Writer) Finish(p *Program, m Manifest) (Manifest, error) {
	if err := w.jw.Flush(); err != nil {
		return Manifest{}, err
	}
	if err := w.buf.Flush(); err != nil {
		return Manifest{}, fmt.Errorf("write %s: %w", ActivitiesFile, err)
	}
	if err := closeSynced(w.acts); err != nil {
		return Manifest{}, fmt.Errorf("write %s: %w", ActivitiesFile, err)
	}
	w.acts = nil
	files := []fileLines{
		{MembersFile, len(p.Members), func(i int) any { return toMemberLine(&p.Members[i]) }},
		{MergesFile, len(p.Merges), func(i int) any { return toMergeLine(&p.Merges[i]) }},
		{TermsFile, len(p.Terms), func(i int) any { return toTermLine(&p.Terms[i]) }},
		{ReviewsFile, len(p.Reviews), func(i int) any { return toReviewLine(&p.Reviews[i]) }},
		{ExcusalsFile, len(p.Excusals), func(i int) any { return toExcusalLine(&p.Excusals[i]) }},
		{InvitationsFile, len(p.Invitations), func(i int) any { return toInvitationLine(&p.Invitations[i]) }},
		{ApplicationsFile, len(p.Applications), func(i int) any { return toApplicationLine(&p.Applications[i]) }},
		{AuditFile, len(p.Audit), func(i int) any { return toAuditLine(&p.Audit[i]) }},
	}
	files = append(files, p.engagementLines()...)
	for _, f := range files {
		if err := w.writeLines(f.name, f.n, f.line); err != nil {
			return Manifest{}, err
		}
	}
	if err := w.writeCriteria(p); err != nil {
		return Manifest{}, err
	}
	domains := p.StaffDomains
	if domains == nil {
		domains = []string{}
	}
	if err := w.writeJSON(SettingsFile, settingsFile{StaffDomains: domains}); err != nil {
		return Manifest{}, err
	}
	m.Format, m.Version = Format, Version
	m.ExportedAt = utc(m.ExportedAt)
	m.Counts = p.Counts()
	m.Counts.Activities = w.activities
	// The manifest appears whole or not at all: written aside, then renamed.
	tmp := ManifestFile + ".tmp"
	if err := w.writeJSON(tmp, m); err != nil {
		return Manifest{}, err
	}
	if err := os.Rename(filepath.Join(w.dir, tmp), filepath.Join(w.dir, ManifestFile)); err != nil {
		return Manifest{}, fmt.Errorf("write %s: %w", ManifestFile, err)
	}
	w.written[len(w.written)-1] = filepath.Join(w.dir, ManifestFile)
	if err := syncDir(w.dir); err != nil {
		return Manifest{}, fmt.Errorf("write archive: %w", err)
	}
	w.done = true
	return m, nil
}

// writeCriteria writes the criteria versions and their documents.
func (w *Writer) writeCriteria(p *Program) error {
	dir := filepath.Join(w.dir, CriteriaDir)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	w.written = append(w.written, dir)
	for i := range p.Criteria {
		d := &p.Criteria[i]
		f, err := w.create(filepath.Join(CriteriaDir, criteriaDocFile(d.Version)))
		if err != nil {
			return err
		}
		if _, err := f.WriteString(d.Document); err != nil {
			f.Close()
			return fmt.Errorf("write criteria version %d: %w", d.Version, err)
		}
		if err := closeSynced(f); err != nil {
			return fmt.Errorf("write criteria version %d: %w", d.Version, err)
		}
	}
	return w.writeLines(CriteriaFile, len(p.Criteria), func(i int) any {
		d := &p.Criteria[i]
		return criteriaLine{Version: d.Version, Author: d.Author, CreatedAt: utc(d.CreatedAt)}
	})
}

// fileLines are the n lines of the file name, line(i) each.
type fileLines struct {
	name string
	n    int
	line func(i int) any
}

// writeLines writes the file name with n lines, line(i) encoded as JSON.
func (w *Writer) writeLines(name string, n int, line func(i int) any) error {
	f, err := w.create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range n {
		if err := enc.Encode(line(i)); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := closeSynced(f); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// writeJSON writes the file name holding v, indented for people to read.
func (w *Writer) writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	f, err := w.create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := closeSynced(f); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// Abort removes what the writer wrote, and the folder when Create made it,
// unless Finish completed: a failed export leaves no archive that looks
// whole, nor half of one.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	if w.acts != nil {
		w.acts.Close()
		w.acts = nil
	}
	for _, path := range slices.Backward(w.written) {
		os.Remove(path)
	}
	w.written = nil
	if w.createdDir {
		os.Remove(w.dir)
	}
}

// closeSynced writes f to disk and closes it.
func closeSynced(f *os.File) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir writes the folder's entries to disk, so that the renamed manifest
// outlives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
