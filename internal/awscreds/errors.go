package awscreds

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

// Error is a failure to get AWS credentials or to read the AWS
// configuration: the program's one error type (internal/failure).
type Error = failure.Error

// scrubbed is an SDK error whose text is scrub's: what --debug shows of it
// (Error.Detail) never holds what a credential process printed.
type scrubbed struct{ err error }

func (s scrubbed) Error() string { return scrub(nil, s.err) }
func (s scrubbed) Unwrap() error { return s.err }

// NoRegion is the error for a profile with no region where one is needed;
// also says what else gives one ("pass --region", …).
func NoRegion(profile, also string) *Error {
	fix := "set AWS_REGION, or region in the profile"
	if also != "" {
		fix += ", or " + also
	}
	return &Error{Problem: fmt.Sprintf("no AWS region is set for profile %q", profile), Fix: fix}
}

// LoginCommand is the command that signs in to the IAM Identity Center
// session of profile.
func LoginCommand(profile string) string {
	return "git-credential-codecommit login --profile " + profile
}

// ConsoleLoginCommand is the command that signs profile in with console
// credentials (a login_session profile).
func ConsoleLoginCommand(profile string) string {
	return "git-credential-codecommit login --console --profile " + profile
}

// ssoExpired is the error for an IAM Identity Center session whose token
// has expired or was never there.
func ssoExpired(profile, cause string, err error) *Error {
	return &Error{
		Problem: fmt.Sprintf("the SSO session of profile %q has expired or is missing", profile),
		Cause:   cause,
		Fix:     "run: " + LoginCommand(profile),
		Err:     err,
	}
}

// noCredentials is the error for a chain that found nothing: no keys in the
// environment, nothing in the profile, and instance metadata, the SDK's
// last resort, gave none. Its fix is how a person gets credentials, or,
// where no one can sign in (unattended), what a CI job uses.
func noCredentials(secrets *redact.Set, profile string, err error) *Error {
	fix := "run: aws configure, or git-credential-codecommit login"
	if unattended() {
		fix = "use a role: web identity or the container/instance role"
	}
	return &Error{
		Problem: "no AWS credentials",
		Cause:   fmt.Sprintf("not in the environment or profile %q; EC2 metadata: %s", profile, metadataCause(secrets, err)),
		Fix:     fix,
		Err:     err,
	}
}

// metadataCause says in a few words why instance metadata gave nothing:
// disabled, or the kind of network failure without its address (the
// default one says nothing to a user, and --debug has it), or shortCause's
// words.
func metadataCause(secrets *redact.Set, err error) string {
	if v, _ := strconv.ParseBool(os.Getenv("AWS_EC2_METADATA_DISABLED")); v {
		return "disabled"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return dialFailure(op)
	}
	return shortCause(secrets, err)
}

// unattended reports whether the program runs where no one can sign in, as
// in a CI job: CI says so when set (CI=false or CI=0 says not), else there
// is no controlling terminal. Not stdin or stderr: under git, stdin is
// always git's request, and stderr is a pipe under npm or an editor on a
// laptop too, where a person can still run aws configure.
func unattended() bool {
	if v := os.Getenv("CI"); v != "" {
		b, err := strconv.ParseBool(v)
		return err != nil || b // CI=woodpecker, CI=yes: a CI system's name for itself
	}
	tty := "/dev/tty"
	if runtime.GOOS == "windows" {
		tty = "CONIN$"
	}
	f, err := os.OpenFile(tty, os.O_RDWR, 0)
	if err != nil {
		return true
	}
	f.Close()
	return false
}
