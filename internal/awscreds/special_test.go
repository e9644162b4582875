//go:build unix

package awscreds

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNoteTokenFileSpecial checks that a token file that is a FIFO, or a
// link to /dev/zero, is neither waited on nor read.
func TestNoteTokenFileSpecial(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, zero} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			noteTokenFile(p)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("noteTokenFile(%s) is still reading", strings.TrimPrefix(p, dir))
		}
	}
}
