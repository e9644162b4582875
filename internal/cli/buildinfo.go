package cli

import (
	"cmp"
	"crypto/fips140"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// versionReport is the text "--version" prints for this binary, stamped
// with b.
func versionReport(b Build) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = &debug.BuildInfo{GoVersion: runtime.Version()}
	}
	return versionText(b, bi, fips140.Enabled(), fipsModuleVersion())
}

// versionText formats the "--version" report. Its first line is
// "git-credential-codecommit VERSION", as it has always been, so that scripts
// reading the first line keep working; then one "name: value" line per fact,
// each easy to grep for and to paste into a bug report.
//
// The stamp wins where it is set. Otherwise bi fills in: the module version
// of a "go install ...@v1.2.3" build, and the revision and commit time that
// "go build" records in a git checkout. The date is the commit's, not the
// build's, so that two builds of one commit are the same bytes.
// fipsModule is crypto/fips140.Version(): "v1.0.0" for a GOFIPS140=v1.0.0
// build, "latest" for the module compiled from this Go's own source.
func versionText(s Build, bi *debug.BuildInfo, fipsOn bool, fipsModule string) string {
	settings := map[string]string{}
	for _, kv := range bi.Settings {
		settings[kv.Key] = kv.Value
	}
	ver := s.Version
	if ver == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		ver = bi.Main.Version
	}
	rev := s.Commit
	if rev == "" {
		rev = settings["vcs.revision"]
		if rev != "" && settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
	}
	when := s.Date
	if when == "" {
		when = settings["vcs.time"]
	}
	goVer := bi.GoVersion
	if settings["GOOS"] != "" && settings["GOARCH"] != "" {
		goVer += " " + settings["GOOS"] + "/" + settings["GOARCH"]
	}
	fips := "off"
	if fipsOn {
		fips = "on (Go Cryptographic Module " + fipsModule + ")"
	}

	var b strings.Builder
	fmt.Fprintf(&b, "git-credential-codecommit %s\n", cmp.Or(ver, "devel"))
	fmt.Fprintf(&b, "commit: %s\n", cmp.Or(rev, "unknown"))
	fmt.Fprintf(&b, "date: %s\n", cmp.Or(when, "unknown"))
	fmt.Fprintf(&b, "go: %s\n", cmp.Or(goVer, "unknown"))
	fmt.Fprintf(&b, "fips140: %s\n", fips)
	return b.String()
}
