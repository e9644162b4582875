//go:build unix

package login

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestLoginReplacesSpecialToken plants a FIFO or a link to /dev/zero where
// the token goes: login neither hangs nor reads it, says so in one line,
// and replaces it with the token, a regular file.
func TestLoginReplacesSpecialToken(t *testing.T) {
	for _, what := range []string{"fifo", "zero"} {
		t.Run(what, func(t *testing.T) {
			w := newWorld(t)
			path := filepath.Join(w.home, corpCache)
			testenv.Plant(t, path, what)
			var s *signIn
			testenv.Within(t, 30*time.Second, "login", func() { s = w.login(Options{Profile: "dev", NoBrowser: true}, nil) })
			if s.err != nil {
				t.Fatal(s.err)
			}
			if n := strings.Count(s.out.String(), "Not reading the old token: "+path+" is "); n != 1 {
				t.Errorf("%d lines say the planted file is not read, want 1:\n%s", n, s.out.String())
			}
			if _, err := ssotoken.Read(path); err != nil {
				t.Errorf("the token was not written in its place: %v", err)
			}
		})
	}
}

// TestLogoutSpecialToken plants a FIFO or a link to /dev/zero in place of
// the token: logout removes it, without reading it, and without touching
// what a link points to.
func TestLogoutSpecialToken(t *testing.T) {
	for _, what := range []string{"fifo", "zero"} {
		t.Run(what, func(t *testing.T) {
			w := newWorld(t)
			path := filepath.Join(w.home, corpCache)
			testenv.Plant(t, path, what)
			testenv.Plant(t, filepath.Join(w.home, ".aws/cli/cache", what+".json"), what)
			var out bytes.Buffer
			var err error
			testenv.Within(t, 30*time.Second, "logout", func() { err = Logout(context.Background(), Options{Profile: "dev", Stderr: &out}) })
			if want := "Removed the token of SSO session \"corp\": " + path + "\n"; err != nil || out.String() != want {
				t.Errorf("logout: %v\nstderr %q\nwant   %q", err, out.String(), want)
			}
			if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s is still there (%v)", path, err)
			}
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Errorf("/dev/zero: %v", err)
			}
		})
	}
}

// TestLoginUntrustedCacheDir checks that login writes the token only into
// a directory the rules trust: a token cache directory that others may
// write, that is a link, or that is another user's is refused before the
// sign-in starts, in one line that names it and the fix, and is left as it
// is.
func TestLoginUntrustedCacheDir(t *testing.T) {
	const login = ", then run git-credential-codecommit login --profile dev"
	for _, tc := range []struct {
		name string
		// plant makes dir, the token cache directory, untrusted, and
		// returns the rest of the message after its path.
		plant func(t *testing.T, dir string) string
	}{
		{"world-writable", func(t *testing.T, dir string) string {
			mkdir(t, dir, 0o777)
			return " is writable by group or others (mode 0777), so a token there would not be safe; run: chmod go-w " + dir + " (or remove it, if it is not yours)"
		}},
		{"group-writable", func(t *testing.T, dir string) string {
			mkdir(t, dir, 0o770)
			return " is writable by group or others (mode 0770), so a token there would not be safe; run: chmod go-w " + dir + " (or remove it, if it is not yours)"
		}},
		{"symlinked", func(t *testing.T, dir string) string {
			target := t.TempDir()
			mkdir(t, filepath.Dir(dir), 0o700)
			if err := os.Symlink(target, dir); err != nil {
				t.Fatal(err)
			}
			return " is a symbolic link, so a token there would not be safe; remove it (sign-in makes a directory of your own there)"
		}},
		{"foreign", func(t *testing.T, dir string) string {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a directory to another user")
			}
			mkdir(t, dir, 0o700)
			if err := os.Chown(dir, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return " is owned by uid 65534, not by this user (uid 0), so a token there would not be safe; remove it (sign-in makes a directory of your own there)"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			dir := filepath.Join(w.home, filepath.Dir(corpCache))
			rest := tc.plant(t, dir)
			before, _ := os.Lstat(dir)
			s := w.login(Options{Profile: "dev", NoBrowser: true}, nil)
			if want := "the token cache directory " + dir + rest + login; s.err == nil || s.err.Error() != want {
				t.Errorf("error %v\nwant  %s", s.err, want)
			}
			if got := w.calls(); got != [3]int{} {
				t.Errorf("the sign-in started: calls %v", got)
			}
			after, err := os.Lstat(dir)
			if err != nil || after.Mode() != before.Mode() {
				t.Errorf("the directory changed: %v, mode %v, was %v", err, after.Mode(), before.Mode())
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.Base(corpCache))); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a token was written there (%v)", err)
			}
		})
	}
}

// TestLoginHome checks that login neither creates HOME nor puts the token
// under a relative HOME, which would be the current directory.
func TestLoginHome(t *testing.T) {
	t.Run("relative", func(t *testing.T) {
		w := newWorld(t)
		t.Chdir(w.home)
		t.Setenv("HOME", "rel")
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(w.home, ".aws/config"))
		s := w.login(Options{Profile: "dev", NoBrowser: true}, nil)
		want := "the token cache directory rel/.aws/sso/cache is not an absolute path (HOME is relative); set HOME to the absolute path of your home directory, then run git-credential-codecommit login --profile dev"
		if s.err == nil || s.err.Error() != want {
			t.Errorf("error %v\nwant  %s", s.err, want)
		}
		if _, err := os.Stat(filepath.Join(w.home, "rel")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("login made a directory under the current one (%v)", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		w := newWorld(t)
		home := filepath.Join(w.home, "gone")
		t.Setenv("HOME", home)
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(w.home, ".aws/config"))
		s := w.login(Options{Profile: "dev", NoBrowser: true}, nil)
		want := "cannot create " + home + "/.aws (no such file or directory); check that HOME is your home directory, then run git-credential-codecommit login --profile dev"
		if s.err == nil || s.err.Error() != want {
			t.Errorf("error %v\nwant  %s", s.err, want)
		}
		if _, err := os.Stat(home); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("login created HOME (%v)", err)
		}
	})
}

// mkdir makes dir and its parents, and gives dir mode perm.
func mkdir(t *testing.T, dir string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, perm); err != nil {
		t.Fatal(err)
	}
}
