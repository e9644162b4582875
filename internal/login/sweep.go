package login

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// leftover matches the temporary files atomicfile.Write makes for token and
// registration cache files (a hex SHA-1 name): a sign-in killed while it
// wrote one leaves it behind, with a refresh token and a client secret in
// it.
var leftover = regexp.MustCompile(`^[0-9a-f]{40}\.json\.[0-9]+\.tmp$`)

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
		if !e.Type().IsRegular() || !leftover.MatchString(e.Name()) {
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
