// Package awsclicache reads the role credentials the AWS CLI caches in
// ~/.aws/cli/cache, so that a user who ran aws a minute ago pays no STS or
// IAM Identity Center call, and forgets its IAM Identity Center ones at
// logout, as "aws sso logout" does. It never writes the AWS CLI's files:
// the AWS CLI owns their format and takes no lock.
//
// The file names are the AWS CLI's own key derivation (botocore's
// AssumeRoleCredentialFetcher and SSOCredentialFetcher): the hex SHA-1 of
// the JSON of the call's arguments, as Python's json.dumps writes it.
package awsclicache

import (
	"crypto/fips140"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// Window is how long before expiry the AWS CLI stops using a cached entry;
// an entry with less left is not read either.
const Window = 15 * time.Minute

// Dir is the AWS CLI's cache directory under home.
func Dir(home string) string { return filepath.Join(home, ".aws", "cli", "cache") }

// File returns the file in which the AWS CLI caches the credentials of
// profile sc, fetched by the chain of sources, or "" when it caches none
// for it.
//
// Under GODEBUG=fips140=only it is always "": the AWS CLI names its files
// with SHA-1, which strict FIPS 140-3 mode refuses.
func File(home string, sc *config.SharedConfig, sources []aws.CredentialSource) string {
	if sc == nil || fips140.Enforced() {
		return ""
	}
	var args string
	switch {
	case sc.RoleARN != "" && sc.WebIdentityTokenFile == "" && sc.MFASerial == "" && slices.Contains(sources, aws.CredentialSourceSTSAssumeRole):
		// json.dumps(args, sort_keys=True) of AssumeRole's arguments, with
		// Python's default separators. A RoleSessionName is left out when
		// the CLI would generate one.
		var kv []string
		if sc.RoleDurationSeconds != nil {
			kv = append(kv, fmt.Sprintf(`"DurationSeconds": %d`, int(sc.RoleDurationSeconds.Seconds())))
		}
		if sc.ExternalID != "" {
			kv = append(kv, `"ExternalId": `+pyQuote(sc.ExternalID))
		}
		kv = append(kv, `"RoleArn": `+pyQuote(sc.RoleARN))
		if sc.RoleSessionName != "" {
			kv = append(kv, `"RoleSessionName": `+pyQuote(sc.RoleSessionName))
		}
		args = "{" + strings.Join(kv, ", ") + "}"
	case sc.SSOAccountID != "" && sc.SSORoleName != "":
		// json.dumps(args, sort_keys=True, separators=(',', ':')).
		if sc.SSOSessionName != "" {
			args = `{"accountId":` + pyQuote(sc.SSOAccountID) + `,"roleName":` + pyQuote(sc.SSORoleName) + `,"sessionName":` + pyQuote(sc.SSOSessionName) + `}`
		} else {
			args = `{"accountId":` + pyQuote(sc.SSOAccountID) + `,"roleName":` + pyQuote(sc.SSORoleName) + `,"startUrl":` + pyQuote(sc.SSOStartURL) + `}`
		}
	default:
		return ""
	}
	sum := sha1.Sum([]byte(args))
	return filepath.Join(Dir(home), hex.EncodeToString(sum[:])+".json")
}

// pyQuote quotes s as Python's json.dumps does by default (ensure_ascii).
func pyQuote(s string) string {
	b, _ := json.Marshal(s) // escapes ", \ and control characters as Python does, except below
	q := string(b)
	q = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(q)
	var out strings.Builder
	for _, r := range q {
		switch {
		case r < 0x80:
			out.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&out, `\u%04x`, r)
		default:
			r -= 0x10000
			fmt.Fprintf(&out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		}
	}
	return out.String()
}

// Read returns the credentials of an AWS CLI cache file that has more than
// Window left at now. The file is read by the rules of internal/safefile
// (a regular file of the user's, writable by no one else, opened without
// following a link or blocking), so that a FIFO or a link to /dev/zero in
// its place neither hangs get nor fills memory, from its directory opened
// once and trusted by the same rules (safefile.Dir), so that the directory
// checked is the one read. When an existing file is refused, debugf,
// unless nil, is told why in one line.
func Read(path string, now time.Time, debugf func(format string, args ...any)) (aws.Credentials, bool) {
	d, err := safefile.OpenDir(filepath.Dir(path)) // the AWS CLI's cache directory must be the user's too
	var b []byte
	if err == nil {
		b, err = d.ReadFile(filepath.Base(path), safefile.MaxSmallFile)
		d.Close()
	}
	if err != nil {
		if debugf != nil && !errors.Is(err, fs.ErrNotExist) {
			debugf("cache: not using the AWS CLI's cache file: %v", err)
		}
		return aws.Credentials{}, false
	}
	var f struct {
		Credentials struct {
			AccessKeyID, SecretAccessKey, SessionToken, Expiration, AccountID string
		}
	}
	if json.Unmarshal(b, &f) != nil || f.Credentials.AccessKeyID == "" || f.Credentials.SecretAccessKey == "" {
		return aws.Credentials{}, false
	}
	c := f.Credentials
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05MST", "2006-01-02T15:04:05Z0700"} {
		exp, err := time.Parse(layout, c.Expiration)
		if err != nil {
			continue
		}
		if exp.Sub(now) <= Window {
			return aws.Credentials{}, false
		}
		return aws.Credentials{
			AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
			AccountID: c.AccountID, Source: "AWS CLI cache " + path, CanExpire: true, Expires: exp,
		}, true
	}
	return aws.Credentials{}, false
}

// ForgetSSO removes the AWS CLI's cached role credentials from IAM Identity
// Center under home, as "aws sso logout" does (the AWS CLI marks them, but
// records not which session they came from), and returns how many files it
// removed. A missing directory has none. A directory the rules of
// internal/safefile do not trust (a link, another user's, writable by
// others) is left alone: its files are not the user's to judge by content.
// Each file is read by those rules too, so that a FIFO or a link to
// /dev/zero there can neither hang logout nor fill memory.
func ForgetSSO(home string) (int, error) {
	d, err := safefile.OpenDir(Dir(home))
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, safefile.ErrUntrusted):
		return 0, nil
	case err != nil:
		return 0, err
	}
	defer d.Close()
	return d.RemoveMatching(".json", isSSO)
}

// isSSO reports whether the content of an AWS CLI cache file holds role
// credentials from IAM Identity Center, as the AWS CLI marks them.
func isSSO(content []byte) bool {
	var f struct{ ProviderType string }
	return json.Unmarshal(content, &f) == nil && f.ProviderType == "sso"
}
