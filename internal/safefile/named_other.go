//go:build !unix

package safefile

// nonBlocking is nothing where there are no FIFOs to open.
const nonBlocking = 0
