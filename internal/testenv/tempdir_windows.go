package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// tempDir is t.TempDir for the Windows suite, which runs this package's
// Windows build under Wine 8: Go's os.RemoveAll, which t.TempDir's cleanup
// calls, deletes through FileDispositionInformationEx, which Wine lacks
// ("Invalid function"). This removes the tree one os.Remove at a time.
func tempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "testenv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
			paths = append(paths, p)
			return nil
		})
		// Children before their parents.
		for _, p := range slices.Backward(paths) {
			if err := os.Remove(p); err != nil {
				t.Errorf("removing the test's directory: %v", err)
				return
			}
		}
	})
	return dir
}
