//go:build !unix && !windows

package credcache

import (
	"errors"
	"os"
)

// tryLock fails where there are no file locks: the cache is not used.
func tryLock(*os.File) (bool, error) { return false, errors.New("no file locks on this system") }
