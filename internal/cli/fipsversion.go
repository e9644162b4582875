//go:build go1.26

package cli

import "crypto/fips140"

// fipsModuleVersion is crypto/fips140.Version, which Go 1.26 added. The
// module's go line is older, so that a module importing the public packages
// keeps its own; the command is built with the Go of go.mod's toolchain
// line, and this file's build constraint says so.
func fipsModuleVersion() string { return fips140.Version() }
