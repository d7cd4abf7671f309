package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/mail"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/standings"
)

// Sessions is what executive feedback sessions need of the store.
type Sessions interface {
	CreateFeedbackSession(ctx context.Context, ss *session.Session) error
	FeedbackSessions(ctx context.Context) ([]session.Session, error)
	FeedbackSession(ctx context.Context, id int64) (*session.Session, error)
	SubmitItem(ctx context.Context, it *session.Item, actor string) error
	Vote(ctx context.Context, id, member int64, actor string) error
	FeedbackItems(ctx context.Context, id int64) ([]session.Item, error)
	Commit(ctx context.Context, c *session.Commitment) error
	Commitments(ctx context.Context, id int64) ([]session.Commitment, error)
	Commitment(ctx context.Context, id int64) (*session.Commitment, error)
	MoveCommitment(ctx context.Context, id int64, to session.Status, note, actor string) (*session.Commitment, error)
	NoteCommitment(ctx context.Context, id int64, text, actor string) (*session.Commitment, error)
	RemindOverdue(ctx context.Context, now time.Time, remind func(c *session.Commitment) []cadre.Mail) (int, error)
}

// ParseDay reads a date as people give one (or an RFC 3339 time) in loc,
// the program's zone: a date is its first instant there.
func ParseDay(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if d, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
		return d, nil
	}
	return cadre.ParseTime(v)
}

// ParseDue reads a due date in loc: the commitment is due at its last
// instant (session.DueOn).
func ParseDue(v string, loc *time.Location) (time.Time, error) {
	d, err := ParseDay(v, loc)
	if err != nil {
		return time.Time{}, err
	}
	return session.DueOn(d.In(loc), loc), nil
}

// RemindOverdue queues a reminder to the owner of each commitment overdue at
// now, once a day, pointing to the commitments page under base; loc is the
// program's zone, for the dates. It returns how many were reminded.
func RemindOverdue(ctx context.Context, st Sessions, now time.Time, loc *time.Location, base *url.URL) (int, error) {
	links := mailLinks(base)
	return st.RemindOverdue(ctx, now, func(c *session.Commitment) []cadre.Mail {
		return mail.CommitmentReminder(c, loc, links)
	})
}

// SessionJSON is a session, as cadre sessions list --json prints it.
type SessionJSON struct {
	ID          int64            `json:"id"`
	Title       string           `json:"title"`
	At          time.Time        `json:"at"`
	Date        string           `json:"date"` // in the program's zone
	TakesItems  bool             `json:"takes_items"`
	Ambassadors []AttendeeJSON   `json:"ambassadors"`
	Executives  []string         `json:"executives"`
	Items       []ItemJSON       `json:"items,omitempty"`
	Commitments []CommitmentJSON `json:"commitments,omitempty"`
}

// AttendeeJSON is an ambassador who attends.
type AttendeeJSON struct {
	MemberID string `json:"member_id"`
	Name     string `json:"name"`
}

// ItemJSON is an item of a session with its votes.
type ItemJSON struct {
	ID        int64     `json:"id"`
	SessionID int64     `json:"session_id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	AuthorID  string    `json:"author_id"`
	Author    string    `json:"author"`
	Votes     int       `json:"votes"`
	CreatedAt time.Time `json:"created_at"`
}

// CommitmentJSON is a commitment with its history; due is its date in the
// program's zone.
type CommitmentJSON struct {
	ID        int64      `json:"id"`
	SessionID int64      `json:"session_id"`
	ItemID    int64      `json:"item_id"`
	Title     string     `json:"title"`
	Owner     string     `json:"owner"`
	Due       string     `json:"due"`
	Status    string     `json:"status"`
	Overdue   bool       `json:"overdue"`
	DoneAt    *time.Time `json:"done_at"`
	OnTime    *bool      `json:"on_time"` // null until done
	History   []NoteJSON `json:"history"`
}

// NoteJSON is a line of a commitment's history.
type NoteJSON struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Status string    `json:"status,omitempty"`
	Text   string    `json:"text,omitempty"`
}

// NewSessionJSON writes a session at now, its date in loc.
func NewSessionJSON(ss *session.Session, now time.Time, loc *time.Location, names func(int64) string) SessionJSON {
	j := SessionJSON{ID: ss.ID, Title: ss.Title, At: ss.At, Date: ss.At.In(loc).Format(time.DateOnly), TakesItems: ss.TakesItems(now), Ambassadors: []AttendeeJSON{}, Executives: ss.Executives}
	if j.Executives == nil {
		j.Executives = []string{}
	}
	for _, m := range ss.Ambassadors {
		j.Ambassadors = append(j.Ambassadors, AttendeeJSON{MemberID: itoa(m), Name: names(m)})
	}
	return j
}

// NewItemJSON writes an item.
func NewItemJSON(it *session.Item, names func(int64) string) ItemJSON {
	return ItemJSON{ID: it.ID, SessionID: it.SessionID, Kind: string(it.Kind), Title: it.Title, Body: it.Body,
		AuthorID: itoa(it.AuthorID), Author: names(it.AuthorID), Votes: it.Votes(), CreatedAt: it.CreatedAt}
}

// NewCommitmentJSON writes a commitment at now, its date in loc.
func NewCommitmentJSON(c *session.Commitment, now time.Time, loc *time.Location) CommitmentJSON {
	j := CommitmentJSON{ID: c.ID, SessionID: c.SessionID, ItemID: c.ItemID, Title: c.Title, Owner: c.Owner,
		Due: c.Due.In(loc).Format(time.DateOnly), Status: string(c.Status), Overdue: c.Overdue(now), History: []NoteJSON{}}
	if c.Status == session.Done {
		done, onTime := c.DoneAt, c.OnTime()
		j.DoneAt, j.OnTime = &done, &onTime
	}
	for _, n := range c.Notes {
		j.History = append(j.History, NoteJSON{At: n.At, Author: n.Author, Status: string(n.Status), Text: n.Text})
	}
	return j
}

// sessionsPage is the data of templates/sessions.html: the sessions, and
// the one shown with its items and commitments.
type sessionsPage struct {
	Sessions    []SessionJSON
	Shown       *SessionJSON
	Items       []ItemJSON
	Commitments []CommitmentJSON
	Statuses    []string
	CanChange   bool
	Message     string // what went wrong
	Notice      string // what was done
}

func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request, status int, shown int64, message, notice string) {
	page := sessionsPage{CanChange: who(r).can(account.Administer, true), Message: message, Notice: notice,
		Statuses: []string{string(session.Open), string(session.InProgress), string(session.Done), string(session.Declined)}}
	err := s.readStandings(r, func(eng *standings.Engine) error {
		loc, now, names := eng.Criteria().Location(), s.now(), s.names(r)
		sessions, err := s.store.FeedbackSessions(r.Context())
		if err != nil {
			return err
		}
		if shown == 0 {
			shown, _ = strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
		}
		for i := range sessions {
			page.Sessions = append(page.Sessions, NewSessionJSON(&sessions[i], now, loc, names))
			if shown == sessions[i].ID || shown == 0 && i == 0 {
				page.Shown = &page.Sessions[len(page.Sessions)-1]
			}
		}
		if page.Shown == nil {
			return nil
		}
		items, err := s.store.FeedbackItems(r.Context(), page.Shown.ID)
		if err != nil {
			return err
		}
		for i := range items {
			page.Items = append(page.Items, NewItemJSON(&items[i], names))
		}
		cs, err := s.store.Commitments(r.Context(), page.Shown.ID)
		if err != nil {
			return err
		}
		for i := range cs {
			page.Commitments = append(page.Commitments, NewCommitmentJSON(&cs[i], now, loc))
		}
		return nil
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	s.renderStatus(w, r, status, "sessions.html", page)
}

func (s *Server) handleSessionsPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.sessionsPage(w, r, http.StatusOK, 0, "", "")
	})
}

// formID reads a form's ID field.
func formID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	if err != nil || id <= 0 {
		return 0, cadre.Errorf(cadre.EINVALID, "%s must be an ID, got %s", name, cadre.Quote(r.PostFormValue(name)))
	}
	return id, nil
}

// SplitList reads a list typed one a line or separated by commas.
func SplitList(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// NewSession builds a session from what people type: a date in loc, the
// ambassadors as member references (platform:handle, an email or an ID)
// found with find, the executives by name or email.
func NewSession(ctx context.Context, find func(ctx context.Context, ref string) (int64, error), title, date string, ambassadors, executives []string,
	loc *time.Location, actor string) (*session.Session, error) {
	at, err := ParseDay(date, loc)
	if err != nil {
		return nil, cadre.Errorf(cadre.EINVALID, "date: %s", cadre.ErrorMessage(err))
	}
	ss := &session.Session{Title: title, At: at, Executives: executives, Actor: actor}
	for _, ref := range ambassadors {
		id, err := find(ctx, ref)
		if err != nil {
			return nil, err
		}
		ss.Ambassadors = append(ss.Ambassadors, id)
	}
	return ss, nil
}

// handleSessionsForm makes the staff's changes: a session (action=create:
// title, date, ambassadors, executives), an item made a commitment
// (action=commit: item, owner, due, title), a commitment's status
// (action=status: commitment, status, note) or a note (action=note:
// commitment, text).
func (s *Server) handleSessionsForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<15)
		shown, _ := strconv.ParseInt(r.PostFormValue("session"), 10, 64)
		var notice string
		err := s.readStandings(r, func(eng *standings.Engine) error {
			loc, actor := eng.Criteria().Location(), who(r).actor()
			switch r.PostFormValue("action") {
			case "create":
				ss, err := NewSession(r.Context(), s.accounts.FindMember, r.PostFormValue("title"), r.PostFormValue("date"),
					SplitList(r.PostFormValue("ambassadors")), SplitList(r.PostFormValue("executives")), loc, actor)
				if err != nil {
					return err
				}
				if err := s.store.CreateFeedbackSession(r.Context(), ss); err != nil {
					return err
				}
				shown, notice = ss.ID, "Session created: "+ss.Title
			case "commit":
				item, err := formID(r, "item")
				if err != nil {
					return err
				}
				due, err := ParseDue(r.PostFormValue("due"), loc)
				if err != nil {
					return cadre.Errorf(cadre.EINVALID, "due: %s", cadre.ErrorMessage(err))
				}
				c := &session.Commitment{ItemID: item, Title: r.PostFormValue("title"), Owner: r.PostFormValue("owner"), Due: due, Actor: actor}
				if err := s.store.Commit(r.Context(), c); err != nil {
					return err
				}
				shown, notice = c.SessionID, "Commitment made: "+c.Title
			case "status", "note":
				id, err := formID(r, "commitment")
				if err != nil {
					return err
				}
				var c *session.Commitment
				if r.PostFormValue("action") == "note" {
					c, err = s.store.NoteCommitment(r.Context(), id, r.PostFormValue("text"), actor)
				} else {
					var to session.Status
					if to, err = session.ParseStatus(r.PostFormValue("status")); err != nil {
						return err
					}
					c, err = s.store.MoveCommitment(r.Context(), id, to, r.PostFormValue("note"), actor)
				}
				if err != nil {
					return err
				}
				shown, notice = c.SessionID, "Commitment updated: "+c.Title
			default:
				return cadre.Errorf(cadre.EINVALID, "action must be create, commit, status or note")
			}
			return nil
		})
		if err != nil {
			if statusOf(err) == http.StatusInternalServerError {
				s.failPage(w, r, err)
				return
			}
			s.sessionsPage(w, r, statusOf(err), shown, cadre.ErrorMessage(err), "")
			return
		}
		s.sessionsPage(w, r, http.StatusOK, shown, "", notice)
	})
}

// feedbackPage is the data of templates/feedback.html: the ambassador's
// side, the sessions still taking items with a form to submit one, and
// the items to vote on.
type feedbackPage struct {
	Sessions []feedbackSession
	MemberID string
	Message  string
	Notice   string
}

// feedbackSession is a session taking items, with its items and whether
// the ambassador may vote on each.
type feedbackSession struct {
	SessionJSON
	Items []feedbackItem
	// Back names the page its forms come back to: "portal", or "" for the
	// feedback page.
	Back string
}

type feedbackItem struct {
	ItemJSON
	Own, Voted bool
}

// openSessions returns the sessions taking items at now, the soonest first,
// each with its items, the most voted first, and whether member wrote or
// voted for each; loc is the program's zone, for the dates.
func (s *Server) openSessions(r *http.Request, loc *time.Location, now time.Time, member int64) ([]feedbackSession, error) {
	ctx, names := r.Context(), s.names(r)
	sessions, err := s.store.FeedbackSessions(ctx)
	if err != nil {
		return nil, err
	}
	var out []feedbackSession
	for i := len(sessions) - 1; i >= 0; i-- { // the soonest first
		ss := &sessions[i]
		if !ss.TakesItems(now) {
			continue
		}
		fs := feedbackSession{SessionJSON: NewSessionJSON(ss, now, loc, names)}
		items, err := s.store.FeedbackItems(ctx, ss.ID)
		if err != nil {
			return nil, err
		}
		for j := range items {
			it := &items[j]
			fs.Items = append(fs.Items, feedbackItem{ItemJSON: NewItemJSON(it, names), Own: it.AuthorID == member, Voted: it.VotedBy(member)})
		}
		out = append(out, fs)
	}
	return out, nil
}

func (s *Server) feedbackPage(w http.ResponseWriter, r *http.Request, status int, message, notice string) {
	member := who(r).user.MemberID
	page := feedbackPage{MemberID: itoa(member), Message: message, Notice: notice}
	err := s.readStandings(r, func(eng *standings.Engine) (err error) {
		page.Sessions, err = s.openSessions(r, eng.Criteria().Location(), s.now(), member)
		return err
	})
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	s.renderStatus(w, r, status, "feedback.html", page)
}

func (s *Server) handleFeedbackPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.feedbackPage(w, r, http.StatusOK, "", "")
	})
}

// handleFeedbackForm takes an ambassador's item (action=submit: session,
// kind, title, text) or vote (action=vote: item), as their own member. The
// answer is the feedback page, or the portal for the portal's forms
// (back=portal).
func (s *Server) handleFeedbackForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<14)
		p := who(r)
		// The page to come back to is named, never given as an address, so
		// that a form leads nowhere but to one of the two.
		page := s.feedbackPage
		if r.PostFormValue("back") == "portal" {
			page = s.portalPage
		}
		err := func() error {
			if p.user.MemberID == 0 {
				return cadre.Errorf(cadre.ECONFLICT, "only an ambassador's account submits items and votes, as their member: this account is no member's")
			}
			switch r.PostFormValue("action") {
			case "submit":
				id, err := formID(r, "session")
				if err != nil {
					return err
				}
				return s.store.SubmitItem(r.Context(), &session.Item{SessionID: id, Kind: session.Kind(r.PostFormValue("kind")),
					Title: r.PostFormValue("title"), Body: r.PostFormValue("text"), AuthorID: p.user.MemberID}, p.actor())
			case "vote":
				id, err := formID(r, "item")
				if err != nil {
					return err
				}
				return s.store.Vote(r.Context(), id, p.user.MemberID, p.actor())
			}
			return cadre.Errorf(cadre.EINVALID, "action must be submit or vote")
		}()
		if err != nil {
			if statusOf(err) == http.StatusInternalServerError {
				s.failPage(w, r, err)
				return
			}
			page(w, r, statusOf(err), cadre.ErrorMessage(err), "")
			return
		}
		notice := "Your item is submitted"
		if r.PostFormValue("action") == "vote" {
			notice = "Your vote is counted"
		}
		page(w, r, http.StatusOK, "", notice)
	})
}

// commitmentsPage is the data of templates/commitments.html: every
// commitment of every session with its history, for every account.
type commitmentsPage struct {
	Commitments []CommitmentJSON
	Sessions    map[int64]string // titles by ID
	Overdue     int
}

// commitments returns every commitment of every session at now, the first
// due first, with the sessions' titles and how many are overdue; loc is the
// program's zone, for the dates.
func (s *Server) commitments(ctx context.Context, loc *time.Location, now time.Time) (commitmentsPage, error) {
	page := commitmentsPage{Sessions: map[int64]string{}}
	sessions, err := s.store.FeedbackSessions(ctx)
	if err != nil {
		return page, err
	}
	for _, ss := range sessions {
		page.Sessions[ss.ID] = ss.Title + ", " + ss.At.In(loc).Format(time.DateOnly)
	}
	cs, err := s.store.Commitments(ctx, 0)
	if err != nil {
		return page, err
	}
	for i := range cs {
		j := NewCommitmentJSON(&cs[i], now, loc)
		if j.Overdue {
			page.Overdue++
		}
		page.Commitments = append(page.Commitments, j)
	}
	return page, nil
}

func (s *Server) handleCommitmentsPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var page commitmentsPage
		err := s.readStandings(r, func(eng *standings.Engine) (err error) {
			page, err = s.commitments(r.Context(), eng.Criteria().Location(), s.now())
			return err
		})
		if err != nil {
			s.failPage(w, r, err)
			return
		}
		s.render(w, r, "commitments.html", page)
	})
}
