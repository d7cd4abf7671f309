// Package mailtest runs a real SMTP server on loopback for tests, one that
// keeps what it receives so that a test can read the messages as their
// recipients would.
package mailtest

import (
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is a message as delivered: its envelope, headers and decoded
// text.
type Message struct {
	From    string
	To      []string
	Header  mail.Header
	Subject string // decoded
	Body    string // decoded, with \n line ends
}

// Server is an SMTP server that keeps the messages it accepts.
type Server struct {
	// URL is the server's address for cadre serve --smtp-url, with the
	// user and password when it asks for them.
	URL string

	srv      *smtp.Server
	user, pw string

	mu       sync.Mutex
	messages []Message
	refuse   func(to string) error
	arrived  chan struct{}
}

// Start starts a server on 127.0.0.1 until the test ends. With user and
// password not empty it asks clients to sign in with them (AUTH PLAIN).
func Start(tb testing.TB, user, password string) *Server {
	tb.Helper()
	s := &Server{user: user, pw: password, arrived: make(chan struct{}, 1000)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true // loopback, and net/smtp sends PLAIN without TLS only to localhost
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = s.srv.Serve(ln) }()
	tb.Cleanup(func() { _ = s.srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	s.URL = "smtp://localhost:" + strconv.Itoa(port)
	if user != "" {
		s.URL = "smtp://" + user + ":" + password + "@localhost:" + strconv.Itoa(port)
	}
	return s
}

// Refuse makes the server refuse recipients for which fn returns an error
// (a *smtp.SMTPError says which reply); nil accepts everyone again.
func (s *Server) Refuse(fn func(to string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = fn
}

// Messages returns what arrived so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Wait returns the messages once at least n arrived, or fails the test
// when they have not after a minute: a bound for a lost message, not a
// measure of speed.
func (s *Server) Wait(tb testing.TB, n int) []Message {
	tb.Helper()
	deadline := time.After(time.Minute)
	for {
		if ms := s.Messages(); len(ms) >= n {
			return ms
		}
		select {
		case <-s.arrived:
		case <-deadline:
			tb.Fatalf("%d messages arrived, want %d", len(s.Messages()), n)
		}
	}
}

type session struct {
	s      *Server
	from   string
	to     []string
	signed bool
}

func (se *session) AuthMechanisms() []string {
	if se.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pw string) error {
		if user != se.s.user || pw != se.s.pw {
			return errors.New("wrong user or password")
		}
		se.signed = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.user != "" && !se.signed {
		return smtp.ErrAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.s.mu.Lock()
	refuse := se.s.refuse
	se.s.mu.Unlock()
	if refuse != nil {
		if err := refuse(to); err != nil {
			return err
		}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body := msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	m := Message{From: se.from, To: se.to, Header: msg.Header, Subject: subject, Body: strings.ReplaceAll(string(text), "\r\n", "\n")}
	se.s.mu.Lock()
	se.s.messages = append(se.s.messages, m)
	se.s.mu.Unlock()
	se.s.arrived <- struct{}{}
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }
