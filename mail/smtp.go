package mail

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// SMTP delivers messages through a mail server.
type SMTP struct {
	addr        string // host:port
	host        string
	implicitTLS bool
	auth        smtp.Auth
	from        *mail.Address
	// TLS is the configuration of the TLS connection; nil for the system's
	// roots and the server's name. Tests set their own roots.
	TLS *tls.Config
}

// sendTimeout bounds one delivery, from dialling to QUIT.
const sendTimeout = 30 * time.Second

// NewSMTP reads the mail server's URL, smtp://[user:password@]host[:port]
// (port 587 by default; STARTTLS when the server offers it, which it must
// when a password is given) or smtps://… (TLS from the start, port 465),
// and the sender's address, such as "Ambassadors <devrel@example.org>".
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	s := &SMTP{host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		port = cmp.Or(port, "587")
	case "smtps":
		port, s.implicitTLS = cmp.Or(port, "465"), true
	default:
		return nil, fmt.Errorf("smtp url: the scheme must be smtp or smtps, got %q", u.Scheme)
	}
	if s.host == "" {
		return nil, fmt.Errorf("smtp url %q names no host", redact(u))
	}
	s.addr = net.JoinHostPort(s.host, port)
	if pw, ok := u.User.Password(); ok {
		s.auth = smtp.PlainAuth("", u.User.Username(), pw, s.host)
	}
	if s.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("sender address %q: %w", from, err)
	}
	return s, nil
}

func redact(u *url.URL) string {
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}

// String names the server, for logs.
func (s *SMTP) String() string { return s.addr }

// Send delivers m. net/smtp takes no context, so the connection's deadline
// is the earlier of the context's and sendTimeout.
func (s *SMTP) Send(ctx context.Context, m *cadre.Mail) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(sendTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	d := net.Dialer{Deadline: deadline}
	var conn net.Conn
	if s.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: s.tlsConfig()}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", s.addr, err)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		_ = conn.Close()
		return err
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("greet %s: %w", s.addr, err)
	}
	defer func() { _ = c.Close() }()
	if ok, _ := c.Extension("STARTTLS"); ok && !s.implicitTLS {
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return fmt.Errorf("starttls with %s: %w", s.addr, err)
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("sign in to %s: %w", s.addr, err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("send from %s: %w", s.from.Address, err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("send to %s: %w", m.To, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("send to %s: %w", m.To, err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("send to %s: %w", m.To, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("send to %s: %w", m.To, err)
	}
	return c.Quit()
}

func (s *SMTP) tlsConfig() *tls.Config {
	if s.TLS != nil {
		return s.TLS
	}
	return &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
}

// message is m as RFC 5322 text: UTF-8, quoted-printable, with a
// Message-ID of the sender's domain.
func (s *SMTP) message(m *cadre.Mail) ([]byte, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, cadre.Errorf(cadre.EINVALID, "recipient %q: %w", m.To, err)
	}
	id := make([]byte, 12)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	domain := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]
	var b bytes.Buffer
	for _, h := range [][2]string{
		{"From", s.from.String()},
		{"To", to.String()},
		{"Subject", mime.QEncoding.Encode("utf-8", m.Subject)},
		{"Date", time.Now().UTC().Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(id) + "@" + domain + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
	} {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
