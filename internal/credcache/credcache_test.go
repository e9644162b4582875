//go:build unix

package credcache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

func TestMargin(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		lifetime, want time.Duration
	}{
		{time.Hour, 15 * time.Minute},
		{6 * time.Hour, 15 * time.Minute},
		{30 * time.Minute, 15 * time.Minute},
		{15 * time.Minute, 7*time.Minute + 30*time.Second},
	} {
		if got := margin(t0, t0.Add(tc.lifetime)); got != tc.want {
			t.Errorf("margin for %s: %s, want %s", tc.lifetime, got, tc.want)
		}
	}
}

const testKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// goodEntry is an entry for testKey fetched at t, living an hour.
func goodEntry(t time.Time) entry {
	return entry{Version: entryVersion, Key: testKey, Source: "AssumeRoleProvider", AccessKeyID: "ASIAX", SecretAccessKey: "s",
		SessionToken: "tok", Obtained: t, Expiration: t.Add(time.Hour)}
}

func TestParseEntry(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		edit func(*entry)
		want string
	}{
		{"whole", func(*entry) {}, ""},
		{"36-hour session", func(e *entry) { e.Expiration = e.Obtained.Add(36 * time.Hour) }, ""},
		{"fetched a minute ahead", func(e *entry) { e.Obtained = now.Add(time.Minute); e.Expiration = e.Obtained.Add(time.Hour) }, ""},
		{"another key", func(e *entry) { e.Key = "other" }, "not an entry for this key"},
		{"another version", func(e *entry) { e.Version = 2 }, "not an entry for this key"},
		{"no secret", func(e *entry) { e.SecretAccessKey = "" }, "no keys"},
		{"no expiry", func(e *entry) { e.Expiration = time.Time{} }, "no times"},
		{"no time of fetching", func(e *entry) { e.Obtained = time.Time{} }, "no times"},
		{"fetched in the future", func(e *entry) { e.Obtained = now.Add(time.Hour); e.Expiration = e.Obtained.Add(time.Hour) }, "fetched in the future"},
		{"expiring years later", func(e *entry) { e.Expiration = e.Obtained.Add(5 * 365 * 24 * time.Hour) }, "a lifetime no AWS session has (43800h0m0s)"},
		{"expiring before fetched", func(e *entry) { e.Expiration = e.Obtained.Add(-time.Minute) }, "a lifetime no AWS session has (-1m0s)"},
		{"a newline in the token", func(e *entry) { e.SessionToken = "a\nb" }, "a newline or NUL in its keys"},
	} {
		e := goodEntry(now.Add(-time.Minute))
		tc.edit(&e)
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parseEntry(b, testKey, now)
		if got := errString(err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, junk := range []string{"", "{", "null", "[]", `"x"`, "\x00"} {
		if _, err := parseEntry([]byte(junk), testKey, now); err == nil {
			t.Errorf("%q parsed", junk)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FuzzParseEntry feeds the entry parser arbitrary files: it never panics,
// and accepts only entries for the key that are plausible and whole.
func FuzzParseEntry(f *testing.F) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	good, _ := json.Marshal(goodEntry(now.Add(-time.Minute)))
	f.Add(good)
	f.Add([]byte(`{"version":1,"key":"` + testKey + `","accessKeyId":"A","secretAccessKey":"s","obtained":"2026-11-25T11:00:00Z","expiration":"2099-01-01T00:00:00Z"}`))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := parseEntry(b, testKey, now)
		if err != nil {
			return
		}
		if e.Key != testKey || e.AccessKeyID == "" || e.SecretAccessKey == "" || !e.Expiration.After(e.Obtained) ||
			e.Expiration.Sub(e.Obtained) > maxSession || e.Obtained.After(now.Add(clockSlack)) {
			t.Fatalf("accepted %q as %+v", b, e)
		}
	})
}

// newTestCache is a cache in a fresh directory under a fresh parent.
func newTestCache(t *testing.T) (*Cache, *strings.Builder) {
	var debug strings.Builder
	c := &Cache{Dir: filepath.Join(t.TempDir(), "cache", "git-credential-codecommit"), Now: time.Now,
		Debugf: func(format string, args ...any) { fmt.Fprintf(&debug, format+"\n", args...) }}
	return c, &debug
}

func fetched(id string) func(context.Context) (aws.Credentials, error) {
	return func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: "s", CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
	}
}

// TestRetrieveStoresAndTrusts fetches once, then answers from the entry;
// the directory and the entry are the user's, 0700 and 0600.
func TestRetrieveStoresAndTrusts(t *testing.T) {
	c, _ := newTestCache(t)
	ctx := context.Background()
	for i, id := range []string{"ASIAFIRST", "ASIASECOND"} {
		got, err := c.Retrieve(ctx, testKey, "", fetched(id))
		if err != nil || got.AccessKeyID != "ASIAFIRST" {
			t.Fatalf("Retrieve %d: %q, %v; want the first fetch's ASIAFIRST", i, got.AccessKeyID, err)
		}
	}
	for p, mode := range map[string]os.FileMode{c.Dir: 0o700, c.path(testKey, ".json"): 0o600, c.path(testKey, ".lock"): 0o600} {
		if fi, err := os.Lstat(p); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v, %v; want mode %v", p, fi.Mode(), err, mode)
		}
	}
}

// TestUntrustedCacheIsNotUsed plants what another user could leave in a
// shared cache location, and checks that nothing of it is used or changed:
// the helper fetches its own credentials and, where it cannot keep them
// safely, goes on uncached.
func TestUntrustedCacheIsNotUsed(t *testing.T) {
	ctx := context.Background()
	planted, _ := json.Marshal(goodEntry(time.Now().Add(-time.Minute)))
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, c *Cache)
		// reason is what --debug must say; stored whether the helper's own
		// credentials are then cached.
		reason string
		stored bool
	}{
		{"world-writable directory", func(t *testing.T, c *Cache) {
			mkdir(t, c.Dir, 0o777)
			write(t, c.path(testKey, ".json"), planted, 0o600)
		}, "is writable by group or others (mode 0777)", false},
		{"symlinked directory", func(t *testing.T, c *Cache) {
			target := filepath.Join(filepath.Dir(c.Dir), "elsewhere")
			mkdir(t, target, 0o755)
			write(t, filepath.Join(target, testKey+".json"), planted, 0o600)
			if err := os.Symlink(target, c.Dir); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link", false},
		{"group-writable entry", func(t *testing.T, c *Cache) {
			mkdir(t, c.Dir, 0o700)
			write(t, c.path(testKey, ".json"), planted, 0o660)
		}, "is writable by group or others (mode 0660)", true},
		{"FIFO entry", func(t *testing.T, c *Cache) {
			testenv.Plant(t, c.path(testKey, ".json"), "fifo")
		}, "is not a regular file", true},
		{"entry linked to /dev/zero", func(t *testing.T, c *Cache) {
			testenv.Plant(t, c.path(testKey, ".json"), "zero")
		}, "is a symbolic link", true},
		{"oversized entry", func(t *testing.T, c *Cache) {
			mkdir(t, c.Dir, 0o700)
			write(t, c.path(testKey, ".json"), make([]byte, safefile.MaxSmallFile+1), 0o600)
		}, "is larger than 65536 bytes", true},
		{"entry expiring years later", func(t *testing.T, c *Cache) {
			mkdir(t, c.Dir, 0o700)
			e := goodEntry(time.Now().Add(-time.Minute))
			e.Expiration = e.Obtained.Add(10 * 365 * 24 * time.Hour)
			b, _ := json.Marshal(e)
			write(t, c.path(testKey, ".json"), b, 0o600)
		}, "a lifetime no AWS session has", true},
		{"lock linked elsewhere", func(t *testing.T, c *Cache) {
			mkdir(t, c.Dir, 0o700)
			if err := os.Symlink(filepath.Join(filepath.Dir(c.Dir), "created-through-link"), c.path(testKey, ".lock")); err != nil {
				t.Fatal(err)
			}
		}, "no lock on", false},
		{"FIFO lock", func(t *testing.T, c *Cache) {
			testenv.Plant(t, c.path(testKey, ".lock"), "fifo")
		}, ".lock is not a regular file", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, debug := newTestCache(t)
			mkdir(t, filepath.Dir(c.Dir), 0o700)
			tc.plant(t, c)
			var got aws.Credentials
			var err error
			testenv.Within(t, 10*time.Second, "Retrieve", func() { got, err = c.Retrieve(ctx, testKey, "", fetched("ASIAOWN")) })
			if err != nil || got.AccessKeyID != "ASIAOWN" {
				t.Fatalf("Retrieve = %q, %v; want the helper's own credentials", got.AccessKeyID, err)
			}
			if !strings.Contains(debug.String(), tc.reason) {
				t.Errorf("debug output lacks %q:\n%s", tc.reason, debug.String())
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(c.Dir), "created-through-link")); err == nil {
				t.Error("a file was created through a planted link")
			}
			// A second retrieval answers from the helper's own entry when
			// it could keep one, and fetches again when it could not.
			again, _ := c.Retrieve(ctx, testKey, "", fetched("ASIAAGAIN"))
			if stored := again.AccessKeyID == "ASIAOWN"; stored != tc.stored {
				t.Errorf("second retrieval got %s; want the stored entry: %v", again.AccessKeyID, tc.stored)
			}
		})
	}
	// Nothing planted was changed: a world-writable directory stays so.
	c, _ := newTestCache(t)
	mkdir(t, filepath.Dir(c.Dir), 0o700)
	mkdir(t, c.Dir, 0o777)
	c.Retrieve(ctx, testKey, "", fetched("ASIAOWN"))
	if fi, _ := os.Stat(c.Dir); fi.Mode().Perm() != 0o777 {
		t.Errorf("the helper changed the mode of a directory it did not create to %v", fi.Mode().Perm())
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, name string, b []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
}

// TestStaleTemporaryFiles: a writer removes the temporary files a killed
// writer left a while ago, and leaves one being written now.
func TestStaleTemporaryFiles(t *testing.T) {
	c, _ := newTestCache(t)
	mkdir(t, filepath.Dir(c.Dir), 0o700)
	mkdir(t, c.Dir, 0o700)
	stale, fresh := c.path(testKey, ".json.123.tmp"), c.path("other", ".json.456.tmp")
	write(t, stale, []byte(`{"secretAccessKey":"left"}`), 0o600)
	write(t, fresh, []byte(`{}`), 0o600)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retrieve(context.Background(), testKey, "", fetched("ASIAOWN")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the stale temporary file is still there: %v", err)
	}
	if _, err := os.Lstat(fresh); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
}

// TestSharedFailure: a transient failure is reported, for a few seconds, to
// the next callers without a fetch of theirs; another failure is not.
func TestSharedFailure(t *testing.T) {
	c, _ := newTestCache(t)
	now := time.Now()
	c.Now = func() time.Time { return now }
	c.Transient = func(err error) bool { return err.Error() == "throttled" }
	ctx := context.Background()
	calls := 0
	failing := func(msg string) func(context.Context) (aws.Credentials, error) {
		return func(context.Context) (aws.Credentials, error) { calls++; return aws.Credentials{}, errors.New(msg) }
	}
	if _, err := c.Retrieve(ctx, testKey, "", failing("throttled")); err == nil || err.Error() != "throttled" {
		t.Fatalf("first: %v", err)
	}
	_, err := c.Retrieve(ctx, testKey, "", failing("throttled"))
	var shared *SharedFailure
	if !errors.As(err, &shared) || err.Error() != "throttled" || calls != 1 {
		t.Fatalf("second: %v after %d fetches; want the shared failure and no fetch", err, calls)
	}
	now = now.Add(failFor)
	if _, err := c.Retrieve(ctx, testKey, "", failing("denied")); err == nil || err.Error() != "denied" || calls != 2 {
		t.Fatalf("after %s: %v after %d fetches; want a fetch of its own", failFor, err, calls)
	}
	if _, err := c.Retrieve(ctx, testKey, "", failing("denied again")); err == nil || err.Error() != "denied again" || calls != 3 {
		t.Fatalf("a failure that is not transient was shared: %v after %d fetches", err, calls)
	}
}

// TestWaitersWaitForTheFetch: while one retrieval holds the lock, however
// long its fetch takes, the others wait for its entry instead of fetching.
func TestWaitersWaitForTheFetch(t *testing.T) {
	c, _ := newTestCache(t)
	waiting := waitSignal(c)
	release, started := make(chan struct{}), make(chan struct{})
	var fetches atomic.Int32
	slow := func(context.Context) (aws.Credentials, error) {
		if fetches.Add(1) == 1 {
			close(started)
		}
		<-release
		return fetched("ASIASLOW")(context.Background())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	results := make(chan string, 10)
	retrieve := func() {
		creds, _ := c.Retrieve(ctx, testKey, "", slow)
		results <- creds.AccessKeyID
	}
	go retrieve()
	<-started // the first holds the lock, fetching
	for range 9 {
		go retrieve()
	}
	for i := range 9 {
		receive(t, waiting, fmt.Sprintf("waiter %d of 9 waiting on the lock", i+1))
	}
	close(release)
	for range 10 {
		if id := <-results; id != "ASIASLOW" {
			t.Errorf("a retrieval got %q", id)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
	// A waiter gives up at its own deadline, with an error that says so.
	c2, _ := newTestCache(t)
	waiting = waitSignal(c2)
	held, hold := make(chan struct{}), make(chan struct{})
	defer close(hold)
	go c2.Retrieve(context.Background(), testKey, "", func(context.Context) (aws.Credentials, error) {
		close(held)
		<-hold
		return aws.Credentials{}, errors.New("x")
	})
	<-held
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := c2.Retrieve(short, testKey, "", slow); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a waiter at its deadline: %v", err)
	}
	if len(waiting) != 1 {
		t.Errorf("the waiter did not wait on the lock (%d waits)", len(waiting))
	}
}

// waitSignal makes c's debug lines go nowhere but for the one a retrieval
// writes when it finds the lock held and waits, which sends on the channel
// returned.
func waitSignal(c *Cache) <-chan struct{} {
	waiting := make(chan struct{}, 100)
	c.Debugf = func(format string, args ...any) {
		if strings.HasPrefix(fmt.Sprintf(format, args...), "cache: another process is fetching "+testKey[:12]+"; waiting for it") {
			waiting <- struct{}{}
		}
	}
	return waiting
}

// receive waits for a value on ch, and fails the test should none come in
// a minute: far longer than anything here takes, the bound only turns a
// hang into a failure.
func receive(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(time.Minute):
		t.Fatalf("no %s after a minute", what)
	}
}

// TestForgetSSOSession removes the entries of one session and every
// temporary file, and reads nothing it should not.
func TestForgetSSOSession(t *testing.T) {
	home := testenv.Isolate(t)
	c, err := Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	mkdir(t, c.Dir, 0o700)
	for name, session := range map[string]string{"a": "corp", "b": "corp", "c": "other"} {
		e := goodEntry(time.Now())
		e.Key, e.SSOSession = name, session
		b, _ := json.Marshal(e)
		write(t, c.path(name, ".json"), b, 0o600)
	}
	write(t, c.path("a", ".json.1.tmp"), []byte("{}"), 0o600)
	testenv.Plant(t, c.path("fifo", ".json"), "fifo")
	var n int
	testenv.Within(t, 10*time.Second, "ForgetSSOSession", func() { n, err = c.ForgetSSOSession("corp") })
	if err != nil || n != 3 {
		t.Errorf("ForgetSSOSession = %d, %v; want 3 (two entries, one temporary file)", n, err)
	}
	left, _ := filepath.Glob(filepath.Join(c.Dir, "*"))
	if len(left) != 2 {
		t.Errorf("left %q under %s, want c.json and fifo.json", left, home)
	}
}

func TestDebugOnce(t *testing.T) {
	var lines []string
	debugf := once(func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) })
	for _, d := range []string{"/a", "/b", "/a"} {
		debugf("cache: not used: %s", d)
	}
	if !slices.Equal(lines, []string{"cache: not used: /a", "cache: not used: /b"}) {
		t.Errorf("lines %q", lines)
	}
	once(nil)("nothing %d", 1) // no writer: no panic
}

// TestZeroCache uses a Cache with only its directory set, and keys shorter
// than a debug line's abbreviation: it stores, answers and forgets, and
// never panics. ForgetSSOSession takes its time from Now: a temporary file
// written an hour and more after Now is a writer's at work, and stays.
func TestZeroCache(t *testing.T) {
	c := &Cache{Dir: filepath.Join(t.TempDir(), "cache")}
	for _, key := range []string{"k", ""} {
		if got, err := c.Retrieve(context.Background(), key, "corp", fetched("ASIAZERO")); err != nil || got.AccessKeyID != "ASIAZERO" {
			t.Fatalf("Retrieve(%q) = %q, %v", key, got.AccessKeyID, err)
		}
		if got, ok := c.Load(key); !ok || got.AccessKeyID != "ASIAZERO" {
			t.Errorf("Load(%q) = %q, %v; want the stored entry", key, got.AccessKeyID, ok)
		}
	}
	tmp := c.path("k", ".json.1.tmp")
	write(t, tmp, []byte("{}"), 0o600)
	c.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	if n, err := c.ForgetSSOSession("corp"); err != nil || n != 2 {
		t.Errorf("ForgetSSOSession = %d, %v; want the 2 entries", n, err)
	}
	if _, err := os.Lstat(tmp); err != nil {
		t.Errorf("the temporary file, newer than Now, was removed: %v", err)
	}
}
