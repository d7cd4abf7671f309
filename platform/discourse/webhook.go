package discourse

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cadrehq/cadre"
)

// Webhook headers Discourse sends with every delivery.
const (
	EventHeader     = "X-Discourse-Event"
	SignatureHeader = "X-Discourse-Event-Signature"
	// InstanceHeader holds the forum's address, a possible base for
	// WebhookRecords.
	InstanceHeader = "X-Discourse-Instance"
)

// Errors of VerifySignature, for telling a misconfigured webhook from a
// forged delivery.
var (
	ErrNoSecret           = errors.New("discourse webhook: no secret configured")
	ErrSignatureMissing   = errors.New("discourse webhook: " + SignatureHeader + " header missing")
	ErrSignatureMalformed = errors.New("discourse webhook: malformed " + SignatureHeader + ", want sha256= and 64 hex digits")
	ErrSignatureMismatch  = errors.New("discourse webhook: signature does not match the body")
)

// VerifySignature checks header, the X-Discourse-Event-Signature of a
// delivery, against the raw body: "sha256=" and the hex HMAC-SHA256 of body
// under secret. An empty secret is refused, since anyone could sign with it.
func VerifySignature(secret, body []byte, header string) error {
	if len(secret) == 0 {
		return ErrNoSecret
	}
	if header == "" {
		return ErrSignatureMissing
	}
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(hexSum) != hex.EncodedLen(sha256.Size) {
		return ErrSignatureMalformed
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return ErrSignatureMalformed
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrSignatureMismatch
	}
	return nil
}

// WebhookRecords returns the activities of a verified delivery: event is its
// X-Discourse-Event and body its payload. post_created and post_edited carry
// {"post": {...}}, mapped as Record maps API posts, so a post seen both ways
// is one activity; they yield no record when the post is not a reply. Other
// events yield none. base is the forum's address for URLs, as configured or
// from the X-Discourse-Instance header; "" leaves them out.
func WebhookRecords(event string, body []byte, base string) ([]cadre.ActivityRecord, error) {
	switch event {
	case "post_created", "post_edited":
	default:
		return nil, nil
	}
	var payload struct {
		Post *Post `json:"post"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		return nil, fmt.Errorf("discourse webhook %s: %w", event, err)
	}
	if payload.Post == nil {
		return nil, fmt.Errorf("discourse webhook %s: no post in the payload", event)
	}
	rec, ok, err := Record(*payload.Post, base, nil)
	if err != nil {
		return nil, fmt.Errorf("discourse webhook %s: post %d: %w", event, payload.Post.ID, err)
	}
	if !ok {
		return nil, nil
	}
	return []cadre.ActivityRecord{rec}, nil
}
