package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
)

const whatifHelp = `Replay the program's quarterly reviews under other criteria and compare them
with what the criteria in force made of them: for each quarter the active
community, who qualifies and its share, who would have been proposed, the
review's renewals, lapses and renewal rate, and influence hours per
ambassador; then every member whose outcome differs, with the activity types
that carried their score. Invitations and applications stay as they happened;
only the reviews are replayed. Nothing is changed.

  cadre criteria show > candidate.yaml   # then edit it
  cadre whatif --criteria candidate.yaml [--quarters 8] [--from 2025Q1] [--json | --csv quarters|changes]

Without --from, the last N quarters that have ended. --csv prints a
spreadsheet instead: a row a quarter and side, or a row a changed outcome.`

func cmdWhatIf(ctx context.Context, e *env) error {
	fs := e.flags("whatif", "", whatifHelp)
	db := e.dbFlags(fs)
	file := fs.String("criteria", "", "the candidate criteria document (YAML or JSON, SPEC section 1)")
	n := fs.Int("quarters", 8, "how many quarters to replay")
	fromFlag := fs.String("from", "", "the first quarter, such as 2025Q1 (default: the last N ended quarters)")
	asJSON := fs.Bool("json", false, "print JSON")
	asCSV := fs.String("csv", "", "print CSV: quarters (a row a quarter and side) or changes (a row a changed outcome)")
	if err := e.parse(fs); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("whatif takes no arguments, got %q", fs.Args())
	}
	if *file == "" {
		return usagef("--criteria FILE is required: the candidate criteria document")
	}
	if *asCSV != "" && *asCSV != "quarters" && *asCSV != "changes" {
		return usagef("--csv: quarters or changes, got %q", *asCSV)
	}
	if *asCSV != "" && *asJSON {
		return usagef("--json and --csv: one or the other")
	}
	data, err := loadCriteriaFile(e, *file)
	if err != nil {
		return err
	}
	c, err := criteria.Parse(data)
	if err != nil {
		return err
	}
	var from *program.Quarter
	if *fromFlag != "" {
		q, err := program.ParseQuarter(*fromFlag)
		if err != nil {
			return usagef("--from: %s", cadre.ErrorMessage(err))
		}
		from = &q
	}
	if *n < 1 || *n > server.MaxWhatIfQuarters {
		return usagef("--quarters: between 1 and %d, got %d", server.MaxWhatIfQuarters, *n)
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	qs, err := server.WhatIfQuarters(*n, from, st.Now(), c.Location())
	if err != nil {
		return err
	}
	live, err := standings.Open(ctx, st, e.log)
	if err != nil {
		return err
	}
	j, err := server.WhatIf(ctx, st, live, c, qs)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e, j)
	}
	if *asCSV != "" {
		header, rows, err := server.WhatIfCSV(j, *asCSV)
		if err != nil {
			return err
		}
		cw := csv.NewWriter(e.stdout)
		_ = cw.Write(header)
		_ = cw.WriteAll(rows)
		return cw.Error()
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "quarter\tshare\tqualifying\tproposed\trenewed\tlapsed\trenewal rate\thours each")
	for _, q := range j.Quarters {
		cur, cand := q.Current, q.Candidate
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", q.Quarter,
			side(pct(cur.Share), pct(cand.Share)), side(fmt.Sprint(cur.Qualifying), fmt.Sprint(cand.Qualifying)),
			side(fmt.Sprint(cur.Proposed), fmt.Sprint(cand.Proposed)),
			side(fmt.Sprint(cur.Renewed), fmt.Sprint(cand.Renewed)), side(fmt.Sprint(cur.Lapsed), fmt.Sprint(cand.Lapsed)),
			side(pctOrNA(cur.RenewalRate), pctOrNA(cand.RenewalRate)),
			side(orNA(cur.InfluenceHoursPerAmbassador), orNA(cand.InfluenceHoursPerAmbassador)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, q := range j.Quarters {
		for _, only := range []struct {
			side  string
			list  []server.WhatIfMemberJSON
			count int
		}{{"criteria in force", q.ProposedOnly.Current, q.ProposedOnly.CurrentCount}, {"candidate", q.ProposedOnly.Candidate, q.ProposedOnly.CandidateCount}} {
			if only.count == 0 {
				continue
			}
			var names []string
			for _, m := range only.list[:min(len(only.list), 5)] {
				names = append(names, fmt.Sprintf("%s (%.1f)", cmp.Or(m.Name, m.MemberID), m.Score))
			}
			if more := only.count - len(names); more > 0 {
				names = append(names, fmt.Sprintf("%d more", more))
			}
			fmt.Fprintf(e.stdout, "%s: proposed under the %s only: %s\n", q.Quarter, only.side, strings.Join(names, ", "))
		}
	}
	f := j.Fairness
	fmt.Fprintf(e.stdout, "\nWho qualifies at %s: %s (current → candidate)\n", f.At.Format("2006-01-02 15:04 MST"), side(fmt.Sprint(f.Qualifying.Current), fmt.Sprint(f.Qualifying.Candidate)))
	fmt.Fprintf(e.stdout, "  first took part in the community's first year: %s; ranked without decay: %s\n",
		side(pctOrNA(f.FirstYear.Current), pctOrNA(f.FirstYear.Candidate)), side(pctOrNA(f.FirstYearUndecayed.Current), pctOrNA(f.FirstYearUndecayed.Candidate)))
	for _, g := range []struct {
		title  string
		groups []server.GroupJSON
	}{{"carried most by", f.Mix}, {"by region", f.Regions}, {"by company", f.Companies}} {
		var parts []string
		for _, gr := range g.groups {
			parts = append(parts, fmt.Sprintf("%s %s", gr.Group, side(fmt.Sprint(gr.Current), fmt.Sprint(gr.Candidate))))
		}
		if len(parts) > 0 {
			fmt.Fprintf(e.stdout, "  %s: %s\n", g.title, strings.Join(parts, ", "))
		}
	}
	fmt.Fprintf(e.stdout, "\n%d outcomes differ (current → candidate)\n", len(j.Changes))
	tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, c := range j.Changes {
		var parts []string
		for _, t := range c.CarriedBy {
			parts = append(parts, fmt.Sprintf("%s %.1f → %.1f", t.Type, t.Current, t.Candidate))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s → %s\t%.1f → %.1f\t%s\n", c.Quarter, c.MemberID, c.Name, c.Current, c.Candidate,
			c.CurrentScore, c.CandidateScore, strings.Join(parts, ", "))
	}
	return tw.Flush()
}

// side shows a figure under the criteria in force and under the candidate.
func side(cur, cand string) string {
	if cur == cand {
		return cur
	}
	return cur + " → " + cand
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func pctOrNA(f *float64) string {
	if f == nil {
		return "n/a"
	}
	return pct(*f)
}
