package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/criteria"
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
	case "check", "calibrate":
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
