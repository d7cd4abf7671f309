package server

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/program"
)

// Roster is what the roster's import and export need of the store.
type Roster interface {
	Terms(ctx context.Context, memberID int64) ([]program.Term, error)
	Identities(ctx context.Context, memberID int64) ([]cadre.Identity, error)
	Member(ctx context.Context, id int64) (*cadre.Member, error)
	PreviewRoster(ctx context.Context, file string, rows []program.RosterRow) (program.RosterResult, error)
	ImportRoster(ctx context.Context, file string, rows []program.RosterRow, actor string) (program.RosterResult, error)
}

// WriteRoster writes every term in SPEC 5's roster format, csv (with the
// header member,since,until,via) or jsonl, each member named by their first
// identity, else their first email.
func WriteRoster(ctx context.Context, w io.Writer, st Roster, format string) error {
	terms, err := st.Terms(ctx, 0)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if format == "csv" {
		if err := cw.Write([]string{"member", "since", "until", "via"}); err != nil {
			return err
		}
	}
	refs := map[int64]string{}
	for _, t := range terms {
		ref, ok := refs[t.MemberID]
		if !ok {
			if ref, err = rosterRef(ctx, st, t.MemberID); err != nil {
				return err
			}
			refs[t.MemberID] = ref
		}
		until := ""
		if !t.Open() {
			until = t.End.UTC().Format(time.RFC3339Nano)
		}
		since := t.Start.UTC().Format(time.RFC3339Nano)
		if format == "csv" {
			if err := cw.Write([]string{ref, since, until, string(t.Via)}); err != nil {
				return err
			}
			continue
		}
		rec := map[string]string{"member": ref, "since": since, "via": string(t.Via)}
		if until != "" {
			rec["until"] = until
		}
		if err := WriteJSONLine(w, rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// rosterRef names a member as a roster does.
func rosterRef(ctx context.Context, st Roster, id int64) (string, error) {
	ids, err := st.Identities(ctx, id)
	if err != nil {
		return "", err
	}
	if len(ids) > 0 {
		return ids[0].Platform + ":" + ids[0].Handle, nil
	}
	m, err := st.Member(ctx, id)
	if err != nil {
		return "", err
	}
	if len(m.Emails) > 0 {
		return m.Emails[0], nil
	}
	return "", fmt.Errorf("member %d has no identity or email to name them by in a roster", id)
}

// rosterPage is the data of templates/roster.html.
type rosterPage struct {
	Terms     int
	CanImport bool
	// A preview of an uploaded roster: its text, carried to the apply, and
	// what each row would do.
	Text    string
	Rows    []rosterPreviewRow
	Result  *program.RosterResult
	Errors  []string // bad rows, by line
	Message string
	Done    string // what the import just did
}

// rosterPreviewRow is a row of the roster beside what it would do.
type rosterPreviewRow struct {
	program.RosterRow
	Outcome program.RosterOutcome
}

// maxRoster bounds an uploaded roster: ten thousand terms and more.
const maxRoster = 2 << 20

func (s *Server) rosterPage(w http.ResponseWriter, r *http.Request, status int, page rosterPage) {
	terms, err := s.store.Terms(r.Context(), 0)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	page.Terms, page.CanImport = len(terms), who(r).can(account.Administer, true)
	s.renderStatus(w, r, status, "roster.html", page)
}

// handleRosterPage shows the roster's import form and export, or sends
// the export (?format=csv or jsonl).
func (s *Server) handleRosterPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch format := r.URL.Query().Get("format"); format {
		case "":
			s.rosterPage(w, r, http.StatusOK, rosterPage{Done: r.URL.Query().Get("done")})
		case "csv", "jsonl":
			w.Header().Set("Content-Disposition", `attachment; filename="roster.`+format+`"`)
			w.Header().Set("Content-Type", map[string]string{"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl"}[format])
			if err := WriteRoster(r.Context(), w, s.store, format); err != nil {
				s.log.Error("roster export", "err", err) // the header is gone: the log says why it is cut
			}
		default:
			s.failPage(w, r, cadre.Errorf(cadre.EINVALID, "format must be csv or jsonl, got %q", format))
		}
	})
}

// handleRosterImport previews an uploaded roster (a file or the text of
// one), or applies the previewed text with action=apply.
func (s *Server) handleRosterImport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxRoster+1<<16)
		text := r.FormValue("roster")
		name := "roster"
		if f, h, err := r.FormFile("file"); err == nil {
			data, err := io.ReadAll(io.LimitReader(f, maxRoster))
			_ = f.Close()
			if err != nil {
				s.rosterPage(w, r, http.StatusBadRequest, rosterPage{Message: "read the file: " + err.Error()})
				return
			}
			text, name = string(data), h.Filename
		}
		if strings.TrimSpace(text) == "" {
			s.rosterPage(w, r, http.StatusBadRequest, rosterPage{Message: "choose a roster file (CSV with the header member,since,until,via, or JSON Lines)"})
			return
		}
		page := rosterPage{Text: text}
		rows, bad, err := program.ReadRoster(strings.NewReader(text), name)
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		for _, b := range bad {
			page.Errors = append(page.Errors, b.Error())
		}
		if len(bad) > 0 {
			page.Message = fmt.Sprintf("%d bad rows: nothing can be imported until they are mended", len(bad))
			s.rosterPage(w, r, http.StatusBadRequest, page)
			return
		}
		if r.FormValue("action") == "apply" {
			res, err := s.store.ImportRoster(r.Context(), name, rows, who(r).actor())
			if err != nil {
				page.Message = cadre.ErrorMessage(err)
				s.rosterPage(w, r, statusOf(err), page)
				return
			}
			done := fmt.Sprintf("%d terms added, %d unchanged, %d members created", res.Added, res.Unchanged, res.MembersCreated)
			http.Redirect(w, r, "/roster?done="+strings.ReplaceAll(done, " ", "+"), http.StatusSeeOther) //nolint:gosec // a path of this server
			return
		}
		res, err := s.store.PreviewRoster(r.Context(), name, rows)
		if err != nil {
			page.Message = cadre.ErrorMessage(err) + ": nothing would be imported"
			s.rosterPage(w, r, statusOf(err), page)
			return
		}
		page.Result = &res
		for i, row := range rows {
			page.Rows = append(page.Rows, rosterPreviewRow{RosterRow: row, Outcome: res.Rows[i]})
		}
		s.rosterPage(w, r, http.StatusOK, page)
	})
}
