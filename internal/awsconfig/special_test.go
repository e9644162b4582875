//go:build unix

package awsconfig

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestNoteTokenFileSpecial checks that a token file that is a FIFO, or a
// link to /dev/zero, is neither waited on nor read.
func TestNoteTokenFileSpecial(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []string{"fifo", "zero"} {
		p := filepath.Join(dir, kind)
		testenv.Plant(t, p, kind)
		testenv.Within(t, 10*time.Second, "noteTokenFile("+kind+")", func() { noteTokenFile(new(redact.Set), p) })
	}
}
