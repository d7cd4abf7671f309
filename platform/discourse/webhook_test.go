package discourse

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cadrehq/cadre"
	"github.com/cadrehq/cadre/internal/realdata"
)

func TestVerifySignature(t *testing.T) {
	body, err := os.ReadFile(realdata.Path(t, "discourse", "discourse_api-posts_latest.json"))
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("webhook-secret-0123")
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	good := "sha256=" + hex.EncodeToString(mac.Sum(nil))

	flipped := append([]byte(nil), body...)
	flipped[len(flipped)/2] ^= 0x01
	tests := []struct {
		name   string
		secret []byte
		body   []byte
		header string
		want   error
	}{
		{"known answer", secret, body, good, nil},
		{"upper-case hex", secret, body, "sha256=" + strings.ToUpper(good[7:]), nil},
		{"flipped byte", secret, flipped, good, ErrSignatureMismatch},
		{"wrong secret", []byte("webhook-secret-0124"), body, good, ErrSignatureMismatch},
		{"no secret", nil, body, good, ErrNoSecret},
		{"missing header", secret, body, "", ErrSignatureMissing},
		{"bad hex", secret, body, "sha256=" + strings.Repeat("zz", 32), ErrSignatureMalformed},
		{"no prefix", secret, body, good[7:], ErrSignatureMalformed},
		{"other algorithm", secret, body, "sha1=" + good[7:], ErrSignatureMalformed},
		{"short", secret, body, good[:len(good)-2], ErrSignatureMalformed},
		{"long", secret, body, good + "00", ErrSignatureMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifySignature(tt.secret, tt.body, tt.header); !errors.Is(err, tt.want) {
				t.Errorf("VerifySignature = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestWebhookRecords(t *testing.T) {
	payload, err := os.ReadFile(filepath.Join("testdata", "webhook_post_created.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The same post as the real /posts.json sample lists it: the webhook
	// must make the same activity, but without likes, which webhooks leave
	// out.
	r, err := Open(realdata.Path(t, "discourse", "discourse_api-posts_latest.json"), testBase)
	if err != nil {
		t.Fatal(err)
	}
	fromAPI := readAll(t, r).recs
	if len(fromAPI) != 1 || fromAPI[0].ExternalID != "post:15" {
		t.Fatalf("posts sample: %+v, want post 15", fromAPI)
	}
	want := fromAPI[0]
	want.Metrics = nil

	edit := func(from, to string) []byte {
		t.Helper()
		if !strings.Contains(string(payload), from) {
			t.Fatalf("payload lacks %q", from)
		}
		return []byte(strings.Replace(string(payload), from, to, 1))
	}
	tests := []struct {
		name    string
		event   string
		body    []byte
		want    []cadre.ActivityRecord
		wantErr string
	}{
		{name: "post_created", event: "post_created", body: payload, want: []cadre.ActivityRecord{want}},
		{name: "post_edited", event: "post_edited", body: payload, want: []cadre.ActivityRecord{want}},
		{name: "other event", event: "topic_created", body: payload},
		{name: "ping", event: "ping", body: []byte(`{"ping": "OK"}`)},
		{name: "other event, bad body", event: "user_created", body: []byte("not json")},
		{name: "first post", event: "post_created", body: edit(`"post_number": 2`, `"post_number": 1`)},
		{name: "private message", event: "post_created", body: edit(`"topic_archetype": "regular"`, `"topic_archetype": "private_message"`)},
		{name: "bad JSON", event: "post_created", body: []byte(`{"post": `), wantErr: "discourse webhook post_created: unexpected end of JSON input"},
		{name: "no post", event: "post_edited", body: []byte(`{"topic": {}}`), wantErr: "discourse webhook post_edited: no post in the payload"},
		{name: "post missing username", event: "post_created", body: edit(`"username": "johndoe"`, `"username": null`),
			wantErr: "discourse webhook post_created: post 15: username: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WebhookRecords(tt.event, tt.body, testBase)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("WebhookRecords = %+v, %v; want error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WebhookRecords = %+v, %v\nwant %+v", got, err, tt.want)
			}
		})
	}
}
