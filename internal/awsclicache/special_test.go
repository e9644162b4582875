//go:build unix

package awsclicache

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

const validEntry = `{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAX", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-11-25T13:00:00Z"}}`

// TestReadRefuses checks that Read uses only a regular file of the user's
// that no one else may write, and says why in one debug line otherwise.
func TestReadRefuses(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(validEntry), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.json")
	link := filepath.Join(dir, "link.json")
	shared := filepath.Join(dir, "shared.json")
	big := filepath.Join(dir, "big.json")
	for _, err := range []error{
		os.Symlink("/dev/zero", zero),
		os.Symlink(good, link),
		os.WriteFile(shared, []byte(validEntry), 0o600),
		os.Chmod(shared, 0o666),
		os.WriteFile(big, []byte(validEntry+strings.Repeat(" ", safefile.MaxSmallFile)), 0o600),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ path, why string }{
		{fifo, fifo + " is not a regular file"},
		{zero, zero + " is a symbolic link"},
		{link, link + " is a symbolic link"},
		{shared, shared + " is writable by group or others (mode 0666)"},
		{big, fmt.Sprintf("%s is larger than %d bytes", big, safefile.MaxSmallFile)},
		{filepath.Join(dir, "missing.json"), ""},
	} {
		var lines []string
		debugf := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
		testenv.Within(t, 10*time.Second, "Read("+tc.path+")", func() {
			if _, ok := Read(tc.path, now, debugf); ok {
				t.Errorf("%s was used", tc.path)
			}
		})
		want := []string{"cache: not using the AWS CLI's cache file: " + tc.why}
		if tc.why == "" {
			want = nil // a missing file is the common case, and says nothing
		}
		if fmt.Sprint(lines) != fmt.Sprint(want) {
			t.Errorf("debug lines %q, want %q", lines, want)
		}
	}
	if _, ok := Read(good, now, nil); !ok {
		t.Error("the good file was refused")
	}
}

// TestForgetSSOSpecialFiles checks that logout's sweep of the AWS CLI's
// cache neither hangs on a FIFO nor reads /dev/zero, and still removes the
// SSO entries that are the user's own.
func TestForgetSSOSpecialFiles(t *testing.T) {
	home := t.TempDir()
	dir := Dir(home)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sso := filepath.Join(dir, "sso.json")
	for _, err := range []error{
		os.WriteFile(sso, []byte(validEntry), 0o600),
		syscall.Mkfifo(filepath.Join(dir, "fifo.json"), 0o600),
		os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	var err error
	testenv.Within(t, 10*time.Second, "ForgetSSO", func() { n, err = ForgetSSO(home) })
	if n != 1 || err != nil {
		t.Errorf("ForgetSSO removed %d files (%v), want 1", n, err)
	}
	if _, err := os.Lstat(sso); !os.IsNotExist(err) {
		t.Errorf("the SSO entry is still there (%v)", err)
	}
	for _, name := range []string{"fifo.json", "zero.json"} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was removed (%v)", name, err)
		}
	}
}

// TestForgetSSOUntrustedDir checks that a cache directory that is a link,
// or that others may write, is left alone: nothing in it, or in the
// directory a link points to, is removed.
func TestForgetSSOUntrustedDir(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setUp func(t *testing.T, dir, elsewhere string)
	}{
		{"symlinked", func(t *testing.T, dir, elsewhere string) {
			if err := os.Symlink(elsewhere, dir); err != nil {
				t.Fatal(err)
			}
		}},
		{"world-writable", func(t *testing.T, dir, elsewhere string) {
			if err := os.Rename(elsewhere, dir); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			elsewhere := filepath.Join(t.TempDir(), "target")
			if err := os.Mkdir(elsewhere, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(elsewhere, "sso.json"), []byte(validEntry), 0o600); err != nil {
				t.Fatal(err)
			}
			dir := Dir(home)
			if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
				t.Fatal(err)
			}
			tc.setUp(t, dir, elsewhere)
			n, err := ForgetSSO(home)
			if n != 0 || err != nil {
				t.Errorf("ForgetSSO removed %d files (%v) from an untrusted directory", n, err)
			}
			if _, err := os.Stat(filepath.Join(dir, "sso.json")); err != nil {
				t.Errorf("the entry is gone: %v", err)
			}
		})
	}
}

// TestReadRefusesUntrustedDirectory: an AWS CLI cache directory that others
// may write, or a link, is not read, whatever its files.
func TestReadRefusesUntrustedDirectory(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	base := t.TempDir()
	shared := filepath.Join(base, "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shared, "c.json"), []byte(validEntry), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(shared, link); err != nil {
		t.Fatal(err)
	}
	if _, ok := Read(filepath.Join(link, "c.json"), now, nil); ok {
		t.Error("a file in a linked directory was read")
	}
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	var lines []string
	if _, ok := Read(filepath.Join(shared, "c.json"), now, func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }); ok {
		t.Error("a file in a world-writable directory was read")
	}
	if want := "cache: not using the AWS CLI's cache file: " + shared + " is writable by group or others (mode 0777)"; len(lines) != 1 || lines[0] != want {
		t.Errorf("debug lines %q, want %q", lines, want)
	}
}
