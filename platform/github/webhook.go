package github

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cadrehq/cadre"
)

// Reasons VerifySignature refuses a delivery. They are unauthorized errors,
// so that a server answers 401 without telling more.
var (
	ErrNoSecret           = cadre.Errorf(cadre.EUNAUTHORIZED, "no webhook secret is configured")
	ErrNoSignature        = cadre.Errorf(cadre.EUNAUTHORIZED, "missing X-Hub-Signature-256 header")
	ErrMalformedSignature = cadre.Errorf(cadre.EUNAUTHORIZED, "malformed X-Hub-Signature-256 header")
	ErrBadSignature       = cadre.Errorf(cadre.EUNAUTHORIZED, "X-Hub-Signature-256 does not match the body")
)

// VerifySignature checks the X-Hub-Signature-256 header of a delivery:
// "sha256=" and the hex HMAC-SHA256 of the raw body under the webhook's
// secret. It returns nil when the signature matches and otherwise one of the
// Err values above, possibly wrapped with details. An empty secret is
// refused, since anyone can sign with it.
func VerifySignature(secret, body []byte, header string) error {
	const scheme = "sha256="
	switch {
	case len(secret) == 0:
		return ErrNoSecret
	case header == "":
		return ErrNoSignature
	}
	digest, ok := strings.CutPrefix(header, scheme)
	if !ok {
		got, _, found := strings.Cut(header, "=")
		if !found {
			return fmt.Errorf("%w: want %q and a hex digest", ErrMalformedSignature, scheme)
		}
		return fmt.Errorf("%w: want %q and a hex digest, got the scheme %q", ErrMalformedSignature, scheme, got+"=")
	}
	if len(digest) != 2*sha256.Size {
		return fmt.Errorf("%w: the digest has %d characters, want %d hex digits", ErrMalformedSignature, len(digest), 2*sha256.Size)
	}
	var got [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(digest)); err != nil {
		return fmt.Errorf("%w: the digest is not hex: %v", ErrMalformedSignature, err)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got[:], mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// WebhookRecords maps a webhook delivery, named by its X-GitHub-Event header,
// to the activities it makes, by the mapping of GH Archive events: the same
// object gets the same external id either way. Events and actions that make
// no activity yield none and no error; a body that a mapped event cannot be
// read from is an invalid error.
func WebhookRecords(event string, body []byte) ([]cadre.ActivityRecord, error) {
	kind := archiveType(event)
	if kind == "" {
		return nil, nil
	}
	var d decoder
	var p payload
	reason := decodeObject(body, "body", func(key, v []byte) { d.payloadMember(&p, "", key, v) })
	if reason == "" {
		reason = d.reason
	}
	if reason != "" {
		return nil, cadre.Errorf(cadre.EINVALID, "%s webhook: %s", event, reason)
	}
	rec, ok, reason := mapPayload(kind, &p, p.Sender, time.Time{}, "")
	switch {
	case reason != "":
		return nil, cadre.Errorf(cadre.EINVALID, "%s webhook: %s", event, reason)
	case !ok:
		return nil, nil
	}
	return []cadre.ActivityRecord{rec}, nil
}
