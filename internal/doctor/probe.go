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
// Unless o.Local, git runs outside the repository in o.Dir, so that the
// helpers a repository's own configuration names are not run:
// checkLocalHelpers lists them instead.
func runProbe(ctx context.Context, o Options, rawURL string) (probe, error) {
	dir, err := os.MkdirTemp("", "git-credential-codecommit-doctor-")
	if err != nil {
		return probe{}, err
	}
	defer os.RemoveAll(dir)
	trace, err := filepath.Abs(filepath.Join(dir, "trace2.json"))
	if err != nil {
		return probe{}, err
	}

	cmd := exec.CommandContext(ctx, "git", "credential", "fill")
	// A helper that outlives git, or that git leaves waiting for input,
	// is killed with it, and holds its output no longer than waitDelay.
	killGroup(cmd)
	cmd.WaitDelay = waitDelay
	cmd.Dir = dir
	if o.Local {
		cmd.Dir = o.Dir
	}
	cmd.Env = o.Env
	if cmd.Env == nil {
		cmd.Env = os.Environ()
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
