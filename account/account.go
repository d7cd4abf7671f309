// Package account holds who may use Cadre and what each may do: accounts and
// their roles, the one table of which role may take which action, password
// hashing, the tokens of sessions and API clients, and the limits on sign-in
// attempts. It is pure: the store keeps accounts, sessions and tokens, the
// server asks Can before every route, and the clock is passed in.
package account

import (
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Role is what an account is to the program.
type Role string

// Roles, from the most trusted.
const (
	// Admin does everything, including accounts, criteria and sources.
	Admin Role = "admin"
	// Reviewer reviews self-reports, applications and merges, and reads
	// everything.
	Reviewer Role = "reviewer"
	// Viewer reads every program page and API, changes nothing and sees no
	// email addresses.
	Viewer Role = "viewer"
	// Ambassador sees their own data only: their score, projection,
	// activities and reports; and takes part in executive feedback
	// sessions, whose commitments every account reads.
	Ambassador Role = "ambassador"
)

// Roles lists every role, for listings and tests.
var Roles = []Role{Admin, Reviewer, Viewer, Ambassador}

// ParseRole reads a role by name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Roles {
		if r == known {
			return r, nil
		}
	}
	return "", cadre.Errorf(cadre.EINVALID, "role must be admin, reviewer, viewer or ambassador, got %s", cadre.Quote(s))
}

// Action is something a route does, as the table of rules knows it.
type Action string

// Actions. Every route of the server names one.
const (
	// ReadProgram reads the program: members, leaderboards, scores, sources.
	ReadProgram Action = "read-program"
	// ReadEmails reads members' email addresses.
	ReadEmails Action = "read-emails"
	// ReadOwn reads one's own member page, score and activities.
	ReadOwn Action = "read-own"
	// Report reports one's own activity.
	Report Action = "report"
	// Review decides on self-reports, applications and merges.
	Review Action = "review"
	// Calibrate computes thresholds for a target share (reads only, but
	// costs a full score).
	Calibrate Action = "calibrate"
	// Administer manages accounts, tokens of others, criteria and sources.
	Administer Action = "administer"
	// Participate takes part in executive feedback sessions: submits
	// items (with one's own member) and votes on others'.
	Participate Action = "participate"
)

// rules is the one table of who may do what.
var rules = map[Role][]Action{
	Admin:      {ReadProgram, ReadEmails, ReadOwn, Report, Review, Calibrate, Administer, Participate},
	Reviewer:   {ReadProgram, ReadEmails, ReadOwn, Report, Review, Calibrate},
	Viewer:     {ReadProgram, ReadOwn, Calibrate},
	Ambassador: {ReadOwn, Report, Participate},
}

// Can reports whether role r may take action a.
func (r Role) Can(a Action) bool {
	for _, ok := range rules[r] {
		if ok == a {
			return true
		}
	}
	return false
}

// User is an account.
type User struct {
	ID    int64
	Email string // lower-cased; unique
	Role  Role
	// MemberID is the member an ambassador's account is, 0 for staff.
	MemberID int64
	// PasswordHash is the argon2id hash of the password, "" for accounts
	// that sign in only through single sign-on.
	PasswordHash string
	CreatedAt    time.Time
}

// Validate checks what an account must have before it is stored.
func (u *User) Validate() error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	switch {
	case !cadre.ValidEmail(u.Email):
		return cadre.Errorf(cadre.EINVALID, "email %s is not an email address", cadre.Quote(u.Email))
	case u.Role == Ambassador && u.MemberID == 0:
		return cadre.Errorf(cadre.EINVALID, "an ambassador's account needs the member it belongs to")
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	return nil
}
