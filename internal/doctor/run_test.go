package doctor

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRunTasks checks the report of tasks that finish, that stop when
// their context ends, that never stop, and that need one of those: every
// task has its place in the order given, whenever it finished. The test
// ends the budget (ctx) itself, once the tasks it wants finished are, and
// the wait past it (late) once those that stop have.
func TestRunTasks(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	late, cancelLate := context.WithCancel(t.Context())
	defer cancelLate()
	release := make(chan struct{}) // lets the stuck task go, after the test
	defer close(release)

	var finished sync.WaitGroup
	finished.Add(2)
	newTask := func(run func(context.Context) []Check, needs []*task, names ...string) *task {
		return &task{names: names, needs: needs, run: run, done: make(chan struct{})}
	}
	quick := newTask(func(context.Context) []Check { defer finished.Done(); return []Check{ok("quick", "done")} }, nil, "quick")
	afterQuick := newTask(func(context.Context) []Check { defer finished.Done(); return []Check{ok("after-quick", "done")} }, []*task{quick}, "after-quick")
	stops := newTask(func(ctx context.Context) []Check { <-ctx.Done(); return []Check{fail("stops", "stopped", "")} }, nil, "stops")
	stuck := newTask(func(context.Context) []Check { <-release; return nil }, nil, "stuck", "stuck-too")
	afterStuck := newTask(func(context.Context) []Check { return []Check{ok("after-stuck", "ran")} }, []*task{stuck}, "after-stuck")
	go func() {
		finished.Wait()
		cancel()
		<-stops.done
		<-afterStuck.done
		cancelLate()
	}()

	got := runTasks(ctx, late, 20*time.Second, []*task{afterStuck, quick, stuck, stops, afterQuick})
	want := []struct {
		name   string
		status Status
		detail string
	}{
		{"after-stuck", Skip, "not run: doctor was stopped before the checks this one needs finished"},
		{"quick", OK, "done"},
		{"stuck", Fail, "did not finish within the 20s doctor gives all checks"},
		{"stuck-too", Fail, "did not finish within the 20s doctor gives all checks"},
		{"stops", Fail, "stopped"},
		{"after-quick", OK, "done"},
	}
	if len(got) != len(want) {
		t.Fatalf("checks %+v, want %+v", got, want)
	}
	for i, w := range want {
		if c := got[i]; c.Name != w.name || c.Status != w.status || c.Detail != w.detail {
			t.Errorf("check %d: %+v, want %+v", i, c, w)
		}
	}
}

// TestRunTasksBudget: a task whose needs are not done when the budget runs
// out is skipped, and says so.
func TestRunTasksBudget(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithDeadline(t.Context(), time.Now()) // already out
	defer cancel()
	never := &task{names: []string{"never"}, done: make(chan struct{})} // not run: needs nothing started
	after := &task{names: []string{"after"}, needs: []*task{never}, run: func(context.Context) []Check { return nil }, done: make(chan struct{})}
	go func() { <-after.done; close(never.done) }()
	got := runTasks(ctx, t.Context(), 5*time.Second, []*task{after})
	if len(got) != 1 || got[0].Status != Skip || !strings.Contains(got[0].Detail, "the 5s doctor gives all checks ran out") {
		t.Errorf("checks %+v, want after skipped for the budget", got)
	}
}
