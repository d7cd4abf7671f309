package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
)

// The engagement of a program, added to the format in its version 2:
// surveys, rewards, feedback sessions and outgoing webhooks. Each record is
// its line, as stored: IDs are strings in the files (the ",string" option),
// times RFC 3339 in UTC, and nested records (a survey's answers, a
// session's commitments) go with the record they belong to.

// Survey is a quarter's NPS survey with its invitees and answers.
type Survey struct {
	ID        int64     `json:"id,string"`
	Quarter   string    `json:"quarter"`
	OpenedAt  time.Time `json:"opened_at"`
	ClosesAt  time.Time `json:"closes_at"`
	Anonymous bool      `json:"anonymous"`
	// ClosedTold says the webhooks were told the survey closed, so that
	// they are not told again after a move.
	ClosedTold bool            `json:"closed_told"`
	Actor      string          `json:"actor"`
	Invitees   []SurveyInvitee `json:"invitees,omitempty"`
	Answers    []SurveyAnswer  `json:"answers,omitempty"`
}

// SurveyInvitee is an ambassador invited to a survey, with the hash of
// their link.
type SurveyInvitee struct {
	Member     int64     `json:"member,string"`
	Hash       string    `json:"hash"`
	RemindedAt time.Time `json:"reminded_at,omitzero"`
}

// SurveyAnswer is an ambassador's answer to a survey.
type SurveyAnswer struct {
	Member  int64     `json:"member,string"`
	Score   int       `json:"score"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// PainPoint is a pain point that rewards are scored against.
type PainPoint struct {
	ID     int64   `json:"id,string"`
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
}

// Reward is a reward of the catalog with its scores against pain points.
type Reward struct {
	ID       int64   `json:"id,string"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Cost     float64 `json:"cost"`
	Stock    *int    `json:"stock,omitempty"`
	Status   string  `json:"status,omitempty"`
	MinScore float64 `json:"min_score"`
	MaxRank  int     `json:"max_rank"`
	// Regions is the comma-separated list of regions, "" for anywhere.
	Regions   string        `json:"regions,omitempty"`
	UpdatedAt time.Time     `json:"updated_at"`
	Scores    []RewardScore `json:"scores,omitempty"`
}

// RewardScore scores a reward against a pain point, 1 to 10.
type RewardScore struct {
	PainPoint int64 `json:"pain_point,string"`
	Score     int   `json:"score"`
}

// RewardGrant is a reward granted to a member.
type RewardGrant struct {
	ID        int64     `json:"id,string"`
	Reward    int64     `json:"reward,string"`
	Member    int64     `json:"member,string"`
	Quarter   string    `json:"quarter"`
	Cost      float64   `json:"cost"`
	State     string    `json:"state"`
	GrantedAt time.Time `json:"granted_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Note      string    `json:"note,omitempty"`
	Actor     string    `json:"actor"`
}

// RewardBudget is a quarter's budget for rewards.
type RewardBudget struct {
	Quarter   string    `json:"quarter"`
	Amount    float64   `json:"amount"`
	UpdatedAt time.Time `json:"updated_at"`
	Actor     string    `json:"actor"`
}

// Session is an executive feedback session with its attendees, items and
// commitments.
type Session struct {
	ID        int64     `json:"id,string"`
	Title     string    `json:"title"`
	At        time.Time `json:"at"`
	CreatedAt time.Time `json:"created_at"`
	Actor     string    `json:"actor"`
	// Ambassadors are the IDs of the members who attend.
	Ambassadors []string       `json:"ambassadors,omitempty"`
	Executives  []string       `json:"executives,omitempty"`
	Items       []FeedbackItem `json:"items,omitempty"`
	Commitments []Commitment   `json:"commitments,omitempty"`
}

// FeedbackItem is an item an ambassador submitted to a session, with its
// votes.
type FeedbackItem struct {
	ID        int64          `json:"id,string"`
	Kind      string         `json:"kind"`
	Title     string         `json:"title"`
	Body      string         `json:"body,omitempty"`
	Author    int64          `json:"author,string"`
	CreatedAt time.Time      `json:"created_at"`
	Votes     []FeedbackVote `json:"votes,omitempty"`
}

// FeedbackVote is an ambassador's vote for an item.
type FeedbackVote struct {
	Member int64     `json:"member,string"`
	At     time.Time `json:"at"`
}

// Commitment is a commitment made of an item of its session, with its
// notes.
type Commitment struct {
	ID         int64            `json:"id,string"`
	Item       int64            `json:"item,string"`
	Title      string           `json:"title"`
	Owner      string           `json:"owner"`
	DueAt      time.Time        `json:"due_at"`
	Status     string           `json:"status"`
	DoneAt     time.Time        `json:"done_at,omitzero"`
	CreatedAt  time.Time        `json:"created_at"`
	Actor      string           `json:"actor"`
	RemindedAt time.Time        `json:"reminded_at,omitzero"`
	Notes      []CommitmentNote `json:"notes,omitempty"`
}

// CommitmentNote is a note on a commitment, or a change of its status.
type CommitmentNote struct {
	ID     int64     `json:"id,string"`
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Status string    `json:"status,omitempty"`
	Text   string    `json:"text,omitempty"`
}

// Webhook is an outgoing webhook, with its secret: the receivers check the
// signatures made with it, and would refuse every event after a move
// without it.
type Webhook struct {
	ID     int64  `json:"id,string"`
	URL    string `json:"url"`
	Kind   string `json:"kind"`
	Secret string `json:"secret,omitempty"`
	// Events is the space-separated list of events, "" for all.
	Events    string    `json:"events,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Actor     string    `json:"actor"`
}

// engagementFiles are the files the format's version 2 added, which an
// archive of version 1 does not hold.
var engagementFiles = []string{SurveysFile, PainPointsFile, RewardsFile, GrantsFile, BudgetsFile, SessionsFile, WebhooksFile}

// engagementLines are the lines of the engagement files, for Finish.
func (p *Program) engagementLines() []fileLines {
	return []fileLines{
		{SurveysFile, len(p.Surveys), func(i int) any { return &p.Surveys[i] }},
		{PainPointsFile, len(p.PainPoints), func(i int) any { return &p.PainPoints[i] }},
		{RewardsFile, len(p.Rewards), func(i int) any { return &p.Rewards[i] }},
		{GrantsFile, len(p.Grants), func(i int) any { return &p.Grants[i] }},
		{BudgetsFile, len(p.Budgets), func(i int) any { return &p.Budgets[i] }},
		{SessionsFile, len(p.Sessions), func(i int) any { return &p.Sessions[i] }},
		{WebhooksFile, len(p.Webhooks), func(i int) any { return &p.Webhooks[i] }},
	}
}

// engagement reads the engagement files, none in an archive of version 1.
func (r *reader) engagement() error {
	if r.a.Manifest.Version < 2 {
		for _, f := range engagementFiles {
			if _, err := os.Stat(filepath.Join(r.a.dir, f)); !errors.Is(err, fs.ErrNotExist) {
				return invalid("%s: in an archive of version 1 of the format, which has no such file", f)
			}
		}
		return nil
	}
	for _, step := range []func() error{r.surveys, r.painPoints, r.rewards, r.grants, r.budgets, r.sessions, r.webhooks} {
		if err := step(); err != nil {
			return err
		}
	}
	got, want := r.a.Program.Counts(), r.a.Manifest.Counts
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"survey invitees", got.SurveyInvitees, want.SurveyInvitees}, {"survey answers", got.SurveyAnswers, want.SurveyAnswers},
		{"reward scores", got.RewardScores, want.RewardScores}, {"feedback items", got.FeedbackItems, want.FeedbackItems},
		{"feedback votes", got.FeedbackVotes, want.FeedbackVotes}, {"commitments", got.Commitments, want.Commitments},
		{"commitment notes", got.CommitmentNotes, want.CommitmentNotes},
	} {
		if c.got != c.want {
			return invalid("%d %s, but %s counts %d: the archive is incomplete or was edited", c.got, c.what, ManifestFile, c.want)
		}
	}
	return nil
}

func quarter(field, s string) error {
	if _, err := program.ParseQuarter(s); err != nil {
		return invalid("%s: %s", field, message(err))
	}
	return nil
}

func oneOf(field, s string, values ...string) error {
	if !slices.Contains(values, s) {
		return invalid("%s: %s is not one of %s", field, cadre.Quote(s), strings.Join(values, ", "))
	}
	return nil
}

// known checks that the ID in field is one of ids, of what is in file.
func known(field string, id int64, ids map[int64]bool, what, file string) error {
	if !ids[id] {
		return invalid("%s: %s %d is not in %s", field, what, id, file)
	}
	return nil
}

func (r *reader) surveys() error {
	var last int64
	quarters, hashes := map[string]bool{}, map[string]bool{}
	return eachLine(r.a, SurveysFile, r.a.Manifest.Counts.Surveys, func(s *Survey) error {
		if s.ID <= last {
			return invalid("id: %d comes after %d: records are in the order of their ids, each once", s.ID, last)
		}
		last = s.ID
		if err := quarter("quarter", s.Quarter); err != nil {
			return err
		}
		switch {
		case quarters[s.Quarter]:
			return invalid("quarter: another survey is of %s", s.Quarter)
		case s.OpenedAt.IsZero():
			return invalid("opened_at: missing")
		case s.ClosesAt.IsZero():
			return invalid("closes_at: missing")
		}
		quarters[s.Quarter] = true
		invited, answered := map[int64]bool{}, map[int64]bool{}
		for i, inv := range s.Invitees {
			field := fmt.Sprintf("invitees[%d]", i)
			if err := known(field+".member", inv.Member, r.a.members, "member", MembersFile); err != nil {
				return err
			}
			switch {
			case invited[inv.Member]:
				return invalid("%s.member: member %d is invited already", field, inv.Member)
			case inv.Hash == "":
				return invalid("%s.hash: missing", field)
			case hashes[inv.Hash]:
				return invalid("%s.hash: another invitee has the same", field)
			}
			invited[inv.Member], hashes[inv.Hash] = true, true
		}
		for i, ans := range s.Answers {
			field := fmt.Sprintf("answers[%d]", i)
			if err := known(field+".member", ans.Member, r.a.members, "member", MembersFile); err != nil {
				return err
			}
			switch {
			case answered[ans.Member]:
				return invalid("%s.member: member %d answered already", field, ans.Member)
			case ans.Score < 0 || ans.Score > 10:
				return invalid("%s.score: %d is not from 0 to 10", field, ans.Score)
			case ans.At.IsZero():
				return invalid("%s.at: missing", field)
			}
			answered[ans.Member] = true
		}
		r.a.Program.Surveys = append(r.a.Program.Surveys, *s)
		return nil
	})
}

func (r *reader) painPoints() error {
	var last int64
	names := map[string]bool{}
	return eachLine(r.a, PainPointsFile, r.a.Manifest.Counts.PainPoints, func(pp *PainPoint) error {
		if pp.ID <= last {
			return invalid("id: %d comes after %d: records are in the order of their ids, each once", pp.ID, last)
		}
		last = pp.ID
		if err := nonEmpty("name", pp.Name); err != nil {
			return err
		}
		if names[pp.Name] {
			return invalid("name: another pain point is %s", cadre.Quote(pp.Name))
		}
		names[pp.Name], r.painPointIDs[pp.ID] = true, true
		r.a.Program.PainPoints = append(r.a.Program.PainPoints, *pp)
		return nil
	})
}

func (r *reader) rewards() error {
	var last int64
	names := map[string]bool{}
	return eachLine(r.a, RewardsFile, r.a.Manifest.Counts.Rewards, func(rw *Reward) error {
		if rw.ID <= last {
			return invalid("id: %d comes after %d: records are in the order of their ids, each once", rw.ID, last)
		}
		last = rw.ID
		if err := nonEmpty("name", rw.Name); err != nil {
			return err
		}
		if err := oneOf("kind", rw.Kind, "extrinsic", "intrinsic"); err != nil {
			return err
		}
		switch {
		case names[rw.Name]:
			return invalid("name: another reward is %s", cadre.Quote(rw.Name))
		case rw.Stock != nil && *rw.Stock < 0:
			return invalid("stock: %d is below 0", *rw.Stock)
		case rw.UpdatedAt.IsZero():
			return invalid("updated_at: missing")
		}
		scored := map[int64]bool{}
		for i, sc := range rw.Scores {
			field := fmt.Sprintf("scores[%d]", i)
			if err := known(field+".pain_point", sc.PainPoint, r.painPointIDs, "pain point", PainPointsFile); err != nil {
				return err
			}
			switch {
			case scored[sc.PainPoint]:
				return invalid("%s.pain_point: pain point %d is scored already", field, sc.PainPoint)
			case sc.Score < 1 || sc.Score > 10:
				return invalid("%s.score: %d is not from 1 to 10", field, sc.Score)
			}
			scored[sc.PainPoint] = true
		}
		names[rw.Name], r.rewardIDs[rw.ID] = true, true
		r.a.Program.Rewards = append(r.a.Program.Rewards, *rw)
		return nil
	})
}

func (r *reader) grants() error {
	var last int64
	return eachLine(r.a, GrantsFile, r.a.Manifest.Counts.RewardGrants, func(g *RewardGrant) error {
		if g.ID <= last {
			return invalid("id: %d comes after %d: records are in the order of their ids, each once", g.ID, last)
		}
		last = g.ID
		for _, err := range []error{
			known("reward", g.Reward, r.rewardIDs, "reward", RewardsFile),
			known("member", g.Member, r.a.members, "member", MembersFile),
			quarter("quarter", g.Quarter),
			oneOf("state", g.State, "promised", "sent", "delivered", "cancelled"),
			required("granted_at", g.GrantedAt),
			required("updated_at", g.UpdatedAt),
		} {
			if err != nil {
				return err
			}
		}
		r.a.Program.Grants = append(r.a.Program.Grants, *g)
		return nil
	})
}

func (r *reader) budgets() error {
	seen := map[string]bool{}
	return eachLine(r.a, BudgetsFile, r.a.Manifest.Counts.RewardBudgets, func(b *RewardBudget) error {
		if err := quarter("quarter", b.Quarter); err != nil {
			return err
		}
		if seen[b.Quarter] {
			return invalid("quarter: %s has a budget already", b.Quarter)
		}
		if err := required("updated_at", b.UpdatedAt); err != nil {
			return err
		}
		seen[b.Quarter] = true
		r.a.Program.Budgets = append(r.a.Program.Budgets, *b)
		return nil
	})
}

func (r *reader) sessions() error {
	// A session's items and commitments, and a commitment's notes, are in
	// the order of their IDs; the IDs are the archive's, so a later
	// session's can be lower, but each is in it once.
	var last int64
	seenItem, seenCommitment, seenNote := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	return eachLine(r.a, SessionsFile, r.a.Manifest.Counts.Sessions, func(s *Session) error {
		if s.ID <= last {
			return invalid("id: %d comes after %d: records are in the order of their ids, each once", s.ID, last)
		}
		last = s.ID
		if err := nonEmpty("title", s.Title); err != nil {
			return err
		}
		if err := required("at", s.At); err != nil {
			return err
		}
		if err := required("created_at", s.CreatedAt); err != nil {
			return err
		}
		attends := map[int64]bool{}
		for i, m := range s.Ambassadors {
			id, err := r.member(fmt.Sprintf("ambassadors[%d]", i), m, false)
			if err != nil {
				return err
			}
			if attends[id] {
				return invalid("ambassadors[%d]: member %d attends already", i, id)
			}
			attends[id] = true
		}
		for i, e := range s.Executives {
			if err := nonEmpty(fmt.Sprintf("executives[%d]", i), e); err != nil {
				return err
			}
			if slices.Contains(s.Executives[:i], e) {
				return invalid("executives[%d]: %s attends already", i, cadre.Quote(e))
			}
		}
		items := map[int64]bool{}
		var lastItem int64
		for i, it := range s.Items {
			field := fmt.Sprintf("items[%d]", i)
			if it.ID <= lastItem {
				return invalid("%s.id: %d comes after %d: a session's items are in the order of their ids", field, it.ID, lastItem)
			}
			if seenItem[it.ID] {
				return invalid("%s.id: item %d is in another session already", field, it.ID)
			}
			lastItem = it.ID
			seenItem[it.ID] = true
			for _, err := range []error{
				oneOf(field+".kind", it.Kind, "critique", "feature"),
				nonEmpty(field+".title", it.Title),
				known(field+".author", it.Author, r.a.members, "member", MembersFile),
				required(field+".created_at", it.CreatedAt),
			} {
				if err != nil {
					return err
				}
			}
			voted := map[int64]bool{}
			for j, v := range it.Votes {
				vfield := fmt.Sprintf("%s.votes[%d]", field, j)
				if err := known(vfield+".member", v.Member, r.a.members, "member", MembersFile); err != nil {
					return err
				}
				if voted[v.Member] {
					return invalid("%s.member: member %d voted already", vfield, v.Member)
				}
				if err := required(vfield+".at", v.At); err != nil {
					return err
				}
				voted[v.Member] = true
			}
			items[it.ID] = true
		}
		var lastCommitment int64
		for i, c := range s.Commitments {
			field := fmt.Sprintf("commitments[%d]", i)
			if c.ID <= lastCommitment {
				return invalid("%s.id: %d comes after %d: a session's commitments are in the order of their ids", field, c.ID, lastCommitment)
			}
			if seenCommitment[c.ID] {
				return invalid("%s.id: commitment %d is in another session already", field, c.ID)
			}
			lastCommitment = c.ID
			seenCommitment[c.ID] = true
			if !items[c.Item] {
				return invalid("%s.item: item %d is not one of the session's", field, c.Item)
			}
			for _, err := range []error{
				nonEmpty(field+".title", c.Title),
				oneOf(field+".status", c.Status, "open", "in_progress", "done", "declined"),
				required(field+".due_at", c.DueAt),
				required(field+".created_at", c.CreatedAt),
			} {
				if err != nil {
					return err
				}
			}
			var lastNote int64
			for j, n := range c.Notes {
				nfield := fmt.Sprintf("%s.notes[%d]", field, j)
				if n.ID <= lastNote {
					return invalid("%s.id: %d comes after %d: a commitment's notes are in the order of their ids", nfield, n.ID, lastNote)
				}
				if seenNote[n.ID] {
					return invalid("%s.id: note %d is in another commitment already", nfield, n.ID)
				}
				lastNote = n.ID
				seenNote[n.ID] = true
				if err := required(nfield+".at", n.At); err != nil {
					return err
				}
			}
		}
		r.a.Program.Sessions = append(r.a.Program.Sessions, *s)
		return nil
	})
}

func (r *reader) webhooks() error {
	var last int64
	return eachLine(r.a, WebhooksFile, r.a.Manifest.Counts.Webhooks, func(w *Webhook) error {
		if w.ID <= last {
			return invalid("id: %d comes after %d: records are in the order of their ids, each once", w.ID, last)
		}
		last = w.ID
		if err := nonEmpty("url", w.URL); err != nil {
			return err
		}
		if err := oneOf("kind", w.Kind, "json", "slack"); err != nil {
			return err
		}
		if err := required("created_at", w.CreatedAt); err != nil {
			return err
		}
		r.a.Program.Webhooks = append(r.a.Program.Webhooks, *w)
		return nil
	})
}
