//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestDirWriteFile: a write replaces the file whole, mode 0600, and leaves
// no temporary file; names are single entries.
func TestDirWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.WriteFile("f.json", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, err := d.ReadFile("f.json", 10); err != nil || string(b) != "new" {
		t.Fatalf("%q, %v", b, err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode(), err)
	}
	if names, _ := d.Names(""); len(names) != 1 {
		t.Fatalf("temporary files left: %v", names)
	}
	for _, name := range []string{"../f.json", "a/b", "..", ""} {
		if err := d.WriteFile(name, nil); err == nil {
			t.Errorf("WriteFile(%q) succeeded", name)
		}
	}
}

// TestDirStaysPut: a directory swapped for a link after OpenDir checked it
// (by someone who can write its parent) gets nothing: what is written goes
// to the directory that was checked, wherever it now is. A link in its
// place is refused by OpenDir.
func TestDirStaysPut(t *testing.T) {
	parent := t.TempDir()
	dir, moved, victim := filepath.Join(parent, "cache"), filepath.Join(parent, "moved"), filepath.Join(parent, "worktree")
	for _, d := range []string{dir, victim} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, dir); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("entry.json", []byte("secret")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadFile("entry.json", 10); err != nil {
		t.Errorf("reading back: %v", err)
	}
	if entries, _ := os.ReadDir(victim); len(entries) != 0 {
		t.Errorf("written through the link: %v", entries)
	}
	if b, err := os.ReadFile(filepath.Join(moved, "entry.json")); err != nil || string(b) != "secret" {
		t.Errorf("the checked directory holds %q, %v", b, err)
	}
	if _, err := OpenDir(dir); !errors.Is(err, ErrUntrusted) {
		t.Errorf("OpenDir of a link: %v", err)
	}
}
