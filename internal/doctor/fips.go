package doctor

import (
	"context"
	"crypto/fips140"
	"net/url"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
)

// checkFIPS checks the URL the url check found (fipsCheck).
func (d *doctor) checkFIPS(context.Context) []Check {
	return []Check{fipsCheck(d.target, fips140.Enabled(), d.o.FIPSModule)}
}

// fipsCheck notes a mismatch between the endpoint and the build: a FIPS
// endpoint (git-codecommit-fips…) reached by a build whose cryptography is
// not in FIPS 140-3 mode, or a FIPS build signing for a standard endpoint
// where a FIPS one exists. Either way a clone works; what it does not do is
// what the user meant. A FIPS endpoint reached in FIPS mode by a plain build
// (GODEBUG=fips140=only) is a mismatch too: the mode is on, but module, the
// module it runs, is not the validated one. Otherwise the check is skipped.
func fipsCheck(rawURL string, fipsOn bool, module string) Check {
	u, err := url.Parse(rawURL)
	if err != nil {
		return skip("fips", "no CodeCommit URL to check")
	}
	e, known := codecommit.Parse(u.Host)
	switch {
	case !known:
		return skip("fips", "no CodeCommit URL to check")
	case e.FIPS && !fipsOn:
		return warn("fips", u.Hostname()+" is a FIPS endpoint, but this build of "+ourName+" does not run its cryptography in FIPS 140-3 mode",
			"install the _fips release (or build with GOFIPS140=v1.0.0)")
	case e.FIPS && module == "latest":
		return warn("fips", u.Hostname()+" is a FIPS endpoint, and this build runs in FIPS 140-3 mode (GODEBUG=fips140), but with Go's own cryptography, not the validated module",
			"install the _fips release (or build with GOFIPS140=v1.0.0)")
	case e.FIPS:
		return ok("fips", u.Hostname()+" is a FIPS endpoint, and this build signs in FIPS 140-3 mode")
	case fipsOn && codecommit.HasFIPS(e.Region):
		host, _ := codecommit.Host(e.Region, true)
		return warn("fips", "this build signs in FIPS 140-3 mode, but "+u.Hostname()+" is not a FIPS endpoint",
			"use "+strings.Replace(rawURL, u.Host, host, 1))
	case fipsOn:
		return skip("fips", e.Region+" has no FIPS endpoint")
	}
	return skip("fips", u.Hostname()+" is not a FIPS endpoint, and this build does not sign in FIPS 140-3 mode")
}
