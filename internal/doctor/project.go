package doctor

import (
	"context"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/project"
)

// checkProject returns a task that reports what inspect finds in the
// project in Options.Dir: a check for each finding, named after its
// package manager. A manager's failure stops it, not a clone.
func (d *doctor) checkProject(inspect func(context.Context, project.Options) []project.Finding) func(context.Context) []Check {
	return func(ctx context.Context) []Check {
		var checks []Check
		for _, f := range inspect(ctx, project.Options{Dir: d.o.Dir, Env: d.o.Env, Program: ourName, Prepare: contain}) {
			checks = append(checks, findingCheck(f))
		}
		return checks
	}
}

// findingCheck is the check that reports f, from its error's fields.
func findingCheck(f project.Finding) Check {
	switch f.Result {
	case project.Fine:
		return ok(f.Manager, f.Detail)
	case project.Absent:
		return skip(f.Manager, f.Detail)
	}
	detail, fix := "", ""
	if e := failure.As(f.Err); e != nil {
		detail, fix = e.Finding(), e.Fix
	} else if f.Err != nil {
		detail = failure.OneLine(f.Err)
	}
	if f.Result == project.Unknown {
		return warn(f.Manager, detail, fix)
	}
	c := fail(f.Manager, detail, fix)
	c.Changes = f.Changes
	return c
}
