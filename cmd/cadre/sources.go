package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/connector"
	"github.com/cadrehq/cadre/server"
)

const sourcesHelp = `List the sources Cadre syncs on a schedule (cadre serve, every --sync-every)
and by "cadre sync": where each last sync stopped, its totals and last error.

  cadre sources [--json]
  cadre sources add NAME --kind KIND --set KEY=VALUE [--set KEY=VALUE ...]
  cadre sources pause NAME     no sync, scheduled or asked for, until resumed
  cadre sources resume NAME
  cadre sources remove NAME

Kinds and their configuration keys:
  discourse  url (required: the forum's address), api_key, api_username
             (for content anonymous visitors cannot see)
  rss        url (required: the feed's address), member (whose blog it is,
             platform:handle or an email; unset, entries are credited to
             their authors)

A value "env:NAME" is read from the environment variable NAME, so that a
secret stays out of the shell history and the process list; it is stored in
the database, which "cadre sources" never shows config values of. Adding a
source that exists replaces its configuration and keeps its cursor, and
whether it is paused.

Examples:
  cadre sources add forum --kind discourse --set url=https://forum.example.org \
    --set api_key=env:DISCOURSE_API_KEY --set api_username=system
  cadre sources add ada-blog --kind rss --set url=https://ada.example/feed.xml \
    --set member=github:ada
  cadre sources pause forum    while the forum is being moved
  cadre sources remove ada-blog`

func cmdSources(ctx context.Context, e *env) error {
	fs := e.flags("sources", "[add NAME --kind KIND --set KEY=VALUE... | pause NAME | resume NAME | remove NAME]", sourcesHelp)
	db := e.dbFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	kind := fs.String("kind", "", "with add: "+strings.Join(connector.Kinds(), " or "))
	sets := setFlag{}
	fs.Var(sets, "set", "with add: a configuration KEY=VALUE, repeatable; VALUE env:NAME reads $NAME")
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	var sub, name string
	switch {
	case len(args) == 0:
	case len(args) == 2 && slices.Contains([]string{"add", "pause", "resume", "remove"}, args[0]):
		sub, name = args[0], args[1]
	default:
		return usagef("sources takes no arguments, add NAME, pause NAME, resume NAME or remove NAME; got %q", args)
	}
	if sub != "add" && (*kind != "" || len(sets) > 0) {
		return usagef("--kind and --set go with add")
	}
	var src *cadre.Source
	if sub == "add" {
		if src, err = sourceToAdd(e, name, *kind, sets); err != nil {
			return err
		}
	}
	use := existing
	if sub == "add" {
		use = creates
	}
	st, err := openStore(ctx, e, db, use)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "add":
		if err := st.SaveSource(ctx, src); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "source %s saved; \"cadre sync %s\" syncs it now\n", src.Name, src.Name)
		return nil
	case "pause", "resume":
		if err := st.PauseSource(ctx, name, sub == "pause"); err != nil {
			return err
		}
		if sub == "pause" {
			fmt.Fprintf(e.stdout, "source %s paused: no sync until \"cadre sources resume %[1]s\"\n", name)
		} else {
			fmt.Fprintf(e.stdout, "source %s resumed: the next scheduled sync, or \"cadre sync %[1]s\", syncs it\n", name)
		}
		return nil
	case "remove":
		if err := st.DeleteSource(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "source %s removed; what it imported stays\n", name)
		return nil
	}
	srcs, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		rows := make([]server.SourceJSON, len(srcs))
		for i := range srcs {
			rows[i] = server.NewSourceJSON(&srcs[i], st.Now())
		}
		return printJSON(e, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSTATE\tLAST SYNC\tCURSOR\tINSERTED\tDUPLICATES\tREJECTED\tLAST ERROR")
	for _, s := range srcs {
		last := "never"
		if !s.LastSyncAt.IsZero() {
			last = s.LastSyncAt.Format(time.RFC3339)
		}
		if s.Syncing(st.Now()) {
			last = "syncing now"
		}
		state := "active"
		if s.Paused {
			state = "paused"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", s.Name, s.Kind, state, last, s.Cursor, s.Inserted, s.Duplicates, s.Rejected, oneLine(s.LastError, 100))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(srcs) == 0 {
		fmt.Fprintln(e.stderr, `no sources; add one with "cadre sources add"`)
	}
	return nil
}

// sourceToAdd builds the source "sources add" saves, checking its
// configuration the way a sync will read it.
func sourceToAdd(e *env, name, kind string, sets setFlag) (*cadre.Source, error) {
	if kind == "" {
		return nil, usagef("add needs --kind: %s", strings.Join(connector.Kinds(), " or "))
	}
	config := make(map[string]string, len(sets))
	for key, v := range sets {
		if ref, ok := strings.CutPrefix(v, "env:"); ok {
			if v = e.getenv(ref); v == "" {
				return nil, usagef("--set %s=env:%s: $%s is not set", key, ref, ref)
			}
		}
		config[key] = v
	}
	src := &cadre.Source{Name: name, Kind: kind, Config: config}
	if _, err := connector.New(*src, nil, nil); err != nil {
		return nil, err
	}
	return src, nil
}

// setFlag collects repeated --set KEY=VALUE flags.
type setFlag map[string]string

func (s setFlag) String() string { return "" }

func (s setFlag) Set(v string) error {
	key, value, ok := strings.Cut(v, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	if _, dup := s[key]; dup {
		return fmt.Errorf("%s is set twice", key)
	}
	s[key] = value
	return nil
}

// oneLine fits an error message into a table cell of at most n runes.
func oneLine(msg string, n int) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if r := []rune(msg); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return msg
}

const syncHelp = `Sync the named sources now, or every source, one after another: each
imports what is new on its platform since its last sync and records how it
went (see "cadre sources"). A source another instance is syncing right now
is skipped, as that sync brings the same records; so is a paused source,
named or not, until "cadre sources resume NAME".

Exit status is 1 when any sync failed.

Examples:
  cadre sync               every source
  cadre sync forum blog    these two`

func cmdSync(ctx context.Context, e *env) error {
	fs := e.flags("sync", "[NAME...]", syncHelp)
	db := e.dbFlags(fs)
	names, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(names) == 0 {
		srcs, err := st.Sources(ctx)
		if err != nil {
			return err
		}
		for _, s := range srcs {
			names = append(names, s.Name)
		}
		if len(names) == 0 {
			fmt.Fprintln(e.stderr, `no sources to sync; add one with "cadre sources add"`)
			return nil
		}
	}
	owner := connector.Owner()
	im := st.NewImporter()
	failed := 0
	for _, name := range names {
		res, err := connector.Run(ctx, st, im, name, owner, connector.DefaultLease, nil)
		switch {
		case cadre.ErrorCode(err) == cadre.ECONFLICT:
			// Another instance holds the source, whose sync brings the
			// records, or the source is paused.
			fmt.Fprintf(e.stderr, "%s: skipped: %s\n", name, describe(err))
		case err != nil:
			failed++
			fmt.Fprintf(e.stderr, "%s: failed: %s\n", name, describe(err))
		default:
			fmt.Fprintf(e.stdout, "%s: %d inserted, %d duplicates, %d rejected\n", name, res.Inserted, res.Duplicates, res.Rejected)
		}
	}
	if failed > 0 {
		return errReported
	}
	return nil
}
