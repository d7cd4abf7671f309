package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/demo"
	"github.com/cadrehq/cadre/ingest"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
)

const demoHelp = `Create a realistic demo community (people on several platforms, three years
of activity of every type, staff and bots) with two years of its ambassador
program (terms from a roster, invitations and applications, eight quarterly
reviews applied, applications and invitations waiting) and of its engagement
(NPS surveys, the quarter's still open; rewards granted within budgets;
executive feedback sessions with votes and commitments kept, late or overdue)
in its own database, then serve it. The community is generated from --seed,
the same every time; an existing complete demo database is reused unless
--fresh. Its sample source is paused: its host does not exist.`

func cmdDemo(ctx context.Context, e *env) error {
	fs := e.flags("demo", "", demoHelp)
	def := e.getenv("CADRE_DB")
	if def == "" {
		def = "cadre-demo.db"
	}
	db := fs.String("db", def, "database for the demo: a SQLite file, or an empty PostgreSQL database (env CADRE_DB)")
	addr := e.addrFlag(fs)
	seed := fs.Uint64("seed", 1, "seed of the generated community")
	members := fs.Int("members", demo.DefaultMembers, "number of members")
	activities := fs.Int("activities", demo.DefaultActivities, "number of activities")
	fresh := fs.Bool("fresh", false, "regenerate even if the database already holds a demo")
	noServe := fs.Bool("no-serve", false, "create the demo database and exit")
	if err := e.parse(fs); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo takes no arguments, got %q", fs.Args())
	}
	if *members < demo.MinMembers || *activities < 2**members {
		return usagef("--members must be at least %d and --activities at least twice --members", demo.MinMembers)
	}
	if *fresh && !store.IsPostgres(*db) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(*db + suffix); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	st, err := openStore(ctx, e, &dbOptions{dsn: *db, migrate: true}, creates)
	if err != nil {
		return err
	}
	defer st.Close()
	_, total, err := st.Members(ctx, cadre.MemberFilter{Limit: 1})
	if err != nil {
		return err
	}
	switch {
	case total == 0:
		if err := populateDemo(ctx, e, st, demo.Options{Seed: *seed, Members: *members, Activities: *activities}); err != nil {
			return err
		}
	case demoComplete(ctx, st):
		e.log.Info("using the existing demo database; --fresh regenerates it", "db", redact(*db), "members", total)
	default:
		return fmt.Errorf("%s already holds data that is not a complete demo: use --fresh, or another --db", redact(*db))
	}
	logins, err := demoAccounts(ctx, st)
	if err != nil {
		return err
	}
	if *noServe {
		return nil
	}
	fmt.Fprintf(e.stderr, "demo: open http://%s/login and sign in with one click as the demo admin, a reviewer or an ambassador\n", *addr)
	return serve(ctx, e, st, *addr, *db, serveOptions{demoLogins: logins})
}

// demoAccounts makes sure the demo's one-click accounts exist: an admin, a
// reviewer and an ambassador, the member among today's ambassadors (as the
// program's history made them) with the most activities. They have no
// password: only the demo's login page signs them in.
func demoAccounts(ctx context.Context, st *store.Store) ([]server.DemoLogin, error) {
	amb, err := demoAmbassador(ctx, st)
	if err != nil {
		return nil, err
	}
	want := []account.User{
		{Email: demoAdmin, Role: account.Admin},
		{Email: demoReviewer, Role: account.Reviewer},
		{Email: "ambassador@demo.cadre.example", Role: account.Ambassador, MemberID: amb},
	}
	var logins []server.DemoLogin
	for _, u := range want {
		if _, err := st.UserByEmail(ctx, u.Email); cadre.ErrorCode(err) == cadre.ENOTFOUND {
			if err := st.CreateUser(ctx, &u, demoAuthor); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
		logins = append(logins, server.DemoLogin{Email: u.Email, Role: u.Role})
	}
	return logins, nil
}

// demoAmbassador is the member of the demo's ambassador account: the
// ambassador with the most activities.
func demoAmbassador(ctx context.Context, st *store.Store) (int64, error) {
	ambs, _, err := st.Members(ctx, cadre.MemberFilter{Status: cadre.StatusAmbassador, Limit: 1})
	if err != nil {
		return 0, err
	}
	if len(ambs) == 0 {
		return 0, fmt.Errorf("the demo has no ambassador")
	}
	return ambs[0].ID, nil
}

// demoShare is the share of the active community the demo's criteria
// qualify, and demoLeast the fewest members they qualify.
const (
	demoShare = 0.03
	demoLeast = 4
)

// demoAuthor signs the demo's criteria versions.
const demoAuthor = "cadre demo"

// demoSource is the demo's sample source, saved last by populateDemo: while
// it is missing, the demo is not complete.
const demoSource = "community-blog"

func demoComplete(ctx context.Context, st *store.Store) bool {
	doc, err := st.Criteria(ctx, 1)
	if err != nil || doc.Author != demoAuthor {
		return false
	}
	_, err = st.GetSource(ctx, demoSource)
	return err == nil
}

func populateDemo(ctx context.Context, e *env, st *store.Store, opt demo.Options) error {
	start := time.Now()
	// A day's start as the end of history, unless a test fixes it: the same
	// seed gives the same community all day long.
	if opt.Now.IsZero() {
		opt.Now = start.UTC().Truncate(24 * time.Hour)
	}
	c := demo.Generate(opt)
	e.log.Info("generated demo community", "members", len(c.Members), "activities", len(c.Activities), "took", time.Since(start).Round(time.Millisecond))
	for i := range c.Members {
		p := &c.Members[i]
		// Statuses follow from the terms of the program's history, not from
		// the generator's guess.
		p.Member.Status = cadre.StatusMember
		if err := st.CreateMember(ctx, &p.Member, p.Identities); err != nil {
			return fmt.Errorf("create demo member %s: %w", p.Member.Name, err)
		}
	}
	res, err := ingest.Run(ctx, st.NewImporter(), &sliceSource{recs: c.Activities}, ingest.Options{})
	if err != nil {
		return fmt.Errorf("import demo activities: %w", err)
	}
	if err := demoSplits(ctx, st, c, opt.Now); err != nil {
		return fmt.Errorf("demo members known twice: %w", err)
	}
	live, err := standings.Open(ctx, st, e.log)
	if err != nil {
		return err
	}
	eng, err := demoCriteria(ctx, st, live, opt.Now)
	if err != nil {
		return fmt.Errorf("demo criteria: %w", err)
	}
	stats, err := demoHistory(ctx, st, eng, c, opt.Seed, opt.Now)
	if err != nil {
		return err
	}
	e.log.Info("simulated the demo program", "quarters_reviewed", stats.Reviews, "roster", stats.Roster, "invited", stats.Invited,
		"applied", stats.Applied, "lapsed", stats.Lapsed)
	if err := demoWorkflow(ctx, st, opt.Now); err != nil {
		return fmt.Errorf("demo self-reports and source: %w", err)
	}
	e.log.Info("demo database ready", "inserted", res.Inserted, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// demoCriteria stores the demo's criteria, dated at the program's launch,
// before the history they judge: the defaults, then, as a program owner
// would calibrate a bar far too low for a community this active, a second
// version that qualifies demoShare of the active community at now. It
// returns the engine of the second, the version in force.
func demoCriteria(ctx context.Context, st *store.Store, live *standings.Live, now time.Time) (*standings.Engine, error) {
	clock := st.Now
	defer func() { st.Now = clock }()
	launch := demoLaunch(now, criteria.Default().Location())
	st.Now = func() time.Time { return launch }
	if _, err := st.SaveCriteria(ctx, criteria.DefaultYAML, demoAuthor); err != nil {
		return nil, err
	}
	var threshold float64
	err := live.Read(ctx, 1, func(eng *standings.Engine) error {
		cal, err := eng.Calibrate(demoShare, now)
		if err == nil && cal.Qualifying < demoLeast {
			// In a small community the share is one person or two, often
			// an outlier far above the rest: nobody else would ever qualify.
			cal, err = eng.Calibrate(min(1, float64(demoLeast)/float64(cal.Active)), now)
		}
		threshold = cal.Threshold
		return err
	})
	if err != nil {
		return nil, err
	}
	calibrated, err := calibratedCriteria(criteria.DefaultYAML, threshold)
	if err != nil {
		return nil, err
	}
	if _, err := st.SaveCriteria(ctx, calibrated, demoAuthor); err != nil {
		return nil, err
	}
	var eng *standings.Engine
	err = live.Read(ctx, 0, func(x *standings.Engine) error {
		eng = x
		return nil
	})
	return eng, err
}

// calibratedCriteria sets the thresholds of doc, the default criteria, to
// achieve and two thirds of it by editing its lines, so that the document
// keeps its comments. A line it does not find once is an error: the demo would
// otherwise store the default bar as calibrated.
func calibratedCriteria(doc string, achieve float64) (string, error) {
	for _, edit := range []struct{ line, with string }{
		{"  achieve: 60 ", fmt.Sprintf("  achieve: %.0f  # calibrated by the demo to qualify %.0f%% of the active community\n  # was 60", achieve, demoShare*100)},
		{"  maintain: 40 ", fmt.Sprintf("  maintain: %.0f  # two thirds of achieve\n  # was 40", achieve*2/3)},
	} {
		if n := strings.Count(doc, edit.line); n != 1 {
			return "", fmt.Errorf("calibrate the demo's criteria: %q is in the document %d times, want once", edit.line, n)
		}
		doc = strings.Replace(doc, edit.line, edit.with, 1)
	}
	return doc, nil
}

// demoSplits makes people known twice: three members seen on one platform
// appear under the same handle and name on another, for merge suggestions
// to find.
func demoSplits(ctx context.Context, st *store.Store, c *demo.Community, now time.Time) error {
	var split []cadre.ActivityRecord
	for _, p := range c.Members {
		if len(split) == 3 {
			break
		}
		if p.Member.Bot || p.Member.Staff || len(p.Identities) != 1 {
			continue
		}
		other := map[bool]string{true: "stackexchange", false: "discourse"}[p.Identities[0].Platform != "stackexchange"]
		i := len(split)
		split = append(split, cadre.ActivityRecord{
			Activity: cadre.Activity{Source: other, ExternalID: fmt.Sprintf("demo-split-%d", i), Type: "forum",
				OccurredAt: now.AddDate(0, 0, -i-1), Status: cadre.ActivityApproved},
			Member: cadre.MemberRef{Platform: other, Handle: p.Identities[0].Handle, Name: p.Member.Name},
		})
	}
	_, err := st.NewImporter().Import(ctx, split)
	return err
}

// demoWorkflow adds what a program owner finds to do on a first look:
// self-reports waiting for review, by today's ambassadors and, in a small
// community, the most active others (some repeating activity already
// known), and a source to sync, paused, as its host does not exist.
func demoWorkflow(ctx context.Context, st *store.Store, now time.Time) error {
	// Every other report repeats a talk the events feed brought in already,
	// so reporters alternate between anyone and someone who spoke.
	var anyone, speakers []cadre.MemberSummary
	talk := map[int64]cadre.Activity{}
	for _, status := range []cadre.MemberStatus{cadre.StatusAmbassador, cadre.StatusAlumni, cadre.StatusMember} {
		ms, _, err := st.Members(ctx, cadre.MemberFilter{Status: status, Limit: 20})
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Staff || m.Bot {
				continue
			}
			talks, _, err := st.Activities(ctx, cadre.ActivityFilter{MemberID: m.ID, Type: "speaking", Limit: 100})
			if err != nil {
				return err
			}
			for _, t := range talks {
				if t.URL != "" {
					talk[m.ID] = t
					speakers = append(speakers, m)
					break
				}
			}
			if _, ok := talk[m.ID]; !ok {
				anyone = append(anyone, m)
			}
		}
	}
	for i := 0; i < 6; i++ {
		pool := &anyone
		if (i%2 == 1 && len(speakers) > 0) || len(anyone) == 0 {
			pool = &speakers
		}
		if len(*pool) == 0 {
			break
		}
		m := (*pool)[0]
		*pool = (*pool)[1:]
		r := cadre.SelfReport{MemberID: m.ID, Type: "mentoring", Date: now.AddDate(0, 0, -2*i-1),
			Title: fmt.Sprintf("Office hours for newcomers, week %d", 47-i), EffortMinutes: 60}
		if t, ok := talk[m.ID]; ok && i%2 == 1 {
			r = cadre.SelfReport{MemberID: m.ID, Type: "speaking", Date: t.OccurredAt, Title: "My talk: " + t.Title, URL: t.URL}
		}
		if _, err := st.Report(ctx, r, m.Name); err != nil {
			return err
		}
	}
	return st.SaveSource(ctx, &cadre.Source{Name: demoSource, Kind: "rss", Config: map[string]string{"url": "https://blog.example.org/feed.xml"}, Paused: true})
}

// sliceSource yields records from memory.
type sliceSource struct {
	recs []cadre.ActivityRecord
	i    int
}

func (s *sliceSource) Next() (cadre.ActivityRecord, error) {
	if s.i == len(s.recs) {
		return cadre.ActivityRecord{}, io.EOF
	}
	s.i++
	return s.recs[s.i-1], nil
}
