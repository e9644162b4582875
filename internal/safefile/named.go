package safefile

import (
	"fmt"
	"io"
	"os"
)

// ReadNamed reads path, a file a setting names for the SDK to send (a web
// identity or container authorization token), of at most max bytes. Such a
// file is often a symbolic link into a mounted volume, owned by another
// user (Kubernetes projects service account tokens so): the link is
// followed and the owner is not checked, but only a regular file is read,
// judged by fstat of what was opened without blocking, so that a link to
// /dev/zero or a FIFO is refused at once rather than read.
func ReadNamed(path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlocking, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &UntrustedError{path, "is not a regular file"}
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &UntrustedError{path, fmt.Sprintf("is larger than %d bytes", max)}
	}
	return b, nil
}
