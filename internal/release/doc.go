// Package release holds, and checks, the files a release ships beside the
// binary that are made from the module graph: THIRD_PARTY_NOTICES (every
// linked module, its licence and its NOTICE) and copyright (the same, in
// Debian's machine-readable format). Its tests fail when the graph changes
// and the files do not; "go test ./internal/release -update" rewrites them.
// The man page is internal/cli's: it is made from the command table.
package release
