package doctor

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/project"
)

// grace is how long after the budget the report waits for checks that are
// stopping: a check that honours its context returns at once, and a
// command it ran is killed and given waitDelay to let go of its output.
const (
	grace     = 2 * time.Second
	waitDelay = time.Second
)

// contain bounds a command doctor runs by the run's context: it runs in a
// process group of its own, which is killed whole when the context ends, so
// that git dies with what it started (helpers, their children); its output
// is let go waitDelay later, whoever still holds it; and, on Linux, it is
// killed should doctor itself be killed first. Where there are no process
// groups, the command alone is killed.
func contain(cmd *exec.Cmd) {
	killGroup(cmd)
	cmd.WaitDelay = waitDelay
}

// doctor is one run of Doctor: its options, and what the checks found that
// others need. A task writes its fields before it is done, and a task that
// needs them reads them only after.
type doctor struct {
	o   Options
	raw string // the URL asked about
	git gitconfig.Git

	version gitconfig.Version // git's
	gitOK   bool              // git runs
	target  string            // the https CodeCommit URL checked, or ""
	remote  bool              // the URL is codecommit://: git-remote-codecommit gives git the helper
	probe   probe             // what git credential fill showed
	probed  bool              // the probe ran and its outcome is known
	flags   helper.Getter     // the helper's flags, as git's configuration sets them
	// installFlags are the flags of this helper where git asks it, for the
	// install doctor --fix runs, which must keep them; the report may read
	// them while a late helper check still runs.
	mu           sync.Mutex
	installFlags helper.Getter
	creds        awscreds.Resolved // the credentials the helper would get
	credsOK      bool
}

// A task finds the checks of one part of the report, in a goroutine of its
// own, once the tasks it needs are done.
type task struct {
	names  []string // the names of its checks, for a report without them
	needs  []*task
	run    func(ctx context.Context) []Check
	done   chan struct{}
	checks []Check
}

// run runs every check concurrently, within the budget, and returns their
// checks in a fixed order.
func (d *doctor) run(ctx context.Context) []Check {
	// Past the budget, the report waits a little longer for checks that
	// are stopping; when the caller cancels ctx, they stop at once, and the
	// report waits for them as well.
	late, cancelLate := context.WithTimeout(context.WithoutCancel(ctx), d.o.Budget+grace)
	defer cancelLate()
	ctx, cancel := context.WithTimeout(ctx, d.o.Budget)
	defer cancel()

	t := func(run func(context.Context) []Check, needs []*task, names ...string) *task {
		return &task{names: names, needs: needs, run: run, done: make(chan struct{})}
	}
	git := t(d.checkGit, nil, "git")
	url := t(d.checkURL, nil, "url")
	helpers := t(d.checkHelpers, []*task{git, url}, "helper")
	creds := t(d.checkCredentials, []*task{url, helpers}, "credentials")
	return runTasks(ctx, late, d.o.Budget, []*task{
		git, url,
		t(d.checkFIPS, []*task{url}, "fips"),
		helpers,
		t(d.checkUseHTTPPath, []*task{helpers}, "usehttppath"),
		t(d.checkLocalHelpers, []*task{git, url}), // only adds to the helper check
		creds,
		t(d.checkSSOToken, []*task{creds}, "sso"),
		t(d.checkLoginSession, []*task{creds}, "login"),
		t(d.checkCache, []*task{creds}, "cache"),
		t(d.checkRegion, []*task{creds}, "region"),
		t(d.checkOnline, []*task{creds}, "identity", "clock"),
		t(d.checkProject(project.CheckGo), nil, project.Go),
		t(d.checkProject(func(_ context.Context, o project.Options) []project.Finding { return project.CheckCargo(o) }), nil, project.Cargo),
		t(d.checkProject(func(_ context.Context, o project.Options) []project.Finding { return project.CheckJavaScript(o) }), nil, project.Yarn),
		t(d.checkProject(project.CheckSSHDeps), nil, project.SSHDeps),
		t(d.checkProject(project.CheckSubmodules), nil, project.Submodules),
	})
}

// runTasks starts every task, and returns their checks in the order of
// tasks once all are done, or late is: a task not done by then is reported
// as not finished, and one whose needs were not done within ctx as
// skipped. A task that needs none runs whenever it starts, and stops when
// ctx ends.
func runTasks(ctx, late context.Context, budget time.Duration, tasks []*task) []Check {
	for _, t := range tasks {
		go func() {
			defer close(t.done)
			for _, n := range t.needs {
				select {
				case <-n.done:
				case <-ctx.Done():
				}
			}
			if len(t.needs) > 0 && ctx.Err() != nil {
				why := "not run: doctor was stopped before the checks this one needs finished"
				if errors.Is(ctx.Err(), context.DeadlineExceeded) {
					why = fmt.Sprintf("not run: the %s doctor gives all checks ran out before the checks this one needs finished", budget)
				}
				t.checks = each(t.names, func(name string) Check { return skip(name, why) })
				return
			}
			t.checks = t.run(ctx)
		}()
	}
	var checks []Check
	for _, t := range tasks {
		select {
		case <-t.done:
		case <-late.Done():
			select {
			case <-t.done:
			default:
				checks = append(checks, each(t.names, func(name string) Check {
					c := runTasksUnfinished(budget)
					c.Name = name
					return c
				})...)
				continue
			}
		}
		checks = append(checks, t.checks...)
	}
	return checks
}

// runTasksUnfinished is the check of a task that did not finish within
// budget, without its name.
func runTasksUnfinished(budget time.Duration) Check {
	return fail("", fmt.Sprintf("did not finish within the %s doctor gives all checks", budget), "")
}

// unfinished is the check name reports, with status, when ctx ended while
// the command it ran, what, had not finished: what that command would have
// said is unknown.
func (d *doctor) unfinished(ctx context.Context, status Status, name, what string) Check {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return Check{Name: name, Status: status, Detail: fmt.Sprintf("not checked: %s did not finish within the %s doctor gives all checks", what, d.o.Budget),
			Fix: "run it to see what it waits for (a FIFO or a device in git's configuration, a command it runs)"}
	}
	return Check{Name: name, Status: status, Detail: fmt.Sprintf("not checked: %s did not finish: doctor was stopped", what)}
}

// each returns a check for each name.
func each(names []string, check func(name string) Check) []Check {
	cs := make([]Check, len(names))
	for i, n := range names {
		cs[i] = check(n)
	}
	return cs
}
