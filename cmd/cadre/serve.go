package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/cadrehq/cadre/connector"
	"github.com/cadrehq/cadre/identity"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/standings"
	"github.com/cadrehq/cadre/store"
	"github.com/cadrehq/cadre/worker"
)

const serveHelp = `Run the web interface and the JSON API. A new database is created with the
current schema; one whose schema is out of date is refused unless given --migrate.
SIGTERM or Ctrl-C stop it gracefully.

Webhook receivers, switched on by their secrets (kept out of the command line):
  POST /webhooks/github     CADRE_GITHUB_WEBHOOK_SECRET, checked against X-Hub-Signature-256
  POST /webhooks/discourse  CADRE_DISCOURSE_WEBHOOK_SECRET, checked against X-Discourse-Event-Signature;
                            CADRE_DISCOURSE_URL is the forum's address, for links

Every --sync-every the server syncs the sources "cadre sources" lists, one after
another; instances sharing a database take turns, never syncing a source twice
at once. "cadre sources" and GET /api/v1/sources show how the syncs went. With
--auto-merge, each round also merges the members that merge suggestions pair
with at least that confidence ("cadre merge --suggestions" shows them).`

func cmdServe(ctx context.Context, e *env) error {
	fs := e.flags("serve", "", serveHelp)
	db := e.dbFlags(fs)
	addr := e.addrFlag(fs)
	syncDefault := defaultSyncEvery
	if v := e.getenv("CADRE_SYNC_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return usagef("CADRE_SYNC_EVERY: %v", err)
		}
		syncDefault = d
	}
	syncEvery := fs.Duration("sync-every", syncDefault, "how often to sync the sources, such as 15m or 1h; 0 disables (env CADRE_SYNC_EVERY)")
	var mergeDefault float64
	if v := e.getenv("CADRE_AUTO_MERGE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return usagef("CADRE_AUTO_MERGE: %v", err)
		}
		mergeDefault = f
	}
	autoMerge := fs.Float64("auto-merge", mergeDefault, "merge suggested pairs of at least this confidence after each sync, e.g. 0.9; 0 never (env CADRE_AUTO_MERGE)")
	if err := e.parse(fs); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Args())
	}
	if *syncEvery < 0 {
		return usagef("--sync-every must not be negative")
	}
	if *autoMerge < 0 || *autoMerge > 1 {
		return usagef("--auto-merge is a confidence between 0 and 1")
	}
	st, err := openStore(ctx, e, db, creates)
	if err != nil {
		return err
	}
	defer st.Close()
	return serve(ctx, e, st, *addr, db.dsn, serveOptions{syncEvery: *syncEvery, autoMerge: *autoMerge})
}

// serveOptions are what serve does besides serving.
type serveOptions struct {
	syncEvery time.Duration // 0: no syncing
	autoMerge float64       // 0: no automatic merges
}

// defaultSyncEvery keeps sources about as fresh as a scheduled job would,
// without pressing the platforms' rate limits.
const defaultSyncEvery = 15 * time.Minute

// snapshotEvery is how old the stored standings may grow while they change.
const snapshotEvery = 10 * time.Minute

// watchInterval is how often a server catches up with changes made through
// other instances: well within the second the issue asks for.
const watchInterval = 250 * time.Millisecond

// serve listens on addr and serves until ctx ends, then drains requests.
// Beside the server, a worker keeps the standings current and syncs the
// configured sources as opt says; it stops after the server has drained and
// before the store closes, so that a sync under way records its outcome and
// releases its lease, and the standings are stored for the next start.
func serve(ctx context.Context, e *env, st *store.Store, addr, db string, opt serveOptions) error {
	live, err := standings.Open(ctx, st, e.log)
	if err != nil {
		return err
	}
	h, err := server.New(e.log, st, live, server.WithClock(st.Now), server.WithWebhooks(server.Webhooks{
		GitHubSecret:    []byte(e.getenv("CADRE_GITHUB_WEBHOOK_SECRET")),
		DiscourseSecret: []byte(e.getenv("CADRE_DISCOURSE_WEBHOOK_SECRET")),
		DiscourseURL:    e.getenv("CADRE_DISCOURSE_URL"),
	}))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	workCtx, stopWork := context.WithCancel(ctx)
	worked := make(chan struct{})
	go func() { worker.Run(workCtx, e.log, jobs(e, st, live, opt)...); close(worked) }()
	defer func() { stopWork(); <-worked }()
	e.log.Info("serving", "url", "http://"+ln.Addr().String(), "db", redact(db), "backend", st.Dialect())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	e.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// jobs are the worker's: the standings kept current (and stored now and then
// and on the way out), and, when switched on, the sources synced with
// automatic merges after each round.
func jobs(e *env, st *store.Store, live *standings.Live, opt serveOptions) []worker.Job {
	js := []worker.Job{{
		Name: "standings", Every: watchInterval,
		Run: func(ctx context.Context) error {
			if err := live.Refresh(ctx); err != nil {
				return err
			}
			return live.SaveIfDue(ctx, snapshotEvery)
		},
		Stop: live.Save,
	}}
	if opt.syncEvery > 0 {
		owner, im := connector.Owner(), st.NewImporter()
		js = append(js, worker.Job{
			Name: "sync", Every: opt.syncEvery,
			Run: func(ctx context.Context) error {
				if err := connector.SyncAll(ctx, e.log, st, im, owner, nil); err != nil {
					return fmt.Errorf("list sources to sync: %w", err)
				}
				if opt.autoMerge <= 0 || ctx.Err() != nil {
					return nil
				}
				done, err := identity.AutoMerge(ctx, st, opt.autoMerge, "auto-merge")
				for _, sg := range done {
					e.log.Info("merged automatically", "from", sg.From, "into", sg.Into, "confidence", sg.Confidence, "reason", sg.Reason)
				}
				if err != nil {
					return fmt.Errorf("automatic merges: %w", err)
				}
				return nil
			},
		})
	}
	return js
}
