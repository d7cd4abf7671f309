package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/cadrehq/cadre"
)

// The product's GitHub organisation.
const githubOrg = "https://github.example.org/driftwood/"

// repo is a GitHub repository of the product. Issues and pull requests share
// one sequence of numbers, as on GitHub.
type repo struct {
	name   string
	weight float64
	deps   []string // what bots update
	next   int      // the next issue or pull request number
	items  []item   // issues and pull requests, oldest first
	pulls  []int    // indexes in items of pull requests
}

// item is an issue or a pull request.
type item struct {
	title string
	reply string // the title of a comment on it
	url   string
}

// thread is a forum topic, a Stack Exchange question or a GitHub discussion.
type thread struct {
	id      int64
	reply   string // the title of a reply
	slug    string
	views   float64
	replies int
	solved  bool
}

// idSequence hands out platform ids that grow with time from first to last
// over the history, like GitHub's database ids.
type idSequence struct {
	first, last float64
	n           int64
}

func (s *idSequence) next(frac float64) int64 {
	s.n++
	return int64(s.first+frac*(s.last-s.first)) + s.n
}

// recordWriter turns drafts, in time order, into activity records: it keeps
// the state of the platforms (repositories, threads, id sequences) so that
// numbers and ids grow with time and replies point at existing threads.
type recordWriter struct {
	g           *generator
	rng         *rand.Rand
	repos       []*repo
	repoWeights []float64

	topics, questions, discussions []thread

	issueIDs, pullIDs, commentIDs, reviewIDs, reviewCommentIDs, discussionCommentIDs idSequence

	postID, stackID, sessionID, reportID int64
	blogURLs                             map[string]bool
}

func newRecordWriter(g *generator) *recordWriter {
	goDeps := []string{"golang.org/x/net", "google.golang.org/grpc", "github.com/prometheus/client_golang", "golang.org/x/crypto", "github.com/stretchr/testify", "go.opentelemetry.io/otel"}
	w := &recordWriter{
		g:   g,
		rng: g.rng,
		repos: []*repo{
			{name: "driftwood", weight: 50, deps: goDeps, next: 1800},
			{name: "driftwood-operator", weight: 10, deps: []string{"sigs.k8s.io/controller-runtime", "k8s.io/client-go", "golang.org/x/net"}, next: 420},
			{name: "driftwood-go", weight: 8, deps: goDeps, next: 260},
			{name: "driftwood-python", weight: 10, deps: []string{"requests", "pydantic", "pytest", "urllib3", "protobuf"}, next: 310},
			{name: "docs", weight: 14, deps: []string{"postcss", "@docusaurus/core", "prismjs", "webpack", "semver"}, next: 640},
			{name: "helm-charts", weight: 4, deps: []string{"postgresql", "kube-prometheus-stack"}, next: 150},
			{name: "examples", weight: 4, deps: []string{"golang.org/x/net", "requests", "express"}, next: 90},
		},
		issueIDs:             idSequence{first: 1.6e9, last: 2.9e9},
		pullIDs:              idSequence{first: 1.2e9, last: 2.6e9},
		commentIDs:           idSequence{first: 1.4e9, last: 2.9e9},
		reviewIDs:            idSequence{first: 1.25e9, last: 2.9e9},
		reviewCommentIDs:     idSequence{first: 1.1e9, last: 2.1e9},
		discussionCommentIDs: idSequence{first: 4.5e6, last: 1.3e7},
		postID:               24000,
		stackID:              31000,
		sessionID:            400000,
		blogURLs:             map[string]bool{},
	}
	// Every repository has a recent history of issues and pull requests
	// for the first comments and reviews to refer to.
	for _, r := range w.repos {
		w.repoWeights = append(w.repoWeights, r.weight)
		for range 20 {
			w.add(r, w.g.text.issue(), false)
			w.add(r, w.g.text.pullRequest(), true)
		}
	}
	return w
}

// record writes the details of d.
func (w *recordWriter) record(d draft) cadre.ActivityRecord {
	p := w.g.people[d.person]
	r := cadre.ActivityRecord{Activity: cadre.Activity{
		Type:       typeKeys[kindType[d.kind]],
		OccurredAt: time.Unix(d.at, 0).UTC(),
		Source:     kindSource[d.kind],
		Status:     d.status,
	}}
	if platform := kindPlatform[d.kind]; platform != "" {
		r.Member = p.ref(platform)
	} else {
		r.Member = p.selfRef()
	}
	frac := float64(d.at-w.g.start) / float64(w.g.end-w.g.start)
	switch d.kind {
	case kindDiscoursePost:
		t := w.thread(&w.topics, func() thread {
			w.postID += 1 + w.rng.Int64N(4)
			return w.newThread(w.postID, d.at, 120)
		})
		t.replies++
		w.postID += 1 + w.rng.Int64N(6)
		r.ExternalID = "post:" + itoa(w.postID)
		r.URL = "https://forum.example.org/t/" + t.slug + "/" + itoa(t.id) + "/" + strconv.Itoa(t.replies+1)
		r.Title = t.reply
		r.Metrics = w.forumMetrics(t, p, 0.15)
	case kindStackAnswer:
		t := w.thread(&w.questions, func() thread {
			w.stackID += 1 + w.rng.Int64N(3)
			return w.newThread(w.stackID, d.at, 300)
		})
		t.replies++
		w.stackID += 1 + w.rng.Int64N(3)
		id := itoa(w.stackID)
		r.ExternalID = "post:" + id
		r.URL = "https://stackexchange.example.org/questions/" + itoa(t.id) + "/" + t.slug + "/" + id + "#" + id
		r.Title = t.reply
		r.Metrics = w.forumMetrics(t, p, 0.3)
		if r.Metrics["solved"] == 0 && w.rng.IntN(20) == 0 {
			r.Metrics["likes"] = -1 // Stack Exchange scores can be negative
		}
	case kindIssueComment:
		rp := w.repo()
		it := w.recent(rp, p.bot)
		id := itoa(w.commentIDs.next(frac))
		r.ExternalID = "issue_comment:" + id
		r.URL = it.url + "#issuecomment-" + id
		r.Title = it.reply
	case kindReview:
		rp := w.repo()
		it := w.recent(rp, true)
		id := itoa(w.reviewIDs.next(frac))
		r.ExternalID = "review:" + id
		r.URL = it.url + "#pullrequestreview-" + id
		r.Title = "Review: " + it.title
	case kindReviewComment:
		rp := w.repo()
		it := w.recent(rp, true)
		id := itoa(w.reviewCommentIDs.next(frac))
		r.ExternalID = "review_comment:" + id
		r.URL = it.url + "#discussion_r" + id
		r.Title = it.reply
	case kindDiscussionComment:
		core := w.repos[0]
		t := w.thread(&w.discussions, func() thread {
			n := int64(core.next)
			core.next++
			return w.newThread(n, d.at, 0)
		})
		t.replies++
		id := itoa(w.discussionCommentIDs.next(frac))
		r.ExternalID = "discussion_comment:" + id
		r.URL = githubOrg + core.name + "/discussions/" + itoa(t.id) + "#discussioncomment-" + id
		r.Title = t.reply
		r.Metrics = w.forumMetrics(t, p, 0.2)
	case kindIssue:
		rp := w.repo()
		it := w.add(rp, w.g.text.issue(), false)
		r.ExternalID = "issue:" + itoa(w.issueIDs.next(frac))
		r.URL = it.url
		r.Title = it.title
	case kindPullRequest:
		rp := w.repo()
		title := w.g.text.pullRequest()
		if p.bot {
			title = w.g.text.dependencyBump(p.name, rp)
		}
		it := w.add(rp, title, true)
		r.ExternalID = "pull_request:" + itoa(w.pullIDs.next(frac))
		r.URL = it.url
		r.Title = it.title
	case kindBlogPost:
		r.Title = w.g.text.post(versionAt(w.g.start, d.at))
		r.URL = w.blogURL(p, r.Title, r.OccurredAt)
		r.ExternalID = r.URL // the entry's guid
		r.Metrics = w.contentMetrics(p)
	case kindTalk:
		w.talk(&r, d, p)
	case kindMentoring:
		m := w.g.people[d.ref]
		r.Mentee = m.ref(m.identities[0].Platform)
		w.reportID++
		r.ExternalID = "report:" + itoa(w.reportID)
		r.Title = "Mentored " + m.name + " on " + w.g.text.pick(mentoringTopics)
		r.EffortMinutes, r.HasEffort = float64(30+15*w.rng.IntN(7)), true
	case kindBeta:
		next := versionAt(w.g.start, d.at+int64(quarter/time.Second))
		w.reportID++
		r.ExternalID = "report:" + itoa(w.reportID)
		r.Title = "Beta feedback on " + product + " " + next + ": " + w.g.text.pick(areas)
		r.URL = "https://beta.example.org/driftwood-" + next + "/reports/" + itoa(w.reportID)
		r.EffortMinutes, r.HasEffort = float64(60+30*w.rng.IntN(7)), true
	}
	return r
}

// repo picks a repository, the core one most often.
func (w *recordWriter) repo() *repo { return w.repos[pickWeighted(w.rng, w.repoWeights)] }

// add opens an issue or pull request in r. Numbers skip the ones taken by
// people outside the generated community.
func (w *recordWriter) add(r *repo, title string, pull bool) item {
	path := "/issues/"
	if pull {
		path = "/pull/"
	}
	it := item{title: title, reply: "Re: " + title, url: githubOrg + r.name + path + strconv.Itoa(r.next)}
	r.next += 1 + w.rng.IntN(3)
	if pull {
		r.pulls = append(r.pulls, len(r.items))
	}
	r.items = append(r.items, it)
	return it
}

// recent picks an issue or pull request of r, or only a pull request when
// pull is set; the more recent, the more likely.
func (w *recordWriter) recent(r *repo, pull bool) item {
	if pull {
		return r.items[r.pulls[recentIndex(w.rng, len(r.pulls), 40)]]
	}
	return r.items[recentIndex(w.rng, len(r.items), 60)]
}

// recentIndex draws an index of a list of n, oldest first, around mean from
// its end.
func recentIndex(rng *rand.Rand, n int, mean float64) int {
	return n - 1 - min(n-1, int(rng.ExpFloat64()*mean))
}

// thread picks the thread of a reply: a new one now and then, else a recent one.
func (w *recordWriter) thread(list *[]thread, open func() thread) *thread {
	if len(*list) == 0 || w.rng.Float64() < 0.35 {
		*list = append(*list, open())
		return &(*list)[len(*list)-1]
	}
	return &(*list)[recentIndex(w.rng, len(*list), 30)]
}

// newThread opens a thread at time at. Discussions, whose views GitHub does
// not count, have medianViews 0.
func (w *recordWriter) newThread(id, at int64, medianViews float64) thread {
	title := w.g.text.question(versionAt(w.g.start, at))
	return thread{id: id, reply: "Re: " + title, slug: slug(title), views: math.Round(logNormal(w.rng, medianViews, 1))}
}

// forumMetrics gives a reply the views of its thread (when the platform
// counts them), likes, and now and then the accepted answer. Ambassadors' and staff's answers are liked and
// accepted more often, which shows in the forum outcomes of SPEC section 6.
func (w *recordWriter) forumMetrics(t *thread, p *person, solve float64) map[string]float64 {
	m := map[string]float64{}
	if t.views > 0 {
		m["views"] = t.views
	}
	boost := 1.0
	if p.staff || p.status == cadre.StatusAmbassador {
		boost = 2
	}
	likes := math.Floor(w.rng.ExpFloat64() * boost)
	if !t.solved && w.rng.Float64() < solve*boost {
		t.solved = true
		m["solved"] = 1
		likes += 2
	}
	if likes > 0 {
		m["likes"] = likes
	}
	return m
}

// contentMetrics draws the views and likes of a blog post.
func (w *recordWriter) contentMetrics(p *person) map[string]float64 {
	median := 350.0
	switch {
	case p.staff:
		median *= 2 // the company blog has an audience
	case p.status == cadre.StatusAmbassador:
		median *= 1.5
	}
	views := math.Round(logNormal(w.rng, median, 1.1))
	return map[string]float64{"views": views, "likes": math.Round(views * (0.005 + 0.03*w.rng.Float64()))}
}

// blogURL is the address of a post titled title on p's blog, unique among
// all posts.
func (w *recordWriter) blogURL(p *person, title string, at time.Time) string {
	for n := 1; ; n++ {
		s := slug(title)
		if n > 1 {
			s += "-" + strconv.Itoa(n)
		}
		var u string
		switch p.blog {
		case blogMedium:
			u = "https://medium.example.org/@" + p.blogName + "/" + s + "-" + strconv.FormatUint(w.rng.Uint64()>>16, 16)
		case blogDev:
			u = "https://dev.example.org/" + p.blogName + "/" + s + "-" + strconv.FormatUint(w.rng.Uint64()>>44, 36)
		case blogCompany:
			u = "https://blog." + StaffDomain + "/" + s + "/"
		default:
			u = "https://" + p.blogName + ".example.org/" + at.Format("2006/01") + "/" + s + "/"
		}
		if !w.blogURLs[u] {
			w.blogURLs[u] = true
			return u
		}
	}
}

// talk writes the details of a talk or workshop at a conference, a meetup
// in the speaker's city, or the monthly community call.
func (w *recordWriter) talk(r *cadre.ActivityRecord, d draft, p *person) {
	month := r.OccurredAt.Format("2006-01")
	var event, name string
	switch {
	case d.ref >= 0:
		c := w.g.conferences[d.ref]
		event, name = c.id, c.name
	case w.rng.IntN(5) == 0:
		event, name = "community-call-"+month, product+" Community Call, "+r.OccurredAt.Format("January 2006")
	default:
		event, name = "meetup-"+slug(p.city)+"-"+month, product+" Meetup "+p.city+", "+r.OccurredAt.Format("January 2006")
	}
	workshop := w.rng.IntN(5) == 0
	w.sessionID += 1 + w.rng.Int64N(40)
	session := itoa(w.sessionID)
	r.ExternalID = event + ":" + session + ":" + r.Member.Handle
	r.URL = "https://events.example.org/" + event + "/sessions/" + session
	r.Title = w.g.text.talk(workshop) + " (" + name + ")"
	if workshop {
		r.EffortMinutes, r.HasEffort = float64(360+120*w.rng.IntN(2)), true
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
