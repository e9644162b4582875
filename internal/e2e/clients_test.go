package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// The client tests run the package managers and build tools users fetch
// CodeCommit dependencies with, through git configured by the built
// helper's own install, and count how often each makes git run the helper.

// requireTool returns the path of the client name. A client missing from
// the machine skips the test, except in CI (CI=true), where every client is
// there (the machine comes with go, cargo and python3; .ci/run installs the
// rest) and a missing one means that an install step is broken: there the
// test fails, so that CI cannot pass by skipping.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed, and CI must have it (from the machine or from .ci/run): %v", name, err)
	}
	t.Skipf("%s is not installed (.ci/run installs what the machine lacks): %v", name, err)
	return ""
}

// installedWorld is a world whose git was configured by the built helper's
// own install, with installArgs, and whose default AWS profile holds static
// keys the fake CodeCommit knows. It returns those keys.
func installedWorld(t *testing.T, installArgs ...string) (*world, fakeaws.Credentials) {
	t.Helper()
	w := newBareWorld(t)
	key := w.staticProfiles("default")["default"]
	global := filepath.Join(w.home, ".gitconfig")
	writeFile(t, global, readFile(t, global)+testenv.InstalledConfig(t, installArgs...))
	return w, key
}

// pushFiles creates repo on the fake CodeCommit with one commit of files
// (name to contents) on its main branch, and returns the commit. The
// commit is made in home/src/<repo>, a repository whose origin is repo's
// URL, as a clone of it would be. This set-up writes to the fake's
// repository directly, not through the helper: the tests count and check
// what the clients do after it, and a push through the helper is
// roundTrip's.
func (w *world) pushFiles(repo string, files map[string]string) string {
	w.t.Helper()
	if err := w.cc.CreateRepo(repo); err != nil {
		w.t.Fatal(err)
	}
	src := filepath.Join(w.home, "src", repo)
	w.git("init", "--quiet", "--initial-branch=main", src)
	w.gitIn(src, "remote", "add", "origin", repoURL+repo)
	return w.commitFiles(src, files)
}

// commitFiles writes files into src, a repository pushFiles made, commits
// them and pushes the commit to the main branch of its repository on the
// fake, directly (see pushFiles). It returns the commit.
func (w *world) commitFiles(src string, files map[string]string) string {
	w.t.Helper()
	for name, body := range files {
		writeFile(w.t, filepath.Join(src, name), body)
	}
	w.gitIn(src, "add", ".")
	w.gitIn(src, "commit", "--quiet", "-m", "update "+filepath.Base(src))
	w.gitIn(src, "push", "--quiet", w.cc.RepoDir(filepath.Base(src)), "HEAD:main")
	return strings.TrimSpace(w.gitIn(src, "rev-parse", "HEAD"))
}

// phase is a stretch of a test in which every git process writes its trace2
// events into a directory of its own (GIT_TRACE2_EVENT names a directory:
// one file per process, so that processes running at once cannot mix their
// lines). Git passes the variable on to every git it starts, and clients
// pass their environment on to the git they run, so the events show every
// run of the credential helper, whichever client started the git.
type phase struct {
	w    *world
	name string
	dir  string
	from int // the fake's verdicts before the phase
}

// startPhase begins a phase: the commands run after it, until the next
// phase, trace into a new directory.
func (w *world) startPhase(name string) *phase {
	w.t.Helper()
	if err := os.MkdirAll(filepath.Join(w.home, "trace2"), 0o700); err != nil {
		w.t.Fatal(err)
	}
	dir, err := os.MkdirTemp(filepath.Join(w.home, "trace2"), "phase-")
	if err != nil {
		w.t.Fatal(err)
	}
	w.setenv("GIT_TRACE2_EVENT=" + dir)
	return &phase{w: w, name: name, dir: dir, from: len(w.cc.Verdicts())}
}

// helperRuns returns how many times git ran the credential helper with the
// operation op during the phase, and for each the command line of the git
// that needed it: the parent of the git remote-https that ran the helper.
// Git logs a helper it runs as a child_start event whose command line is
// the configured helper followed by the operation
// ("/path/git-credential-codecommit get", run by the shell). For
// codecommit:// URLs the helper is the same binary under its other name
// ("/path/git-remote-codecommit --credential-helper get").
func (p *phase) helperRuns(op string) (n int, callers []string) {
	p.w.t.Helper()
	files, err := os.ReadDir(p.dir)
	if err != nil {
		p.w.t.Fatal(err)
	}
	argv := map[string][]string{} // a process's command line by its session id
	var askers []string           // session ids of the processes that ran the helper
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(p.dir, f.Name()))
		if err != nil {
			p.w.t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var ev struct {
				Event string   `json:"event"`
				SID   string   `json:"sid"`
				Argv  []string `json:"argv"`
			}
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				p.w.t.Fatalf("%s: %v: %s", f.Name(), err, line)
			}
			switch ev.Event {
			case "start":
				argv[ev.SID] = ev.Argv
			case "child_start":
				words := strings.Fields(strings.Join(ev.Argv, " "))
				if len(words) > 1 && isOurs(words[0]) && words[len(words)-1] == op {
					askers = append(askers, ev.SID)
				}
			}
		}
	}
	for _, sid := range askers {
		// A child's session id is its parent's, a slash, and its own: go up
		// from git remote-https to the git command that started it.
		caller := argv[sid]
		for parent := sid; isRemoteHTTPS(caller) && strings.Contains(parent, "/"); {
			parent = parent[:strings.LastIndex(parent, "/")]
			if a, ok := argv[parent]; ok {
				caller = a
			}
		}
		callers = append(callers, strings.Join(caller, " "))
	}
	return len(askers), callers
}

// challenges returns how many requests reached the fake CodeCommit without
// credentials during the phase (each answered 401), and how many with.
func (p *phase) challenges() (anonymous, signed int) {
	for _, v := range p.w.cc.Verdicts()[p.from:] {
		if v.Status == 401 && v.AccessKeyID == "" {
			anonymous++
		} else {
			signed++
		}
	}
	return anonymous, signed
}

// checkGets checks the phase's gets: between lo and hi, and one for each
// 401 the fake answered, since git asks its helpers only after a 401 and
// keeps the answer for the rest of its process. A request made without
// credentials by something other than git (a client's own HTTP download)
// shows up as a 401 without a get. It logs the gets and the git commands
// that needed them, for the README's counts.
func (p *phase) checkGets(lo, hi int) {
	p.w.t.Helper()
	gets, callers := p.helperRuns("get")
	anonymous, signed := p.challenges()
	p.w.t.Logf("%s: %d gets, %d requests answered 401, %d signed requests; gets for:\n\t%s", p.name, gets, anonymous, signed, strings.Join(callers, "\n\t"))
	if gets < lo || gets > hi {
		p.w.t.Errorf("%s: git ran the helper's get %d times, want %d to %d", p.name, gets, lo, hi)
	}
	if gets != anonymous {
		p.w.t.Errorf("%s: %d gets for %d requests answered 401: something fetched without git's credentials, or git asked the helper without a 401", p.name, gets, anonymous)
	}
	if signed == 0 {
		p.w.t.Errorf("%s: no signed request reached the fake CodeCommit", p.name)
	}
}

// isOurs reports whether a helper command starts with the built binary,
// under either of its names, quoted or not.
func isOurs(command string) bool {
	return strings.Contains(command, "git-credential-codecommit") || strings.Contains(command, "git-remote-codecommit")
}

// isRemoteHTTPS reports whether argv is git's remote helper for HTTPS,
// started as "git remote-https" or as git-remote-https.
func isRemoteHTTPS(argv []string) bool {
	return len(argv) > 1 && argv[1] == "remote-https" || len(argv) > 0 && filepath.Base(argv[0]) == "git-remote-https"
}
