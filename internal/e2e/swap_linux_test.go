package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestTwoUsersParentSwap: another user who can write the cache directory's
// parent (XDG_CACHE_HOME on a shared 0777 directory, or a ~/.cache shared
// with a group) swaps the victim's cache directory for a link to the
// victim's working tree and back, as fast as it can, while the victim's
// gets miss and write entries. No entry lands outside a cache directory:
// the helper writes through the descriptor of the directory it checked.
func TestTwoUsersParentSwap(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make two users")
	}
	perl, err := exec.LookPath("perl")
	if err != nil {
		t.Skip("needs perl (Debian's perl-base) for the racer")
	}
	victim, attacker := addUser(t, "victim"), addUser(t, "attacker")
	base, err := os.MkdirTemp("", "gcc-swap-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	mustChmod(t, base, 0o755)
	shared := filepath.Join(base, "shared")
	mustMkdir(t, shared, 0o777)
	home, work, run := filepath.Join(base, "victim"), filepath.Join(base, "victim", "work"), filepath.Join(base, "victim", "run")
	mustMkdir(t, home, 0o700)
	mustMkdir(t, work, 0o755)
	mustMkdir(t, run, 0o700)
	for _, d := range []string{home, work, run} {
		mustChown(t, d, victim)
	}
	v := newVictim(t, base, home, victim, "AKIAVICTIMBASE000002", "XDG_CACHE_HOME="+shared, "XDG_RUNTIME_DIR="+run)
	bin, env := v.bin, v.env
	get := func(i int) {
		t.Helper()
		// A session name of its own: a miss, and an entry written.
		cmd := victim.as(append(env, fmt.Sprintf("AWS_ROLE_SESSION_NAME=s%d", i)), bin, "get")
		cmd.Dir = home
		cmd.Stdin = strings.NewReader("protocol=https\nhost=" + host + "\npath=v1/repos/r\n\n")
		if out, err := cmd.Output(); err != nil || !strings.HasPrefix(string(out), "username=ASIASTS") {
			t.Fatalf("the victim's get: %v, %q", err, strings.SplitN(string(out), "\n", 2)[0])
		}
	}
	get(0) // the victim's own cache directory, 0700
	dir := filepath.Join(shared, "git-credential-codecommit")

	stop := filepath.Join(base, "stop")
	// The link stays a few milliseconds, as long as a fetch takes, then the
	// directory is put back (under a new name when the victim made a new one
	// meanwhile).
	racer := attacker.as(nil, perl, "-e", `my ($d, $t, $stop) = @ARGV; my ($n, $swaps) = (0, 0);
		until (-e $stop) {
			my $x = "$d." . $n++;
			rename($d, $x) or next;
			$swaps++ if symlink($t, $d);
			select(undef, undef, undef, 0.003);
			unlink($d);
			rename($x, $d);
			select(undef, undef, undef, 0.003);
		}
		print $swaps;`, dir, work, stop)
	var swaps strings.Builder
	racer.Stdout = &swaps
	if err := racer.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { racer.Process.Kill(); racer.Wait() })
	const gets = 40
	for i := 1; i <= gets; i++ {
		get(i)
	}
	if err := os.WriteFile(stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := racer.Wait(); err != nil || swaps.String() == "0" {
		t.Fatalf("the racer: %v after %s swaps", err, swaps.String())
	}

	// Entries are only in the victim's cache directories: the one in
	// shared (under its name or the racer's), or the fallback in run.
	entries := 0
	filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".json") {
			return nil
		}
		parent := filepath.Dir(p)
		fi, err := os.Lstat(parent)
		st, ok := fi.Sys().(*syscall.Stat_t)
		switch {
		case err != nil || !ok || int(st.Uid) != victim.uid || fi.Mode().Perm() != 0o700:
			t.Errorf("an entry in %s, which is not a directory of the victim's, 0700: %v, %v", p, fi.Mode(), err)
		case parent == dir, strings.HasPrefix(parent, dir+"."), parent == filepath.Join(run, "git-credential-codecommit"):
			entries++
		default:
			t.Errorf("an entry outside the cache directories: %s", p)
		}
		return nil
	})
	if names, _ := os.ReadDir(work); len(names) != 0 {
		t.Errorf("the working tree holds %v", names)
	}
	t.Logf("%s swaps; %d entries of %d gets cached", swaps.String(), entries, gets+1)
}
