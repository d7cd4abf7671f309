package main

import (
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cadrehq/cadre/mail/mailtest"
)

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHealthy polls /healthz until it answers 200.
func waitHealthy(t *testing.T, addr string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(body)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server at %s never became healthy", addr)
	return ""
}

// TestServeStopsOnSIGTERM runs the real binary and stops it the way service
// managers do: it must drain and exit 0.
func TestServeStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildCadre(t)
	db := migrated(t)
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", addr)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if body := waitHealthy(t, addr); !strings.Contains(body, "ok") {
		t.Fatalf("healthz = %s", body)
	}
	// serve is closed: no demo sign-in, no page without an account.
	if resp, err := http.PostForm("http://"+addr+"/login/demo", url.Values{"email": {"admin@demo.cadre.example"}}); err != nil || resp.StatusCode == 200 {
		t.Errorf("serve signs in a demo account: %v, %v", resp, err)
	}
	if resp, err := http.Get("http://" + addr + "/api/v1/members"); err != nil || resp.StatusCode != 401 {
		t.Errorf("serve answers an anonymous API call with %v, %v; want 401", resp, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not stop after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", stderr.String())
	}
}

// TestDemoServes starts a small demo and reads it back through the API.
func TestDemoServes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildCadre(t)
	db := t.TempDir() + "/demo.db"
	addr := freeAddr(t)
	cmd := exec.Command(bin, "demo", "--db", db, "--addr", addr, "--members", "300", "--activities", "5000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	waitHealthy(t, addr)
	// The login page offers the demo's accounts; one click signs in.
	page, err := http.Get("http://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	for _, role := range []string{"admin", "reviewer", "ambassador"} {
		if !strings.Contains(string(body), "Sign in as "+role) {
			t.Errorf("the demo's login page offers no %s:\n%s", role, body)
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if resp, err := client.PostForm("http://"+addr+"/login/demo", url.Values{"email": {"admin@demo.cadre.example"}}); err != nil || resp.StatusCode != 200 {
		t.Fatalf("one-click sign-in: %v, %v", resp, err)
	}
	resp, err := client.Get("http://" + addr + "/api/v1/members?status=ambassador&limit=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status": "ambassador"`) {
		t.Fatalf("demo ambassadors: %d %s", resp.StatusCode, body)
	}
	resp, err = client.Get("http://" + addr + "/api/v1/activities?type=mentoring&limit=10")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"mentee_id"`) {
		t.Fatalf("demo mentoring names no mentee: %s", body)
	}
	// Something to do on a first look: reviews, merges, a source.
	for path, want := range map[string]string{
		"/api/v1/reports":           `"duplicate_of"`,
		"/api/v1/merge-suggestions": `"confidence": 0.9`,
		"/api/v1/sources":           `"community-blog"`,
	} {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("demo %s: %d, lacks %s:\n%s", path, resp.StatusCode, want, body)
		}
	}
}

// TestServeDeliversMail runs the real binary with a mail server: an
// application on the public form is confirmed by mail, by the server's own
// mail job. --smtp-url without a sender is refused.
func TestServeDeliversMail(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildCadre(t)
	db := migrated(t)
	if code, _, stderr := cli(t, nil, "", "serve", "--db", db, "--smtp-url", "smtp://localhost:25"); code != exitUsage || !strings.Contains(stderr, "--mail-from") {
		t.Errorf("--smtp-url without --mail-from: exit %d, %s", code, stderr)
	}
	smtpd := mailtest.Start(t, "cadre", "s3cret")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", addr, "--smtp-url", smtpd.URL, "--mail-from", "Ambassadors <devrel@example.org>")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	waitHealthy(t, addr)
	resp, err := http.PostForm("http://"+addr+"/apply", url.Values{"name": {"Zoë"}, "email": {"zoe@example.org"}, "motivation": {"I write tutorials."}})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("apply: %v, %v", resp, err)
	}
	resp.Body.Close()
	got := smtpd.Wait(t, 1)
	if got[0].To[0] != "zoe@example.org" || got[0].From != "devrel@example.org" || !strings.Contains(got[0].Body, "Hello Zoë,") ||
		!strings.Contains(got[0].Body, "http://"+addr+"/application/") {
		t.Errorf("the confirmation: %+v\n%s", got[0], stderr.String())
	}
}
