package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
)

// probe is what git credential fill showed of git's credential code.
type probe struct {
	helpers  []credHelper // the helpers git asked, in order
	sentPath bool         // git kept the path: useHttpPath is in effect
	answered bool         // the last helper asked answered with a password
}

// runProbe runs git credential fill for rawURL the way git would ask for a
// clone, harmlessly: helper.ProbeEnv makes git-credential-codecommit answer
// nothing, prompts answer nothing, and trace2 records the helpers git runs.
// What the helpers answer is read for its path and password keys only, and
// never shown.
//
// Unless o.Local, git runs outside any repository (outsideRepository), so
// that the helpers a repository's own configuration names are not run:
// checkLocalHelpers lists them instead.
func runProbe(ctx context.Context, o Options, rawURL string) (probe, error) {
	dir, err := os.MkdirTemp("", "git-credential-codecommit-doctor-")
	if err != nil {
		return probe{}, err
	}
	defer os.RemoveAll(dir)
	if dir, err = filepath.Abs(dir); err != nil {
		return probe{}, err
	}
	trace := filepath.Join(dir, "trace2.json")

	cmd := exec.CommandContext(ctx, "git", "credential", "fill")
	// A helper that outlives git, or that git leaves waiting for input,
	// is killed with it, and holds its output no longer than waitDelay.
	contain(cmd)
	cmd.Dir = dir
	if o.Local {
		cmd.Dir = o.Dir
	}
	cmd.Env = o.Env
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	if !o.Local {
		cmd.Env = outsideRepository(cmd.Env, dir)
	}
	cmd.Env = append(slices.Clip(cmd.Env),
		"GIT_TRACE2_EVENT="+trace,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=true", // prompts get empty answers
		"GCM_INTERACTIVE=never",
		helper.ProbeEnv+"=1",
	)
	cmd.Stdin = strings.NewReader("url=" + rawURL + "\n\n")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	runErr := cmd.Run()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return probe{}, fmt.Errorf("git credential fill did not finish within the %s doctor gives all checks; a helper may be waiting for input", o.Budget)
	case ctx.Err() != nil:
		return probe{}, fmt.Errorf("git credential fill did not finish: doctor was stopped (%v)", ctx.Err())
	}
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return probe{}, fmt.Errorf("running git: %w", runErr)
	}
	events, err := os.ReadFile(trace)
	if err != nil || len(events) == 0 {
		return probe{}, fmt.Errorf("git credential fill wrote no trace2 events (%s)", lastLine(errOut.String(), runErr))
	}
	p := probe{helpers: parseTrace(events)}
	for line := range strings.SplitSeq(out.String(), "\n") {
		p.sentPath = p.sentPath || strings.HasPrefix(line, "path=")
		p.answered = p.answered || strings.HasPrefix(line, "password=") && line != "password="
	}
	return p, nil
}

// repositoryEnv are the variables that point git at a repository or at
// parts of one: those git rev-parse --local-env-vars lists (git 2.39 to
// 2.47), but for GIT_CONFIG_PARAMETERS and GIT_CONFIG_COUNT (with its
// GIT_CONFIG_KEY_n and GIT_CONFIG_VALUE_n). Those two carry the user's own
// "git -c" settings, not a repository's: git keeps them when it moves into
// another repository (a submodule), and they apply to the clone doctor
// checks, so the probe keeps them too.
var repositoryEnv = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE",
	"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
	"GIT_CONFIG", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE",
	"GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX",
	"GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE",
}

// outsideRepository returns env for a git that runs in dir, a directory of
// doctor's own, and must find no repository: git exported by a hook or a
// wrapper (GIT_DIR and the rest of repositoryEnv) is dropped, and
// GIT_CEILING_DIRECTORIES stops git's search for one at dir, which could
// be inside a repository (a TMPDIR in the checkout, as CI jobs set it).
func outsideRepository(env []string, dir string) []string {
	env = slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains(repositoryEnv, k) || k == "GIT_CEILING_DIRECTORIES"
	})
	return append(env, "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir))
}

// lastLine returns the last line of stderr, else err's text.
func lastLine(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if l := lines[len(lines)-1]; l != "" {
		return l
	}
	if err != nil {
		return err.Error()
	}
	return "no error"
}

// traceEvent holds the fields of a trace2 event that parseTrace reads.
type traceEvent struct {
	Event    string   `json:"event"`
	SID      string   `json:"sid"`
	ChildID  int      `json:"child_id"`
	UseShell bool     `json:"use_shell"`
	Argv     []string `json:"argv"`
	Code     int      `json:"code"`
}

// parseTrace returns the credential helpers whose get the traced git ran,
// in order, from trace2 event lines. Only the children of the process that
// logged first count: the processes it runs log with session ids of their
// own (its id, "/", theirs). Its own id holds a "/" too when another git
// started it, as a git alias does, so it is taken from its first event.
func parseTrace(events []byte) []credHelper {
	var (
		top     string
		helpers []credHelper
		byChild = map[int]int{} // child_id → index in helpers
	)
	for line := range bytes.SplitSeq(events, []byte("\n")) {
		var e traceEvent
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		if top == "" {
			top = e.SID
		}
		if e.SID != top {
			continue
		}
		switch e.Event {
		case "child_start":
			if !e.UseShell || len(e.Argv) == 0 || !strings.HasSuffix(e.Argv[0], " get") {
				continue
			}
			byChild[e.ChildID] = len(helpers)
			helpers = append(helpers, classifyHelper(strings.TrimSuffix(e.Argv[0], " get")))
		case "child_exit":
			if i, ok := byChild[e.ChildID]; ok {
				helpers[i].exit = e.Code
				helpers[i] = identify(helpers[i])
			}
		}
	}
	return helpers
}
