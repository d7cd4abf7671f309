package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/connector"
	"github.com/cadrehq/cadre/identity"
	"github.com/cadrehq/cadre/mail"
	"github.com/cadrehq/cadre/notify"
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
with at least that confidence ("cadre merge --suggestions" shows them).

Everything but the login page, /healthz and the webhooks needs an account
("cadre users add"). CADRE_ADMIN_EMAIL and CADRE_ADMIN_PASSWORD create the first
admin when the server starts, once. Behind a TLS proxy, give --base-url
https://cadre.example.org: requests must then name that host (against DNS
rebinding) and session cookies are Secure (docs/OPERATIONS.md).

Invitations, confirmations, decisions and renewal outcomes are written to the
outbox with the change that causes them. With --smtp-url the server delivers
them, retrying with backoff while the mail server is down; without it they
wait, and the outbox page (/outbox, "cadre outbox") shows them with their
links so that you can send them your own way.`

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
	baseURL := fs.String("base-url", e.getenv("CADRE_BASE_URL"), "the address people reach the server at, such as https://cadre.example.org (env CADRE_BASE_URL)")
	issuer := fs.String("oidc-issuer", e.getenv("CADRE_OIDC_ISSUER"), "OpenID Connect provider for staff sign-in, such as https://accounts.google.com (env CADRE_OIDC_ISSUER; the client secret is CADRE_OIDC_CLIENT_SECRET)")
	clientID := fs.String("oidc-client-id", e.getenv("CADRE_OIDC_CLIENT_ID"), "this server's client id at the OpenID provider (env CADRE_OIDC_CLIENT_ID)")
	scopes := fs.String("oidc-scopes", "", "scopes to ask beyond openid, email and profile, comma-separated, such as groups")
	roleClaim := fs.String("oidc-role-claim", "", "the ID token claim whose values map to roles, such as groups")
	claimRoles := fs.String("oidc-claim-roles", "", "claim values to roles for new accounts, such as cadre-admins=admin,devrel=reviewer")
	domainRoles := fs.String("oidc-domain-roles", "", "email domains to roles for new accounts, such as example.com=viewer")
	smtpURL := fs.String("smtp-url", e.getenv("CADRE_SMTP_URL"), "mail server for the outbox, smtp://user:password@host:587 (STARTTLS) or smtps://…:465 (env CADRE_SMTP_URL)")
	mailFrom := fs.String("mail-from", e.getenv("CADRE_MAIL_FROM"), "sender of the program's mail, such as \"Ambassadors <devrel@example.org>\" (env CADRE_MAIL_FROM)")
	ghClientID := fs.String("github-client-id", e.getenv("CADRE_GITHUB_CLIENT_ID"), "GitHub OAuth app for ambassadors' sign-in (env CADRE_GITHUB_CLIENT_ID; the secret is CADRE_GITHUB_CLIENT_SECRET)")
	if err := e.parse(fs); err != nil {
		return err
	}
	base, err := parseBaseURL(*baseURL)
	if err != nil {
		return err
	}
	var ssoOpts []server.Option
	if *issuer != "" {
		roles, err := account.ParseSSORoles(*roleClaim, *claimRoles, *domainRoles)
		if err != nil {
			return usagef("%s", cadre.ErrorMessage(err))
		}
		var extra []string
		for _, sc := range strings.Split(*scopes, ",") {
			if sc = strings.TrimSpace(sc); sc != "" {
				extra = append(extra, sc)
			}
		}
		o, err := server.NewOIDC(ctx, server.OIDCConfig{Issuer: *issuer, ClientID: *clientID, ClientSecret: e.getenv("CADRE_OIDC_CLIENT_SECRET"),
			Scopes: extra, Roles: roles, BaseURL: base})
		if err != nil {
			return err
		}
		ssoOpts = append(ssoOpts, server.WithOIDC(o))
	}
	if *ghClientID != "" {
		g, err := server.NewGitHubLogin(server.GitHubLoginConfig{ClientID: *ghClientID, ClientSecret: e.getenv("CADRE_GITHUB_CLIENT_SECRET"), BaseURL: base})
		if err != nil {
			return err
		}
		ssoOpts = append(ssoOpts, server.WithGitHubLogin(g))
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Args())
	}
	sender, err := newSender(*smtpURL, *mailFrom)
	if err != nil {
		return err
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
	if err := bootstrapAdmin(ctx, e, st); err != nil {
		return err
	}
	return serve(ctx, e, st, *addr, db.dsn, serveOptions{syncEvery: *syncEvery, autoMerge: *autoMerge, baseURL: base, sso: ssoOpts, mail: sender})
}

// newSender is the mail server of --smtp-url, nil for none.
func newSender(smtpURL, from string) (mail.Sender, error) {
	switch {
	case smtpURL == "":
		return nil, nil
	case from == "":
		return nil, usagef("--smtp-url needs --mail-from, the sender's address")
	}
	s, err := mail.NewSMTP(smtpURL, from)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return s, nil
}

// linkBaseFlag is --base-url of the commands that write personal links
// (into messages and on standard output).
func (e *env) linkBaseFlag(fs *flag.FlagSet) *string {
	return fs.String("base-url", e.getenv("CADRE_BASE_URL"), "the address people reach the server at, for the links in messages (env CADRE_BASE_URL)")
}

// parseBaseURL reads --base-url: "" for none, else an http(s) address with
// a host and no path.
func parseBaseURL(v string) (*url.URL, error) {
	if v == "" {
		return nil, nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return nil, usagef("--base-url must be an address such as https://cadre.example.org, got %q", v)
	}
	return u, nil
}

// bootstrapAdmin creates the admin that CADRE_ADMIN_EMAIL and
// CADRE_ADMIN_PASSWORD name, unless the account exists: set-up by script,
// safe to repeat.
func bootstrapAdmin(ctx context.Context, e *env, st *store.Store) error {
	email, pw := e.getenv("CADRE_ADMIN_EMAIL"), e.getenv("CADRE_ADMIN_PASSWORD")
	switch {
	case email == "" && pw == "":
		return nil
	case email == "" || pw == "":
		return usagef("CADRE_ADMIN_EMAIL and CADRE_ADMIN_PASSWORD go together")
	}
	if _, err := st.UserByEmail(ctx, email); err == nil {
		return nil
	} else if cadre.ErrorCode(err) != cadre.ENOTFOUND {
		return err
	}
	if err := account.ValidPassword(pw); err != nil {
		return fmt.Errorf("CADRE_ADMIN_PASSWORD: %w", err)
	}
	hash, err := account.HashPassword(pw)
	if err != nil {
		return err
	}
	u := &account.User{Email: email, Role: account.Admin, PasswordHash: hash}
	if err := st.CreateUser(ctx, u, "CADRE_ADMIN_EMAIL"); err != nil {
		return err
	}
	e.log.Info("created the first admin", "email", u.Email)
	return nil
}

// serveOptions are what serve does besides serving.
type serveOptions struct {
	syncEvery time.Duration // 0: no syncing
	autoMerge float64       // 0: no automatic merges
	baseURL   *url.URL      // nil: none given
	// demoLogins are offered for one-click sign-in: cadre demo only.
	demoLogins []server.DemoLogin
	sso        []server.Option // single sign-on, when configured
	mail       mail.Sender     // nil: the outbox waits
}

// mailEvery is how often the outbox is looked at: a message goes out within
// seconds of the change that wrote it.
const mailEvery = 5 * time.Second

// remindEvery is how often overdue commitments are looked at: each owner
// hears of one once a day (session.RemindEvery), within the hour it falls
// overdue.
const remindEvery = time.Hour

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
	opts := append([]server.Option{server.WithClock(st.Now), server.WithWebhooks(server.Webhooks{
		GitHubSecret:    []byte(e.getenv("CADRE_GITHUB_WEBHOOK_SECRET")),
		DiscourseSecret: []byte(e.getenv("CADRE_DISCOURSE_WEBHOOK_SECRET")),
		DiscourseURL:    e.getenv("CADRE_DISCOURSE_URL"),
	}), server.WithBaseURL(opt.baseURL), server.WithDemoLogins(opt.demoLogins)}, opt.sso...)
	if opt.mail != nil {
		opts = append(opts, server.WithMailServer())
	}
	h, err := server.New(e.log, st, live, opts...)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if host, _, err := net.SplitHostPort(ln.Addr().String()); err == nil && opt.baseURL == nil {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			e.log.Warn("serving beyond this machine without --base-url: requests are not checked against DNS rebinding and cookies are not Secure", "addr", ln.Addr().String())
		}
	}
	// Timeouts, so that slow clients cannot hold connections: a header in
	// 10 s, a whole request (a webhook's 25 MB) in a minute.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
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
// and on the way out), the reminders of overdue commitments, and, when
// switched on, the sources synced with automatic merges after each round and
// the outbox delivered.
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
	client := &http.Client{Timeout: 30 * time.Second}
	js = append(js, worker.Job{
		Name: "webhooks", Every: mailEvery,
		Run: func(ctx context.Context) error {
			if _, err := st.TellClosedSurveys(ctx, st.Now()); err != nil {
				return err
			}
			sent, failed, err := notify.Deliver(ctx, st, client, st.Now, e.log)
			if sent+failed > 0 {
				e.log.Info("webhooks delivered", "sent", sent, "failed", failed)
			}
			return err
		},
	})
	js = append(js, worker.Job{
		Name: "reminders", Every: remindEvery,
		Run: func(ctx context.Context) error {
			return live.Read(ctx, 0, func(eng *standings.Engine) error {
				n, err := server.RemindOverdue(ctx, st, st.Now(), eng.Criteria().Location(), opt.baseURL)
				if n > 0 {
					e.log.Info("owners of overdue commitments reminded", "reminded", n)
				}
				return err
			})
		},
	})
	if opt.mail != nil {
		js = append(js, worker.Job{
			Name: "mail", Every: mailEvery,
			Run: func(ctx context.Context) error {
				sent, failed, err := mail.Deliver(ctx, st, opt.mail, st.Now, e.log)
				if sent+failed > 0 {
					e.log.Info("outbox delivered", "sent", sent, "failed", failed)
				}
				return err
			},
		})
	}
	return js
}
