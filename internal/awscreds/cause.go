package awscreds

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// maxCause bounds a cause taken from the SDK's own words: messages stay
// one short line, and --debug shows the whole.
const maxCause = 60

// sdkWords replaces the text of the SDK errors that must never be shown as
// they are: the SDK's credential_process provider quotes what the process
// printed, which may hold secrets the process never handed over (so redact
// cannot know them), and the SSO provider's expired-token error says
// nothing a user can act on. It is the one place for both, which shortCause
// and scrub share.
func sdkWords(err error) (string, bool) {
	var (
		pe *processcreds.ProviderError
		it *ssocreds.InvalidTokenError
	)
	switch {
	case errors.As(err, &pe) && strings.Contains(pe.Error(), "parse failed of process output"):
		return "its output is not the JSON credential_process must print", true
	case errors.As(err, &it) && it.Err == nil:
		return "the cached token has expired", true
	}
	return "", false
}

// shortCause says in a few words why the SDK failed: an API error's code
// and short message, a network failure's kind, or the start of the SDK's
// text.
func shortCause(secrets *redact.Set, err error) string {
	var (
		api       smithy.APIError
		dns       *net.DNSError
		op        *net.OpError
		untrusted *safefile.UntrustedError
	)
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	if s, ok := sdkWords(err); ok {
		return s
	}
	switch {
	case errors.As(err, &api):
		if m := failure.OneLine(errors.New(api.ErrorMessage())); m != "" && len(m) <= maxCause {
			return api.ErrorCode() + ": " + secrets.String(m)
		}
		return api.ErrorCode()
	case errors.As(err, &dns):
		return "cannot resolve " + dns.Name
	case errors.As(err, &op) && op.Op == "dial" && op.Addr != nil:
		return fmt.Sprintf("%s: %s", op.Addr, dialFailure(op))
	case errors.As(err, &op):
		return failure.OneLine(op.Err)
	case errors.As(err, &untrusted):
		return filepath.Base(untrusted.Path) + " " + untrusted.Reason
	case errors.Is(err, fs.ErrNotExist) && ssoTokenError(err):
		return "no cached token: not signed in on this machine"
	case strings.Contains(err.Error(), "cannot be refreshed") && ssoTokenError(err):
		return "the cached token has expired, and cannot be refreshed"
	case strings.Contains(err.Error(), "load login token: token file not found"): // the SDK's logincreds
		return "no session token: not signed in on this machine"
	case strings.Contains(err.Error(), "login session has expired"):
		return "the session has ended"
	case strings.Contains(err.Error(), "login session password has changed"):
		return "the password has changed"
	}
	s := scrub(secrets, err)
	if len(s) > maxCause {
		s = strings.TrimSpace(s[:maxCause]) + "…"
	}
	return s
}

// dialFailure says why a connection could not be made, without the
// system call's name: "connection refused".
func dialFailure(op *net.OpError) string {
	why := op.Err
	var sys *os.SyscallError
	if errors.As(why, &sys) {
		why = sys.Err
	}
	return failure.OneLine(why)
}

// ssoTokenError reports whether err came from the SDK's IAM Identity
// Center token provider, whose errors are plain text.
func ssoTokenError(err error) bool {
	return strings.Contains(err.Error(), "SSO token")
}

// scrub renders err on one line for a message: in sdkWords' words where it
// has them, and with every secret of the request redacted
// (internal/redact).
func scrub(secrets *redact.Set, err error) string {
	if s, ok := sdkWords(err); ok {
		return s
	}
	s := failure.OneLine(err)
	s = strings.TrimPrefix(s, "failed to refresh cached credentials, ")
	return secrets.String(s)
}

// isAPIError reports whether err is an operation error of service whose
// API error code is one of codes (any code when none are given).
func isAPIError(err error, service string, codes ...string) bool {
	var op *smithy.OperationError
	if !errors.As(err, &op) || op.ServiceID != service {
		return false
	}
	if len(codes) == 0 {
		return true
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	for _, c := range codes {
		if api.ErrorCode() == c {
			return true
		}
	}
	return false
}
