package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/server"
)

func cmdMembers(ctx context.Context, e *env) error {
	fs := e.flags("members", "", "List members with their activity counts, most active first.")
	db := e.dbFlags(fs)
	status := fs.String("status", "", "only members with this status: member, ambassador or alumni")
	query := fs.String("q", "", "only members whose name, handle or email contains this")
	limit := fs.Int("limit", 50, "how many to list")
	offset := fs.Int("offset", 0, "how many to skip")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := e.parse(fs); err != nil {
		return err
	}
	st, err := statusFlag(*status)
	if err != nil {
		return err
	}
	if *limit < 1 || *offset < 0 {
		return usagef("--limit must be positive and --offset not negative")
	}
	s, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer s.Close()
	ms, total, err := s.Members(ctx, cadre.MemberFilter{Status: st, Query: *query, Limit: *limit, Offset: *offset})
	if err != nil {
		return err
	}
	if *asJSON {
		rows := make([]server.MemberJSON, len(ms))
		for i := range ms {
			rows[i] = server.NewMemberSummaryJSON(&ms[i])
		}
		return printJSON(e, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tFLAGS\tACTIVITIES")
	for _, m := range ms {
		flags := ""
		if m.Staff {
			flags += "staff "
		}
		if m.Bot {
			flags += "bot"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\n", m.ID, m.Name, m.Status, flags, m.Activities)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d of %d members\n", len(ms), total)
	return nil
}

// statusFlag reads a --status flag: empty for any status.
func statusFlag(v string) (cadre.MemberStatus, error) {
	st := cadre.MemberStatus(v)
	if st != "" && !st.Valid() {
		return "", usagef("--status must be member, ambassador or alumni, got %q", v)
	}
	return st, nil
}
