// Package identity decides who is who: which account an address stands for,
// which members look like one person known twice, and who is staff. It is
// pure; the store feeds it what it has read.
package identity

import (
	"slices"
	"strings"

	"github.com/cadrehq/cadre"
)

// Canonical turns a GitHub noreply address into the account it stands for:
// "12345+login@users.noreply.github.com" (or the older
// "login@users.noreply.github.com") is GitHub user login, id 12345, and no
// mailbox anybody reads. Other references come back as they are.
func Canonical(ref cadre.MemberRef) cadre.MemberRef {
	local, ok := strings.CutSuffix(strings.ToLower(strings.TrimSpace(ref.Email)), "@users.noreply.github.com")
	if !ok || local == "" {
		return ref
	}
	uid, login, hasID := strings.Cut(local, "+")
	if !hasID {
		uid, login = "", local
	}
	if ref.Handle != "" && (ref.Platform != "github" || !strings.EqualFold(ref.Handle, login)) {
		return ref // the address names another account than the handle: keep both as given
	}
	ref.Platform, ref.Email = "github", ""
	if ref.Handle == "" {
		ref.Handle = login
	}
	if ref.UserID == "" {
		ref.UserID = uid
	}
	return ref
}

// StaffDomains cleans a list of staff email domains ("@Example.com " is
// example.com), refusing what is no domain, and returns them sorted, once each.
func StaffDomains(domains []string) ([]string, error) {
	clean := make([]string, 0, len(domains))
	for _, d := range domains {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d == "" {
			continue
		}
		if strings.ContainsAny(d, "@,% ") || !strings.Contains(d, ".") {
			return nil, cadre.Errorf(cadre.EINVALID, "%q is not an email domain such as example.com", d)
		}
		clean = append(clean, d)
	}
	slices.Sort(clean)
	return slices.Compact(clean), nil
}

// IsStaffEmail reports whether email is in one of domains.
func IsStaffEmail(email string, domains []string) bool {
	_, domain, ok := strings.Cut(email, "@")
	return ok && slices.Contains(domains, domain)
}
