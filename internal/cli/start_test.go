package cli

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// maxInitBytes bounds what any package of this module allocates before
// main runs. Every git HTTPS request starts the program, whatever the
// command, so a package variable built at start-up is paid by every get:
// a regexp with a {1,512} repetition in internal/login once took 356 KB
// and 5.7 ms there. Allocation is counted, not time, so the test does
// not depend on the machine's speed.
const maxInitBytes = 32 << 10

var initLine = regexp.MustCompile(`^init (github\.com/git-credential-codecommit/git-credential-codecommit\S*) @\S+ ms, \S+ ms clock, (\d+) bytes, \d+ allocs$`)

// TestOwnInitsAreSmall reads the Go runtime's init trace of the built
// program.
func TestOwnInitsAreSmall(t *testing.T) {
	t.Parallel()
	cmd := testenv.Command(t.TempDir(), []string{"GODEBUG=inittrace=1"}, testenv.HelperBinary(t), "--version")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("--version: %v\n%s", err, stderr.String())
	}
	ours := 0
	for sc := bufio.NewScanner(&stderr); sc.Scan(); {
		m := initLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ours++
		if n, _ := strconv.Atoi(m[2]); n > maxInitBytes {
			t.Errorf("package %s allocates %d bytes before main (at most %d): build it when it is first needed", m[1], n, maxInitBytes)
		}
	}
	if ours == 0 {
		t.Fatalf("no init of this module in the trace:\n%s", stderr.String())
	}
}
