package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/account"
	"github.com/cadrehq/cadre/server"
	"github.com/cadrehq/cadre/store"
)

const usersHelp = `Manage the accounts that sign in to Cadre. Roles: admin (everything), reviewer
(reviews reports, applications and merges; reads everything), viewer (reads,
sees no email addresses), ambassador (their own data only; --member names them).

  cadre users                                   list the accounts
  cadre users add --email E --role R [--member M]
  cadre users passwd E                          set a new password (ends its sessions)
  cadre users remove E

Passwords are read from the terminal, or from standard input when it is not
one (one line). They need at least 12 characters.`

func cmdUsers(ctx context.Context, e *env) error {
	fs := e.flags("users", "[add|passwd|remove] [EMAIL]", usersHelp)
	db := e.dbFlags(fs)
	email := fs.String("email", "", "add: the account's email address")
	role := fs.String("role", "", "add: admin, reviewer, viewer or ambassador")
	member := fs.String("member", "", "add, for an ambassador: the member (ID, email or platform:handle)")
	noPassword := fs.Bool("no-password", false, "add: no password (the account signs in through single sign-on only)")
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	// The first account may be what a new database is made for.
	use := existing
	if sub == "add" {
		use = creates
	}
	st, err := openStore(ctx, e, db, use)
	if err != nil {
		return err
	}
	defer st.Close()
	who := e.actor(*actor)
	switch sub {
	case "":
		return listUsers(ctx, e, st)
	case "add":
		if len(args) > 0 {
			return usagef("users add takes --email, not arguments")
		}
		r, err := account.ParseRole(*role)
		if err != nil {
			return usagef("--role: %s", cadre.ErrorMessage(err))
		}
		u := &account.User{Email: *email, Role: r}
		if *member != "" {
			if u.MemberID, err = st.FindMember(ctx, *member); err != nil {
				return err
			}
		}
		if err := u.Validate(); err != nil {
			return err
		}
		if !*noPassword {
			if u.PasswordHash, err = newPassword(e, "Password for "+u.Email+": "); err != nil {
				return err
			}
		}
		if err := st.CreateUser(ctx, u, who); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "added %s as %s\n", u.Email, u.Role)
		return nil
	case "passwd", "remove":
		if len(args) != 1 {
			return usagef("users %s takes one EMAIL", sub)
		}
		if sub == "remove" {
			if err := st.DeleteUser(ctx, args[0], who); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "removed %s, with its sessions and tokens\n", args[0])
			return nil
		}
		hash, err := newPassword(e, "New password for "+args[0]+": ")
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, args[0], hash, who); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "password of %s set; its sessions are ended\n", args[0])
		return nil
	}
	return usagef("unknown users subcommand %q: add, passwd or remove", sub)
}

func listUsers(ctx context.Context, e *env, st *store.Store) error {
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(e.stderr, `no accounts yet; add one with "cadre users add --email E --role admin"`)
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tROLE\tMEMBER\tSIGN-IN\tCREATED")
	for _, u := range users {
		member, signIn := "", "password"
		if u.MemberID != 0 {
			member = strconv.FormatInt(u.MemberID, 10)
		}
		if u.PasswordHash == "" {
			signIn = "single sign-on"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.Role, member, signIn, u.CreatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}

// newPassword reads a new password, from the terminal without echo (asked
// twice) or as one line of standard input, and returns its hash.
func newPassword(e *env, prompt string) (string, error) {
	var pw string
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(e.stderr, "Again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(b) != string(again) {
			return "", cadre.Errorf(cadre.EINVALID, "the two passwords differ")
		}
		pw = string(b)
	} else {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", cadre.Errorf(cadre.EINVALID, "no password on standard input: give it as one line")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if err := account.ValidPassword(pw); err != nil {
		return "", err
	}
	return account.HashPassword(pw)
}

const tokensHelp = `Manage API tokens: a script sends one as "Authorization: Bearer TOKEN" to
/api/v1 and acts with its account's role; a read token never changes anything.

  cadre tokens                                  list the tokens in force, with their last use
  cadre tokens create --name N --scope read|write [--user E] [--expires D]
  cadre tokens revoke ID

create prints the token alone on standard output, once: it is stored hashed.`

func cmdTokens(ctx context.Context, e *env) error {
	fs := e.flags("tokens", "[create|revoke] [ID]", tokensHelp)
	db := e.dbFlags(fs)
	name := fs.String("name", "", "create: what the token is for, such as \"nightly export\"")
	scope := fs.String("scope", "read", "create: read or write")
	user := fs.String("user", "", "create: the account the token acts as (default: the only admin)")
	var expires atFlag
	fs.Var(&expires, "expires", "create: when the token stops working, a date or RFC 3339 time (default never)")
	actor := actorFlag(fs)
	args, err := e.parseMixed(fs)
	if err != nil {
		return err
	}
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	st, err := openStore(ctx, e, db, existing)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "":
		toks, err := st.Tokens(ctx, 0)
		if err != nil {
			return err
		}
		users, err := st.Users(ctx)
		if err != nil {
			return err
		}
		emails := map[int64]string{}
		for _, u := range users {
			emails[u.ID] = u.Email
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tUSER\tEXPIRES\tLAST USED")
		for _, t := range toks {
			j := server.NewTokenJSON(&t)
			exp, used := "never", "never"
			if j.ExpiresAt != nil {
				exp = j.ExpiresAt.Format(time.RFC3339)
			}
			if j.LastUsed != nil {
				used = j.LastUsed.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Scope, emails[t.UserID], exp, used)
		}
		return tw.Flush()
	case "create":
		u, err := tokenUser(ctx, st, *user)
		if err != nil {
			return err
		}
		tok, secret, err := account.NewToken(*name, u.ID, account.Scope(*scope), st.Now(), expires.t)
		if err != nil {
			return err
		}
		if err := st.CreateToken(ctx, tok, e.actor(*actor)); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, secret)
		fmt.Fprintf(e.stderr, "token %d (%s) for %s: keep it now, it is not shown again\n", tok.ID, tok.Scope, u.Email)
		return nil
	case "revoke":
		if len(args) != 1 {
			return usagef("tokens revoke takes one ID")
		}
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return usagef("tokens revoke: %q is no token ID", args[0])
		}
		if err := st.RevokeToken(ctx, id, 0, e.actor(*actor)); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "token %d revoked\n", id)
		return nil
	}
	return usagef("unknown tokens subcommand %q: create or revoke", sub)
}

// tokenUser is the account a new token acts as: the one named, or the only
// admin.
func tokenUser(ctx context.Context, st *store.Store, email string) (*account.User, error) {
	if email != "" {
		return st.UserByEmail(ctx, email)
	}
	users, err := st.Users(ctx)
	if err != nil {
		return nil, err
	}
	var admins []account.User
	for _, u := range users {
		if u.Role == account.Admin {
			admins = append(admins, u)
		}
	}
	if len(admins) != 1 {
		return nil, usagef("there are %d admin accounts: name the token's with --user", len(admins))
	}
	return &admins[0], nil
}
