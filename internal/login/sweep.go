package login

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// leftover reports whether name is a temporary file atomicfile.Write makes
// for a token or registration cache file (HEX.json.DIGITS.tmp, HEX a hex
// SHA-1): a sign-in killed while it wrote one leaves it behind, with a
// refresh token and a client secret in it.
func leftover(name string) bool {
	digits, ok := strings.CutSuffix(name, ".tmp")
	if !ok || len(digits) < 47 || digits[40:46] != ".json." {
		return false
	}
	return strings.Trim(digits[:40], "0123456789abcdef") == "" && strings.Trim(digits[46:], "0123456789") == ""
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
