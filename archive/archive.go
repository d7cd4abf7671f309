// Package archive reads and writes a whole program as a folder of files, to
// move it to another database (SQLite to PostgreSQL, or to a new server):
// what `cadre export --all` writes and `cadre import --all` reads. The
// folder holds every record with its ID, so that what refers to a member,
// a term or an activity still does after the move:
//
//	manifest.json          format, version, counts; written last, so a folder
//	                       without it is no complete archive
//	members.jsonl          members with their flags, emails and identities
//	merges.jsonl           merges of members, with what moved, to be undone
//	terms.jsonl            terms as ambassador
//	reviews.jsonl          applied quarterly reviews, with their result
//	excusals.jsonl         ambassadors excused from a review
//	invitations.jsonl      invitations, with the hash of their link
//	applications.jsonl     applications, with their reviewers' notes
//	criteria/versions.jsonl  criteria versions with author and time, in order,
//	criteria/0001.yaml …   and each version's document as stored
//	settings.json          the staff's email domains
//	audit.jsonl            the audit log, oldest first
//	activities.jsonl       activities in the interchange format (SPEC section
//	                       8) with their IDs, in the order of their IDs
//	surveys.jsonl          NPS surveys, with their invitees (and the hash of
//	                       each one's link) and answers
//	pain_points.jsonl      the pain points rewards are scored against
//	rewards.jsonl          the rewards, with their scores
//	reward_grants.jsonl    rewards granted to members
//	reward_budgets.jsonl   the budget of each quarter
//	sessions.jsonl         executive feedback sessions, with their attendees,
//	                       items and votes, commitments and their notes
//	webhooks.jsonl         outgoing webhooks, with their secrets (their
//	                       deliveries are not carried)
//
// Readers check every record, alone and against the others (a term's member
// is in members.jsonl, a handle belongs to one member), and name the file
// and line of the first that is wrong. Accounts, sessions and API tokens are
// not carried: their secrets stay in the database they were made for. Nor
// are sources, whose settings may hold platform tokens. Webhooks are, with
// their secrets: without them every receiver would refuse the events of the
// moved program.
package archive

import (
	"encoding/json"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
)

// Format names the folder's format in its manifest; Version is the version of
// it that this package writes. It reads that one and version 1, which had
// no surveys, rewards, feedback sessions or webhooks.
const (
	Format  = "cadre-program"
	Version = 2
)

// The files of an archive.
const (
	ManifestFile     = "manifest.json"
	MembersFile      = "members.jsonl"
	MergesFile       = "merges.jsonl"
	TermsFile        = "terms.jsonl"
	ReviewsFile      = "reviews.jsonl"
	ExcusalsFile     = "excusals.jsonl"
	InvitationsFile  = "invitations.jsonl"
	ApplicationsFile = "applications.jsonl"
	CriteriaDir      = "criteria"
	CriteriaFile     = "criteria/versions.jsonl"
	SettingsFile     = "settings.json"
	AuditFile        = "audit.jsonl"
	ActivitiesFile   = "activities.jsonl"
	SurveysFile      = "surveys.jsonl"
	PainPointsFile   = "pain_points.jsonl"
	RewardsFile      = "rewards.jsonl"
	GrantsFile       = "reward_grants.jsonl"
	BudgetsFile      = "reward_budgets.jsonl"
	SessionsFile     = "sessions.jsonl"
	WebhooksFile     = "webhooks.jsonl"
)

// Program is a whole program but its activities, which are too many to hold
// in memory and stream instead. Every slice is in the order of its IDs (of
// quarters for reviews and excusals, of versions for criteria).
type Program struct {
	Members      []Member
	Merges       []cadre.Merge
	Terms        []program.Term
	Reviews      []Review
	Excusals     []Excusal
	Invitations  []program.Invitation
	Applications []Application
	Criteria     []cadre.CriteriaDoc
	// StaffDomains are the email domains whose new members are staff.
	StaffDomains []string
	// Audit is the audit log, oldest first. An import appends it to the
	// log of the database it goes into, under new IDs: nothing refers to
	// them.
	Audit []cadre.AuditEntry
	// The engagement: surveys, rewards, feedback sessions and webhooks.
	// Budgets are in the order of their quarters.
	Surveys    []Survey
	PainPoints []PainPoint
	Rewards    []Reward
	Grants     []RewardGrant
	Budgets    []RewardBudget
	Sessions   []Session
	Webhooks   []Webhook
}

// Member is a member with their identities.
type Member struct {
	cadre.Member
	Identities []cadre.Identity
}

// Review is an applied quarterly review.
type Review struct {
	Quarter         program.Quarter
	AppliedAt       time.Time
	CriteriaVersion int
	Actor           string
	// Result is the program.Review that was applied, as stored: a JSON
	// object, carried as it is.
	Result json.RawMessage
}

// Excusal excuses an ambassador from a quarter's review.
type Excusal struct {
	Quarter  program.Quarter
	MemberID int64
	Reason   string
	Actor    string
	At       time.Time
}

// Application is an application with its reviewers' notes, oldest first.
type Application struct {
	program.Application
	Notes []Note
}

// Note is a reviewer's note on an application.
type Note struct {
	Author string
	At     time.Time
	Text   string
}

// Counts says how many records of each kind an archive holds.
type Counts struct {
	Members          int `json:"members"`
	Identities       int `json:"identities"`
	Merges           int `json:"merges"`
	Terms            int `json:"terms"`
	Reviews          int `json:"reviews"`
	Excusals         int `json:"excusals"`
	Invitations      int `json:"invitations"`
	Applications     int `json:"applications"`
	Notes            int `json:"notes"`
	CriteriaVersions int `json:"criteria_versions"`
	AuditEntries     int `json:"audit_entries"`
	Activities       int `json:"activities"`
	Surveys          int `json:"surveys"`
	SurveyInvitees   int `json:"survey_invitees"`
	SurveyAnswers    int `json:"survey_answers"`
	PainPoints       int `json:"pain_points"`
	Rewards          int `json:"rewards"`
	RewardScores     int `json:"reward_scores"`
	RewardGrants     int `json:"reward_grants"`
	RewardBudgets    int `json:"reward_budgets"`
	Sessions         int `json:"sessions"`
	FeedbackItems    int `json:"feedback_items"`
	FeedbackVotes    int `json:"feedback_votes"`
	Commitments      int `json:"commitments"`
	CommitmentNotes  int `json:"commitment_notes"`
	Webhooks         int `json:"webhooks"`
}

// Counts counts the records of p; Activities is left 0.
func (p *Program) Counts() Counts {
	c := Counts{
		Members: len(p.Members), Merges: len(p.Merges), Terms: len(p.Terms), Reviews: len(p.Reviews),
		Excusals: len(p.Excusals), Invitations: len(p.Invitations), Applications: len(p.Applications),
		CriteriaVersions: len(p.Criteria), AuditEntries: len(p.Audit),
		Surveys: len(p.Surveys), PainPoints: len(p.PainPoints), Rewards: len(p.Rewards), RewardGrants: len(p.Grants),
		RewardBudgets: len(p.Budgets), Sessions: len(p.Sessions), Webhooks: len(p.Webhooks),
	}
	for i := range p.Surveys {
		c.SurveyInvitees += len(p.Surveys[i].Invitees)
		c.SurveyAnswers += len(p.Surveys[i].Answers)
	}
	for i := range p.Rewards {
		c.RewardScores += len(p.Rewards[i].Scores)
	}
	for i := range p.Sessions {
		s := &p.Sessions[i]
		c.FeedbackItems += len(s.Items)
		for j := range s.Items {
			c.FeedbackVotes += len(s.Items[j].Votes)
		}
		c.Commitments += len(s.Commitments)
		for j := range s.Commitments {
			c.CommitmentNotes += len(s.Commitments[j].Notes)
		}
	}
	for i := range p.Members {
		c.Identities += len(p.Members[i].Identities)
	}
	for i := range p.Applications {
		c.Notes += len(p.Applications[i].Notes)
	}
	return c
}

// Manifest describes an archive. It is written last: its presence says the
// archive is complete, and its counts let a reader tell a cut file.
type Manifest struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Cadre is the version of the program that wrote the archive, and
	// Schema the schema version of the database it read, for the record.
	Cadre      string    `json:"cadre,omitempty"`
	Schema     int       `json:"schema,omitempty"`
	ExportedAt time.Time `json:"exported_at"`
	Counts     Counts    `json:"counts"`
}
