package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/demo"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
)

// demoHistoryQuarters is how many ended quarters the demo's program has
// behind it, each reviewed.
const demoHistoryQuarters = 8

// The demo's staff accounts (demoAccounts), who act in its history as they
// would on its pages.
const (
	demoAdmin    = "admin@demo.cadre.example"
	demoReviewer = "reviewer@demo.cadre.example"
)

// Rules the demo's program is run by.
const (
	day = 24 * time.Hour
	// askAgainAfter is how long a member who declined or let an invitation
	// expire, or whose application was turned down or withdrawn, is left
	// alone.
	askAgainAfter = 180 * day
	// shortlist is how many of the best eligible applicants one applicant
	// is drawn from.
	shortlist = 8
	// excusedQuarter is the quarter of the history (from 0, the first) in
	// which an ambassador is excused from the review.
	excusedQuarter = 4
	// withdrawnApplication is the application of the history, counted from
	// 0, that its applicant withdraws.
	withdrawnApplication = 4
)

// demoHistory runs the demo community's ambassador program over the
// demoHistoryQuarters quarters that ended before now, through the store's
// own operations with its clock set to each instant, so that every term,
// invitation, application, excusal and review is what the program would
// have stored: a roster brought in at the launch, then each quarter
// invitations to the best proposals (most accepted, some declined, some left
// to expire), applications (accepted when the applicant's score meets
// maintain, else rejected with how far they are from the bar; one
// withdrawn; notes by the reviewer), one ambassador excused from a review for
// parental leave, and each quarter's review applied once it has ended, so that
// ambassadors lapse and some come back. The quarter under way has its
// invitations and applications up to now, and a last round just before it:
// invitations waiting for an answer and applications waiting for a decision.
// Beside the program, its ambassadors' engagement (demoengagement.go): a
// reward catalog, budgets and grants each quarter, and in the last quarters
// an NPS survey and an executive feedback session, the quarter under way's
// survey still open. Nothing after now happens. eng scores under the criteria in force, which
// the reviews use; choices are drawn from seed. The store's clock is given
// back as it was.
func demoHistory(ctx context.Context, st *store.Store, eng *standings.Engine, c *demo.Community, seed uint64, now time.Time) (historyStats, error) {
	clock := st.Now
	defer func() { st.Now = clock }()
	h := &history{st: st, eng: eng, c: eng.Criteria(), loc: eng.Criteria().Location(), end: now,
		rng:    rand.New(rand.NewPCG(seed, 0x70726f6772616d)), // "program"
		people: map[int64]*demo.Person{}, featured: map[int64]bool{}, passes: map[int64]bool{}}
	for i := range c.Members {
		h.people[c.Members[i].Member.ID] = &c.Members[i]
	}
	current := program.QuarterOf(now, h.loc)
	launch := demoLaunch(now, h.loc)
	first := program.QuarterOf(launch, h.loc).Next()
	h.plan(launch, func(ctx context.Context, at time.Time) error {
		if err := h.launch(ctx, at); err != nil {
			return err
		}
		if err := h.rewardCatalog(ctx); err != nil {
			return err
		}
		// The roster known, which scales the rounds, the quarters are
		// planned.
		for i, q := 0, first; !current.Before(q); i, q = i+1, q.Next() {
			h.quarter(i, q)
			h.engagement(i, q)
		}
		// The last round: after the review of the quarter before, just
		// before now.
		after := earliest(current.Start(h.loc).Add(2*day), now)
		h.plan(latest(after, now.Add(-3*day)), func(ctx context.Context, at time.Time) error {
			return h.inviteRound(ctx, at, false)
		})
		for i := range 4 {
			h.plan(latest(after, now.Add(-time.Duration(8-2*i)*day+h.jitter(day))), func(ctx context.Context, at time.Time) error {
				return h.apply(ctx, at, i == 0, false)
			})
		}
		return nil
	})
	if err := h.run(ctx); err != nil {
		return historyStats{}, err
	}
	return h.stats, nil
}

// demoLaunch is when the demo's program came to Cadre: two weeks before the
// first of the demoHistoryQuarters quarters that ended before now.
func demoLaunch(now time.Time, loc *time.Location) time.Time {
	first := program.QuarterOf(now, loc)
	for range demoHistoryQuarters {
		first = first.Prev()
	}
	return first.Start(loc).Add(-14 * day)
}

// historyStats counts what the demo's history did, for the log.
type historyStats struct {
	Roster, Invited, Applied, Reviews, Lapsed int
}

// history is the demo program being run: the store it runs in, the rules'
// inputs, and the events to come.
type history struct {
	st     *store.Store
	eng    *standings.Engine
	c      *criteria.Criteria
	loc    *time.Location
	rng    *rand.Rand
	people map[int64]*demo.Person
	end    time.Time // now: nothing after it happens

	events []event
	seq    int
	stats  historyStats

	// Of the engagement (demoengagement.go): who was featured on the blog
	// and who had a conference pass, and how many grants, items and
	// commitments there were, which give their fates in turn.
	featured, passes           map[int64]bool
	grants, items, commitments int
}

// event is something that happens in the program at an instant. It may plan
// more, at or after its own instant.
type event struct {
	at  time.Time
	seq int // events at one instant happen in the order planned
	do  func(ctx context.Context, at time.Time) error
}

// plan has do happen at at, unless at is after the end of history.
func (h *history) plan(at time.Time, do func(ctx context.Context, at time.Time) error) {
	if at.After(h.end) {
		return
	}
	h.seq++
	h.events = append(h.events, event{at: at, seq: h.seq, do: do})
}

// run makes the planned events happen in time order, each with the store's
// clock at its instant.
func (h *history) run(ctx context.Context) error {
	for len(h.events) > 0 {
		next := 0
		for i, e := range h.events {
			if e.at.Before(h.events[next].at) || e.at.Equal(h.events[next].at) && e.seq < h.events[next].seq {
				next = i
			}
		}
		e := h.events[next]
		h.events = append(h.events[:next], h.events[next+1:]...)
		h.st.Now = func() time.Time { return e.at }
		if err := e.do(ctx, e.at); err != nil {
			return fmt.Errorf("demo history at %s: %w", e.at.Format(time.RFC3339), err)
		}
	}
	return nil
}

// quarter plans quarter q, the i-th of the history: applications through
// it, an invitation round late in it, the excusal in its quarter, and the
// review two days after it ended (or now, when that is sooner).
func (h *history) quarter(i int, q program.Quarter) {
	start, end := q.Start(h.loc), q.End(h.loc)
	// Late in the quarter, when its points have added up: scores fall at
	// each quarter's start, as the decay sets in.
	h.plan(start.Add(50*day+h.jitter(20*day)), func(ctx context.Context, at time.Time) error {
		return h.inviteRound(ctx, at, true)
	})
	n := max(2, min(4, h.roster()/8))
	for k := range n {
		at := start.Add(10*day + time.Duration(k)*70*day/time.Duration(n) + h.jitter(5*day))
		h.plan(at, func(ctx context.Context, at time.Time) error {
			return h.apply(ctx, at, false, true)
		})
	}
	if i == excusedQuarter {
		h.plan(start.Add(35*day), func(ctx context.Context, at time.Time) error { return h.excuse(ctx, at, q) })
	}
	if !end.After(h.end) {
		h.plan(earliest(end.Add(2*day), h.end), func(ctx context.Context, at time.Time) error {
			r, _, err := server.ApplyRenewal(ctx, h.st, h.eng, q, at, demoAdmin, nil)
			if err != nil {
				return fmt.Errorf("review of %s: %w", q, err)
			}
			h.stats.Reviews++
			h.stats.Lapsed += r.Lapsed
			return nil
		})
	}
}

// earliest is the earlier of two instants, latest the later.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// jitter is a random duration below d.
func (h *history) jitter(d time.Duration) time.Duration { return time.Duration(h.rng.Int64N(int64(d))) }

// roster is how many ambassadors the program started with, which scales its
// rounds.
func (h *history) roster() int { return max(3, h.stats.Roster) }

// launch brings the program to Cadre: its roster of ambassadors at the time,
// the best scorers then, each with a term that began before (and a few
// alumni whose terms ended before), imported as a program moving to Cadre
// imports its spreadsheet.
func (h *history) launch(ctx context.Context, at time.Time) error {
	board := h.eng.Leaderboard(at, standings.Options{})
	maintaining := 0
	for _, e := range board {
		if e.Score >= h.c.Thresholds.Maintain {
			maintaining++
		}
	}
	// Those who meet maintain, and as many again who were chosen before the
	// bar was measured, many of whom will not keep it.
	n := max(3, 2*maintaining)
	var rows []program.RosterRow
	add := func(id int64, since, until time.Time) {
		p := h.people[id]
		if p == nil || since.Before(p.Member.CreatedAt) {
			return
		}
		rows = append(rows, program.RosterRow{Line: len(rows) + 2, Member: ref(p), Since: since, Until: until, Via: program.ViaRoster})
	}
	chosen := map[int64]bool{}
	for _, e := range board[:min(n, len(board))] {
		p := h.people[e.MemberID]
		if p == nil {
			continue
		}
		// A term from the member's first weeks at the earliest, up to two
		// years back.
		span := min(at.Sub(p.Member.CreatedAt)-31*day, 720*day)
		if span <= 0 {
			continue
		}
		chosen[e.MemberID] = true
		add(e.MemberID, at.Add(-30*day-h.jitter(span)).Truncate(day), time.Time{})
	}
	// Alumni: the best of a year before who are not on the roster now.
	alumni := 0
	for _, e := range h.eng.Leaderboard(at.AddDate(-1, 0, 0), standings.Options{Top: 4 * n}) {
		if alumni == max(1, n/8) {
			break
		}
		if chosen[e.MemberID] {
			continue
		}
		until := at.Add(-60*day - h.jitter(140*day)).Truncate(day)
		before := len(rows)
		add(e.MemberID, until.Add(-180*day-h.jitter(360*day)), until)
		if len(rows) > before {
			alumni++
		}
	}
	res, err := h.st.ImportRoster(ctx, "roster.csv", rows, demoAdmin)
	if err != nil {
		return fmt.Errorf("demo roster: %w", err)
	}
	h.stats.Roster = res.Added - alumni
	return nil
}

// ref names a person by their primary identity, as a roster does.
func ref(p *demo.Person) cadre.MemberRef {
	return cadre.MemberRef{Platform: p.Identities[0].Platform, Handle: p.Identities[0].Handle}
}

// roll is what the program knows of its members at an instant: who may be
// asked to join (members who hold no term, have no invitation or
// application open, and have not declined, let an invitation expire or been
// turned down lately), and who held a term once.
type roll struct {
	busy, former map[int64]bool
}

func (r *roll) mayAsk(id int64) bool { return !r.busy[id] }

// roll reads the roll at at from the store.
func (h *history) roll(ctx context.Context, at time.Time) (*roll, error) {
	terms, err := h.st.Terms(ctx, 0)
	if err != nil {
		return nil, err
	}
	invs, err := h.st.Invitations(ctx, 0)
	if err != nil {
		return nil, err
	}
	apps, err := h.st.Applications(ctx, "")
	if err != nil {
		return nil, err
	}
	r := &roll{busy: map[int64]bool{}, former: map[int64]bool{}}
	for _, t := range terms {
		r.busy[t.MemberID] = r.busy[t.MemberID] || t.Holds(at)
		r.former[t.MemberID] = r.former[t.MemberID] || !t.Open() && !t.End.After(at)
	}
	lately := at.Add(-askAgainAfter)
	for _, inv := range invs {
		switch inv.StateAt(at) {
		case program.InvitationSent:
			r.busy[inv.MemberID] = true
		case program.InvitationDeclined:
			r.busy[inv.MemberID] = r.busy[inv.MemberID] || inv.DecidedAt.After(lately)
		case program.InvitationExpired:
			r.busy[inv.MemberID] = r.busy[inv.MemberID] || inv.ExpiresAt.After(lately)
		}
	}
	for _, a := range apps {
		if a.Open() || a.State != program.ApplicationAccepted && a.DecidedAt.After(lately) {
			r.busy[a.MemberID] = true
		}
	}
	return r, nil
}

// inviteRound invites the best proposals at at, those who qualify and may be
// asked, up to a number the roster scales. With answers, most accept within
// two weeks, some decline, and some never answer, so that the link expires;
// without, they have yet to answer.
func (h *history) inviteRound(ctx context.Context, at time.Time, answers bool) error {
	roll, err := h.roll(ctx, at)
	if err != nil {
		return err
	}
	room := max(2, min(8, h.roster()/4))
	for _, e := range h.eng.Leaderboard(at, standings.Options{}) {
		if room == 0 || e.Score < h.c.Thresholds.Achieve {
			break // best first: nobody further qualifies
		}
		if !roll.mayAsk(e.MemberID) {
			continue
		}
		room--
		_, secret, err := h.st.Invite(ctx, e.MemberID, demoAdmin, server.InvitationMail(nil))
		if err != nil {
			return fmt.Errorf("invite member %d: %w", e.MemberID, err)
		}
		h.stats.Invited++
		if !answers {
			continue
		}
		// Of every six invitees, one declines and one never answers, so
		// that the link expires.
		switch h.stats.Invited % 6 {
		case 2:
			h.plan(at.Add(2*day+h.jitter(18*day)), h.answer(secret, false))
		case 3:
		default:
			h.plan(at.Add(day+h.jitter(13*day)), h.answer(secret, true))
		}
	}
	return nil
}

// answer is the invitee's answer through their link.
func (h *history) answer(secret string, accept bool) func(ctx context.Context, at time.Time) error {
	return func(ctx context.Context, at time.Time) error {
		if _, err := h.st.AnswerInvitation(ctx, secret, accept); err != nil {
			return fmt.Errorf("answer invitation: %w", err)
		}
		return nil
	}
}

// Motivations of the demo's applicants, the last one a former ambassador's.
var demoMotivations = []string{
	"I answer questions on the forum most weeks and would like to do more: talks, and helping newcomers find their feet.",
	"Driftwood runs our whole pipeline at work. I write about what we learn and would like to help shape the roadmap.",
	"I mentor new contributors already and would love the program's support to start a meetup in my city.",
	"I have been testing the betas and filing feedback for a year; the program would let me do it closer to the team.",
	"I was an ambassador before and I am active again: answering questions, writing, and I have a talk accepted.",
}

// apply has one of the best eligible members at at apply through the public
// form: former ambassadors whose score is back to maintain first, then
// anyone from a shortlist of the best. With a decision, the reviewer notes
// the score now and then, and decides a week or so later: accepted when the
// score meets maintain, else rejected with how far it is from the bar (one
// applicant withdraws instead). noted gives an application left open the
// reviewer's notes.
func (h *history) apply(ctx context.Context, at time.Time, noted, decide bool) error {
	roll, err := h.roll(ctx, at)
	if err != nil {
		return err
	}
	maintain := h.c.Thresholds.Maintain
	var shortlisted []int64
	var back int64
	for _, e := range h.eng.Leaderboard(at, standings.Options{}) {
		if e.Score < maintain/2 || len(shortlisted) == shortlist && (back != 0 || e.Score < maintain) {
			break
		}
		if p := h.people[e.MemberID]; p == nil || len(p.Member.Emails) == 0 || !roll.mayAsk(e.MemberID) || e.Score >= h.c.Thresholds.Achieve {
			continue // qualifiers are invited
		}
		if back == 0 && roll.former[e.MemberID] && e.Score >= maintain {
			back = e.MemberID
		}
		if len(shortlisted) < shortlist {
			shortlisted = append(shortlisted, e.MemberID)
		}
	}
	if len(shortlisted) == 0 {
		return nil // nobody near the bar applies
	}
	id := back
	if id == 0 {
		id = shortlisted[h.rng.IntN(len(shortlisted))]
	}
	p := h.people[id]
	motivation := demoMotivations[h.rng.IntN(len(demoMotivations)-1)]
	if roll.former[id] {
		motivation = demoMotivations[len(demoMotivations)-1]
	}
	var handles []string
	for _, id := range p.Identities {
		if !strings.ContainsAny(id.Handle, " ,\t") { // a feed's author may be named in words
			handles = append(handles, id.Platform+":"+id.Handle)
		}
	}
	a, err := program.ParseApplication(p.Member.Name, p.Member.Emails[0], strings.Join(handles, "\n"), motivation, "")
	if err != nil {
		return fmt.Errorf("demo application of %s: %w", p.Member.Name, err)
	}
	secret, err := server.Submit(ctx, h.st, a, nil)
	if err != nil {
		return fmt.Errorf("application of %s: %w", p.Member.Name, err)
	}
	h.stats.Applied++
	switch {
	case decide && h.stats.Applied-1 == withdrawnApplication:
		h.plan(at.Add(2*day+h.jitter(3*day)), func(ctx context.Context, at time.Time) error {
			if _, err := h.st.WithdrawApplication(ctx, secret); err != nil {
				return fmt.Errorf("withdraw application %d: %w", a.ID, err)
			}
			return nil
		})
	case noted:
		h.plan(at, h.note(a.ID, "Asked for links to their recent talks and posts."))
		h.plan(at, h.note(a.ID, h.scoreNote(id, at)))
	case decide:
		decided := at.Add(5*day + h.jitter(7*day))
		if h.rng.IntN(2) == 0 {
			noteAt := at.Add(day + h.jitter(2*day))
			h.plan(noteAt, func(ctx context.Context, at time.Time) error { return h.note(a.ID, h.scoreNote(id, at))(ctx, at) })
		}
		h.plan(decided, func(ctx context.Context, at time.Time) error {
			score := h.eng.Score(id, at)
			accept, reason := score >= maintain-1e-9, "Active and close to the bar: welcome to the program."
			if !accept {
				reason = "Not yet: keep going and apply again" // Decide adds how far they are from the bar
			}
			if _, err := server.Decide(ctx, h.st, h.eng, a.ID, accept, reason, demoReviewer, at, nil); err != nil {
				return fmt.Errorf("decide application %d: %w", a.ID, err)
			}
			return nil
		})
	}
	return nil
}

// note is the reviewer's note on an application.
func (h *history) note(id int64, text string) func(ctx context.Context, at time.Time) error {
	return func(ctx context.Context, at time.Time) error {
		if err := h.st.AddApplicationNote(ctx, id, demoReviewer, text); err != nil {
			return fmt.Errorf("note on application %d: %w", id, err)
		}
		return nil
	}
}

// scoreNote is what a reviewer notes of an applicant's standing at at.
func (h *history) scoreNote(id int64, at time.Time) string {
	ms, err := h.eng.Member(id, at)
	if err != nil {
		return "Not known to the community yet."
	}
	most, best := "activity of no counted type", 0.0
	for _, part := range ms.ByType {
		if t, ok := h.c.Type(part.Key); ok && part.Score > best {
			most, best = strings.ToLower(t.Name), part.Score
		}
	}
	return fmt.Sprintf("Score %.0f (maintain %.0f, achieve %.0f), mostly from %s.", ms.Score, ms.Maintain, ms.Achieve, most)
}

// excuse excuses from q's review, for parental leave, the ambassador up for
// it whose score at the review would be the lowest: the leave is why.
func (h *history) excuse(ctx context.Context, at time.Time, q program.Quarter) error {
	terms, err := h.st.Terms(ctx, 0)
	if err != nil {
		return err
	}
	review, start := q.ReviewAt(h.loc), q.Start(h.loc)
	var who int64
	lowest := 0.0
	for _, t := range terms {
		if !t.Holds(at) || !t.Start.Before(start) {
			continue
		}
		if s := h.eng.Score(t.MemberID, review); who == 0 || s < lowest {
			who, lowest = t.MemberID, s
		}
	}
	if who == 0 {
		return nil // nobody is up for review
	}
	if err := h.st.Excuse(ctx, q, who, "parental leave", demoAdmin); err != nil {
		return fmt.Errorf("excuse member %d from %s: %w", who, q, err)
	}
	return nil
}
