package github

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/internal/realdata"
)

func readPayload(t testing.TB, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(realdata.Path(t, "github-webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// mergedVariant turns the real delivery of a pull request closed without a
// merge into one of the same pull request merged.
func mergedVariant(t testing.TB) []byte {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(readPayload(t, "pull_request.closed.payload.json"), &body); err != nil {
		t.Fatal(err)
	}
	pr := body["pull_request"].(map[string]any)
	pr["merged"] = true
	pr["merged_at"] = "2019-05-15T15:20:40Z"
	pr["merged_by"] = body["sender"]
	out, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWebhookRecords(t *testing.T) {
	const codertocat, userID = "Codertocat", "21031067"
	tests := []struct {
		name, event string
		body        []byte
		want        []cadre.ActivityRecord
	}{
		{"issue opened", "issues", readPayload(t, "issues.opened.payload.json"), []cadre.ActivityRecord{
			inThread("Codertocat/Hello-World#1", false, record("feedback", "issue:444500041", "2019-05-15T15:20:18Z", codertocat, userID, false,
				"https://github.com/Codertocat/Hello-World/issues/1", "Spelling error in the README file")),
		}},
		{"issue comment created", "issue_comment", readPayload(t, "issue_comment.created.payload.json"), []cadre.ActivityRecord{
			inThread("Codertocat/Hello-World#1", false, record("forum", "issue_comment:492700400", "2019-05-15T15:20:21Z", codertocat, userID, false,
				"https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400", "Spelling error in the README file")),
		}},
		{"review submitted", "pull_request_review", readPayload(t, "pull_request_review.submitted.payload.json"), []cadre.ActivityRecord{
			inThread("Codertocat/Hello-World#2", false, record("forum", "review:237895671", "2019-05-15T15:20:38Z", codertocat, userID, false,
				"https://github.com/Codertocat/Hello-World/pull/2#pullrequestreview-237895671", "Update the README with new information.")),
		}},
		{"pull request merged", "pull_request", mergedVariant(t), []cadre.ActivityRecord{
			// The review's pull request, now merged: one thread.
			inThread("Codertocat/Hello-World#2", true, record("code", "pull_request:279147437", "2019-05-15T15:20:40Z", codertocat, userID, false,
				"https://github.com/Codertocat/Hello-World/pull/2", "Update the README with new information.")),
		}},
		{"pull request closed unmerged", "pull_request", readPayload(t, "pull_request.closed.payload.json"), nil},
		{"pull request opened", "pull_request", readPayload(t, "pull_request.opened.payload.json"), nil},
		{"push", "push", readPayload(t, "push.payload.json"), nil},
		{"unmapped event, unread body", "ping", []byte(`not even JSON`), nil},
		{"comment delivered as issues", "issues", readPayload(t, "issue_comment.created.payload.json"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WebhookRecords(tt.event, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d records %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if !equalRecords(got[i], tt.want[i]) {
					t.Errorf("got  %+v\nwant %+v", got[i], tt.want[i])
				}
			}
		})
	}
}

func TestWebhookDiscussionComment(t *testing.T) {
	const body = `{"action":"created","discussion":{"title":"How do I log in?","answer_html_url":%q},
		"comment":{"id":1003,"html_url":"https://github.com/o/r/discussions/7#discussioncomment-1003",
		"user":{"login":"helper","id":55,"type":"User"},"created_at":"2024-02-01T10:00:00Z"},
		"sender":{"login":"helper","id":55}}`
	want := record("forum", "discussion_comment:1003", "2024-02-01T10:00:00Z", "helper", "55", false,
		"https://github.com/o/r/discussions/7#discussioncomment-1003", "How do I log in?")
	// The discussion's payload has no address: the comment's names it. A
	// discussion with an answer is solved, whichever comment it is.
	tests := []struct {
		name   string
		answer string
		solved bool
		thread cadre.Thread
	}{
		{"the chosen answer", "https://github.com/o/r/discussions/7#discussioncomment-1003", true, cadre.Thread{ID: "o/r#7", Solved: true, HasSolved: true}},
		{"another answer chosen", "https://github.com/o/r/discussions/7#discussioncomment-9", false, cadre.Thread{ID: "o/r#7", Solved: true, HasSolved: true}},
		{"no answer", "", false, cadre.Thread{ID: "o/r#7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WebhookRecords("discussion_comment", []byte(strings.Replace(body, "%q", `"`+tt.answer+`"`, 1)))
			if err != nil {
				t.Fatal(err)
			}
			want := want
			want.Thread = tt.thread
			if tt.solved {
				want.Metrics = map[string]float64{"solved": 1}
			}
			if len(got) != 1 || !equalRecords(got[0], want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestWebhookBadBodies(t *testing.T) {
	tests := []struct {
		name, event, body, reason string
	}{
		{"malformed", "issues", `{"action":"opened",`, "invalid JSON"},
		{"empty", "issue_comment", ``, "body: empty"},
		{"not an object", "issues", `"opened"`, "body: got a JSON string, want an object"},
		{"wrong-typed id", "issue_comment", `{"action":"created","comment":{"id":"12","user":{"login":"a"},"created_at":"2024-02-01T10:00:00Z"}}`, "comment.id: got a JSON string, want an integer"},
		{"missing id", "pull_request_review", `{"action":"submitted","review":{"user":{"login":"a"},"submitted_at":"2024-02-01T10:00:00Z"}}`, "review.id: missing"},
		{"missing object", "issues", `{"action":"opened","sender":{"login":"a"}}`, "issue: missing"},
		// A webhook has no event time to fall back to.
		{"missing time", "issues", `{"action":"opened","issue":{"id":3,"user":{"login":"a"}}}`, "issue.created_at: missing"},
		{"missing author", "issues", `{"action":"opened","issue":{"id":3,"created_at":"2024-02-01T10:00:00Z"}}`, "issue.user: missing"},
		{"wrong-typed sender", "issues", `{"action":"closed","sender":[]}`, "sender: got a JSON array, want an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := WebhookRecords(tt.event, []byte(tt.body))
			if err == nil {
				t.Fatalf("no error; records %+v", recs)
			}
			if cadre.ErrorCode(err) != cadre.EINVALID || !strings.Contains(err.Error(), tt.reason) || !strings.HasPrefix(cadre.ErrorMessage(err), tt.event+" webhook: ") {
				t.Errorf("error %q (code %s), want an invalid error saying %q", err, cadre.ErrorCode(err), tt.reason)
			}
		})
	}
}

// TestWebhookAndArchiveAgree builds GH Archive lines from the real webhook
// deliveries, as GH Archive records the same events, and checks that both
// ways make the same activity.
func TestWebhookAndArchiveAgree(t *testing.T) {
	tests := []struct {
		event, archiveType string
		body               []byte
	}{
		{"issues", "IssuesEvent", readPayload(t, "issues.opened.payload.json")},
		{"issue_comment", "IssueCommentEvent", readPayload(t, "issue_comment.created.payload.json")},
		{"pull_request_review", "PullRequestReviewEvent", readPayload(t, "pull_request_review.submitted.payload.json")},
		{"pull_request", "PullRequestEvent", mergedVariant(t)},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			hooked, err := WebhookRecords(tt.event, tt.body)
			if err != nil || len(hooked) != 1 {
				t.Fatalf("WebhookRecords: %v, %+v", err, hooked)
			}

			var body map[string]any
			if err := json.Unmarshal(tt.body, &body); err != nil {
				t.Fatal(err)
			}
			sender, repo := body["sender"].(map[string]any), body["repository"].(map[string]any)
			delete(body, "sender")
			delete(body, "repository")
			delete(body, "installation")
			if body["action"] == "submitted" {
				body["action"] = "created" // as GH Archive has it
			}
			line, err := json.Marshal(map[string]any{
				"id": "9000000001", "type": tt.archiveType, "public": true, "created_at": "2019-05-15T15:21:00Z",
				"actor": map[string]any{"id": sender["id"], "login": sender["login"], "display_login": sender["login"], "url": sender["url"]},
				"repo":  map[string]any{"id": repo["id"], "name": repo["full_name"], "url": repo["url"]},
				// The object the webhook names, in the payload the archive carries.
				"payload": body,
			})
			if err != nil {
				t.Fatal(err)
			}
			archived := readAll(t, NewArchiveReader(bytes.NewReader(line), "built.json"))
			if len(archived) != 1 {
				t.Fatalf("archive: %d records, want 1", len(archived))
			}
			if archived[0].ExternalID != hooked[0].ExternalID {
				t.Errorf("archive external id %s, webhook %s", archived[0].ExternalID, hooked[0].ExternalID)
			}
			if !equalRecords(archived[0], hooked[0]) {
				t.Errorf("archive %+v\nwebhook %+v", archived[0], hooked[0])
			}
		})
	}
}

func TestVerifySignature(t *testing.T) {
	var vector struct {
		Secret    string `json:"secret"`
		Payload   string `json:"payload"`
		Signature string `json:"x_hub_signature_256"`
	}
	if err := json.Unmarshal(readPayload(t, "signature-test-vector.json"), &vector); err != nil {
		t.Fatal(err)
	}
	secret, body := []byte(vector.Secret), []byte(vector.Payload)
	flipped := bytes.Clone(body)
	flipped[0] ^= 1
	digest := strings.TrimPrefix(vector.Signature, "sha256=")

	// A real delivery body, signed here with a test secret.
	delivery := readPayload(t, "issue_comment.created.payload.json")
	mac := hmac.New(sha256.New, []byte("test secret"))
	mac.Write(delivery)
	deliverySig := "sha256=" + hex.EncodeToString(mac.Sum(nil))

	tests := []struct {
		name   string
		secret []byte
		body   []byte
		header string
		want   error // nil for a match
		detail string
	}{
		{"the GitHub Docs vector", secret, body, vector.Signature, nil, ""},
		{"upper-case hex", secret, body, "sha256=" + strings.ToUpper(digest), nil, ""},
		{"a signed delivery", []byte("test secret"), delivery, deliverySig, nil, ""},
		{"a flipped body byte", secret, flipped, vector.Signature, ErrBadSignature, ""},
		{"a flipped delivery byte", []byte("test secret"), append(bytes.Clone(delivery[:100]), delivery[101:]...), deliverySig, ErrBadSignature, ""},
		{"a wrong secret", []byte("It's a secret to nobody"), body, vector.Signature, ErrBadSignature, ""},
		{"a flipped signature digit", secret, body, "sha256=8" + digest[1:], ErrBadSignature, ""},
		{"no header", secret, body, "", ErrNoSignature, ""},
		{"no secret configured", nil, body, vector.Signature, ErrNoSecret, ""},
		{"sha1", secret, body, "sha1=" + digest[:40], ErrMalformedSignature, `"sha1="`},
		{"no scheme", secret, body, digest, ErrMalformedSignature, "want \"sha256=\""},
		{"bad hex", secret, body, "sha256=" + strings.Repeat("zz", 32), ErrMalformedSignature, "not hex"},
		{"short digest", secret, body, "sha256=" + digest[:62], ErrMalformedSignature, "62 characters"},
		{"padded", secret, body, " " + vector.Signature, ErrMalformedSignature, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.secret, tt.body, tt.header)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("VerifySignature: %v, want a match", err)
			case tt.want == nil:
				return
			case !errors.Is(err, tt.want):
				t.Fatalf("VerifySignature: %v, want %v", err, tt.want)
			case !strings.Contains(err.Error(), tt.detail):
				t.Errorf("error %q does not say %q", err, tt.detail)
			}
			if code := cadre.ErrorCode(err); code != cadre.EUNAUTHORIZED {
				t.Errorf("code %s, want %s", code, cadre.EUNAUTHORIZED)
			}
		})
	}
	// The refusals are told apart.
	all := []error{ErrNoSecret, ErrNoSignature, ErrMalformedSignature, ErrBadSignature}
	for i, a := range all {
		for _, b := range all[i+1:] {
			if errors.Is(a, b) || a.Error() == b.Error() {
				t.Errorf("%v and %v are not distinct", a, b)
			}
		}
	}
}

func FuzzWebhookRecords(f *testing.F) {
	for _, tt := range []struct{ event, file string }{
		{"issues", "issues.opened.payload.json"},
		{"issue_comment", "issue_comment.created.payload.json"},
		{"pull_request", "pull_request.closed.payload.json"},
		{"pull_request_review", "pull_request_review.submitted.payload.json"},
		{"push", "push.payload.json"},
	} {
		f.Add(tt.event, readPayload(f, tt.file))
	}
	f.Add("pull_request", mergedVariant(f))
	f.Add("discussion_comment", []byte(`{"action":"created","comment":{"id":1,"html_url":"u","created_at":"2024-02-01T10:00:00Z"},"discussion":{"answer_html_url":"u"},"sender":{"login":"s"}}`))
	f.Add("pull_request_review_comment", []byte(`{"action":"created","comment":{"id":1,"user":null,"created_at":"2024-02-01T10:00:00+02:00"},"sender":{"login":"s[bot]"}}`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		recs, err := WebhookRecords(event, body)
		if err != nil {
			if recs != nil || cadre.ErrorCode(err) != cadre.EINVALID {
				t.Fatalf("error %v (code %s) with records %+v", err, cadre.ErrorCode(err), recs)
			}
			return
		}
		if len(recs) > 1 {
			t.Fatalf("%d records from one delivery", len(recs))
		}
		for _, rec := range recs {
			if archiveType(event) == "" {
				t.Fatalf("a record from event %q", event)
			}
			if rec.Type == "" || rec.ExternalID == "" || rec.OccurredAt.IsZero() || rec.Member.Handle == "" ||
				rec.Member.Platform != "github" || rec.Source != "github" {
				t.Fatalf("incomplete record %+v", rec)
			}
		}
		// encoding/json must accept every body that makes a record.
		if len(recs) == 1 && !json.Valid(body) {
			t.Fatalf("a record from invalid JSON %q", body)
		}
	})
}

func BenchmarkVerifySignature(b *testing.B) {
	body := bytes.Repeat([]byte(`{"action":"created","comment":{"body":"lorem ipsum"}}`), 25<<10/52)
	secret := []byte("webhook secret")
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	header := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifySignature(secret, body, header); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
