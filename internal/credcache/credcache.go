// Package credcache shares role credentials between the helper's processes:
// every git HTTP authentication runs the helper once, npm runs it about three
// times per git dependency, and the SDK caches nothing between processes, so
// without a cache each run repeats its AssumeRole, GetRoleCredentials, IMDS
// or container call.
//
// One file per entry, named by a hash of what identifies the credentials in
// the configuration (Key; never a secret), in the directory Locate chooses:
// mode 0600 in a 0700 directory, written to a temporary file and renamed
// into place. Everything there obeys internal/safefile's rules (ssh's for
// ~/.ssh): a directory or file that is not the user's own, is writable by
// others, is a link or not a regular file is not used, and the helper goes
// on uncached, saying why under --debug; nothing is chmod'ed. A retrieval
// opens the directory once and works from that descriptor
// (safefile.Dir), so that whoever can write its parent cannot redirect
// what it writes by swapping the directory for a link. An entry must be
// plausible: obtained in the past, expiring no later than the longest
// session AWS grants after that; credentials that are not are never
// written.
//
// A per-entry advisory lock (released by the kernel when its holder dies)
// makes the processes that miss at once wait for the one that fetches, up
// to their own deadline, unless it holds the lock far longer than a fetch
// takes (lock.go). When the fetch fails in a way that asking again would
// only worsen (throttling, a server error, a time-out), a small marker
// shares the failure for a few seconds, so that the waiters report it
// instead of calling AWS in turn.
package credcache

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// maxMargin is how long before their expiry cached credentials stop being
// used, as the AWS CLI's cache does (15 minutes). For credentials that live
// less than twice that, the margin is half their lifetime instead: a 15-minute
// role session, the shortest STS grants, would otherwise never be reused,
// and half its lifetime still leaves minutes for a clone with a password
// signed from it (the helper never lets a password outlive its credentials).
const maxMargin = 15 * time.Minute

// Cache is a directory of cached credentials. Only Dir must be set: a nil
// Now is time.Now, a nil Debugf says nothing.
type Cache struct {
	Dir    string
	Now    func() time.Time
	Debugf func(format string, args ...any)
	// Transient reports whether a failed fetch is one to share with the
	// processes waiting for the same credentials; nil shares none.
	Transient func(error) bool
	// Notef writes a line the user should see even when the get works
	// (a holder of the lock passed over); nil writes it under --debug.
	Notef func(format string, args ...any)
	// Patience is how long a lock may be held before the processes
	// waiting for it fetch without it; zero is DefaultPatience.
	Patience time.Duration
}

// now is c.Now(), or time.Now() when c.Now is nil.
func (c *Cache) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// debugf writes a --debug line with c.Debugf, when set.
func (c *Cache) debugf(format string, args ...any) {
	if c.Debugf != nil {
		c.Debugf(format, args...)
	}
}

// short is the start of key, which names an entry in debug lines.
func short(key string) string {
	if len(key) > 12 {
		return key[:12]
	}
	return key
}

func (c *Cache) path(key, ext string) string { return filepath.Join(c.Dir, key+ext) }

// open opens the cache directory, creating it when create is set and it is
// missing, and returns nil, saying why under --debug, when the rules do
// not trust it. Everything a retrieval reads, writes and removes then goes
// through that one descriptor (safefile.Dir).
func (c *Cache) open(create bool) *safefile.Dir {
	open := safefile.OpenDir
	if create {
		open = safefile.MakeDir
	}
	d, err := open(c.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.debugf("cache: not used, going on uncached: %v", err)
	}
	if err != nil {
		return nil
	}
	return d
}

// Load returns the entry for key when the rules trust its file, it is
// whole, is for key, is plausible, and has more than its margin left.
func (c *Cache) Load(key string) (aws.Credentials, bool) {
	d := c.open(false)
	if d == nil {
		return aws.Credentials{}, false
	}
	defer d.Close()
	return c.load(d, key)
}

// load is Load in d.
func (c *Cache) load(d *safefile.Dir, key string) (aws.Credentials, bool) {
	b, err := d.ReadFile(key+".json", safefile.MaxSmallFile)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.debugf("cache: ignoring an entry: %v", err)
		}
		return aws.Credentials{}, false
	}
	e, err := parseEntry(b, key, c.now())
	if err != nil {
		c.debugf("cache: ignoring %s: %v", c.path(key, ".json"), err)
		return aws.Credentials{}, false
	}
	if left := e.Expiration.Sub(c.now()); left <= margin(e.Obtained, e.Expiration) {
		c.debugf("cache: entry %s expires at %s, too soon to use", short(key), e.Expiration.UTC().Format(time.RFC3339))
		return aws.Credentials{}, false
	}
	c.debugf("cache: hit %s, expires at %s", short(key), e.Expiration.UTC().Format(time.RFC3339))
	return e.credentials(), true
}

// margin is how long before expiry credentials obtained at obtained stop
// being used; see maxMargin.
func margin(obtained, expires time.Time) time.Duration {
	return min(maxMargin, expires.Sub(obtained)/2)
}

// Retrieve returns the cached credentials for key, or fetches, caches and
// returns them, tagged with ssoSession. Of many processes that miss at once,
// one fetches and the others wait for its entry, or for its failure when
// Transient says it is one to share, or until the lock has been held for
// longer than Patience (lock.go).
func (c *Cache) Retrieve(ctx context.Context, key, ssoSession string, fetch func(context.Context) (aws.Credentials, error)) (aws.Credentials, error) {
	d := c.open(true)
	if d == nil {
		return fetch(ctx)
	}
	defer d.Close()
	if creds, ok := c.load(d, key); ok {
		return creds, nil
	}
	if err := c.sharedFailure(d, key); err != nil {
		return aws.Credentials{}, err
	}
	l, err := c.lock(ctx, d, key)
	switch {
	case err != nil:
		return aws.Credentials{}, err
	case l == nil:
		return fetch(ctx)
	case l.held:
		defer l.unlock()
	}
	if creds, ok := c.load(d, key); ok { // another process fetched while we waited
		return creds, nil
	}
	if err := c.sharedFailure(d, key); err != nil { // or failed
		return aws.Credentials{}, err
	}
	c.debugf("cache: miss %s, fetching", short(key))
	obtained := c.now()
	creds, err := fetch(ctx)
	if err != nil {
		if c.Transient != nil && c.Transient(err) {
			c.shareFailure(d, key, err)
		}
		return creds, err
	}
	if !creds.CanExpire || !creds.Expires.After(obtained) {
		return creds, nil
	}
	if err := plausible(obtained, creds.Expires); err != nil {
		c.debugf("cache: not storing credentials with %v", err)
		return creds, nil
	}
	if err := c.store(d, key, creds, obtained, ssoSession); err != nil {
		c.debugf("cache: cannot write, going on uncached: %v", err)
	}
	return creds, nil
}
