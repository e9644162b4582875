package credcache

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

const (
	// maxSession is the longest session AWS grants (GetSessionToken and
	// GetFederationToken, 36 hours). An entry that claims a longer life
	// was not written by a fetch: it is ignored.
	maxSession = 36 * time.Hour
	// clockSlack is how far in the future an entry's time of fetching may
	// be, for clocks that were set back a little since.
	clockSlack = 5 * time.Minute
	// failFor is how long a shared failure stands: long enough for the
	// processes that waited on the failed fetch to see it, short enough not
	// to outlast a throttling burst.
	failFor = 5 * time.Second
	// staleTmp is the age after which a temporary file is a killed
	// writer's, never one being written: a write takes milliseconds.
	staleTmp = time.Minute
)

// entry is the file format of a cache entry.
type entry struct {
	Version         int       `json:"version"`
	Key             string    `json:"key"`
	Source          string    `json:"source"`
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken,omitempty"`
	AccountID       string    `json:"accountId,omitempty"`
	Obtained        time.Time `json:"obtained"`
	Expiration      time.Time `json:"expiration"`
	// SSOSession names the session the credentials came through, so that
	// logout can forget them: an IAM Identity Center session (the
	// sso-session's name, or a legacy profile's start URL), or a console
	// sign-in's (LoginTag); "" for other sources.
	SSOSession string `json:"ssoSession,omitempty"`
}

const entryVersion = 1

// parseEntry parses the entry b for key, and checks that it is whole and
// plausible at now. It says why it refuses one, without quoting it.
func parseEntry(b []byte, key string, now time.Time) (entry, error) {
	var e entry
	switch {
	case json.Unmarshal(b, &e) != nil:
		return entry{}, errors.New("not JSON")
	case e.Version != entryVersion || e.Key != key:
		return entry{}, errors.New("not an entry for this key")
	case e.AccessKeyID == "" || e.SecretAccessKey == "":
		return entry{}, errors.New("no keys")
	case e.Obtained.IsZero() || e.Expiration.IsZero():
		return entry{}, errors.New("no times")
	case e.Obtained.After(now.Add(clockSlack)):
		return entry{}, errors.New("fetched in the future")
	case plausible(e.Obtained, e.Expiration) != nil:
		return entry{}, plausible(e.Obtained, e.Expiration)
	case strings.ContainsAny(e.AccessKeyID+e.SecretAccessKey+e.SessionToken, "\r\n\x00"):
		return entry{}, errors.New("a newline or NUL in its keys")
	}
	return e, nil
}

// plausible says why credentials obtained at obtained and expiring at
// expires are none that AWS grants, or nil. Entries are written only of
// credentials that pass it, and read only when they pass it: a longer-lived
// secret is not left on disk, where nothing would ever use it.
func plausible(obtained, expires time.Time) error {
	if !expires.After(obtained) || expires.Sub(obtained) > maxSession {
		return fmt.Errorf("a lifetime no AWS session has (%s)", expires.Sub(obtained))
	}
	return nil
}

func (e entry) credentials() aws.Credentials {
	return aws.Credentials{
		AccessKeyID:     e.AccessKeyID,
		SecretAccessKey: e.SecretAccessKey,
		SessionToken:    e.SessionToken,
		Source:          e.Source,
		CanExpire:       true,
		Expires:         e.Expiration,
		AccountID:       e.AccountID,
	}
}

// store writes creds as the entry for key, atomically and of mode 0600, in
// d, and removes the temporary files killed writers left.
func (c *Cache) store(d *safefile.Dir, key string, creds aws.Credentials, obtained time.Time, ssoSession string) error {
	b, err := json.Marshal(entry{
		Version:         entryVersion,
		Key:             key,
		Source:          creds.Source,
		AccessKeyID:     creds.AccessKeyID,
		SecretAccessKey: creds.SecretAccessKey,
		SessionToken:    creds.SessionToken,
		AccountID:       creds.AccountID,
		Obtained:        obtained.UTC(),
		Expiration:      creds.Expires.UTC(),
		SSOSession:      ssoSession,
	})
	if err != nil {
		return err
	}
	err = d.WriteFile(key+".json", b)
	removeTemporary(d, c.now().Add(-staleTmp))
	return err
}

// removeTemporary removes the temporary files of atomic writes in d last
// changed before before: those a killed writer left, which may hold keys.
func removeTemporary(d *safefile.Dir, before time.Time) int {
	names, _ := d.Names(".tmp")
	n := 0
	for _, name := range names {
		f, err := d.OpenFile(name, os.O_RDONLY, 0)
		if err != nil {
			continue
		}
		fi, err := f.Stat()
		f.Close()
		if err == nil && fi.ModTime().Before(before) && d.Remove(name) == nil {
			n++
		}
	}
	return n
}

// failureFile is the file format of a shared failure: no secret, only the
// line the failed fetch reported.
type failureFile struct {
	Version int       `json:"version"`
	Key     string    `json:"key"`
	Message string    `json:"message"`
	Until   time.Time `json:"until"`
}

// SharedFailure is the failure of a fetch by another process, reported by
// the processes that waited for it.
type SharedFailure struct{ Message string }

func (e *SharedFailure) Error() string { return e.Message }

// shareFailure records err for key in d, for failFor.
func (c *Cache) shareFailure(d *safefile.Dir, key string, err error) {
	b, jerr := json.Marshal(failureFile{Version: entryVersion, Key: key, Message: err.Error(), Until: c.now().Add(failFor).UTC()})
	if jerr == nil {
		jerr = d.WriteFile(key+".fail", b)
	}
	if jerr != nil {
		c.debugf("cache: cannot share the failure: %v", jerr)
	}
}

// sharedFailure returns the failure another process recorded for key in d
// while it still stands, or nil.
func (c *Cache) sharedFailure(d *safefile.Dir, key string) error {
	b, err := d.ReadFile(key+".fail", safefile.MaxSmallFile)
	if err != nil {
		return nil
	}
	var f failureFile
	now := c.now()
	if json.Unmarshal(b, &f) != nil || f.Version != entryVersion || f.Key != key || f.Message == "" ||
		!now.Before(f.Until) || f.Until.Sub(now) > failFor {
		return nil
	}
	c.debugf("cache: another process's fetch just failed; reporting its failure")
	return &SharedFailure{Message: f.Message}
}

// ForgetSSOSession removes the cached role credentials that came through the
// IAM Identity Center session named session (an sso-session's name, or a
// legacy profile's start URL), and every temporary file, and returns how
// many files it removed. Logout calls it: role credentials stay valid at AWS
// after the session's token is gone, and git would go on using them.
func (c *Cache) ForgetSSOSession(session string) (int, error) {
	return c.forgetTagged(session)
}

// LoginTag is the tag of credentials from the console sign-in session (a
// login_session ARN), for Retrieve and ForgetLoginSession. No sso-session
// name or start URL starts with "login_session ".
func LoginTag(session string) string { return "login_session " + session }

// ForgetLoginSession removes the entries of credentials from the console
// sign-in session, as ForgetSSOSession does for IAM Identity Center.
func (c *Cache) ForgetLoginSession(session string) (int, error) {
	return c.forgetTagged(LoginTag(session))
}

// forgetTagged removes the entries tagged tag, and any temporary file.
func (c *Cache) forgetTagged(session string) (int, error) {
	d, err := safefile.OpenDir(c.Dir)
	if err != nil {
		return 0, nil // no cache directory, or one never used: nothing was cached
	}
	defer d.Close()
	n := removeTemporary(d, c.now().Add(time.Hour)) // any age: a writer's loss is one fetch
	m, err := d.RemoveMatching(".json", func(b []byte) bool {
		var e entry
		return json.Unmarshal(b, &e) == nil && e.SSOSession == session
	})
	return n + m, err
}
