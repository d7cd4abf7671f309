package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/report"
	"github.com/cadrehq/cadre/standings"
)

// decodeBody reads a JSON request body into v, refusing unknown fields and
// bodies over 64 KiB; example shows the expected shape in the error.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, example string) error {
	body, err := readBody(w, r, maxBody)
	if err != nil {
		return err
	}
	if err := decodeJSON(body, v); err != nil {
		return cadre.Errorf(cadre.EINVALID, "body must be JSON like %s: %w", example, err)
	}
	return nil
}

// readBody reads a request body of at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, cadre.Errorf(cadre.ETOOLARGE, "the body is over %d bytes", limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return body, nil
}

// decodeJSON reads one JSON value into v, refusing unknown fields and what
// checkJSON refuses.
func decodeJSON(data []byte, v any) error {
	if err := checkJSON(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// maxBody bounds a JSON request body.
const maxBody = 1 << 16

// checkJSON refuses what encoding/json lets through but an import refuses:
// an object naming a key twice (which value counts would be a guess), and
// anything after the one value.
func checkJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	// One frame an open object or array; in an object, keys and values
	// alternate, starting with a key.
	type frame struct {
		keys    map[string]bool // nil for an array
		wantKey bool
	}
	var frames []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(frames) > 0 {
			top = frames[len(frames)-1]
		}
		switch {
		case tok == json.Delim('}') || tok == json.Delim(']'):
			frames = frames[:len(frames)-1]
		case top != nil && top.keys != nil && top.wantKey:
			k, _ := tok.(string)
			if top.keys[k] {
				return fmt.Errorf("the key %s appears twice", cadre.Quote(k))
			}
			top.keys[k] = true
			top.wantKey = false
			continue
		case tok == json.Delim('{'):
			frames = append(frames, &frame{keys: map[string]bool{}, wantKey: true})
		case tok == json.Delim('['):
			frames = append(frames, &frame{})
		}
		// A value ended or began: in an object, a key comes next.
		if top != nil && top.keys != nil {
			top.wantKey = true
		}
		if len(frames) == 0 && dec.More() {
			return fmt.Errorf("data after the JSON value")
		}
	}
}

// actor is who a change through the API is made by, for the audit log: the
// signed-in account or the token's owner.
func actor(r *http.Request) string { return who(r).actor() }

// pathID reads a numeric path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, cadre.Errorf(cadre.EINVALID, "%s must be a positive integer, got %q", name, r.PathValue(name))
	}
	return id, nil
}

type reportRequest struct {
	MemberID      int64   `json:"member_id"`
	Type          string  `json:"type"`
	Date          string  `json:"date"`
	Title         string  `json:"title"`
	URL           string  `json:"url"`
	EffortMinutes float64 `json:"effort_minutes"`
}

const reportExample = `{"member_id": 7, "type": "speaking", "date": "2025-05-14", "title": "Scaling Cadre", "url": "https://conf.example/talks/42", "effort_minutes": 240}`

// selfReport checks a report as it reaches the server, by the API or the
// portal, under the criteria c at now: the principal p reports for their
// own member unless they review, the type is one of the criteria's, the
// date parses, and the report says what a reviewer needs (report.Validate).
// It returns the report to store.
func selfReport(c *criteria.Criteria, p *principal, req reportRequest, now time.Time) (cadre.SelfReport, error) {
	if !p.user.Role.Can(account.Review) && !p.owns(req.MemberID) {
		return cadre.SelfReport{}, cadre.Errorf(cadre.EFORBIDDEN, "you may report your own activity only (member %d)", p.user.MemberID)
	}
	if t := strings.TrimSpace(req.Type); t != "" {
		if err := c.CheckType(t); err != nil {
			return cadre.SelfReport{}, err
		}
	}
	date, err := cadre.ParseTime(strings.TrimSpace(req.Date))
	if err != nil {
		return cadre.SelfReport{}, cadre.Errorf(cadre.EINVALID, "date: %s", cadre.ErrorMessage(err))
	}
	r := cadre.SelfReport{MemberID: req.MemberID, Type: req.Type, Date: date, Title: req.Title, URL: req.URL, EffortMinutes: req.EffortMinutes}
	if err := report.Validate(&r, now); err != nil {
		return cadre.SelfReport{}, err
	}
	return r, nil
}

// checkReport checks a report under the criteria in force (selfReport).
func (s *Server) checkReport(r *http.Request, req reportRequest) (cadre.SelfReport, error) {
	var sr cadre.SelfReport
	err := s.live.Read(r.Context(), 0, func(eng *standings.Engine) (err error) {
		sr, err = selfReport(eng.Criteria(), who(r), req, s.now())
		return err
	})
	return sr, err
}

func (s *Server) handleReport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req reportRequest
		if err := decodeBody(w, r, &req, reportExample); err != nil {
			s.fail(w, r, err)
			return
		}
		sr, err := s.checkReport(r, req)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		a, err := s.store.Report(r.Context(), sr, actor(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusCreated, NewActivityJSON(a))
	})
}

// maxBulkBody bounds the body of a batch of reports: a MiB, some two KiB
// for each of the most reports a batch may carry.
const maxBulkBody = 1 << 20

// handleBulkReport takes a batch of reports, as a JSON array of the objects
// POST /api/v1/reports takes or as JSON Lines of them, and stores all of
// them or, when any fails, none: every record is checked first, and the
// error names each failing one by its index.
func (s *Server) handleBulkReport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(w, r, maxBulkBody)
		var records []json.RawMessage
		if err == nil {
			records, err = bulkRecords(r.Header.Get("Content-Type"), body)
		}
		if err == nil {
			err = report.CheckBatch(len(records))
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		reports, errs := make([]cadre.SelfReport, len(records)), make([]error, len(records))
		err = s.live.Read(r.Context(), 0, func(eng *standings.Engine) error {
			p, now := who(r), s.now()
			for i, raw := range records {
				var req reportRequest
				if len(bytes.TrimSpace(raw)) == 0 {
					errs[i] = cadre.Errorf(cadre.EINVALID, "an empty line where a report belongs")
				} else if err := decodeJSON(raw, &req); err != nil {
					errs[i] = cadre.Errorf(cadre.EINVALID, "a report is an object as POST /api/v1/reports takes: %w", err)
				} else {
					reports[i], errs[i] = selfReport(eng.Criteria(), p, req, now)
				}
			}
			return report.BatchError(errs)
		})
		var acts []cadre.Activity
		if err == nil {
			acts, err = s.store.Reports(r.Context(), reports, actor(r))
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := make([]ActivityJSON, len(acts))
		for i := range acts {
			out[i] = NewActivityJSON(&acts[i])
		}
		s.writeJSON(w, http.StatusCreated, out)
	})
}

// bulkRecords splits the body of a batch of reports into its records: the
// elements of a JSON array or, for the other media types the route takes
// (JSON Lines: application/x-ndjson or application/jsonl), its lines, where
// a final newline ends the last.
func bulkRecords(contentType string, body []byte) ([]json.RawMessage, error) {
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" {
		if len(body) == 0 {
			return nil, nil
		}
		lines := bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
		records := make([]json.RawMessage, len(lines))
		for i, l := range lines {
			records[i] = bytes.TrimSuffix(l, []byte("\r"))
		}
		return records, nil
	}
	var records []json.RawMessage
	if err := json.Unmarshal(body, &records); err != nil {
		return nil, cadre.Errorf(cadre.EINVALID, "body must be a JSON array of reports like [%s]: %w", reportExample, err)
	}
	return records, nil
}

func (s *Server) handleReports() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		offset, limit, err := pageParams(q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		status := cadre.ActivityStatus(q.Get("status"))
		if status == "" {
			status = cadre.ActivityPending
		}
		if !status.Valid() {
			s.fail(w, r, cadre.Errorf(cadre.EINVALID, "status must be pending, approved or rejected, got %q", status))
			return
		}
		acts, total, err := s.store.Activities(r.Context(), cadre.ActivityFilter{Source: cadre.SelfReportSource, Status: status, Offset: offset, Limit: limit})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := page[ActivityJSON]{Items: make([]ActivityJSON, len(acts)), Total: total, Offset: offset, Limit: limit}
		for i := range acts {
			out.Items[i] = NewActivityJSON(&acts[i])
		}
		s.writeJSON(w, http.StatusOK, out)
	})
}

type reviewRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

func (s *Server) handleReview() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var req reviewRequest
		if err := decodeBody(w, r, &req, `{"decision": "reject", "reason": "seen on the forum already"}`); err != nil {
			s.fail(w, r, err)
			return
		}
		if req.Decision != "approve" && req.Decision != "reject" {
			s.fail(w, r, cadre.Errorf(cadre.EINVALID, "decision must be approve or reject, got %q", req.Decision))
			return
		}
		if err := s.store.ReviewReport(r.Context(), id, req.Decision == "approve", actor(r), req.Reason); err != nil {
			s.fail(w, r, err)
			return
		}
		a, err := s.store.Activity(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, NewActivityJSON(a))
	})
}

func (s *Server) handleMergeSuggestions() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sgs, err := s.store.MergeSuggestions(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, NewSuggestionsJSON(sgs))
	})
}

type mergeRequest struct {
	From   int64  `json:"from"`
	Into   int64  `json:"into"`
	Reason string `json:"reason"`
}

func (s *Server) handleMerge() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req mergeRequest
		if err := decodeBody(w, r, &req, `{"from": 12, "into": 7, "reason": "same person on GitHub and the forum"}`); err != nil {
			s.fail(w, r, err)
			return
		}
		id, err := s.store.MergeMembers(r.Context(), req.From, req.Into, actor(r), req.Reason)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusCreated, map[string]any{"id": id, "from": req.From, "into": req.Into,
			"undo": fmt.Sprintf("/api/v1/merges/%d/undo", id)})
	})
}

func (s *Server) handleUnmerge() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var req struct {
			Reason string `json:"reason"`
		}
		if err := decodeBody(w, r, &req, `{"reason": "two different people"}`); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.store.UnmergeMembers(r.Context(), id, actor(r), req.Reason); err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, map[string]any{"id": id, "undone": true})
	})
}
