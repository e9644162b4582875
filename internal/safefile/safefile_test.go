//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestJudge(t *testing.T) {
	const me = 1000
	for _, tc := range []struct {
		name    string
		m       ownerMode
		wantDir bool
		euid    int
		want    string // "" for trusted
	}{
		{"own file", ownerMode{0o600, me, ""}, false, me, ""},
		{"own read-only file", ownerMode{0o400, me, ""}, false, me, ""},
		{"own world-readable file", ownerMode{0o644, me, ""}, false, me, ""},
		{"own dir", ownerMode{fs.ModeDir | 0o700, me, ""}, true, me, ""},
		{"own dir 0755", ownerMode{fs.ModeDir | 0o755, me, ""}, true, me, ""},
		{"group-writable file", ownerMode{0o620, me, ""}, false, me, "p is writable by group or others (mode 0620)"},
		{"world-writable dir", ownerMode{fs.ModeDir | 0o777, me, ""}, true, me, "p is writable by group or others (mode 0777)"},
		{"sticky world-writable dir", ownerMode{fs.ModeDir | fs.ModeSticky | 0o777, me, ""}, true, me, "p is writable by group or others (mode 0777)"},
		{"another user's file", ownerMode{0o600, 0, ""}, false, me, "p is owned by uid 0, not by this user (uid 1000)"},
		{"symbolic link", ownerMode{fs.ModeSymlink | 0o777, me, ""}, false, me, "p is a symbolic link"},
		{"FIFO", ownerMode{fs.ModeNamedPipe | 0o600, me, ""}, false, me, "p is not a regular file"},
		{"device", ownerMode{fs.ModeDevice | fs.ModeCharDevice | 0o666, 0, ""}, false, me, "p is not a regular file"},
		{"file for a dir", ownerMode{0o700, me, ""}, true, me, "p is not a directory"},
		{"dir for a file", ownerMode{fs.ModeDir | 0o700, me, ""}, false, me, "p is not a regular file"},
		{"no uids (Windows)", ownerMode{0o666, -1, ""}, false, -1, ""},
		{"foreign ACL (Windows)", ownerMode{0o666, -1, "is writable by S-1-1-0, not only by this user (S-1-5-21-1-2-3-1001)"}, false, -1,
			"p is writable by S-1-1-0, not only by this user (S-1-5-21-1-2-3-1001)"},
	} {
		err := judge("p", tc.m, tc.wantDir, tc.euid)
		if got := errText(err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if err != nil && !errors.Is(err, ErrUntrusted) {
			t.Errorf("%s: %v is not ErrUntrusted", tc.name, err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestReadFileRefuses plants what a reader must not follow or wait for, and
// checks that each is refused at once.
func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(p("good"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(p("fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"zero": "/dev/zero", "link": p("good")} {
		if err := os.Symlink(target, p(name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(p("big"), make([]byte, 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p("shared"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p("shared"), 0o666); err != nil { // past the umask
		t.Fatal(err)
	}
	if b, err := ReadFile(p("good"), 1024); err != nil || string(b) != "{}" {
		t.Fatalf("ReadFile(good) = %q, %v", b, err)
	}
	// ReadRegular refuses the same, but reads what only ownership or
	// mode would refuse.
	if b, err := ReadRegular(p("shared"), 1024); err != nil || string(b) != "{}" {
		t.Fatalf("ReadRegular(shared) = %q, %v", b, err)
	}
	for name, want := range map[string]string{
		"fifo":   "is not a regular file",
		"zero":   "is a symbolic link",
		"link":   "is a symbolic link",
		"big":    "is larger than 1024 bytes",
		"shared": "is writable by group or others (mode 0666)",
	} {
		for fn, read := range map[string]func(string, int64) ([]byte, error){"ReadFile": ReadFile, "ReadRegular": ReadRegular} {
			if fn == "ReadRegular" && name == "shared" {
				continue
			}
			done := make(chan error, 1)
			go func() { _, err := read(p(name), 1024); done <- err }()
			select {
			case err := <-done:
				if err == nil || err.Error() != p(name)+" "+want || !errors.Is(err, ErrUntrusted) {
					t.Errorf("%s(%s) = %v, want %q", fn, name, err, want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s(%s) still blocks after 5s", fn, name)
			}
		}
		if err := CheckFile(p(name)); err == nil && name != "big" {
			t.Errorf("CheckFile(%s) trusts it", name)
		}
	}
	if err := CheckFile(p("missing")); err != nil {
		t.Errorf("CheckFile of a missing file: %v", err)
	}
}

func TestReadFileOtherOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	f := filepath.Join(t.TempDir(), "planted")
	if err := os.WriteFile(f, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(f, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(f, 1024); err == nil || err.Error() != f+" is owned by uid 65534, not by this user (uid 0)" {
		t.Errorf("ReadFile of another user's file: %v", err)
	}
}

func TestMkdirTrusted(t *testing.T) {
	home := t.TempDir()
	cache := filepath.Join(home, ".cache", "app")
	if err := MkdirTrusted(cache); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(cache), cache} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, %v; want a 0700 directory", d, fi.Mode(), err)
		}
	}
	if err := MkdirTrusted(cache); err != nil {
		t.Errorf("again: %v", err)
	}
	// A HOME that does not exist is not created.
	gone := filepath.Join(home, "gone")
	if err := MkdirTrusted(filepath.Join(gone, ".cache", "app")); err == nil {
		t.Error("MkdirTrusted created a missing HOME")
	}
	if _, err := os.Stat(gone); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists: %v", gone, err)
	}
	if err := MkdirTrusted("relative/.cache/app"); err == nil || err.Error() != "relative/.cache/app is not an absolute path" {
		t.Errorf("relative: %v", err)
	}
	// An existing directory is checked and left as it is.
	open := filepath.Join(home, "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := MkdirTrusted(filepath.Join(open, "app")); err != nil {
		t.Errorf("a new directory in a world-writable parent: %v", err)
	}
	if err := MkdirTrusted(open); err == nil {
		t.Error("a world-writable directory is trusted")
	}
	if fi, _ := os.Stat(open); fi.Mode().Perm() != 0o777 {
		t.Errorf("MkdirTrusted changed the mode of %s to %v", open, fi.Mode())
	}
	// A symbolic link to a good directory is refused, and its target left.
	link := filepath.Join(home, "link")
	if err := os.Symlink(cache, link); err != nil {
		t.Fatal(err)
	}
	if err := MkdirTrusted(link); err == nil || err.Error() != link+" is a symbolic link" {
		t.Errorf("a symbolic link: %v", err)
	}
}

// TestRemoveMatching checks that the sweep removes exactly the files with
// the extension whose content matches, and that it neither reads nor
// removes what the rules refuse: a FIFO, a link, a file others may write.
func TestRemoveMatching(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	for name, body := range map[string]string{"a.json": "yes", "b.json": "no", "c.txt": "yes", "shared.json": "yes"} {
		if err := os.WriteFile(p(name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(p("shared.json"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(p("fifo.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(p("a.json"), p("link.json")); err != nil {
		t.Fatal(err)
	}
	var n int
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		d, derr := OpenDir(dir)
		if derr != nil {
			n, err = 0, derr
			return
		}
		defer d.Close()
		n, err = d.RemoveMatching(".json", func(b []byte) bool { return string(b) == "yes" })
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RemoveMatching still blocks after 5s")
	}
	if n != 1 || err != nil {
		t.Errorf("RemoveMatching = %d, %v; want 1, nil", n, err)
	}
	left, _ := os.ReadDir(dir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if want := []string{"b.json", "c.txt", "fifo.json", "link.json", "shared.json"}; !slices.Equal(names, want) {
		t.Errorf("left %v, want %v", names, want)
	}
	if _, err := OpenDir(p("missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenDir of a missing directory: %v", err)
	}
}
