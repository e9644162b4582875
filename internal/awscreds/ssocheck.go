package awscreds

import (
	"context"
	"crypto/fips140"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
)

// checkSSOToken vets the IAM Identity Center token file the SDK is about to
// read for cfg (awsconfig.Config.SSOTokenKey), by the rules of
// internal/safefile, and adds its tokens to the request's secrets
// (internal/redact, from ctx). The SDK reads the file with a plain read,
// which a FIFO in its place would block forever and a link to /dev/zero
// would fill memory from; the directory is checked first, then the file is
// read without following a link or blocking (internal/ssotoken). A
// missing file is left to the SDK, which explains it.
func (o Options) checkSSOToken(ctx context.Context, cfg awsconfig.Config) error {
	key := cfg.SSOTokenKey(o.Profile != "")
	if key == "" {
		return nil
	}
	if fips140.Enforced() {
		// The SDK names the token cache file with SHA-1, which strict FIPS
		// 140-3 mode refuses: nothing the user sets up can help.
		return &Error{Problem: fmt.Sprintf("profile %q uses IAM Identity Center, which cannot work under GODEBUG=fips140=only", cfg.Profile),
			Cause: "the SDK names its token cache with SHA-1", Fix: "use fips140=on, or another credential source"}
	}
	path, err := ssocreds.StandardCachedTokenFilepath(key)
	if err != nil {
		return nil // no home directory: the SDK says so
	}
	// The directory first: a link or a directory others may write holds a
	// token someone else chose.
	var t ssotoken.Token
	err = safefile.CheckDir(filepath.Dir(path))
	if err == nil {
		t, err = ssotoken.Read(path)
	}
	redact.FromContext(ctx).Add(t.Secrets()...)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, safefile.ErrUntrusted):
		// The path and the reason say enough, and the line stays short.
		var u *safefile.UntrustedError
		if errors.As(err, &u) && u.Path != path {
			return &Error{Problem: "the SSO token cache " + err.Error(), Fix: "make it a directory of yours that others cannot write (chmod go-w), then run: " + LoginCommand(cfg.Profile), Err: err}
		}
		return &Error{Problem: "the SSO token " + err.Error(), Fix: "remove it, then run: " + LoginCommand(cfg.Profile), Err: err}
	}
	return nil // unreadable, or no token: the SDK reports it as it finds it
}
