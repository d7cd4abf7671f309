// Command cadre runs an ambassador program: it serves the web interface and
// API, imports and exports activity, and manages the database and criteria.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	_ "time/tzdata" // criteria time zones must load on hosts without zoneinfo

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/store"
)

// Exit codes (SPEC section 8).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what every command gets: its arguments, the environment and the
// standard streams, so tests can run commands in-process.
type env struct {
	args   []string
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env) error
}

func commands() []command {
	return []command{
		{"serve", "Run the web interface and API", cmdServe},
		{"demo", "Create a demo community in its own database and serve it", cmdDemo},
		{"import", "Import activities: interchange JSONL/CSV or a platform's files (GH Archive, …); a whole program (--all)", cmdImport},
		{"export", "Export every activity as JSON Lines or CSV, or the whole program (--all)", cmdExport},
		{"members", "List members with their activity counts", cmdMembers},
		{"sources", "List, add or remove the sources synced on a schedule", cmdSources},
		{"sync", "Sync sources now: import what is new on their platforms", cmdSync},
		{"merge", "Merge two members who are one person, undo a merge, or list suggestions", cmdMerge},
		{"report", "Report an activity the platforms do not show, for review", cmdReport},
		{"review", "List pending self-reports, approve or reject one", cmdReview},
		{"staff-domains", "Show or set the email domains of staff", cmdStaffDomains},
		{"users", "List, add or remove the accounts that sign in", cmdUsers},
		{"tokens", "List, create or revoke API tokens", cmdTokens},
		{"roster", "Import or export the program's terms (who was an ambassador when)", cmdRoster},
		{"renewal", "Preview or apply a quarter's review of ambassadors; excuse one; who is at risk", cmdRenewal},
		{"terms", "Show, start or end a member's terms as ambassador", cmdTerms},
		{"invite", "Invite members to become ambassadors; proposals, list, revoke", cmdInvite},
		{"applications", "List applications from /apply; accept, reject or note one", cmdApplications},
		{"survey", "The Ambassador NPS survey of a quarter: open, results, remind", cmdSurvey},
		{"webhooks", "Outgoing webhooks: list, add, remove, and their deliveries", cmdWebhooks},
		{"rewards", "Rewards: the catalog, the matrix and its ranking by value, grants and their impact, budgets", cmdRewards},
		{"sessions", "Executive feedback sessions: items, votes, commitments and their follow-through", cmdSessions},
		{"outbox", "The program's mail: list what waits or went, send it, try a failed one again", cmdOutbox},
		{"health", "The program's health in a quarter: share, ambassadors, hours, review", cmdHealth},
		{"leaderboard", "Rank members by score", cmdLeaderboard},
		{"score", "Explain a member's score and where it is heading", cmdScore},
		{"criteria", "Show, validate or set the program criteria", cmdCriteria},
		{"whatif", "Replay the quarterly reviews under other criteria, side by side with the real ones", cmdWhatIf},
		{"migrate", "Bring the database schema up to date", cmdMigrate},
		{"backup", "Copy a running SQLite database to a file", cmdBackup},
		{"bench", "Measure import and scoring speed on this machine", cmdBench},
		{"version", "Print the version", cmdVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Cadre runs a developer ambassador program: it ingests community activity,
scores it with weights and decay, and keeps the ambassador bar elite.

Usage: cadre COMMAND [flags] [args]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Every command takes --db (a SQLite file path, or a postgres:// URL; default
./cadre.db, or $CADRE_DB) and, when it opens the database, --migrate to bring an
out-of-date schema up to date first. A command that stores something new creates
a database that does not exist yet; the others refuse it.
serve and demo take --addr (default 127.0.0.1:8080, or $CADRE_ADDR).
Run "cadre COMMAND --help" for a command's flags.

Exit codes: 0 success; 1 failure, or an import that rejected records; 2 wrong usage.
`)
}

// usageError marks errors that are the caller's misuse (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errReported is returned after a command has printed its own failure, so
// run only sets the exit code.
var errReported = errors.New("reported")

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		usage(stdout)
		return exitOK
	}
	level := slog.LevelInfo
	if strings.EqualFold(getenv("CADRE_LOG"), "debug") {
		level = slog.LevelDebug
	}
	e := &env{args: args[1:], getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e)
		var ue *usageError
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "cadre %s: %s\nRun \"cadre %s --help\" for usage.\n", name, ue.msg, name)
			return exitUsage
		case errors.Is(err, errReported):
			return exitFailure
		default:
			fmt.Fprintf(stderr, "cadre %s: %s\n", name, describe(err))
			return exitFailure
		}
	}
	fmt.Fprintf(stderr, "cadre: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

// describe gives the message users should see for err: application errors
// carry their own, anything else is shown whole for the operator.
func describe(err error) string {
	if cadre.ErrorCode(err) == cadre.EINTERNAL {
		return err.Error()
	}
	return cadre.ErrorMessage(err)
}

// flags returns a flag set for a command that prints its help to stdout on
// --help and its errors as usage errors.
func (e *env) flags(name, argsHelp, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("cadre "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: cadre %s [flags] %s\n\n%s\n\nFlags:\n", name, argsHelp, about)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses flags, turning flag errors into usage errors and --help into
// printed help.
func (e *env) parse(fs *flag.FlagSet) error {
	err := fs.Parse(e.args)
	if errors.Is(err, flag.ErrHelp) {
		return err // the flag package printed the help
	}
	if err != nil {
		return usagef("%v", err)
	}
	return nil
}

// parseMixed is parse for commands whose flags may come after their
// arguments ("cadre merge A B --reason R"); it returns the arguments.
func (e *env) parseMixed(fs *flag.FlagSet) ([]string, error) {
	if err := e.parse(fs); err != nil {
		return nil, err
	}
	var args []string
	for rest := fs.Args(); len(rest) > 0; rest = fs.Args() {
		args = append(args, rest[0])
		if err := fs.Parse(rest[1:]); errors.Is(err, flag.ErrHelp) {
			return nil, err // the usage is printed: exit 0
		} else if err != nil {
			return nil, usagef("%v", err)
		}
	}
	return args, nil
}

func (e *env) dbFlag(fs *flag.FlagSet) *string {
	db := new(string)
	e.dbVar(fs, db)
	return db
}

// dbVar adds --db to fs, kept in db.
func (e *env) dbVar(fs *flag.FlagSet, db *string) {
	def := e.getenv("CADRE_DB")
	if def == "" {
		def = "cadre.db"
	}
	fs.StringVar(db, "db", def, "database: a SQLite file path, or a postgres:// URL (env CADRE_DB)")
}

func (e *env) addrFlag(fs *flag.FlagSet) *string {
	def := e.getenv("CADRE_ADDR")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	return fs.String("addr", def, "address to listen on, host:port (env CADRE_ADDR)")
}

// binaryVersion is the version of this binary: as set at build time, else
// the module's, else "devel".
func binaryVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func cmdVersion(ctx context.Context, e *env) error {
	fs := e.flags("version", "", "Print the version of this binary and, with --db or CADRE_DB, the schema\nversion of that database.")
	db := e.dbFlag(fs)
	if err := e.parse(fs); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "cadre %s\n", binaryVersion())
	dbGiven := e.getenv("CADRE_DB") != ""
	fs.Visit(func(f *flag.Flag) { dbGiven = dbGiven || f.Name == "db" })
	if !dbGiven {
		return nil
	}
	if err := mustExist(*db); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	cur, latest, err := st.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "database %s: schema %d (this binary's: %d), %s\n", redact(*db), cur, latest, st.Dialect())
	return nil
}
