//go:build unix

package credcache

import "golang.org/x/sys/unix"

// canCreateIn reports why the user cannot create a directory in dir, or
// nil.
func canCreateIn(dir string) error { return unix.Access(dir, unix.W_OK|unix.X_OK) }
