//go:build !unix

package credcache

// canCreateIn is nil: without access(2), the attempt to create the
// directory says.
func canCreateIn(string) error { return nil }
