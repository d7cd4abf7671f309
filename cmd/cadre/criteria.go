package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
	"github.com/cadrehq/cadre/program"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
)

const criteriaHelp = `Manage the program criteria (SPEC section 1): activity types and weights,
decay, thresholds and target share. Every accepted change is a new version.

Subcommands:
  show [--version N]   print the current (or a past) criteria document
  history              list the stored versions with author and time
  validate FILE        check a document without storing it
  set FILE             validate a document and store it as the new version
  check [--at T]       active community, qualifying members, share and warnings
  calibrate --target S the achieve threshold that would qualify share S (0.03 = 3%)
  calibrate --bands [--quarters 8] [--from Q] [--decay 0.15:0.35] [--multiplier forum=1:3]…
                       criteria that keep the share inside target_share and the renewal
                       rate inside renewal_band in every quarter of a backtest (see
                       cadre whatif), with the least change: the thresholds, and within
                       the bounds given the decay rate (by 0.05) and multipliers (by 0.5)
  doc [--format md|html] [--version N]
                       the one-page framework for applicants, as /criteria shows it`

func cmdCriteria(ctx context.Context, e *env) error {
	fs := e.flags("criteria", "show|history|validate FILE|set FILE", criteriaHelp)
	db := e.dbFlags(fs)
	ver := fs.Int("version", 0, "with show: the version to print (default the latest)")
	author := fs.String("author", "", "with set: who makes the change (default $USER)")
	var at atFlag
	fs.Var(&at, "at", "with check and calibrate: as of this time (default now)")
	target := fs.Float64("target", 0.03, "with calibrate: the share of the active community to qualify")
	asJSON := fs.Bool("json", false, "with check and calibrate: print JSON")
	format := fs.String("format", "md", "with doc: md or html")
	bands := fs.Bool("bands", false, "with calibrate: search criteria inside both bands over a backtest")
	quarters := fs.Int("quarters", 8, "with calibrate --bands: how many ended quarters to replay")
	from := fs.String("from", "", "with calibrate --bands: the first quarter (default: the last N ended)")
	decay := fs.String("decay", "", "with calibrate --bands: the decay rates to try, MIN:MAX")
	var multipliers multiFlag
	fs.Var(&multipliers, "multiplier", "with calibrate --bands: a type's multipliers to try, TYPE=MIN:MAX (repeatable)")
	top := fs.Int("top", 5, "with calibrate --bands: how many candidates to print")
	// Flags may follow the subcommand and its file: "criteria set FILE --author A".
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("criteria needs a subcommand: show, history, validate FILE or set FILE")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "validate":
		if len(rest) != 1 {
			return usagef("criteria validate needs one FILE")
		}
		if _, err := loadCriteriaFile(e, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: valid\n", rest[0])
		return nil
	case "show", "history", "set", "check", "calibrate", "doc":
	default:
		return usagef("unknown criteria subcommand %q", sub)
	}
	use := existing
	if sub == "set" {
		use = creates
	}
	st, err := openStore(ctx, e, db, use)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "doc":
		if *format != "md" && *format != "html" {
			return usagef("--format must be md or html, got %q", *format)
		}
		c, version, err := criteriaVersion(ctx, st, *ver)
		if err != nil {
			return err
		}
		return server.CriteriaDoc(e.stdout, c, version, *format)
	case "show":
		doc, err := currentCriteria(ctx, st, *ver)
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, doc)
	case "history":
		hist, err := st.CriteriaHistory(ctx)
		if err != nil {
			return err
		}
		if len(hist) == 0 {
			fmt.Fprintln(e.stdout, "no criteria stored; the default of the specification applies")
		}
		for _, h := range hist {
			fmt.Fprintf(e.stdout, "%d\t%s\t%s\n", h.Version, h.CreatedAt.Format("2006-01-02 15:04:05Z07:00"), h.Author)
		}
	case "set":
		if len(rest) != 1 {
			return usagef("criteria set needs one FILE")
		}
		data, err := loadCriteriaFile(e, rest[0])
		if err != nil {
			return err
		}
		v, err := st.SaveCriteria(ctx, string(data), e.actor(*author))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "stored criteria version %d\n", v)
	case "calibrate":
		if *bands {
			return calibrateBands(ctx, e, st, *quarters, *from, *decay, multipliers, *top, *asJSON)
		}
		fallthrough
	case "check":
		if *target < 0 || *target > 1 {
			return usagef("--target must be a share between 0 and 1, such as 0.03")
		}
		eng, err := loadStandings(ctx, e, st, *ver)
		if err != nil {
			return err
		}
		t := at.or(st.Now())
		if sub == "check" {
			return printShare(e, eng.Share(t), *asJSON)
		}
		cal, err := eng.Calibrate(*target, t)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e, server.NewCalibrationJSON(t, cal))
		}
		fmt.Fprintf(e.stdout, "To qualify %.1f%% of the %d active members, set thresholds.achieve to %.2f:\n%d would qualify, %.1f%% (ties at the threshold can make it more).\n",
			cal.Target*100, cal.Active, cal.Threshold, cal.Qualifying, cal.Share*100)
	}
	return nil
}

func printShare(e *env, sh standings.Share, asJSON bool) error {
	if asJSON {
		return printJSON(e, server.NewShareJSON(sh))
	}
	fmt.Fprintf(e.stdout, "as of %s: %d active members, %d qualify (achieve %.2f): %.1f%% (target %.1f%%-%.1f%%)\n",
		sh.At.Format(time.RFC3339), sh.Active, sh.Qualifying, sh.Achieve, sh.Share*100, sh.TargetMin*100, sh.TargetMax*100)
	for _, w := range sh.Warnings {
		fmt.Fprintf(e.stdout, "warning: %s\n", w)
	}
	return nil
}

// loadCriteriaFile reads and validates a criteria document, printing each
// problem with the field it concerns.
func loadCriteriaFile(e *env, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if _, err := criteria.Parse(data); err != nil {
		var verrs criteria.ValidationErrors
		if errors.As(err, &verrs) {
			for _, fe := range verrs {
				fmt.Fprintf(e.stderr, "%s: %s: %s\n", path, fe.Field, fe.Message)
			}
			return nil, errReported
		}
		return nil, cadre.Errorf(cadre.EINVALID, "%s: %w", path, err)
	}
	return data, nil
}

// currentCriteria returns the stored document of a version (0: the latest),
// or the default when none is stored yet.
func currentCriteria(ctx context.Context, st *store.Store, version int) (string, error) {
	doc, err := st.Criteria(ctx, version)
	if version == 0 && cadre.ErrorCode(err) == cadre.ENOTFOUND {
		return criteria.DefaultYAML, nil
	}
	if err != nil {
		return "", err
	}
	return doc.Document, nil
}

// criteriaVersion returns a stored criteria version parsed (0: the one in
// force), or the defaults, version 0, when none is stored.
func criteriaVersion(ctx context.Context, st *store.Store, version int) (*criteria.Criteria, int, error) {
	d, err := st.Criteria(ctx, version)
	if cadre.ErrorCode(err) == cadre.ENOTFOUND && version == 0 {
		return criteria.Default(), 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	c, err := criteria.Parse([]byte(d.Document))
	if err != nil {
		return nil, 0, fmt.Errorf("criteria version %d: %w", d.Version, err)
	}
	return c, d.Version, nil
}

// multiFlag collects a repeated flag's values.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// calibrateBands searches criteria inside both bands over a backtest of the
// criteria in force and prints the best candidates.
func calibrateBands(ctx context.Context, e *env, st *store.Store, n int, fromFlag, decay string, multipliers []string, top int, asJSON bool) error {
	if n < 1 || n > server.MaxWhatIfQuarters {
		return usagef("--quarters: between 1 and %d, got %d", server.MaxWhatIfQuarters, n)
	}
	if top < 1 {
		return usagef("--top: at least 1, got %d", top)
	}
	c, _, err := criteriaVersion(ctx, st, 0)
	if err != nil {
		return err
	}
	b, err := server.ParseBounds(c, decay, multipliers)
	if err != nil {
		return usagef("%s", cadre.ErrorMessage(err))
	}
	var from *program.Quarter
	if fromFlag != "" {
		q, err := program.ParseQuarter(fromFlag)
		if err != nil {
			return usagef("--from: %s", cadre.ErrorMessage(err))
		}
		from = &q
	}
	qs, err := server.WhatIfQuarters(n, from, st.Now(), c.Location())
	if err != nil {
		return err
	}
	live, err := standings.Open(ctx, st, e.log)
	if err != nil {
		return err
	}
	j, err := server.CalibrateBands(ctx, st, live, c, b, qs, top)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e, j)
	}
	fmt.Fprintf(e.stdout, "%s to %s: %d candidates over %d scorings.\n", j.From, j.To, j.Searched, j.Scorings)
	if !j.Inside {
		fmt.Fprintln(e.stdout, "None keeps both figures inside their bands in every quarter; the nearest:")
	}
	for i, cand := range j.Candidates {
		var mults []string
		for k, v := range cand.Multipliers {
			mults = append(mults, fmt.Sprintf("%s ×%g", k, v))
		}
		slices.Sort(mults)
		fmt.Fprintf(e.stdout, "\n%d. achieve %g, maintain %g, decay %g%s: change %.3f, %d quarters outside\n", i+1, cand.Achieve, cand.Maintain, cand.DecayRate,
			strings.Join(append([]string{""}, mults...), ", "), cand.Distance, cand.Outside)
		for _, q := range cand.Quarters {
			mark := func(ok bool) string {
				if ok {
					return ""
				}
				return " (outside)"
			}
			fmt.Fprintf(e.stdout, "   %s  share %.1f%%%s  renewal %s%s\n", q.Quarter, q.Share*100, mark(q.ShareInside), pctOrNA(q.RenewalRate), mark(q.RenewalInside))
		}
	}
	if len(j.Candidates) > 0 {
		fmt.Fprintln(e.stdout, "\nSave one with cadre criteria set FILE, its document from --json (candidates[i].document), or try it first with cadre whatif.")
	}
	return nil
}
