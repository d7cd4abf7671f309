package program

import (
	"time"

	"github.com/cadrehq/cadre"
)

// InvitationState is where an invitation stands (SPEC section 5).
type InvitationState string

// Invitation states: sent → accepted | declined | expired | revoked.
const (
	InvitationSent     InvitationState = "sent"
	InvitationAccepted InvitationState = "accepted"
	InvitationDeclined InvitationState = "declined"
	InvitationExpired  InvitationState = "expired"
	InvitationRevoked  InvitationState = "revoked"
)

// InvitationTTL is how long an invitation's link works.
const InvitationTTL = 30 * 24 * time.Hour

// Invitation asks a member to become an ambassador, through a personal
// single-use link whose secret only its hash is kept of.
type Invitation struct {
	ID        int64
	MemberID  int64
	Hash      string
	State     InvitationState // as stored; StateAt says what it is at an instant
	SentAt    time.Time
	ExpiresAt time.Time
	DecidedAt time.Time // zero while sent
	Actor     string    // who sent it
}

// StateAt is the invitation's state at now: a sent one past its expiry has
// expired.
func (inv *Invitation) StateAt(now time.Time) InvitationState {
	if inv.State == InvitationSent && !now.Before(inv.ExpiresAt) {
		return InvitationExpired
	}
	return inv.State
}

// CheckInvite says whether member m may be invited at now: not staff or a
// bot, not merged away, not an ambassador, and with no invitation still
// open.
func CheckInvite(m *cadre.Member, terms []Term, invitations []Invitation, now time.Time) error {
	switch {
	case m.Staff || m.Bot:
		return cadre.Errorf(cadre.EINVALID, "member %d is staff or a bot, who hold no term", m.ID)
	case m.MergedInto != 0:
		return cadre.Errorf(cadre.EINVALID, "member %d was merged into member %d: invite them", m.ID, m.MergedInto)
	case StatusAt(terms, now) == cadre.StatusAmbassador:
		return cadre.Errorf(cadre.ECONFLICT, "member %d is an ambassador already", m.ID)
	}
	for i := range invitations {
		if inv := &invitations[i]; inv.StateAt(now) == InvitationSent {
			return cadre.Errorf(cadre.ECONFLICT, "member %d has an open invitation (%d), sent %s", m.ID, inv.ID, inv.SentAt.Format(time.DateOnly))
		}
	}
	return nil
}

// Decide answers an invitation at now: accepting or declining is allowed
// once, while it is sent and has not expired. It returns the new state.
func (inv *Invitation) Decide(accept bool, now time.Time) (InvitationState, error) {
	switch st := inv.StateAt(now); st {
	case InvitationSent:
	case InvitationExpired:
		return "", cadre.Errorf(cadre.EINVALID, "this invitation expired on %s: ask the program for a new one", inv.ExpiresAt.Format(time.DateOnly))
	default:
		return "", cadre.Errorf(cadre.ECONFLICT, "this invitation was %s already", st)
	}
	if accept {
		return InvitationAccepted, nil
	}
	return InvitationDeclined, nil
}
