package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
)

// atFlag is a point in time given as an RFC 3339 time or a date (midnight UTC
// ending that day is not implied: 2025-06-30 means its first instant).
type atFlag struct{ t time.Time }

func (a *atFlag) String() string {
	if a.t.IsZero() {
		return "now"
	}
	return a.t.Format(time.RFC3339)
}

func (a *atFlag) Set(v string) error {
	t, err := cadre.ParseTime(v)
	if err != nil {
		return errors.New(cadre.ErrorMessage(err))
	}
	a.t = t
	return nil
}

// or returns the time, or now when none was given.
func (a *atFlag) or(now time.Time) time.Time {
	if a.t.IsZero() {
		return now
	}
	return a.t
}

// loadStandings scores the store's activity under a criteria version (0: the
// one in force), starting from the standings stored by the server or an
// earlier command. The engine is used outside Live.Read as nothing else in
// the process changes the standings.
func loadStandings(ctx context.Context, e *env, st *store.Store, version int) (*standings.Engine, error) {
	l, err := standings.Open(ctx, st, e.log)
	if err != nil {
		return nil, err
	}
	var eng *standings.Engine
	err = l.Read(ctx, version, func(x *standings.Engine) error {
		eng = x
		return nil
	})
	return eng, err
}

func cmdLeaderboard(ctx context.Context, e *env) error {
	fs := e.flags("leaderboard", "", "Rank members by score (SPEC sections 3 and 8). Staff and bots are left out;\nequal scores share a rank.")
	db := e.dbFlags(fs)
	var at atFlag
	fs.Var(&at, "at", "rank as of this time (default now)")
	top := fs.Int("top", 20, "how many lines; 0 for everyone")
	status := fs.String("status", "", "only members with this status: member, ambassador or alumni")
	version := fs.Int("criteria", 0, "criteria version to score with (default the one in force)")
	typ := fs.String("type", "", "count only activities of this type, e.g. speaking")
	var since, until atFlag
	fs.Var(&since, "since", "count only activities from this time on (e.g. the quarter's start)")
	fs.Var(&until, "until", "count only activities before this time")
	asJSON := fs.Bool("json", false, "print JSON (SPEC section 8)")
	if err := e.parse(fs); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("leaderboard takes no arguments, got %q", fs.Args())
	}
	s, err := statusFlag(*status)
	if err != nil {
		return err
	}
	if *top < 0 {
		return usagef("--top must not be negative")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := loadStandings(ctx, e, st, *version)
	if err != nil {
		return err
	}
	if *typ != "" {
		if err := eng.Criteria().CheckType(*typ); err != nil {
			return err
		}
	}
	board := eng.Leaderboard(at.or(st.Now()), standings.Options{Top: *top, Status: s, Type: *typ, Since: since.t, Until: until.t})
	if *asJSON {
		return printJSON(e, server.NewLeaderboardJSON(board))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	// The ID beside the name tells two people of one name apart, and is
	// what "cadre score ID" takes.
	fmt.Fprintln(tw, "RANK\t   SCORE\tID\tNAME\tSTATUS")
	for _, l := range board {
		fmt.Fprintf(tw, "%4d\t%8.2f\t%d\t%s\t%s\n", l.Rank, l.Score, l.MemberID, l.Name, l.Status)
	}
	return tw.Flush()
}

func cmdScore(ctx context.Context, e *env) error {
	fs := e.flags("score", "MEMBER", "Explain a member's score: points by activity type and by quarter, decay applied,\nthe score at each quarter end of the last three years, and where it is heading.\nMEMBER is a member ID, an email, platform:handle, or a handle.")
	db := e.dbFlags(fs)
	var at atFlag
	fs.Var(&at, "at", "as of this time (default now)")
	version := fs.Int("criteria", 0, "criteria version to score with (default the one in force)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := e.parse(fs); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("score needs one MEMBER")
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := st.FindMember(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	eng, err := loadStandings(ctx, e, st, *version)
	if err != nil {
		return err
	}
	ms, err := eng.Member(id, at.or(st.Now()))
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e, server.NewMemberScoreJSON(ms))
	}
	return printMemberScore(e, ms)
}

func printMemberScore(e *env, ms *standings.MemberScore) error {
	w := e.stdout
	fmt.Fprintf(w, "%s (member %d, %s): %.2f points as of %s\n", ms.Name, ms.MemberID, ms.Status, ms.Score, ms.At.Format(time.RFC3339))
	if ms.Excluded {
		fmt.Fprintln(w, "staff or bot: not ranked")
	}
	fmt.Fprintf(w, "achieve %.2f, maintain %.2f\n\n", ms.Achieve, ms.Maintain)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tACTIVITIES\t  POINTS\t   NOW")
	for _, p := range ms.ByType {
		fmt.Fprintf(tw, "%s\t%10d\t%8.2f\t%6.2f\n", p.Key, p.Activities, p.Points, p.Score)
	}
	fmt.Fprintln(tw, "\t\t\t")
	fmt.Fprintln(tw, "QUARTER\tACTIVITIES\t  POINTS\t   NOW")
	for _, p := range ms.ByQuarter {
		fmt.Fprintf(tw, "%s\t%10d\t%8.2f\t%6.2f\n", p.Key, p.Activities, p.Points, p.Score)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nScore at each quarter end:")
	for _, h := range ms.History {
		fmt.Fprintf(w, "  %s  %8.2f\n", h.At.Format("2006-01-02"), h.Score)
	}
	p := ms.Projection
	fmt.Fprintf(w, "\nWith no new activity: %.2f at the next review (%s).\n", p.ScoreThen, p.NextReview.Format("2006-01-02"))
	if p.BelowMaintain != nil {
		fmt.Fprintf(w, "Falls below maintain on %s.\n", p.BelowMaintain.Format("2006-01-02"))
	}
	if p.BelowAchieve != nil {
		fmt.Fprintf(w, "Falls below achieve on %s.\n", p.BelowAchieve.Format("2006-01-02"))
	}
	if p.PointsNeeded > 0 {
		fmt.Fprintf(w, "To stay at maintain, %.2f more points, such as:", p.PointsNeeded)
		for _, tc := range p.ToMaintain {
			fmt.Fprintf(w, " %d %s", tc.Count, tc.Type)
		}
		fmt.Fprintln(w)
	}
	return nil
}
