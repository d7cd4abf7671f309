package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store"
)

const serveHelp = `Run the web interface and the JSON API. The server refuses a database whose
schema is out of date unless given --migrate. SIGTERM or Ctrl-C stop it gracefully.

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
	db := e.dbFlag(fs)
	addr := e.addrFlag(fs)
	migrate := fs.Bool("migrate", false, "apply pending database migrations before serving")
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
	st, err := openStore(ctx, e, *db, *migrate)
	if err != nil {
		return err
	}
	defer st.Close()
	return serve(ctx, e, st, *addr, *db, serveOptions{syncEvery: *syncEvery, autoMerge: *autoMerge})
}

// serveOptions are what serve does besides serving.
type serveOptions struct {
	syncEvery time.Duration // 0: no syncing
	autoMerge float64       // 0: no automatic merges
}

// defaultSyncEvery keeps sources about as fresh as a scheduled job would,
// without pressing the platforms' rate limits.
const defaultSyncEvery = 15 * time.Minute

// watchInterval is how often a server catches up with changes made through
// other instances: well within the second the issue asks for.
const watchInterval = 250 * time.Millisecond

// serve listens on addr and serves until ctx ends, then drains requests. It
// syncs the configured sources as opt says.
func serve(ctx context.Context, e *env, st *store.Store, addr, db string, opt serveOptions) error {
	h, err := server.New(e.log, st, server.WithWebhooks(server.Webhooks{
		GitHubSecret:    []byte(e.getenv("CADRE_GITHUB_WEBHOOK_SECRET")),
		DiscourseSecret: []byte(e.getenv("CADRE_DISCOURSE_WEBHOOK_SECRET")),
		DiscourseURL:    e.getenv("CADRE_DISCOURSE_URL"),
	}), server.WithAutoMerge(opt.autoMerge))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { h.Watch(watchCtx, watchInterval); close(watched) }()
	defer func() { stopWatch(); <-watched }()
	if syncEvery := opt.syncEvery; syncEvery > 0 {
		// Stopped before the store closes, so that a sync under way records
		// its outcome and releases its lease.
		syncCtx, stopSync := context.WithCancel(ctx)
		synced := make(chan struct{})
		go func() { h.Sync(syncCtx, syncEvery); close(synced) }()
		defer func() { stopSync(); <-synced }()
	}
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
