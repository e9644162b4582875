package doctor

import (
	"context"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// checkCache says where the helper shares role credentials between its
// runs (credcache.Locate), and why there when the user's cache directory
// could not be used; or why it shares none: each get then fetches its own.
func (d *doctor) checkCache(context.Context) []Check {
	switch {
	case d.flags.NoCache:
		return []Check{skip("cache", "the helper runs with --no-cache")}
	case d.credsOK && !d.creds.CanExpire:
		return []Check{skip("cache", "credentials that do not expire are never cached")}
	}
	dir, passed, err := credcache.Locate()
	if e := failure.As(err); e != nil {
		return []Check{warn("cache", e.Finding()+"; every get fetches its own credentials", e.Fix)}
	}
	if passed != "" {
		return []Check{ok("cache", "role credentials are shared between runs in "+dir+"; passed over: "+passed)}
	}
	return []Check{ok("cache", "role credentials are shared between runs in "+dir)}
}
