package ssotoken

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// Registration is a client registration cache file, which the AWS CLI keeps
// next to the tokens (RegistrationFile) so that a later sign-in to the same
// session reuses the registration. Only the AWS CLI and this program read
// it; the SDKs read the registration the token file holds.
type Registration struct {
	ClientID     string    `json:"clientId"`
	ClientSecret string    `json:"clientSecret"`
	ExpiresAt    time.Time `json:"expiresAt"`
	Scopes       []string  `json:"scopes,omitempty"`
	// GrantTypes are the grants registered for; the AWS CLI's device-code
	// registrations have none.
	GrantTypes []string `json:"grantTypes,omitempty"`
}

// RegistrationFile is the AWS CLI's name for the registration cache file of
// a sign-in to startURL in region, for the sso-session session ("" for a
// legacy profile), with the sso_registration_scopes scopes (nil when the
// session has none), in the token cache directory dir: the hex SHA-1 of
// the JSON text, keys sorted, that Python's json.dumps writes for those
// values and "tool": "botocore", with ".json".
func RegistrationFile(dir, startURL, region, session string, scopes []string) string {
	var b strings.Builder
	b.WriteString(`{"region": ` + pyString(region) + `, "scopes": `)
	if scopes == nil {
		b.WriteString("null")
	} else {
		b.WriteString("[")
		for i, s := range scopes {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyString(s))
		}
		b.WriteString("]")
	}
	b.WriteString(`, "session_name": `)
	if session == "" {
		b.WriteString("null")
	} else {
		b.WriteString(pyString(session))
	}
	b.WriteString(`, "startUrl": ` + pyString(startURL) + `, "tool": "botocore"}`)
	sum := sha1.Sum([]byte(b.String()))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
}

// pyString is s as Python's json.dumps writes a string by default: ASCII
// only, with \uXXXX escapes (UTF-16) for everything else.
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r > 0x7f && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ReadRegistration reads the registration cache file path, by the rules of
// Read.
func ReadRegistration(path string) (Registration, error) {
	b, err := safefile.ReadFile(path, safefile.MaxSmallFile)
	if err != nil {
		return Registration{}, err
	}
	var r Registration
	if err := json.Unmarshal(b, &r); err != nil {
		return r, &failure.Error{Problem: path + " is not a client registration", Cause: failure.Reason(err), Err: err}
	}
	if r.ClientID == "" || r.ClientSecret == "" || r.ExpiresAt.IsZero() {
		return r, &failure.Error{Problem: path + " is not a client registration", Cause: "it has no clientId, clientSecret or expiresAt"}
	}
	return r, nil
}

// Usable reports whether the AWS CLI would reuse r for grant at time now:
// it was registered for that grant (the AWS CLI's device-code
// registrations name none) and is valid for 15 minutes more.
func (r Registration) Usable(grant string, now time.Time) bool {
	for _, g := range r.GrantTypes {
		if g == grant {
			return r.ExpiresAt.After(now.Add(15 * time.Minute))
		}
	}
	return false
}
