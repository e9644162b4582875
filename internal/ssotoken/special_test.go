//go:build unix

package ssotoken

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestReadSpecial checks that Read refuses at once what is not a
// regular file of the user's, and a file too large to be a token.
func TestReadSpecial(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, bytes.Repeat([]byte(" "), safefile.MaxSmallFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(dir, "shared.json")
	if err := os.WriteFile(shared, []byte(`{"accessToken": "a", "expiresAt": "2030-01-01T00:00:00Z"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o646); err != nil {
		t.Fatal(err)
	}
	paths := []string{big, shared}
	for _, what := range []string{"fifo", "zero"} {
		p := filepath.Join(dir, what+".json")
		testenv.Plant(t, p, what)
		paths = append(paths, p)
	}
	for _, p := range paths {
		var err error
		testenv.Within(t, 30*time.Second, "Read("+filepath.Base(p)+")", func() { _, err = Read(p) })
		if !errors.Is(err, safefile.ErrUntrusted) {
			t.Errorf("Read(%s): %v, want an untrusted file", filepath.Base(p), err)
		}
	}
}
