package safefile

import "io/fs"

// ReadNamed reads path, a file a setting names for the SDK to send (a web
// identity or container authorization token), of at most max bytes. Such a
// file is often a symbolic link into a mounted volume, owned by another
// user (Kubernetes projects service account tokens so): the link is
// followed and the owner is not checked, but only a regular file is read,
// judged by fstat of what was opened without blocking, so that a link to
// /dev/zero or a FIFO is refused at once rather than read.
func ReadNamed(path string, max int64) ([]byte, error) {
	return read(path, max, nonBlocking, func(fi fs.FileInfo) error {
		if !fi.Mode().IsRegular() {
			return &UntrustedError{path, "is not a regular file"}
		}
		return nil
	})
}
