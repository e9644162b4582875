package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDoctorFixAsks: without --yes, doctor --fix lists its changes and,
// with no terminal to ask on, makes none.
func TestDoctorFixAsks(t *testing.T) {
	home := isolate(t)
	bin := filepath.Join(home, "bin", "git-credential-codecommit")
	if err := os.MkdirAll(filepath.Dir(bin), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(Build{}, []string{bin, "doctor", "--fix"}, strings.NewReader("y\n"), &stdout, &stderr)
	want := "doctor --fix will:\n  git-credential-codecommit install\nnothing changed: not on a terminal to ask; run doctor --fix --yes to make these changes\n"
	if code != 1 || stderr.Len() > 0 || !strings.HasSuffix(stdout.String(), want) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if _, err := os.Stat(filepath.Join(home, ".gitconfig")); !os.IsNotExist(err) {
		t.Errorf("doctor --fix without --yes wrote git's configuration (%v)", err)
	}
}
