package server

import (
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/score"
	"github.com/cadrehq/cadre/standings"
)

// The JSON shape of each resource, one for the API and the CLI's --json
// (docs/API.md; the leaderboard is SPEC section 8's).

// MemberJSON is a member.
type MemberJSON struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Emails     []string  `json:"emails"`
	Status     string    `json:"status"`
	Staff      bool      `json:"staff"`
	Bot        bool      `json:"bot"`
	Region     string    `json:"region,omitempty"`
	Company    string    `json:"company,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	Activities *int      `json:"activities,omitempty"`
	// MergedInto is the member this one was merged into; it holds nothing
	// while the merge stands.
	MergedInto int64 `json:"merged_into,omitempty"`
}

// NewMemberJSON shapes m.
func NewMemberJSON(m *cadre.Member) MemberJSON {
	emails := m.Emails
	if emails == nil {
		emails = []string{}
	}
	return MemberJSON{ID: m.ID, Name: m.Name, Emails: emails, Status: string(m.Status), Staff: m.Staff, Bot: m.Bot,
		Region: m.Region, Company: m.Company, CreatedAt: m.CreatedAt, MergedInto: m.MergedInto}
}

// NewMemberSummaryJSON shapes a member of a listing, with their activity count.
func NewMemberSummaryJSON(m *cadre.MemberSummary) MemberJSON {
	j := NewMemberJSON(&m.Member)
	n := m.Activities
	j.Activities = &n
	return j
}

// ActivityJSON is an activity.
type ActivityJSON struct {
	ID            int64              `json:"id"`
	MemberID      int64              `json:"member_id"`
	Type          string             `json:"type"`
	OccurredAt    time.Time          `json:"occurred_at"`
	Source        string             `json:"source"`
	ExternalID    string             `json:"external_id"`
	Status        string             `json:"status"`
	EffortMinutes *float64           `json:"effort_minutes,omitempty"`
	URL           string             `json:"url,omitempty"`
	Title         string             `json:"title,omitempty"`
	Metrics       map[string]float64 `json:"metrics,omitempty"`
	MenteeID      int64              `json:"mentee_id,omitempty"`
	DuplicateOf   int64              `json:"duplicate_of,omitempty"`
}

// NewActivityJSON shapes a.
func NewActivityJSON(a *cadre.Activity) ActivityJSON {
	j := ActivityJSON{ID: a.ID, MemberID: a.MemberID, Type: a.Type, OccurredAt: a.OccurredAt, Source: a.Source,
		ExternalID: a.ExternalID, Status: string(a.Status), URL: a.URL, Title: a.Title, Metrics: a.Metrics, MenteeID: a.MenteeID,
		DuplicateOf: a.DuplicateOf}
	if a.HasEffort {
		e := a.EffortMinutes
		j.EffortMinutes = &e
	}
	return j
}

// SuggestionJSON is a merge suggestion.
type SuggestionJSON struct {
	Into       int64   `json:"into"`
	From       int64   `json:"from"`
	Reason     string  `json:"reason"`
	Confidence float64 `json:"confidence"`
}

// NewSuggestionsJSON shapes merge suggestions.
func NewSuggestionsJSON(sgs []cadre.MergeSuggestion) []SuggestionJSON {
	out := make([]SuggestionJSON, len(sgs))
	for i, sg := range sgs {
		out[i] = SuggestionJSON{sg.Into, sg.From, sg.Reason, sg.Confidence}
	}
	return out
}

// SourceJSON is a source. Its configuration appears as keys only: the
// values hold API keys.
type SourceJSON struct {
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	ConfigKeys []string   `json:"config_keys"`
	Paused     bool       `json:"paused"` // no sync reads it until it is resumed
	Cursor     string     `json:"cursor"`
	LastSyncAt *time.Time `json:"last_sync_at"` // null before the first sync
	LastError  string     `json:"last_error"`
	Inserted   int        `json:"inserted"`
	Duplicates int        `json:"duplicates"`
	Rejected   int        `json:"rejected"`
	// Syncing says an instance holds the source's lease now.
	Syncing bool `json:"syncing"`
}

// NewSourceJSON shapes src as of now.
func NewSourceJSON(src *cadre.Source, now time.Time) SourceJSON {
	j := SourceJSON{Name: src.Name, Kind: src.Kind, ConfigKeys: []string{}, Paused: src.Paused, Cursor: src.Cursor, LastError: src.LastError,
		Inserted: src.Inserted, Duplicates: src.Duplicates, Rejected: src.Rejected, Syncing: src.Syncing(now)}
	for k := range src.Config {
		j.ConfigKeys = append(j.ConfigKeys, k)
	}
	slices.Sort(j.ConfigKeys)
	if !src.LastSyncAt.IsZero() {
		j.LastSyncAt = &src.LastSyncAt
	}
	return j
}

// EntryJSON is one line of a leaderboard (SPEC section 8).
type EntryJSON struct {
	Rank     int     `json:"rank"`
	MemberID int64   `json:"member_id"`
	Name     string  `json:"name"`
	Status   string  `json:"status"`
	Score    float64 `json:"score"`
}

// NewLeaderboardJSON shapes a leaderboard.
func NewLeaderboardJSON(entries []standings.Entry) []EntryJSON {
	out := make([]EntryJSON, len(entries))
	for i, e := range entries {
		out[i] = EntryJSON(e)
	}
	return out
}

// ShareJSON is the state of the bar at an instant (SPEC section 4).
type ShareJSON struct {
	At         time.Time `json:"at"`
	Active     int       `json:"active"`
	Qualifying int       `json:"qualifying"`
	Share      float64   `json:"share"`
	Achieve    float64   `json:"achieve"`
	TargetMin  float64   `json:"target_min"`
	TargetMax  float64   `json:"target_max"`
	Warnings   []string  `json:"warnings"`
}

// NewShareJSON shapes sh.
func NewShareJSON(sh standings.Share) ShareJSON { return ShareJSON(sh) }

// CalibrationJSON is the threshold that would qualify a target share at an
// instant.
type CalibrationJSON struct {
	At         time.Time `json:"at"`
	Target     float64   `json:"target"`
	Threshold  float64   `json:"threshold"`
	Active     int       `json:"active"`
	Qualifying int       `json:"qualifying"`
	Share      float64   `json:"share"`
}

// NewCalibrationJSON shapes a calibration at at.
func NewCalibrationJSON(at time.Time, c score.Calibration) CalibrationJSON {
	return CalibrationJSON{At: at, Target: c.Target, Threshold: c.Threshold, Active: c.Active, Qualifying: c.Qualifying, Share: c.Share}
}

// MemberScoreJSON is a member's score explained.
type MemberScoreJSON struct {
	MemberID   int64          `json:"member_id"`
	Name       string         `json:"name"`
	Status     string         `json:"status"`
	Excluded   bool           `json:"excluded"` // staff or bot: never ranked
	At         time.Time      `json:"at"`
	Score      float64        `json:"score"`
	Achieve    float64        `json:"achieve"`
	Maintain   float64        `json:"maintain"`
	ByType     []PartJSON     `json:"by_type"`
	ByQuarter  []PartJSON     `json:"by_quarter"`
	History    []ScoreAtJSON  `json:"history"`
	Projection ProjectionJSON `json:"projection"`
}

// PartJSON is the share of a score some activities make up.
type PartJSON struct {
	Key        string  `json:"key"`
	Activities int     `json:"activities"`
	Points     float64 `json:"points"`
	Score      float64 `json:"score"`
}

// ScoreAtJSON is a score at an instant.
type ScoreAtJSON struct {
	At    time.Time `json:"at"`
	Score float64   `json:"score"`
}

// ProjectionJSON is where the score heads without new activity; times are
// null when the score never falls below the threshold or is below it already.
type ProjectionJSON struct {
	NextReview    time.Time       `json:"next_review"`
	ScoreThen     float64         `json:"score_then"`
	BelowMaintain *time.Time      `json:"below_maintain"`
	BelowAchieve  *time.Time      `json:"below_achieve"`
	PointsNeeded  float64         `json:"points_needed"`
	ToMaintain    []TypeCountJSON `json:"to_maintain"`
}

// TypeCountJSON is a number of activities of one type.
type TypeCountJSON struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// NewMemberScoreJSON shapes ms.
func NewMemberScoreJSON(ms *standings.MemberScore) MemberScoreJSON {
	j := MemberScoreJSON{MemberID: ms.MemberID, Name: ms.Name, Status: ms.Status, Excluded: ms.Excluded, At: ms.At,
		Score: ms.Score, Achieve: ms.Achieve, Maintain: ms.Maintain,
		ByType: partsJSON(ms.ByType), ByQuarter: partsJSON(ms.ByQuarter), History: make([]ScoreAtJSON, len(ms.History)),
		Projection: ProjectionJSON{NextReview: ms.Projection.NextReview, ScoreThen: ms.Projection.ScoreThen,
			BelowMaintain: ms.Projection.BelowMaintain, BelowAchieve: ms.Projection.BelowAchieve,
			PointsNeeded: ms.Projection.PointsNeeded, ToMaintain: make([]TypeCountJSON, len(ms.Projection.ToMaintain))}}
	for i, h := range ms.History {
		j.History[i] = ScoreAtJSON(h)
	}
	for i, tc := range ms.Projection.ToMaintain {
		j.Projection.ToMaintain[i] = TypeCountJSON(tc)
	}
	return j
}

func partsJSON(ps []standings.Part) []PartJSON {
	out := make([]PartJSON, len(ps))
	for i, p := range ps {
		out[i] = PartJSON(p)
	}
	return out
}

// WriteJSONLine writes v on one line, as JSON Lines are.
func WriteJSONLine(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

// WriteJSON writes v indented, as every JSON answer and --json output is.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ReviewJSON is a quarterly review (SPEC section 8).
type ReviewJSON struct {
	Quarter         string             `json:"quarter"`
	At              time.Time          `json:"at"`
	CriteriaVersion int                `json:"criteria_version"`
	Maintain        float64            `json:"maintain"`
	Applied         bool               `json:"applied"`
	Members         []ReviewMemberJSON `json:"members"`
	Renewed         int                `json:"renewed"`
	Lapsed          int                `json:"lapsed"`
	Excused         int                `json:"excused"`
	CarriedOver     int                `json:"carried_over"`
	RenewalRate     *float64           `json:"renewal_rate"`
	Diagnosis       string             `json:"diagnosis"`
}

// ReviewMemberJSON is one member's outcome in a review; member ids are
// strings in the program's JSON.
type ReviewMemberJSON struct {
	MemberID string  `json:"member_id"`
	Name     string  `json:"name"`
	Score    float64 `json:"score"`
	Outcome  string  `json:"outcome"`
}

// NewReviewJSON shapes r; names gives members' display names.
func NewReviewJSON(r *program.Review, version int, applied bool, band criteria.Band, names func(int64) string) ReviewJSON {
	j := ReviewJSON{Quarter: r.Quarter.String(), At: r.At, CriteriaVersion: version, Maintain: r.Maintain, Applied: applied,
		Members: make([]ReviewMemberJSON, len(r.Entries)), Renewed: r.Renewed, Lapsed: r.Lapsed, Excused: r.Excused,
		CarriedOver: r.CarriedOver, RenewalRate: r.Rate, Diagnosis: program.Diagnosis(r.Rate, band)}
	for i, e := range r.Entries {
		j.Members[i] = ReviewMemberJSON{MemberID: strconv.FormatInt(e.MemberID, 10), Name: names(e.MemberID), Score: e.Score, Outcome: string(e.Outcome)}
	}
	return j
}

// HealthJSON is the program's health in a quarter (SPEC section 8).
type HealthJSON struct {
	Quarter             string             `json:"quarter"`
	At                  time.Time          `json:"at"`
	Active              int                `json:"active"`
	Qualifying          int                `json:"qualifying"`
	Share               float64            `json:"share"`
	Ambassadors         int                `json:"ambassadors"`
	ActiveAmbassadors   int                `json:"active_ambassadors"`
	PointsPerAmbassador *float64           `json:"points_per_ambassador"`
	Review              *HealthReviewJSON  `json:"review"`
	Organic             OrganicJSON        `json:"organic"`
	InfluenceHours      InfluenceHoursJSON `json:"influence_hours"`
	NPS                 *NPSJSON           `json:"nps"`           // nil when the quarter has no survey
	ContentViews        float64            `json:"content_views"` // of the ambassadors' content in the quarter
	ForumOutcomes       *ForumOutcomesJSON `json:"forum_outcomes"`
	Mentees             *MenteesJSON       `json:"mentees"`
	FollowThrough       *float64           `json:"follow_through"` // nil when no commitment was due in the quarter
}

// HealthReviewJSON is the quarter's review in the health report.
type HealthReviewJSON struct {
	Applied     bool     `json:"applied"`
	Renewed     int      `json:"renewed"`
	Lapsed      int      `json:"lapsed"`
	RenewalRate *float64 `json:"renewal_rate"`
}

// ForumOutcomesJSON are the quarter's forum outcomes (SPEC 6): the threads
// with a forum activity in the quarter in which an ambassador of the
// quarter has one, against the others.
type ForumOutcomesJSON struct {
	Ambassador ForumGroupJSON `json:"ambassador"`
	Others     ForumGroupJSON `json:"others"`
}

// ForumGroupJSON is one group of threads: how many, their mean views and
// the share solved, as last seen; each null when no thread of the group
// tells it.
type ForumGroupJSON struct {
	Threads     int      `json:"threads"`
	MeanViews   *float64 `json:"mean_views"`
	SolvedShare *float64 `json:"solved_share"`
}

// MenteesJSON are the quarter's mentee figures (SPEC 6): mentees first
// mentored in it by its ambassadors, those activated, those who became
// ambassadors after.
type MenteesJSON struct {
	Mentored   int `json:"mentored"`
	Activated  int `json:"activated"`
	Multiplied int `json:"multiplied"`
}

// NPSJSON is the quarter's Ambassador NPS.
type NPSJSON struct {
	Score        *float64 `json:"score"`
	Responses    int      `json:"responses"`
	ResponseRate *float64 `json:"response_rate"`
}

// OrganicJSON is how the quarter's ambassadors came: applications against
// terms started via invitation.
type OrganicJSON struct {
	Applications        int      `json:"applications"`
	Accepted            int      `json:"accepted"`
	InvitationsSent     int      `json:"invitations_sent"`
	InvitationsAccepted int      `json:"invitations_accepted"`
	Ratio               *float64 `json:"ratio"`
}

// InfluenceHoursJSON are the hours ambassadors gave in a quarter.
type InfluenceHoursJSON struct {
	Total                 float64  `json:"total"`
	PerAmbassador         *float64 `json:"per_ambassador"`
	WeightedPerAmbassador *float64 `json:"weighted_per_ambassador"`
}

// NewHealthJSON shapes a quarter's health: the share at the review instant,
// the figures of terms and activities, and its applied review (nil: not yet).
func NewHealthJSON(at time.Time, sh standings.Share, h program.Health, o program.Organic, review *program.Review) HealthJSON {
	j := HealthJSON{Quarter: h.Quarter.String(), At: at, Active: sh.Active, Qualifying: sh.Qualifying, Share: sh.Share,
		Ambassadors: h.Ambassadors, ActiveAmbassadors: h.ActiveAmbassadors, PointsPerAmbassador: h.PointsPerAmbassador, ContentViews: h.ContentViews,
		Organic: OrganicJSON{Applications: o.Applications, Accepted: o.Accepted, InvitationsSent: o.InvitationsSent,
			InvitationsAccepted: o.InvitationsAccepted, Ratio: o.Ratio},
		InfluenceHours: InfluenceHoursJSON(h.InfluenceHours)}
	if review != nil {
		j.Review = &HealthReviewJSON{Applied: true, Renewed: review.Renewed, Lapsed: review.Lapsed, RenewalRate: review.Rate}
	}
	return j
}
