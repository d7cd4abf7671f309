package archive

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
)

// The lines of the files, one JSON object each. IDs are strings, as SPEC
// section 8 writes member IDs; times are RFC 3339 in UTC; optional fields
// are left out when empty.

type memberLine struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Status     string         `json:"status"`
	Staff      bool           `json:"staff"`
	Bot        bool           `json:"bot"`
	Region     string         `json:"region,omitempty"`
	Company    string         `json:"company,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	MergedInto string         `json:"merged_into,omitempty"`
	Emails     []string       `json:"emails,omitempty"`
	Identities []identityLine `json:"identities,omitempty"`
}

type identityLine struct {
	ID       string `json:"id"`
	Platform string `json:"platform"`
	Handle   string `json:"handle"`
	UserID   string `json:"user_id,omitempty"`
}

type mergeLine struct {
	ID       string    `json:"id"`
	From     string    `json:"from"`
	Into     string    `json:"into"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Reason   string    `json:"reason"`
	Moved    movedLine `json:"moved"`
	UndoneAt time.Time `json:"undone_at,omitzero"`
}

type movedLine struct {
	Identities []string `json:"identities"`
	Emails     []string `json:"emails"`
	Activities []string `json:"activities"`
	Mentored   []string `json:"mentored"`
}

type termLine struct {
	ID      string    `json:"id"`
	Member  string    `json:"member"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end,omitzero"`
	Via     string    `json:"via"`
	EndedBy string    `json:"ended_by,omitempty"`
	Reason  string    `json:"reason,omitempty"`
}

type reviewLine struct {
	Quarter         string          `json:"quarter"`
	AppliedAt       time.Time       `json:"applied_at"`
	CriteriaVersion int             `json:"criteria_version"`
	Actor           string          `json:"actor"`
	Result          json.RawMessage `json:"result"`
}

type excusalLine struct {
	Quarter string    `json:"quarter"`
	Member  string    `json:"member"`
	Reason  string    `json:"reason"`
	Actor   string    `json:"actor"`
	At      time.Time `json:"at"`
}

type invitationLine struct {
	ID        string    `json:"id"`
	Member    string    `json:"member"`
	Hash      string    `json:"hash"`
	State     string    `json:"state"`
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
	Actor     string    `json:"actor"`
}

type applicationLine struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Email      string     `json:"email"`
	Handles    []string   `json:"handles,omitempty"`
	Motivation string     `json:"motivation"`
	Links      []string   `json:"links,omitempty"`
	Member     string     `json:"member,omitempty"`
	State      string     `json:"state"`
	Hash       string     `json:"hash"`
	At         time.Time  `json:"at"`
	DecidedAt  time.Time  `json:"decided_at,omitzero"`
	Reviewer   string     `json:"reviewer,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	Notes      []noteLine `json:"notes,omitempty"`
}

type noteLine struct {
	Author string    `json:"author"`
	At     time.Time `json:"at"`
	Text   string    `json:"text"`
}

// criteriaLine is a criteria version; its document is the file
// criteria/NNNN.yaml, named by criteriaDocFile.
type criteriaLine struct {
	Version   int       `json:"version"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

type settingsFile struct {
	StaffDomains []string `json:"staff_domains"`
}

type auditLine struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Detail string    `json:"detail,omitempty"`
}

// criteriaDocFile is the file of a criteria version's document, in the
// criteria folder.
func criteriaDocFile(version int) string { return fmt.Sprintf("%04d.yaml", version) }

// formatID spells an ID as the files do, "" for none.
func formatID(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func formatIDs(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = formatID(id)
	}
	return out
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func toMemberLine(m *Member) memberLine {
	l := memberLine{
		ID: formatID(m.ID), Name: m.Name, Status: string(m.Status), Staff: m.Staff, Bot: m.Bot, Region: m.Region, Company: m.Company,
		CreatedAt: utc(m.CreatedAt), MergedInto: formatID(m.MergedInto), Emails: m.Emails,
	}
	for _, id := range m.Identities {
		l.Identities = append(l.Identities, identityLine{ID: formatID(id.ID), Platform: id.Platform, Handle: id.Handle, UserID: id.UserID})
	}
	return l
}

func toMergeLine(m *cadre.Merge) mergeLine {
	l := mergeLine{
		ID: formatID(m.ID), From: formatID(m.FromID), Into: formatID(m.IntoID), At: time.Unix(m.At, 0).UTC(), Actor: m.Actor, Reason: m.Reason,
		Moved: movedLine{
			Identities: formatIDs(m.Moved.Identities), Emails: m.Moved.Emails,
			Activities: formatIDs(m.Moved.Activities), Mentored: formatIDs(m.Moved.Mentored),
		},
	}
	if l.Moved.Emails == nil {
		l.Moved.Emails = []string{}
	}
	if m.UndoneAt != 0 {
		l.UndoneAt = time.Unix(m.UndoneAt, 0).UTC()
	}
	return l
}

func toTermLine(t *program.Term) termLine {
	return termLine{ID: formatID(t.ID), Member: formatID(t.MemberID), Start: utc(t.Start), End: utc(t.End), Via: string(t.Via), EndedBy: string(t.EndedBy), Reason: t.Reason}
}

func toReviewLine(r *Review) reviewLine {
	return reviewLine{Quarter: r.Quarter.String(), AppliedAt: utc(r.AppliedAt), CriteriaVersion: r.CriteriaVersion, Actor: r.Actor, Result: r.Result}
}

func toExcusalLine(e *Excusal) excusalLine {
	return excusalLine{Quarter: e.Quarter.String(), Member: formatID(e.MemberID), Reason: e.Reason, Actor: e.Actor, At: utc(e.At)}
}

func toInvitationLine(inv *program.Invitation) invitationLine {
	return invitationLine{
		ID: formatID(inv.ID), Member: formatID(inv.MemberID), Hash: inv.Hash, State: string(inv.State),
		SentAt: utc(inv.SentAt), ExpiresAt: utc(inv.ExpiresAt), DecidedAt: utc(inv.DecidedAt), Actor: inv.Actor,
	}
}

func toApplicationLine(a *Application) applicationLine {
	l := applicationLine{
		ID: formatID(a.ID), Name: a.Name, Email: a.Email, Motivation: a.Motivation, Links: a.Links, Member: formatID(a.MemberID),
		State: string(a.State), Hash: a.Hash, At: utc(a.At), DecidedAt: utc(a.DecidedAt), Reviewer: a.Reviewer, Reason: a.Reason,
	}
	for _, h := range a.Handles {
		l.Handles = append(l.Handles, h.Platform+":"+h.Handle)
	}
	for _, n := range a.Notes {
		l.Notes = append(l.Notes, noteLine{Author: n.Author, At: utc(n.At), Text: n.Text})
	}
	return l
}

func toAuditLine(e *cadre.AuditEntry) auditLine {
	return auditLine{At: utc(e.At), Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: e.Detail}
}
