package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
)

// cacheDir is where the helper caches role credentials in a world: the
// user's cache directory (~/.cache on Linux) under the world's home.
func (w *world) cacheDir() string {
	return filepath.Join(w.home, ".cache", "git-credential-codecommit")
}

// gets runs n helper gets at once and checks that each printed credentials.
func (w *world) gets(n int, args ...string) {
	w.t.Helper()
	if ok, failures := w.herd(n, args...); ok != n {
		w.t.Errorf("%d of %d gets answered; failures: %q", ok, n, failures)
	}
}

// mustGet runs one get and returns its stdout and stderr.
func (w *world) mustGet(args ...string) (stdout, stderr string) {
	w.t.Helper()
	stdout, stderr, code := w.get("r", args...)
	if code != 0 || !strings.HasPrefix(stdout, "username=") {
		w.t.Fatalf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	return stdout, stderr
}

// TestCacheConcurrentAssumeRole: 40 gets at once on an assume-role profile,
// against an STS that takes 150 ms to answer, make one AssumeRole call; the
// 20 gets after them make none.
func TestCacheConcurrentAssumeRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sts := w.startSTS()
	sts.SetLatency(150 * time.Millisecond)
	w.assumeRoleProfile()
	w.setenv("AWS_PROFILE=deploy")
	w.gets(40)
	if n := sts.Calls("AssumeRole"); n != 1 {
		t.Fatalf("40 concurrent gets made %d AssumeRole calls, want 1", n)
	}
	for range 20 {
		w.mustGet()
	}
	if n := sts.Calls("AssumeRole"); n != 1 {
		t.Fatalf("after 20 more gets, %d AssumeRole calls, want still 1", n)
	}
	w.checkCacheFiles()
}

// TestCacheConcurrentSSO is the same with an IAM Identity Center profile.
func TestCacheConcurrentSSO(t *testing.T) {
	t.Parallel()
	w, ic := ssoWorld(t)
	access, _ := ic.IssueToken()
	w.write(ssoCache, fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q}`, access, time.Now().Add(8*time.Hour).UTC().Format(time.RFC3339)))
	w.gets(40)
	if n := ic.Calls("GetRoleCredentials"); n != 1 {
		t.Fatalf("40 concurrent gets made %d GetRoleCredentials calls, want 1", n)
	}
	for range 20 {
		w.mustGet()
	}
	if n := ic.Calls("GetRoleCredentials"); n != 1 {
		t.Fatalf("after 20 more gets, %d GetRoleCredentials calls, want still 1", n)
	}
	w.checkCacheFiles()
}

var cacheName = regexp.MustCompile(`^[0-9a-f]{64}\.(json|lock|fail)$`)

// checkCacheFiles checks the modes of the cache directory and its files, and
// that no file name holds a key id, secret or token the fakes issued.
func (w *world) checkCacheFiles() {
	w.t.Helper()
	fi, err := os.Stat(w.cacheDir())
	if err != nil {
		w.t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		w.t.Errorf("cache directory mode %v, want 0700", fi.Mode().Perm())
	}
	entries, err := os.ReadDir(w.cacheDir())
	if err != nil || len(entries) == 0 {
		w.t.Fatalf("cache directory: %v, %d files", err, len(entries))
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			w.t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 || !info.Mode().IsRegular() {
			w.t.Errorf("%s: mode %v, want a regular file of mode 0600", e.Name(), info.Mode())
		}
		// A name is a SHA-256 in hex: it can hold no credential.
		if !cacheName.MatchString(e.Name()) {
			w.t.Errorf("cache file name %s is not a hash", e.Name())
		}
	}
}

// cacheEntries returns the cache entries (not the lock files).
func (w *world) cacheEntries() []string {
	w.t.Helper()
	m, err := filepath.Glob(filepath.Join(w.cacheDir(), "*.json"))
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

func TestCacheDamage(t *testing.T) {
	t.Parallel()
	t.Run("corrupt entry", func(t *testing.T) {
		w, sts := cachedAssumeRoleWorld(t)
		for _, junk := range []string{"", "{", "not json", `{"version": 1}`, "\x00\x01\x02"} {
			writeEntries(t, w, junk)
			w.mustGet()
		}
		if n := sts.Calls("AssumeRole"); n != 6 {
			t.Errorf("%d AssumeRole calls, want 6: one, then one for each of 5 damaged entries", n)
		}
		w.mustGet()
		if n := sts.Calls("AssumeRole"); n != 6 {
			t.Errorf("the entry written after the damage was not used: %d AssumeRole calls", n)
		}
	})
	t.Run("expired entry", func(t *testing.T) {
		w, sts := cachedAssumeRoleWorld(t)
		rewriteEntries(t, w, func(s string) string {
			return replaceJSONField(s, "expiration", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))
		})
		w.mustGet()
		if n := sts.Calls("AssumeRole"); n != 2 {
			t.Errorf("%d AssumeRole calls, want 2: an expired entry is not used", n)
		}
	})
	t.Run("entry within its margin", func(t *testing.T) {
		w, sts := cachedAssumeRoleWorld(t)
		rewriteEntries(t, w, func(s string) string {
			s = replaceJSONField(s, "obtained", time.Now().Add(-50*time.Minute).UTC().Format(time.RFC3339))
			return replaceJSONField(s, "expiration", time.Now().Add(10*time.Minute).UTC().Format(time.RFC3339))
		})
		w.mustGet()
		if n := sts.Calls("AssumeRole"); n != 2 {
			t.Errorf("%d AssumeRole calls, want 2: an hour-long entry with 10 minutes left is not used", n)
		}
	})
	t.Run("entry of another profile", func(t *testing.T) {
		w, sts := cachedAssumeRoleWorld(t)
		// A second profile assuming another role: its entry is not deploy's.
		w.write(".aws/config", "[profile deploy]\nrole_arn = "+roleARN+"\nsource_profile = base\nrole_session_name = e2e\n"+
			"[profile other]\nrole_arn = arn:aws:iam::111122223333:role/Other\nsource_profile = base\n")
		before := w.cacheEntries()
		w.mustGet("--profile", "other")
		if n := sts.Calls("AssumeRole"); n != 2 {
			t.Errorf("%d AssumeRole calls, want 2: another profile has its own entry", n)
		}
		if len(w.cacheEntries()) != len(before)+1 {
			t.Errorf("entries %q, want one more than %q", w.cacheEntries(), before)
		}
		// deploy's entry copied over other's name is foreign there, and ignored.
		var other string
		for _, e := range w.cacheEntries() {
			if e != before[0] {
				other = e
			}
		}
		b, err := os.ReadFile(before[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(other, b, 0o600); err != nil {
			t.Fatal(err)
		}
		w.mustGet("--profile", "other")
		if n := sts.Calls("AssumeRole"); n != 3 {
			t.Errorf("%d AssumeRole calls, want 3: a foreign entry is not trusted", n)
		}
	})
	t.Run("cache directory not writable", func(t *testing.T) {
		w := newWorld(t)
		sts := w.startSTS()
		w.assumeRoleProfile()
		w.setenv("AWS_PROFILE=deploy")
		// Tests run as root, which writes anywhere: make the cache
		// directory's parent a file instead. The cache falls back to
		// XDG_RUNTIME_DIR.
		notDir := w.write("not-a-directory", "")
		w.setenv("XDG_CACHE_HOME="+notDir, "XDG_RUNTIME_DIR="+w.home)
		_, stderr := w.mustGet()
		if stderr != "" {
			t.Errorf("without debug, stderr is %q", stderr)
		}
		_, stderr = w.mustGet("--debug")
		if want := "debug: cache: " + notDir + " is not a directory; using " + filepath.Join(w.home, "git-credential-codecommit") + "\n"; !strings.Contains(stderr, want) {
			t.Errorf("debug output does not say %q:\n%s", want, stderr)
		}
		if n := sts.Calls("AssumeRole"); n != 1 {
			t.Errorf("%d AssumeRole calls, want 1", n)
		}
	})
	t.Run("killed lock holder", func(t *testing.T) {
		if _, err := exec.LookPath("flock"); err != nil {
			t.Fatal("flock(1) from util-linux is needed")
		}
		w, sts := cachedAssumeRoleWorld(t)
		locks, _ := filepath.Glob(filepath.Join(w.cacheDir(), "*.lock"))
		if len(locks) != 1 {
			t.Fatalf("lock files %q, want one", locks)
		}
		for _, e := range w.cacheEntries() {
			os.Remove(e)
		}
		// flock(1) holds the lock itself and runs its command without it
		// (-o); killing flock stands for killing a helper mid-fetch. Its
		// command, in the same process group, is killed afterwards.
		holder := exec.Command("flock", "-o", locks[0], "sh", "-c", "echo locked; exec sleep 300")
		holder.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, err := holder.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := holder.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 7)
		if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
			t.Fatalf("flock holder: %q %v", buf, err)
		}
		holder.Process.Signal(syscall.SIGKILL)
		holder.Wait()
		defer syscall.Kill(-holder.Process.Pid, syscall.SIGKILL)
		_, stderr := w.mustGet("--debug")
		if strings.Contains(stderr, "no lock") {
			t.Errorf("the lock of a killed holder was not free:\n%s", stderr)
		}
		if n := sts.Calls("AssumeRole"); n != 2 {
			t.Errorf("%d AssumeRole calls, want 2", n)
		}
	})
}

// cachedAssumeRoleWorld is a world with an assume-role profile whose
// credentials one get has just cached.
func cachedAssumeRoleWorld(t *testing.T) (*world, *fakeaws.STS) {
	w := newWorld(t)
	sts := w.startSTS()
	w.assumeRoleProfile()
	w.setenv("AWS_PROFILE=deploy")
	w.mustGet()
	if n := sts.Calls("AssumeRole"); n != 1 || len(w.cacheEntries()) != 1 {
		t.Fatalf("after one get: %d AssumeRole calls, entries %q", n, w.cacheEntries())
	}
	return w, sts
}

func writeEntries(t *testing.T, w *world, body string) {
	t.Helper()
	rewriteEntries(t, w, func(string) string { return body })
}

func rewriteEntries(t *testing.T, w *world, f func(string) string) {
	t.Helper()
	for _, e := range w.cacheEntries() {
		b, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e, []byte(f(string(b))), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// replaceJSONField sets a string field of a flat JSON object.
func replaceJSONField(s, field, value string) string {
	i := strings.Index(s, `"`+field+`":"`)
	if i < 0 {
		return s
	}
	start := i + len(field) + 4
	end := start + strings.IndexByte(s[start:], '"')
	return s[:start] + value + s[end:]
}

// TestCacheNeverHoldsEnvironmentKeys: keys in the environment are never
// written anywhere.
func TestCacheNeverHoldsEnvironmentKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.keys.Issue("ASIAENV", time.Now().Add(time.Hour))
	w.setenv("AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey, "AWS_SESSION_TOKEN="+c.SessionToken)
	w.mustGet()
	if _, err := os.Stat(w.cacheDir()); !os.IsNotExist(err) {
		t.Fatalf("the cache directory exists after a get with environment keys: %v", err)
	}
}

// TestCacheOff: --no-cache and GIT_CREDENTIAL_CODECOMMIT_NO_CACHE=1 make
// every get assume the role, and write nothing.
func TestCacheOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sts := w.startSTS()
	w.assumeRoleProfile()
	w.setenv("AWS_PROFILE=deploy")
	w.mustGet("--no-cache")
	w.mustGet("--no-cache")
	w.setenv("GIT_CREDENTIAL_CODECOMMIT_NO_CACHE=1")
	w.mustGet()
	if n := sts.Calls("AssumeRole"); n != 3 {
		t.Errorf("%d AssumeRole calls, want 3", n)
	}
	if _, err := os.Stat(w.cacheDir()); !os.IsNotExist(err) {
		t.Errorf("the cache directory exists with the cache off: %v", err)
	}
}

// TestCacheReadsAWSCLICache: credentials the AWS CLI cached for the same
// role (in ~/.aws/cli/cache, under its own key) are used without an STS
// call. The file name is the one aws-cli 1.45 wrote for this profile.
func TestCacheReadsAWSCLICache(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sts := w.startSTS()
	w.assumeRoleProfile()
	w.write(".aws/config", "[profile deploy]\nrole_arn = "+roleARN+"\nsource_profile = base\n")
	w.setenv("AWS_PROFILE=deploy")
	c := w.keys.Issue("ASIACLI", time.Now().Add(time.Hour))
	w.write(".aws/cli/cache/f553113ab03f10986b8503b601ff219b8f3584f3.json", fmt.Sprintf(
		`{"Credentials": {"AccessKeyId": %q, "SecretAccessKey": %q, "SessionToken": %q, "Expiration": %q, "AccountId": "111122223333"}, "AssumedRoleUser": {"AssumedRoleId": "AROA:botocore-session-1", "Arn": "arn:aws:sts::111122223333:assumed-role/Deploy/botocore-session-1"}}`,
		c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expiration.UTC().Format(time.RFC3339)))
	stdout, _ := w.mustGet()
	if !strings.HasPrefix(stdout, "username="+c.AccessKeyID+"%") {
		t.Errorf("get did not use the AWS CLI's cached credentials:\n%s", stdout)
	}
	if n := sts.Calls("AssumeRole"); n != 0 {
		t.Errorf("%d AssumeRole calls, want 0", n)
	}
}
