//go:build unix

package credcache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestLocate: the user's cache directory when it can be used; else
// $XDG_RUNTIME_DIR's; else the uid's own directory under the system's
// temporary directory, which is refused when it is open to others or not
// the user's. Each directory passed over says why.
func TestLocate(t *testing.T) {
	root := t.TempDir()
	p := func(name string) string { return filepath.Join(root, name) }
	uid := os.Getuid()
	for _, d := range []string{"home", "run", "tmp", "tmp-shared", "tmp-shared/" + name + "-" + strconv.Itoa(uid)} {
		mkdir(t, p(d), 0o700)
	}
	os.Chmod(p("tmp-shared/"+name+"-"+strconv.Itoa(uid)), 0o755)
	write(t, p("file"), nil, 0o600)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		tmp    string
		want   string // "" for none
		passed string // what the error or the note says
	}{
		{"HOME", map[string]string{"HOME": p("home"), "XDG_RUNTIME_DIR": p("run")}, p("tmp"), p("home/.cache/" + name), ""},
		{"HOME=/nonexistent", map[string]string{"HOME": "/nonexistent", "XDG_RUNTIME_DIR": p("run")}, p("tmp"), p("run/" + name),
			"/nonexistent does not exist"},
		{"no HOME, no XDG_RUNTIME_DIR", map[string]string{}, p("tmp"), p("tmp/" + name + "-" + strconv.Itoa(uid)),
			"neither XDG_CACHE_HOME nor HOME is set; XDG_RUNTIME_DIR is not set"},
		{"XDG_CACHE_HOME a file", map[string]string{"XDG_CACHE_HOME": p("file"), "HOME": p("home")}, p("tmp"), p("tmp/" + name + "-" + strconv.Itoa(uid)),
			p("file") + " is not a directory; XDG_RUNTIME_DIR is not set"},
		{"relative XDG_RUNTIME_DIR", map[string]string{"HOME": ".", "XDG_RUNTIME_DIR": "run"}, p("tmp"), p("tmp/" + name + "-" + strconv.Itoa(uid)),
			"HOME gives a relative path (./.cache); XDG_RUNTIME_DIR (run) is not an absolute path"},
		{"temporary directory open to others", map[string]string{}, p("tmp-shared"), "",
			p("tmp-shared/"+name+"-"+strconv.Itoa(uid)) + " is open to others (mode 0755)"},
		{"no temporary directory", map[string]string{}, p("missing"), "", p("missing") + " does not exist"},
	} {
		dir, passed, err := locate(candidates("linux", func(k string) string { return tc.env[k] }, uid, tc.tmp))
		if err != nil {
			passed = err.Error()
		}
		if dir != tc.want || !strings.Contains(passed, tc.passed) || (tc.passed == "") != (passed == "") {
			t.Errorf("%s: %q, %q; want %q, %q", tc.name, dir, passed, tc.want, tc.passed)
		}
	}
	if entries, _ := os.ReadDir(p("tmp")); len(entries) != 0 {
		t.Errorf("Locate created %v", entries)
	}
}

// TestLocateOtherOwner: another user's directory at the temporary
// directory's name is refused.
func TestLocateOtherOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	tmp := t.TempDir()
	planted := filepath.Join(tmp, name+"-0")
	mkdir(t, planted, 0o700)
	if err := os.Chown(planted, 4242, 4242); err != nil {
		t.Fatal(err)
	}
	_, _, err := locate(candidates("linux", func(string) string { return "" }, 0, tmp))
	if err == nil || !strings.Contains(err.Error(), planted+" is owned by uid 4242, not by this user (uid 0)") {
		t.Errorf("another user's directory: %v", err)
	}
}

// TestNoImplausibleEntryWritten: credentials that claim a longer life than
// any AWS session are returned, never written to disk.
func TestNoImplausibleEntryWritten(t *testing.T) {
	c, debug := newTestCache(t)
	long := func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "ASIALONG", SecretAccessKey: "s", CanExpire: true, Expires: time.Now().Add(48 * time.Hour)}, nil
	}
	got, err := c.Retrieve(context.Background(), testKey, "", long)
	if err != nil || got.AccessKeyID != "ASIALONG" {
		t.Fatalf("Retrieve = %q, %v", got.AccessKeyID, err)
	}
	if _, err := os.Lstat(c.path(testKey, ".json")); err == nil {
		t.Error("an entry living 48 hours was written")
	}
	if !strings.Contains(debug.String(), "cache: not storing credentials with a lifetime no AWS session has (48h") {
		t.Errorf("debug output:\n%s", debug.String())
	}
}

// TestStoppedHolder: a holder that keeps the lock longer than Patience
// (here by the clock moving on, as a stopped process's would) is passed
// over: the waiter fetches, says which process holds the lock, and stores
// its entry. Before that, a waiter at its deadline says so too.
func TestStoppedHolder(t *testing.T) {
	c, _ := newTestCache(t)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	c.Now = func() time.Time { return time.Unix(0, now.Load()) }
	var mu sync.Mutex
	var notes []string
	c.Notef = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		notes = append(notes, fmt.Sprintf(format, args...))
	}
	waiting := waitSignal(c)
	held, hold := make(chan struct{}), make(chan struct{})
	holderDone := make(chan struct{})
	go func() {
		defer close(holderDone)
		c.Retrieve(context.Background(), testKey, "", func(context.Context) (aws.Credentials, error) {
			close(held)
			<-hold
			return fetched("ASIAHOLDER")(context.Background())
		})
	}()
	<-held
	defer func() { close(hold); <-holderDone }()

	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	pid := "(pid " + strconv.Itoa(os.Getpid()) + ")"
	if _, err := c.Retrieve(short, testKey, "", fetched("ASIAEARLY")); err == nil ||
		err.Error() != "another git-credential-codecommit "+pid+" was still fetching the same credentials at the deadline (context deadline exceeded); retry, or pass --no-cache" {
		t.Errorf("a waiter at its deadline: %v", err)
	}
	receive(t, waiting, "wait on the lock")

	results := make(chan string, 1)
	go func() {
		creds, err := c.Retrieve(context.Background(), testKey, "", fetched("ASIAWAITER"))
		if err != nil {
			t.Error(err)
		}
		results <- creds.AccessKeyID
	}()
	receive(t, waiting, "wait on the lock")
	now.Add(int64(DefaultPatience + time.Second))
	if got := <-results; got != "ASIAWAITER" {
		t.Errorf("the waiter got %q, want its own fetch", got)
	}
	mu.Lock()
	want := "another git-credential-codecommit " + pid + " has held the lock on these credentials for 31s without writing them (is it stopped?); fetching without it"
	if len(notes) != 1 || notes[0] != want {
		t.Errorf("notes %q, want %q", notes, want)
	}
	mu.Unlock()
	if creds, ok := c.Load(testKey); !ok || creds.AccessKeyID != "ASIAWAITER" {
		t.Errorf("the waiter's entry: %q, %v", creds.AccessKeyID, ok)
	}
}
