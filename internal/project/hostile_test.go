//go:build unix

package project

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestUnreadableFiles plants a FIFO, a link to /dev/zero and a file past
// maxFile where each manager reads its manifest, as someone who can write a
// shared checkout could at any moment: each check returns at once, reads
// nothing, and says in one short line that it could not check, and why.
// What the checks allocate, together, stays far below what reading one of
// the files would: the test does not run in parallel, so that the
// process's allocations are its own.
func TestUnreadableFiles(t *testing.T) {
	home := t.TempDir()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	defer func() {
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > maxFile/4 {
			t.Errorf("the checks allocated %d bytes", grew)
		}
	}()
	o := Options{Env: append([]string{"PATH=" + os.Getenv("PATH")}, testenv.Baseline(home)...), Program: "prog"}
	for _, tc := range []struct {
		file    string
		manager string
		check   func(Options) []Finding
	}{
		{"go.mod", Go, func(o Options) []Finding { return CheckGo(context.Background(), o) }},
		{"Cargo.toml", Cargo, CheckCargo},
		{"package.json", SSHDeps, func(o Options) []Finding { return CheckSSHDeps(context.Background(), o) }},
		{"pnpm-lock.yaml", SSHDeps, func(o Options) []Finding { return CheckSSHDeps(context.Background(), o) }},
	} {
		for kind, why := range map[string]string{"fifo": "is not a regular file", "zero": "is a symbolic link", "big": fmt.Sprintf("is larger than %d bytes", maxFile)} {
			o.Dir = filepath.Join(t.TempDir(), "project")
			path := filepath.Join(o.Dir, tc.file)
			if kind == "big" { // sparse: its size alone refuses it
				testenv.WriteFile(t, o.Dir, tc.file, "")
				if err := os.Truncate(path, maxFile+1); err != nil {
					t.Fatal(err)
				}
			} else {
				testenv.Plant(t, path, kind)
			}
			var fs []Finding
			testenv.Within(t, time.Minute, tc.file+" check", func() { fs = tc.check(o) })
			i := slices.IndexFunc(fs, func(f Finding) bool { return f.Result != Absent })
			if i < 0 || fs[i].Manager != tc.manager || fs[i].Result != Unknown || len(fs) > 2 {
				t.Errorf("%s as %s: findings %+v, want one unknown %s", tc.file, kind, fs, tc.manager)
				continue
			}
			e := failure.As(fs[i].Err)
			if want := "cannot read " + tc.file + " (" + why + "); make it a regular file of at most 8 MiB"; e == nil || e.Error() != want {
				t.Errorf("%s as %s: %v\nwant %s", tc.file, kind, fs[i].Err, want)
			}
		}
	}
}

// manyURLs is a package.json naming n CodeCommit SSH repositories in each
// of us-east-1 and eu-west-1, the last named twice.
func manyURLs(n int) string {
	var b strings.Builder
	b.WriteString(`{"dependencies": {`)
	for i := range n {
		fmt.Fprintf(&b, `"a%d": "git+ssh://git-codecommit.us-east-1.amazonaws.com/v1/repos/r%d", `, i, i)
		fmt.Fprintf(&b, `"b%d": "git+ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r%d", `, i, i)
	}
	fmt.Fprintf(&b, `"again": "git+ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r%d"}}`, n-1)
	return b.String()
}

// rewriteRules are git's insteadOf rules for manyURLs: every us-east-1
// URL, and the eu-west-1 ones whose path starts with /v1/repos/r1 (r1, r10,
// r100, …: the rule is a literal prefix) are fetched over https.
const rewriteRules = `[url "https://git-codecommit.us-east-1.amazonaws.com/"]
	insteadOf = ssh://git-codecommit.us-east-1.amazonaws.com/
[url "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r1"]
	insteadOf = ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r1
`

// countingGit puts a git first on PATH, this process's (where exec looks
// for programs) and the returned environment's, that counts its runs in a
// file, then runs the real one; it returns the environment and that file.
func countingGit(t *testing.T, home string) ([]string, string) {
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	bin, count := filepath.Join(home, "bin"), filepath.Join(home, "git-runs")
	testenv.WriteFile(t, bin, "git", "#!/bin/sh\necho >>'"+count+"'\nexec '"+real+"' \"$@\"\n")
	if err := os.Chmod(filepath.Join(bin, "git"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := bin + string(os.PathListSeparator) + os.Getenv("PATH")
	t.Setenv("PATH", path)
	return append([]string{"PATH=" + path}, testenv.Baseline(home)...), count
}

// TestManySSHDependencies: a project naming 100,000 SSH URLs (50,000 on
// each of two hosts) costs doctor one git config and one git per insteadOf
// prefix they match (or none), not one per URL; the finding names two
// and says how many more, on one short line. Which URLs git rewrites is
// asked of git itself for some of them, so that the test's expectation is
// git's.
func TestManySSHDependencies(t *testing.T) {
	const n = 50_000
	home := t.TempDir()
	env, count := countingGit(t, home)
	testenv.WriteFile(t, home, ".gitconfig", rewriteRules)
	dir := filepath.Join(home, "project")
	testenv.WriteFile(t, dir, "package.json", manyURLs(n))
	o := Options{Dir: dir, Env: env, Program: "prog"}

	const east, west = "ssh://git-codecommit.us-east-1.amazonaws.com/v1/repos/", "ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/"
	for u, https := range map[string]bool{east + "r7": true, west + "r0": false, west + "r1": true, west + "r10": true, west + "r2": false, west + "r21": false} {
		out, err := o.git().Run(t.Context(), "ls-remote", "--get-url", "--", u)
		if err != nil || strings.HasPrefix(out, "https://") != https {
			t.Fatalf("git ls-remote --get-url %s = %q, %v; the test expects https: %v", u, out, err, https)
		}
	}
	os.Remove(count)

	fs := CheckSSHDeps(t.Context(), o)
	runs, _ := os.ReadFile(count)
	// git config, then ls-remote for the groups: us-east-1's prefix,
	// eu-west-1's r1 prefix, and no prefix.
	if got := strings.Count(string(runs), "\n"); got != 4 {
		t.Errorf("git ran %d times, want 4", got)
	}
	i := slices.IndexFunc(fs, func(f Finding) bool { return f.Manager == SSHDeps })
	if i < 0 || fs[i].Result != Broken {
		t.Fatalf("findings %+v, want ssh-deps broken", fs)
	}
	unrewritten := n - 11_111 // r1, r10…r19, r100…r199, r1000…r1999, r10000…r19999
	want := fmt.Sprintf("the project depends on %sr0, %sr2 and %d more over SSH", west, west, unrewritten-2)
	if e := failure.As(fs[i].Err); e == nil || !strings.HasPrefix(e.Problem, want) || len(e.Finding()) > 250 {
		t.Errorf("finding %v\nwant it to start %q and stay short", fs[i].Err, want)
	}
}

// BenchmarkManySSHDependencies is TestManySSHDependencies' project, the
// git runs included.
func BenchmarkManySSHDependencies(b *testing.B) {
	home := b.TempDir()
	testenv.WriteFile(b, home, ".gitconfig", rewriteRules)
	dir := filepath.Join(home, "project")
	testenv.WriteFile(b, dir, "package.json", manyURLs(50_000))
	o := Options{Dir: dir, Env: append([]string{"PATH=" + os.Getenv("PATH")}, testenv.Baseline(home)...), Program: "prog"}
	for b.Loop() {
		if fs := CheckSSHDeps(context.Background(), o); len(fs) != 1 || fs[0].Result != Broken {
			b.Fatalf("findings %+v", fs)
		}
	}
}
