package main

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/reward"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/session"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/survey"
)

// The engagement of the demo's ambassadors (SPEC 6), run by the history
// beside the program: an NPS survey in each of the last quarters, rewards
// granted from a catalog within a budget, and executive feedback sessions
// whose commitments are kept, late or not at all.

// engagedQuarters is how many of the last ended quarters have a survey and
// a feedback session; the quarter under way has both too.
const engagedQuarters = 6

// demoExecutives are the executive team's attendees of the demo's
// sessions, who own its commitments.
var demoExecutives = []string{"vp-product@demo.cadre.example", "cto@demo.cadre.example", "head-of-docs@demo.cadre.example"}

// engagement plans quarter q's engagement, the i-th of the history (the
// quarter under way is the demoHistoryQuarters-th): its reward budget and
// grants, and in the last quarters its survey and its feedback session.
func (h *history) engagement(i int, q program.Quarter) {
	start := q.Start(h.loc)
	h.plan(start.Add(day), func(ctx context.Context, at time.Time) error {
		// A budget that grows as the program does.
		return h.st.SetRewardBudget(ctx, q, float64(2000+250*(i/2)), demoAdmin)
	})
	h.plan(start.Add(20*day+h.jitter(40*day)), func(ctx context.Context, at time.Time) error {
		return h.grantRound(ctx, at, gifts{swag: 3 + h.rng.IntN(3), briefings: 2, featured: 1, passes: (i + 1) % 2})
	})
	current := i == demoHistoryQuarters
	if current {
		// A few more just before now, on their way.
		h.plan(latest(start, h.end.Add(-3*day)), func(ctx context.Context, at time.Time) error {
			return h.grantRound(ctx, at, gifts{swag: 2, briefings: 1})
		})
	}
	if i < demoHistoryQuarters-engagedQuarters {
		return
	}
	// A few weeks before the quarter's end, for two weeks; the survey under
	// way opened a week before now (or at the quarter's start), so that it
	// is open now.
	open := q.End(h.loc).Add(-21*day + h.jitter(3*day))
	if current {
		open = latest(start, h.end.Add(-7*day))
	}
	h.plan(open, func(ctx context.Context, at time.Time) error { return h.survey(ctx, at, q, current) })
	created := start.Add(10*day + h.jitter(5*day))
	held := start.Add(40*day + h.jitter(15*day)).Truncate(day).Add(16 * time.Hour)
	h.plan(created, func(ctx context.Context, at time.Time) error { return h.feedbackSession(ctx, at, q, held) })
}

// ambassadors lists the members who hold a term at at, by ID.
func (h *history) ambassadors(ctx context.Context, at time.Time) ([]int64, error) {
	terms, err := h.st.Terms(ctx, 0)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, t := range terms {
		if t.Holds(at) {
			ids = append(ids, t.MemberID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// demoActor is who a member's own changes are audited under: their
// address, as their account's would be, else their name.
func (h *history) demoActor(id int64) string {
	p := h.people[id]
	if p == nil {
		return fmt.Sprintf("member %d", id)
	}
	if len(p.Member.Emails) > 0 {
		return p.Member.Emails[0]
	}
	return p.Member.Name
}

// Comments of the demo's survey answers, by who leaves them.
var (
	promoterComments = []string{
		"The program gave me a direct line to the team. Worth every hour.",
		"Being an ambassador opened doors: two conference talks this year.",
		"Great people, and the roadmap briefings are the best part.",
		"I tell everyone at our meetup to go for it.",
		"The recognition is real and the swag is a nice touch.",
	}
	passiveComments = []string{
		"Good program; the bar to stay in feels high in a busy quarter.",
		"I like it, but I would like more say in what gets built.",
		"Fine overall. The review criteria could be explained better.",
		"Worth it, though it takes more time than I expected.",
	}
	detractorComments = []string{
		"Feedback we give in the sessions rarely turns into anything.",
		"Too much effort for too little in return lately.",
		"I lapsed once for a quiet quarter; it felt harsh after years of help.",
		"Hard to keep up the points with a full-time job.",
	}
)

// survey opens the NPS survey of quarter q at at, closing two weeks later,
// and plans the answers through the personal links. A mood drawn for the
// quarter sets its NPS, from about 15 to 45; most ambassadors answer, mostly
// in the first days; the lower an ambassador's score, the likelier they are
// to be a detractor; about a third leave a comment. In the survey under way
// the demo's ambassador account has yet to answer, so that its portal asks.
func (h *history) survey(ctx context.Context, at time.Time, q program.Quarter, current bool) error {
	closes := at.Add(survey.DefaultOpen)
	opened, err := server.OpenSurvey(ctx, h.st, q, h.loc, at, closes, false, demoAdmin, nil)
	if err != nil {
		return fmt.Errorf("open the survey of %s: %w", q, err)
	}
	var skip int64
	if current {
		if skip, err = demoAmbassador(ctx, h.st); err != nil {
			return err
		}
	}
	type invitee struct {
		secret string
		rank   float64
	}
	var invitees []invitee
	for _, l := range opened.Links {
		u, err := url.Parse(l.URL)
		if err != nil {
			return fmt.Errorf("survey link %q: %w", l.URL, err)
		}
		id, err := strconv.ParseInt(l.MemberID, 10, 64)
		if err != nil {
			return fmt.Errorf("survey link of member %q: %w", l.MemberID, err)
		}
		if id == skip {
			continue
		}
		invitees = append(invitees, invitee{secret: path.Base(u.Path), rank: h.eng.Score(id, at) * (0.5 + h.rng.Float64())})
	}
	h.rng.Shuffle(len(invitees), func(i, j int) { invitees[i], invitees[j] = invitees[j], invitees[i] })
	answering := invitees[:len(invitees)*(60+h.rng.IntN(26))/100]
	slices.SortStableFunc(answering, func(a, b invitee) int { return cmp.Compare(a.rank, b.rank) })
	n := len(answering)
	nps := 15 + h.rng.IntN(31)
	detractors := n * (8 + h.rng.IntN(12)) / 100
	promoters := min(n-detractors, detractors+(nps*n+50)/100)
	for k, inv := range answering {
		var score int
		var comments []string
		switch {
		case k < detractors:
			score, comments = []int{3, 4, 5, 5, 6, 6, 6}[h.rng.IntN(7)], detractorComments
		case k >= n-promoters:
			score, comments = 9+h.rng.IntN(2), promoterComments
		default:
			score, comments = 7+h.rng.IntN(2), passiveComments
		}
		comment := ""
		if h.rng.IntN(3) == 0 {
			comment = comments[h.rng.IntN(len(comments))]
		}
		u := h.rng.Float64()
		h.plan(at.Add(time.Hour+time.Duration(u*u*float64(closes.Sub(at)-2*time.Hour))), func(ctx context.Context, at time.Time) error {
			if _, err := h.st.AnswerSurvey(ctx, inv.secret, score, comment); err != nil {
				return fmt.Errorf("answer the survey of %s: %w", q, err)
			}
			return nil
		})
	}
	return nil
}

// demoRegions are the demo community's regions for those the sample
// catalog ships to: the sample names countries' groups the demo's members
// do not live in, and a program adapts the catalog to where its members
// are.
var demoRegions = map[string]string{"EU": "EMEA", "US": "NA"}

// rewardCatalog stores the sample catalog, shipping to the demo's regions,
// then the sample matrix scoring it against the ambassadors' pain points,
// as a program owner imports the spreadsheet they kept it in.
func (h *history) rewardCatalog(ctx context.Context) error {
	rewards, m := reward.Sample()
	for i := range rewards {
		r := &rewards[i]
		for j, g := range r.Regions {
			if to, ok := demoRegions[g]; ok {
				r.Regions[j] = to
			}
		}
		if err := h.st.SaveReward(ctx, r, demoAdmin); err != nil {
			return fmt.Errorf("demo reward %s: %w", r.Name, err)
		}
	}
	if _, err := h.st.ImportRewardMatrix(ctx, m, demoAdmin); err != nil {
		return fmt.Errorf("demo reward matrix: %w", err)
	}
	return nil
}

// gifts are how many of each reward a round grants.
type gifts struct{ swag, briefings, featured, passes int }

// grantRound grants rewards at at, to those eligible as the rewards page
// would check: swag packs and roadmap briefings to ambassadors, features on
// the blog to the best-ranked members not featured before, and conference
// passes to the best ambassadors who had none; each is then fulfilled.
func (h *history) grantRound(ctx context.Context, at time.Time, n gifts) error {
	catalog, err := h.st.Rewards(ctx)
	if err != nil {
		return err
	}
	byName := map[string]int64{}
	for _, r := range catalog {
		byName[r.Name] = r.ID
	}
	ambs, err := h.ambassadors(ctx, at)
	if err != nil {
		return err
	}
	h.rng.Shuffle(len(ambs), func(i, j int) { ambs[i], ambs[j] = ambs[j], ambs[i] })
	// The briefing goes to others than the swag, as far as there are.
	others := slices.Concat(ambs[min(len(ambs), 5):], ambs[:min(len(ambs), 5)])
	best := slices.Clone(ambs)
	slices.SortStableFunc(best, func(a, b int64) int { return cmp.Compare(h.eng.Score(b, at), h.eng.Score(a, at)) })
	var ranked []int64
	for _, e := range h.eng.Leaderboard(at, standings.Options{Top: 20}) {
		ranked = append(ranked, e.MemberID)
	}
	for _, give := range []struct {
		reward, note string
		n            int
		from         []int64
		once         map[int64]bool // who had one before, or nil
	}{
		{"Swag pack", "Thanks for a quarter of answers and posts.", n.swag, ambs, nil},
		{"Roadmap briefing", "Quarterly roadmap briefing with the product team.", n.briefings, others, nil},
		{"Featured on the blog", "Interview for the community spotlight.", n.featured, ranked, h.featured},
		{"Conference pass", "For a talk at DriftConf.", n.passes, best, h.passes},
	} {
		left := give.n
		for _, id := range give.from {
			if left == 0 {
				break
			}
			if give.once[id] {
				continue
			}
			g, err := server.GrantReward(ctx, h.st, h.eng, byName[give.reward], id, at, give.note, demoAdmin)
			if code := cadre.ErrorCode(err); code == cadre.EINVALID || code == cadre.ECONFLICT {
				continue // not eligible, out of stock or over budget: the next one
			} else if err != nil {
				return fmt.Errorf("grant %s to member %d: %w", give.reward, id, err)
			}
			left--
			if give.once != nil {
				give.once[id] = true
			}
			h.fulfil(g)
		}
	}
	return nil
}

// fulfil plans grant g's way: sent within a week, delivered one to three
// weeks later; one grant in nine is cancelled instead, before it was sent
// or after.
func (h *history) fulfil(g *reward.Grant) {
	h.grants++
	move := func(to reward.State) func(ctx context.Context, at time.Time) error {
		return func(ctx context.Context, at time.Time) error {
			if err := h.st.MoveGrant(ctx, g.ID, to, demoAdmin); err != nil {
				return fmt.Errorf("grant %d %s: %w", g.ID, to, err)
			}
			return nil
		}
	}
	sent := g.At.Add(day + h.jitter(6*day))
	switch h.grants % 18 {
	case 4:
		h.plan(g.At.Add(2*day+h.jitter(4*day)), move(reward.Cancelled))
	case 13:
		h.plan(sent, move(reward.Sent))
		h.plan(sent.Add(3*day+h.jitter(5*day)), move(reward.Cancelled))
	default:
		h.plan(sent, move(reward.Sent))
		h.plan(sent.Add(7*day+h.jitter(14*day)), move(reward.Delivered))
	}
}

// demoItems are what the demo's ambassadors bring to the sessions.
var demoItems = []session.Item{
	{Kind: session.Critique, Title: "The CLI's error messages do not say what to do next", Body: "Newcomers on the forum ask about the same three errors every week. Each could name the fix."},
	{Kind: session.Feature, Title: "A dry-run mode for pipeline deploys", Body: "Teams want to see what a deploy would change before it does."},
	{Kind: session.Critique, Title: "The getting-started guide skips authentication", Body: "Half the questions from new users are about tokens the guide never mentions."},
	{Kind: session.Feature, Title: "Official Helm chart", Body: "Everyone writes their own; a maintained chart would save the community a lot of answers."},
	{Kind: session.Critique, Title: "Release notes arrive after the release", Body: "We learn about breaking changes from users. Notes a week before would let us prepare posts."},
	{Kind: session.Feature, Title: "Webhooks for failed runs", Body: "People poll the API for failures; a webhook would cut most of that traffic."},
	{Kind: session.Critique, Title: "Forum questions tagged 'bug' go unanswered by the team", Body: "Ambassadors reproduce them, but nobody from engineering picks them up."},
	{Kind: session.Feature, Title: "A public roadmap page", Body: "We are asked what is coming every week and can only say 'soon'."},
	{Kind: session.Critique, Title: "The Windows installer is a second-class citizen", Body: "It lags a release behind and the docs assume a Unix shell."},
	{Kind: session.Feature, Title: "Slides and demo kits for meetup talks", Body: "Every ambassador rebuilds the same intro deck; a shared kit would raise the bar."},
	{Kind: session.Critique, Title: "API rate limits are not documented", Body: "Users hit them in CI and think the service is down."},
	{Kind: session.Feature, Title: "Caching of dependencies between runs", Body: "The most requested feature on the forum three quarters running."},
	{Kind: session.Critique, Title: "Docs search returns old versions first", Body: "People copy examples from version 1 and ask why they fail."},
	{Kind: session.Feature, Title: "A sandbox account for workshops", Body: "Workshops lose twenty minutes to sign-ups and trial limits."},
	{Kind: session.Critique, Title: "The pricing page hides the open-source plan", Body: "Maintainers ask us whether it still exists."},
	{Kind: session.Feature, Title: "Matrix builds across OS versions", Body: "Library authors test on three platforms and script it by hand today."},
	{Kind: session.Critique, Title: "Breaking changes in minor releases", Body: "Two minor releases this year broke configs; semver would spare users a lot."},
	{Kind: session.Feature, Title: "Translations of the core docs", Body: "Our meetups in São Paulo and Tokyo run their own translations that drift."},
	{Kind: session.Critique, Title: "Support tickets from the community get no reply", Body: "Free users are told to use the forum, where the team does not answer."},
	{Kind: session.Feature, Title: "An official VS Code extension", Body: "The community one is unmaintained and the most downloaded."},
	{Kind: session.Critique, Title: "Status page updates lag incidents", Body: "During the last outage the forum knew an hour before the status page."},
	{Kind: session.Feature, Title: "Secrets from external vaults", Body: "Enterprises ask for it in every workshop."},
	{Kind: session.Critique, Title: "Example repositories are out of date", Body: "Half of them pin versions a year old."},
	{Kind: session.Feature, Title: "Badges for ambassadors' profiles on the forum", Body: "Newcomers cannot tell who answers with the team's blessing."},
	{Kind: session.Critique, Title: "Deprecations give too little notice", Body: "Three months is not enough for teams that upgrade twice a year."},
	{Kind: session.Feature, Title: "Self-hosted runners on ARM", Body: "Asked for at every meetup since the new laptops came out."},
	{Kind: session.Critique, Title: "The community call clashes with Asia's evenings", Body: "APAC ambassadors can never attend; alternate the time."},
	{Kind: session.Feature, Title: "An export of pipeline metrics", Body: "Teams build dashboards by scraping the UI."},
	{Kind: session.Critique, Title: "Beta features vanish without a word", Body: "We wrote tutorials for two betas that were then dropped silently."},
	{Kind: session.Feature, Title: "Early access for ambassadors to betas", Body: "We could write the docs and answer questions from day one."},
}

// feedbackSession creates at at quarter q's executive feedback session,
// held at held, with up to ten of the quarter's ambassadors and two
// executives. Before it, some of them submit an item each and vote for
// each other's; at it, the most voted become commitments (commit).
func (h *history) feedbackSession(ctx context.Context, at time.Time, q program.Quarter, held time.Time) error {
	ambs, err := h.ambassadors(ctx, at)
	if err != nil {
		return err
	}
	h.rng.Shuffle(len(ambs), func(i, j int) { ambs[i], ambs[j] = ambs[j], ambs[i] })
	attendees := ambs[:min(len(ambs), 10)]
	if len(attendees) < 2 {
		return nil // nobody to hear
	}
	first := h.rng.IntN(len(demoExecutives))
	ss := &session.Session{Title: fmt.Sprintf("Executive feedback, %s", q), At: held, Ambassadors: attendees,
		Executives: []string{demoExecutives[first], demoExecutives[(first+1)%len(demoExecutives)]}, Actor: demoAdmin}
	if err := h.st.CreateFeedbackSession(ctx, ss); err != nil {
		return fmt.Errorf("feedback session of %s: %w", q, err)
	}
	authors := attendees[:min(len(attendees), 3+h.rng.IntN(2))]
	for _, author := range authors {
		it := demoItems[h.items%len(demoItems)]
		h.items++
		it.SessionID, it.AuthorID = ss.ID, author
		submitted := at.Add(h.jitter(held.Sub(at) / 2))
		h.plan(submitted, func(ctx context.Context, at time.Time) error {
			if err := h.st.SubmitItem(ctx, &it, h.demoActor(author)); err != nil {
				return fmt.Errorf("submit an item to session %d: %w", ss.ID, err)
			}
			for _, voter := range attendees {
				if voter == author || h.rng.IntN(2) == 0 {
					continue
				}
				h.plan(at.Add(h.jitter(held.Sub(at))), func(ctx context.Context, at time.Time) error {
					if err := h.st.Vote(ctx, it.ID, voter, h.demoActor(voter)); err != nil {
						return fmt.Errorf("vote for item %d: %w", it.ID, err)
					}
					return nil
				})
			}
			return nil
		})
	}
	h.plan(held.Add(time.Hour), func(ctx context.Context, at time.Time) error { return h.commit(ctx, at, ss) })
	return nil
}

// A commitment's fate: done by its due date, done late, never done (still
// open, with follow-up notes), or declined.
type fate int

const (
	onTime fate = iota
	late
	never
	declined
)

// demoFates are the fates of the demo's commitments in turn: most kept on
// time, some late, a few left open or declined.
var demoFates = []fate{onTime, late, onTime, never, onTime, onTime, declined, onTime, late, onTime, onTime}

// commit makes the two to four most voted items of session ss commitments
// at at, each owned by one of its executives and due one to three months
// later, and plans its fate.
func (h *history) commit(ctx context.Context, at time.Time, ss *session.Session) error {
	items, err := h.st.FeedbackItems(ctx, ss.ID)
	if err != nil {
		return err
	}
	for k := range items[:min(len(items), 2+h.rng.IntN(3))] {
		c := &session.Commitment{ItemID: items[k].ID, Owner: ss.Executives[k%len(ss.Executives)], Actor: demoAdmin,
			Due: session.DueOn(at.Add(30*day+h.jitter(60*day)), h.loc)}
		if err := h.st.Commit(ctx, c); err != nil {
			return fmt.Errorf("commit to item %d: %w", c.ItemID, err)
		}
		h.keep(c, demoFates[h.commitments%len(demoFates)])
		h.commitments++
	}
	return nil
}

// keep plans commitment c's history by its fate, its owner writing each
// step.
func (h *history) keep(c *session.Commitment, f fate) {
	span := c.Due.Sub(c.CreatedAt)
	move := func(to session.Status, note string) func(ctx context.Context, at time.Time) error {
		return func(ctx context.Context, at time.Time) error {
			if _, err := h.st.MoveCommitment(ctx, c.ID, to, note, c.Owner); err != nil {
				return fmt.Errorf("commitment %d %s: %w", c.ID, to, err)
			}
			return nil
		}
	}
	note := func(text string) func(ctx context.Context, at time.Time) error {
		return func(ctx context.Context, at time.Time) error {
			if _, err := h.st.NoteCommitment(ctx, c.ID, text, c.Owner); err != nil {
				return fmt.Errorf("note on commitment %d: %w", c.ID, err)
			}
			return nil
		}
	}
	started := c.CreatedAt.Add(span/5 + h.jitter(span/5))
	switch f {
	case onTime:
		h.plan(started, move(session.InProgress, "Scoped with the team and scheduled."))
		h.plan(c.CreatedAt.Add(span/2+h.jitter(span*2/5)), move(session.Done, "Done, and announced in the changelog."))
	case late:
		h.plan(started, move(session.InProgress, "Scoped with the team and scheduled."))
		h.plan(c.Due.Add(-2*day), note("Slipping: another release took the team. New estimate in three weeks."))
		h.plan(c.Due.Add(5*day+h.jitter(25*day)), move(session.Done, "Done at last; thanks for your patience."))
	case never:
		h.plan(c.Due.Add(3*day), note("Not started: blocked on the platform team's priorities, raised with them."))
		h.plan(c.Due.Add(30*day), note("Still blocked. We owe the ambassadors an answer at the next session."))
	case declined:
		h.plan(started, move(session.Declined, "Declined for now: it does not fit this year's roadmap. We will explain at the next session."))
	}
}
