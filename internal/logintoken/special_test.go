//go:build unix

package logintoken

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestReadSpecial: a FIFO or a link to /dev/zero in place of the token
// file is refused at once, without being read.
func TestReadSpecial(t *testing.T) {
	home := testenv.Isolate(t)
	for _, kind := range []string{"fifo", "zero"} {
		p := filepath.Join(home, kind+".json")
		testenv.Plant(t, p, kind)
		testenv.Within(t, 5*time.Second, "Read of a "+kind, func() {
			if _, err := Read(p); !errors.Is(err, safefile.ErrUntrusted) {
				t.Errorf("Read of a %s: %v", kind, err)
			}
		})
	}
}
