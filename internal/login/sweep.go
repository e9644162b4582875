package login

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// leftover reports whether name is a temporary file safefile's WriteFile
// makes for a token or registration cache file (HEX.json, HEX a hex
// SHA-1): a sign-in killed while it wrote one leaves it behind, with a
// refresh token and a client secret in it.
func leftover(name string) bool {
	file, ok := safefile.TempOf(name)
	hexName, json := strings.CutSuffix(file, ".json")
	return ok && json && len(hexName) == 40 && strings.Trim(hexName, "0123456789abcdef") == ""
}

// sweepAge is how old a temporary file must be to be a leftover: a write in
// progress takes far less, and its file is not touched.
const sweepAge = time.Minute

// sweep removes the leftover temporary files of the token cache directory
// dir that are regular files last written before now-sweepAge, and returns
// how many it removed. A directory it cannot read has none to remove.
func sweep(dir string, now time.Time) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !leftover(e.Name()) {
			continue
		}
		if fi, err := e.Info(); err != nil || !fi.ModTime().Before(now.Add(-sweepAge)) {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			n++
		}
	}
	return n
}

// temporaryFiles says how many temporary files n is.
func temporaryFiles(n int) string {
	if n == 1 {
		return "1 temporary token file"
	}
	return fmt.Sprintf("%d temporary token files", n)
}
