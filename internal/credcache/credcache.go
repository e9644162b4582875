// Package credcache shares role credentials between the helper's processes:
// every git HTTP authentication runs the helper once, npm runs it about three
// times per git dependency, and the SDK caches nothing between processes, so
// without a cache each run repeats its AssumeRole, GetRoleCredentials, IMDS
// or container call.
//
// One file per entry, named by a hash of what identifies the credentials in
// the configuration (Key; never a secret), in the user's cache directory:
// mode 0600 in a 0700 directory, written to a temporary file and renamed
// into place. A per-entry advisory lock (flock, released by the kernel when
// its holder dies) makes processes that miss at once wait for the one that
// fetches; the wait is bounded, after which a waiter fetches for itself.
// Files that do not parse, belong to another key or have expired are
// ignored, and replaced by the next fetch.
package credcache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gofrs/flock"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/atomicfile"
)

// maxMargin is how long before their expiry cached credentials stop being
// used, as the AWS CLI's cache does (15 minutes). For credentials that live
// less than twice that, the margin is half their lifetime instead: a 15-minute
// role session, the shortest STS grants, would otherwise never be reused,
// and half its lifetime still leaves minutes for a clone with a password
// signed from it (the helper never lets a password outlive its credentials).
const maxMargin = 15 * time.Minute

// lockWait bounds how long a process waits for another to fetch the same
// credentials before it fetches them itself.
const lockWait = 10 * time.Second

// Cache is a directory of cached credentials.
type Cache struct {
	Dir    string
	Now    func() time.Time
	Debugf func(format string, args ...any) // never nil
}

// Open returns the cache in the user's cache directory, with debugf (nil
// for none) told what it does.
func Open(debugf func(format string, args ...any)) (*Cache, error) {
	if debugf == nil {
		debugf = func(string, ...any) {}
	}
	dir, err := defaultDir()
	if err != nil {
		return nil, err
	}
	return &Cache{Dir: dir, Now: time.Now, Debugf: debugf}, nil
}

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
	// SSOSession names the IAM Identity Center session the credentials
	// came through (the sso-session's name, or a legacy profile's start
	// URL), so that logout can forget them; "" for other sources.
	SSOSession string `json:"ssoSession,omitempty"`
}

const entryVersion = 1

// defaultDir is git-credential-codecommit under the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on
// macOS, %LocalAppData% on Windows).
func defaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "git-credential-codecommit"), nil
}

func (c *Cache) path(key string) string { return filepath.Join(c.Dir, key+".json") }

// Load returns the entry for key when it is whole, is for key, and has more
// than its margin left.
func (c *Cache) Load(key string) (aws.Credentials, bool) {
	b, err := os.ReadFile(c.path(key))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.Debugf("cache: cannot read %s: %v", c.path(key), err)
		}
		return aws.Credentials{}, false
	}
	var e entry
	if err := json.Unmarshal(b, &e); err != nil || e.Version != entryVersion || e.Key != key ||
		e.AccessKeyID == "" || e.SecretAccessKey == "" || e.Expiration.IsZero() {
		c.Debugf("cache: ignoring %s: not a whole entry for this key", c.path(key))
		return aws.Credentials{}, false
	}
	if left := e.Expiration.Sub(c.Now()); left <= margin(e.Obtained, e.Expiration) {
		c.Debugf("cache: entry %s expires at %s, too soon to use", key[:12], e.Expiration.UTC().Format(time.RFC3339))
		return aws.Credentials{}, false
	}
	c.Debugf("cache: hit %s, expires at %s", key[:12], e.Expiration.UTC().Format(time.RFC3339))
	return aws.Credentials{
		AccessKeyID:     e.AccessKeyID,
		SecretAccessKey: e.SecretAccessKey,
		SessionToken:    e.SessionToken,
		Source:          e.Source,
		CanExpire:       true,
		Expires:         e.Expiration,
		AccountID:       e.AccountID,
	}, true
}

// margin is how long before expiry credentials obtained at obtained stop
// being used; see maxMargin.
func margin(obtained, expires time.Time) time.Duration {
	return min(maxMargin, expires.Sub(obtained)/2)
}

// store writes creds as the entry for key, atomically and of mode 0600.
func (c *Cache) store(key string, creds aws.Credentials, obtained time.Time, ssoSession string) error {
	if err := c.mkdir(); err != nil {
		return err
	}
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
	return atomicfile.Write(c.path(key), b)
}

// mkdir creates the cache directory with mode 0700, and narrows the mode of
// one that exists with more.
func (c *Cache) mkdir() error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(c.Dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", c.Dir)
	}
	if fi.Mode().Perm() != 0o700 {
		return os.Chmod(c.Dir, 0o700)
	}
	return nil
}

// lock takes the advisory lock of key, waiting at most lockWait. It returns
// the function that releases it; ok is false when the lock could not be
// had, and the caller goes on without it.
func (c *Cache) lock(ctx context.Context, key string) (unlock func(), ok bool) {
	if err := c.mkdir(); err != nil {
		c.Debugf("cache: unusable, going on uncached: %v", err)
		return func() {}, false
	}
	l := flock.New(filepath.Join(c.Dir, key+".lock"), flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	locked, err := l.TryLockContext(ctx, 20*time.Millisecond)
	if !locked {
		c.Debugf("cache: no lock on %s (%v), going on without it", key[:12], err)
		l.Close()
		return func() {}, false
	}
	return func() { l.Unlock() }, true
}

// Retrieve returns the cached credentials for key, or fetches, caches and
// returns them, tagged with ssoSession. Of many processes that miss at once,
// one fetches and the others wait for its entry.
func (c *Cache) Retrieve(ctx context.Context, key, ssoSession string, fetch func(context.Context) (aws.Credentials, error)) (aws.Credentials, error) {
	if creds, ok := c.Load(key); ok {
		return creds, nil
	}
	unlock, locked := c.lock(ctx, key)
	defer unlock()
	if locked {
		if creds, ok := c.Load(key); ok { // another process fetched while we waited
			return creds, nil
		}
	}
	c.Debugf("cache: miss %s, fetching", key[:12])
	obtained := c.Now()
	creds, err := fetch(ctx)
	if err != nil || !creds.CanExpire || !creds.Expires.After(obtained) {
		return creds, err
	}
	if err := c.store(key, creds, obtained, ssoSession); err != nil {
		c.Debugf("cache: cannot write, going on uncached: %v", err)
	}
	return creds, nil
}

// ForgetSSOSession removes the cached role credentials that came through the
// IAM Identity Center session named session (an sso-session's name, or a
// legacy profile's start URL), and returns how many entries it removed.
// Logout calls it: role credentials stay valid at AWS after the session's
// token is gone, and git would go on using them.
func ForgetSSOSession(session string) (int, error) {
	dir, err := defaultDir()
	if err != nil {
		return 0, nil // no cache directory: nothing was cached
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var e entry
		if json.Unmarshal(b, &e) != nil || e.SSOSession != session {
			continue
		}
		switch err := os.Remove(p); {
		case err == nil:
			n++
		case !errors.Is(err, os.ErrNotExist): // another process may have removed it
			return n, err
		}
	}
	return n, nil
}
