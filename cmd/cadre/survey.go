package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/server"
)

const surveyHelp = `The Ambassador NPS survey (SPEC 6): each ambassador of a quarter is asked
"How likely are you to recommend that others invest the effort to achieve
ambassador status?" (0-10, and a comment) through a personal link, by mail.
Answers can be changed until the survey closes.

  cadre survey open --quarter 2026Q4 [--closes 2026-12-20] [--anonymous] [--json]
  cadre survey results --quarter 2026Q4 [--json]
  cadre survey remind --quarter 2026Q4      write again to those who have not answered
  cadre survey list [--json]

open --json prints every invitee's link ({"survey_id", "invited", "links":
[{"member_id", "url"}]}), for a program that sends them its own way; the links
use --base-url. A reminder sends a fresh link that replaces the first.`

func cmdSurvey(ctx context.Context, e *env) error {
	fs := e.flags("survey", "open|results|remind|list", surveyHelp)
	db := e.dbFlags(fs)
	quarter := fs.String("quarter", "", "the quarter, such as 2026Q4")
	closes := fs.String("closes", "", "open: when the survey closes, a date or time (default: in 14 days)")
	anonymous := fs.Bool("anonymous", false, "open: show comments without names")
	asJSON := fs.Bool("json", false, "print JSON")
	linkBase := e.linkBaseFlag(fs)
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return usagef("survey needs one subcommand: open, results, remind or list")
	}
	base, err := parseBaseURL(*linkBase)
	if err != nil {
		return err
	}
	var q program.Quarter
	if args[0] != "list" {
		if q, err = program.ParseQuarter(*quarter); err != nil {
			return usagef("--quarter: %s", cadre.ErrorMessage(err))
		}
	}
	var closing time.Time
	if *closes != "" {
		if closing, err = cadre.ParseTime(*closes); err != nil {
			return usagef("--closes: %s", cadre.ErrorMessage(err))
		}
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "open":
		eng, err := loadStandings(ctx, e, st, 0)
		if err != nil {
			return err
		}
		opened, err := server.OpenSurvey(ctx, st, q, eng.Criteria().Location(), st.Now(), closing, *anonymous, e.actor(*actor), base)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e, opened)
		}
		fmt.Fprintf(e.stdout, "survey %d of %s open until %s: %d ambassadors invited, their messages in the outbox\n",
			opened.SurveyID, opened.Quarter, opened.ClosesAt.Format(time.DateOnly), opened.Invited)
		return nil
	case "results":
		res, _, err := server.SurveyResults(ctx, st, q, st.Now())
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e, res)
		}
		score, rate := "n/a", "n/a"
		if res.Score != nil {
			score = fmt.Sprintf("%.0f", *res.Score)
		}
		if res.ResponseRate != nil {
			rate = fmt.Sprintf("%.0f%%", *res.ResponseRate*100)
		}
		fmt.Fprintf(e.stdout, "%s: NPS %s from %d of %d invited (%s); %d promoters, %d passives, %d detractors\n",
			res.Quarter, score, res.Responses, res.Invited, rate, res.Promoters, res.Passives, res.Detractors)
		return nil
	case "remind":
		n, err := server.RemindSurvey(ctx, st, q, e.actor(*actor), base)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d ambassadors reminded\n", n)
		return nil
	case "list":
		svs, err := st.Surveys(ctx)
		if err != nil {
			return err
		}
		out := []server.SurveyResultsJSON{}
		for _, sv := range svs {
			res, _, err := server.SurveyResults(ctx, st, sv.Quarter, st.Now())
			if err != nil {
				return err
			}
			out = append(out, res)
		}
		if *asJSON {
			return printJSON(e, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "QUARTER\tNPS\tRESPONSES\tINVITED\tCLOSES")
		for _, r := range out {
			score := "–"
			if r.Score != nil {
				score = fmt.Sprintf("%.0f", *r.Score)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", r.Quarter, score, r.Responses, r.Invited, r.ClosesAt.Format(time.DateOnly))
		}
		return tw.Flush()
	}
	return usagef("unknown survey subcommand %q: open, results, remind or list", args[0])
}
