package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCloneTree: a copy of a Wine prefix shares the template's programs
// and libraries, and has its own registry, which Wine rewrites.
func TestCloneTree(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for name, mode := range map[string]os.FileMode{"windows/system32/kernel32.DLL": 0o755, "system.reg": 0o644, "wineserver": 0o400} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../drive_c", filepath.Join(src, "c:")); err != nil {
		t.Fatal(err)
	}
	if err := cloneTree(src, dst); err != nil {
		t.Fatal(err)
	}
	for name, shared := range map[string]bool{"windows/system32/kernel32.DLL": true, "system.reg": false, "wineserver": false} {
		a, errA := os.Stat(filepath.Join(src, name))
		b, errB := os.Stat(filepath.Join(dst, name))
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v, %v", name, errA, errB)
		}
		if os.SameFile(a, b) != shared || a.Mode() != b.Mode() {
			t.Errorf("%s: shared %v (want %v), mode %v (want %v)", name, os.SameFile(a, b), shared, b.Mode(), a.Mode())
		}
		if got, err := os.ReadFile(filepath.Join(dst, name)); err != nil || string(got) != name {
			t.Errorf("%s holds %q, %v", name, got, err)
		}
	}
	if link, err := os.Readlink(filepath.Join(dst, "c:")); err != nil || link != "../drive_c" {
		t.Errorf("the link c: is %q, %v", link, err)
	}
}
