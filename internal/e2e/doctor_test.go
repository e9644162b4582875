package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// The client tests also hold doctor to what the client then does: in a
// project the client fails in, doctor fails the client's check; after the
// fix, doctor passes and the client works. doctor --fix --yes makes the
// fixes of the user's own tool configuration, and a second run changes
// nothing.

// doctorFails runs doctor in dir, which must fail the check named check
// (and no other but those in also), and returns its report.
func (w *world) doctorFails(dir, check string, also ...string) string {
	w.t.Helper()
	return w.doctorFailsFor(dir, nil, check, also...)
}

// doctorFailsFor is doctorFails for doctor with args.
func (w *world) doctorFailsFor(dir string, args []string, check string, also ...string) string {
	w.t.Helper()
	stdout, stderr, code := w.run(dir, "", testenv.HelperBinary(w.t), append([]string{"doctor"}, args...)...)
	failed := failedChecks(stdout)
	if code != 1 || stderr != "" || !strings.Contains(failed, " "+check+" ") || strings.Trim(strings.NewReplacer(" "+check+" ", " ").Replace(failed), " ") != strings.Join(also, " ") {
		w.t.Fatalf("doctor in %s: exit %d, failed [%s], want %s failed (and %q)\nstdout:\n%s\nstderr:\n%s", dir, code, failed, check, also, stdout, stderr)
	}
	return stdout
}

// doctorPasses runs doctor in dir, which must pass.
func (w *world) doctorPasses(dir string, args ...string) string {
	w.t.Helper()
	stdout, stderr, code := w.run(dir, "", testenv.HelperBinary(w.t), append([]string{"doctor"}, args...)...)
	if code != 0 || stderr != "" || failedChecks(stdout) != " " {
		w.t.Fatalf("doctor %s in %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), dir, code, stdout, stderr)
	}
	return stdout
}

// failedChecks returns the names of the checks a report fails, each
// between spaces: " go cargo ", or " " for none.
func failedChecks(report string) string {
	s := " "
	for _, m := range regexp.MustCompile(`(?m)^FAIL  (\S+)`).FindAllStringSubmatch(report, -1) {
		if !strings.Contains(s, " "+m[1]+" ") {
			s += m[1] + " "
		}
	}
	return s
}

// doctorFix runs doctor --fix --yes in dir, which must make each change
// of want (as it prints them) and pass; then again, which must change
// nothing in the files of the user's tool configuration, configs.
func (w *world) doctorFix(dir string, want []string, configs ...string) string {
	w.t.Helper()
	stdout, stderr, code := w.run(dir, "", testenv.HelperBinary(w.t), "doctor", "--fix", "--yes")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "after the changes, a clone of ") {
		w.t.Fatalf("doctor --fix --yes in %s: exit %d\nstdout:\n%s\nstderr:\n%s", dir, code, stdout, stderr)
	}
	for _, c := range want {
		if !strings.Contains(stdout, "\n  "+c+"\n") {
			w.t.Errorf("doctor --fix did not say it would %q:\n%s", c, stdout)
		}
	}
	before := snapshot(w.t, configs)
	again := w.doctorPasses(dir, "--fix", "--yes")
	if after := snapshot(w.t, configs); after != before || strings.Contains(again, "doctor --fix will") {
		w.t.Errorf("a second doctor --fix changed the configuration:\n%s", again)
	}
	return stdout
}

// snapshot is the contents of files, a missing one as such.
func snapshot(t *testing.T, files []string) string {
	var b strings.Builder
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		b.WriteString(f + "\x00" + string(body) + "\x00")
	}
	return b.String()
}

// gitConfig is the world's global git configuration file.
func (w *world) gitConfig() string { return filepath.Join(w.home, ".gitconfig") }
