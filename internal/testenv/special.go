//go:build unix

package testenv

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Plant puts at path, creating its directory, what a reader of the
// helper's files must neither wait for nor read: a FIFO ("fifo") or a
// symbolic link to /dev/zero ("zero").
func Plant(t testing.TB, path, kind string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	var err error
	switch kind {
	case "fifo":
		err = syscall.Mkfifo(path, 0o600)
	case "zero":
		err = os.Symlink("/dev/zero", path)
	default:
		t.Fatalf("Plant: no kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Within runs f and fails the test unless it returns within d, a bound far
// above what f needs: a read that blocks on a FIFO or fills memory from
// /dev/zero never returns.
func Within(t testing.TB, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s is still running after %s", what, d)
	}
}
