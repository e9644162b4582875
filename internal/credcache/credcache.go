// Package credcache shares role credentials between the helper's processes:
// every git HTTP authentication runs the helper once, npm runs it about three
// times per git dependency, and the SDK caches nothing between processes, so
// without a cache each run repeats its AssumeRole, GetRoleCredentials, IMDS
// or container call.
//
// One file per entry, named by a hash of what identifies the credentials in
// the configuration (Key; never a secret), in the user's cache directory:
// mode 0600 in a 0700 directory, written to a temporary file and renamed
// into place. Everything read there obeys internal/safefile's rules (ssh's
// for ~/.ssh): a directory or file that is not the user's own, is writable
// by others, is a link or not a regular file is not used, and the helper
// goes on uncached, saying why under --debug; nothing is chmod'ed. An entry
// must also be plausible: obtained in the past, expiring no later than the
// longest session AWS grants after that.
//
// A per-entry advisory lock (flock, released by the kernel when its holder
// dies) makes the processes that miss at once wait for the one that
// fetches, for as long as it holds the lock, up to their own deadline. When
// the fetch fails in a way that asking again would only worsen (throttling,
// a server error, a time-out), a small marker shares the failure for a few
// seconds, so that the waiters report it instead of calling AWS in turn.
package credcache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gofrs/flock"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
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

// Open returns the cache in the user's cache directory, with debugf (nil
// for none) told what it does, each thing once. It creates nothing.
func Open(debugf func(format string, args ...any)) (*Cache, error) {
	dir, err := defaultDir()
	if err != nil {
		return nil, err
	}
	return &Cache{Dir: dir, Now: time.Now, Debugf: once(debugf)}, nil
}

// once returns debugf, nil for none, dropping a line it has written
// already: a directory the rules refuse is found so at every step of a
// retrieval, and one line says it.
func once(debugf func(format string, args ...any)) func(format string, args ...any) {
	if debugf == nil {
		return func(string, ...any) {}
	}
	var (
		mu   sync.Mutex
		said = map[string]bool{}
	)
	return func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		mu.Lock()
		defer mu.Unlock()
		if !said[line] {
			said[line] = true
			debugf("%s", line)
		}
	}
}

// defaultDir is git-credential-codecommit under the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on
// macOS, %LocalAppData% on Windows). A relative one (HOME=. in a CI job)
// is refused: it would put credentials in the working tree, where
// git add -A picks them up.
func defaultDir() (string, error) {
	return cacheDir(runtime.GOOS, os.Getenv)
}

// cacheDir is defaultDir on goos, with getenv for the environment: the
// directory os.UserCacheDir names there, which must be absolute.
func cacheDir(goos string, getenv func(string) string) (string, error) {
	var d string
	switch goos {
	case "windows":
		d = getenv("LocalAppData")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			d = h + "/Library/Caches"
		}
	case "plan9":
		if h := getenv("home"); h != "" {
			d = h + "/lib/cache"
		}
	default:
		d = getenv("XDG_CACHE_HOME")
		if d == "" && getenv("HOME") != "" {
			d = getenv("HOME") + "/.cache"
		}
	}
	switch {
	case d == "":
		return "", &failure.Error{Problem: "no cache directory", Cause: "neither XDG_CACHE_HOME nor HOME (LocalAppData on Windows) is set",
			Fix: "set HOME, or pass --no-cache"}
	case !isAbs(goos, d):
		return "", &failure.Error{Problem: "the cache directory " + d + " is not an absolute path", Fix: "set HOME (or XDG_CACHE_HOME) to an absolute path, or pass --no-cache"}
	}
	return join(goos, d, "git-credential-codecommit"), nil
}

// isAbs is filepath.IsAbs for goos: C:\… and \\server\share on Windows.
func isAbs(goos, p string) bool {
	if goos != "windows" {
		return strings.HasPrefix(p, "/")
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
}

// join is filepath.Join for goos.
func join(goos, dir, name string) string {
	sep := "/"
	if goos == "windows" {
		sep = `\`
	}
	return strings.TrimRight(dir, sep) + sep + name
}

func (c *Cache) path(key, ext string) string { return filepath.Join(c.Dir, key+ext) }

// usable reports whether the cache directory may be read: it exists, and
// the rules trust it.
func (c *Cache) usable() bool {
	err := safefile.CheckDir(c.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.debugf("cache: not used, going on uncached: %v", err)
	}
	return err == nil
}

// Load returns the entry for key when the rules trust its file, it is
// whole, is for key, is plausible, and has more than its margin left.
func (c *Cache) Load(key string) (aws.Credentials, bool) {
	if !c.usable() {
		return aws.Credentials{}, false
	}
	b, err := safefile.ReadFile(c.path(key, ".json"), safefile.MaxSmallFile)
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

// lock takes the advisory lock of key, in the cache directory, which it
// creates when missing. It waits while another process holds the lock, up
// to ctx's deadline: the holder is fetching, and the kernel releases the
// lock should it die. ok is false when the cache cannot be used, and the
// caller goes on without it.
func (c *Cache) lock(ctx context.Context, key string) (unlock func(), ok bool, err error) {
	if err := safefile.MkdirTrusted(c.Dir); err != nil {
		c.debugf("cache: not used, going on uncached: %v", err)
		return nil, false, nil
	}
	path := c.path(key, ".lock")
	l := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR|safefile.OpenFlags), flock.SetPermissions(0o600))
	locked, err := l.TryLock()
	if err == nil && !locked {
		c.Debugf("cache: another process is fetching %s; waiting for it", key[:12])
		locked, err = l.TryLockContext(ctx, 20*time.Millisecond)
	}
	if !locked {
		l.Close()
		if ctx.Err() != nil {
			return nil, false, &failure.Error{Problem: "another git-credential-codecommit was still fetching the same credentials at the deadline",
				Cause: ctx.Err().Error(), Fix: "retry, or pass --no-cache", Err: ctx.Err()}
		}
		c.debugf("cache: no lock on %s (%v), going on uncached", short(key), err)
		return nil, false, nil
	}
	fi, err := l.Stat()
	if err == nil {
		err = safefile.CheckInfo(path, fi)
	}
	if err != nil {
		l.Close()
		c.debugf("cache: not used, going on uncached: %v", err)
		return nil, false, nil
	}
	return func() { l.Close() }, true, nil
}

// Retrieve returns the cached credentials for key, or fetches, caches and
// returns them, tagged with ssoSession. Of many processes that miss at once,
// one fetches and the others wait for its entry, or for its failure when
// Transient says it is one to share.
func (c *Cache) Retrieve(ctx context.Context, key, ssoSession string, fetch func(context.Context) (aws.Credentials, error)) (aws.Credentials, error) {
	if creds, ok := c.Load(key); ok {
		return creds, nil
	}
	if err := c.sharedFailure(key); err != nil {
		return aws.Credentials{}, err
	}
	unlock, locked, err := c.lock(ctx, key)
	if err != nil {
		return aws.Credentials{}, err
	}
	if !locked {
		return fetch(ctx)
	}
	defer unlock()
	if creds, ok := c.Load(key); ok { // another process fetched while we waited
		return creds, nil
	}
	if err := c.sharedFailure(key); err != nil { // or failed
		return aws.Credentials{}, err
	}
	c.debugf("cache: miss %s, fetching", short(key))
	obtained := c.now()
	creds, err := fetch(ctx)
	if err != nil {
		if c.Transient != nil && c.Transient(err) {
			c.shareFailure(key, err)
		}
		return creds, err
	}
	if !creds.CanExpire || !creds.Expires.After(obtained) {
		return creds, nil
	}
	if err := c.store(key, creds, obtained, ssoSession); err != nil {
		c.debugf("cache: cannot write, going on uncached: %v", err)
	}
	return creds, nil
}
