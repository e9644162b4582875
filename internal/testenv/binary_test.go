package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSourceKey: the key of the shared build changes with what the build
// reads, and only with that.
func TestSourceKey(t *testing.T) {
	root := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// keyWith is the key of a build, with the tests or without.
	keyWith := func(tests bool) string {
		t.Helper()
		k, err := sourceKey(root, []string{"build"}, tests)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	key := func() string { t.Helper(); return keyWith(false) }
	write("go.mod", "module m\n")
	write("main.go", "package main\n\nfunc main() {}\n")
	write("p/p.go", "package p\n")
	k := key()
	// In this order: tools/ is a nested module once its go.mod is there.
	for _, f := range []struct{ name, body string }{
		{"main_test.go", "package main\n"},
		{"p/testdata/x.go", "package x\n"},
		{".git/HEAD", "ref: refs/heads/main\n"},
		{"tools/go.mod", "module tools\n"},
		{"tools/tools.go", "package tools\n"},
		{"docs/development.md", "# Development\n"},
	} {
		write(f.name, f.body)
		if got := key(); got != k {
			t.Errorf("writing %s changed the key", f.name)
		}
	}
	for _, change := range []struct{ name, body string }{
		{"p/p.go", "package p // changed\n"},
		{"q/q.go", "package q\n"},
		{"go.sum", "example.com/m v1.0.0 h1:x\n"},
		{"go.mod", "module m\n\ngo 1.26\n"},
	} {
		write(change.name, change.body)
		if got := key(); got == k {
			t.Errorf("writing %s left the key as it was", change.name)
		} else {
			k = got
		}
	}
	if cover, err := sourceKey(root, []string{"build", "-cover"}, false); err != nil || cover == k {
		t.Errorf("the key does not depend on the build's flags: %v", err)
	}
	// A build of tests (go test -c) reads the tests, and embeds testdata.
	k = keyWith(true)
	for _, change := range []struct{ name, body string }{
		{"main_test.go", "package main // changed\n"},
		{"p/testdata/shim.c", "int x;\n"},
	} {
		write(change.name, change.body)
		if got := keyWith(true); got == k {
			t.Errorf("writing %s left the key of a build with tests as it was", change.name)
		} else {
			k = got
		}
	}
}
