// Package remotehelper makes this binary a git remote helper for the
// codecommit:// URLs of git-remote-codecommit (GRC), which name the AWS
// profile and region in the remote itself:
//
//	codecommit://[PROFILE@]REPOSITORY
//	codecommit::REGION://[PROFILE@]REPOSITORY
//
// Git runs the helper as git-remote-codecommit REMOTE URL (for the second
// form it strips "codecommit::" from the URL). The helper works out the
// https://git-codecommit… URL of the repository and hands over to
// git remote-https, with this binary as credential helper for that URL,
// given through git's environment (GIT_CONFIG_COUNT). Credentials then flow
// through the credential protocol: unlike GRC, which puts the signed
// password in the URL and so in every process's argv, no secret is ever in
// an argument or a URL.
package remotehelper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
)

// CredentialHelperFlag, as the first argument, makes a binary started as
// git-remote-codecommit act as the credential helper: the remote helper
// gives git its own path with it, so that the credential helper is this
// binary whatever name git finds it by.
const CredentialHelperFlag = "--credential-helper"

// EndpointEnv names a CodeCommit VPC endpoint host to use instead of the
// region's public one, as GRC's CODE_COMMIT_ENDPOINT does. The git setting
// codecommit.endpoint does the same, per repository or user.
const EndpointEnv = "CODE_COMMIT_ENDPOINT"

// Name is the remote helper's name: git runs it for codecommit:// URLs.
const Name = "git-remote-codecommit"

const forms = "use codecommit://[PROFILE@]REPOSITORY or codecommit::REGION://[PROFILE@]REPOSITORY"

// badURL is the error for a URL the helper cannot parse.
func badURL(shown, what, fix string) *failure.Error {
	return &failure.Error{Problem: "the URL " + shown + " " + what, Fix: fix}
}

// Address is a parsed codecommit:// URL.
type Address struct {
	Region  string // from codecommit::REGION://; "" when the profile's is meant
	Profile string // "" when the URL names none
	Repo    string
}

// Parse parses a URL as git hands it to the helper: "codecommit://…", or
// "REGION://…" for "codecommit::REGION://…". Its errors are one line each,
// and quote the URL as the user wrote it (see Written).
func Parse(raw string) (Address, error) {
	shown := Written(raw)
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || rest == "" {
		return Address{}, badURL(shown, "is malformed", forms)
	}
	var a Address
	switch {
	case scheme == "codecommit":
	case codecommit.LooksLikeRegion(scheme):
		if !codecommit.KnownRegion(scheme) {
			return Address{}, badURL(shown, "names the region "+scheme+", which AWS does not list", "check its spelling")
		}
		a.Region = scheme
	default:
		return Address{}, badURL(shown, "is malformed", forms)
	}
	// As GRC, which takes the URL's host part: the path is ignored.
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		a.Profile, rest = rest[:at], rest[at+1:]
		if a.Profile == "" {
			return Address{}, badURL(shown, "has an empty profile before '@'", forms)
		}
	}
	if rest == "" {
		return Address{}, badURL(shown, "names no repository", forms)
	}
	if !codecommit.ValidRepoName(rest) {
		return Address{}, &failure.Error{Problem: fmt.Sprintf("the URL %s names %q, which is not a CodeCommit repository name", shown, rest),
			Fix: "use letters, digits, '.', '_' and '-', at most 100"}
	}
	a.Repo = rest
	return a, nil
}

// Written is the URL the user wrote, for messages, from the one git hands
// the helper: git strips "codecommit::" from "codecommit::REGION://…", and
// passes "codecommit://…" whole.
func Written(raw string) string {
	if strings.HasPrefix(raw, "codecommit://") {
		return raw
	}
	return "codecommit::" + raw
}

// Target is where an Address leads.
type Target struct {
	Address
	Host string // git-codecommit[-fips].REGION.SUFFIX, or a VPC endpoint
}

// URL is the repository's https URL.
func (t Target) URL() string { return codecommit.RepoURL(t.Host, t.Repo) }

// Resolve completes a with the configuration: the profile (the URL's, else
// AWS_PROFILE, else default) must exist when named; the region is the URL's,
// else AWS_REGION or AWS_DEFAULT_REGION, else the profile's; FIPS is used
// when AWS_USE_FIPS_ENDPOINT or the profile's use_fips_endpoint asks for it;
// and endpoint, when set, is a VPC endpoint host to use instead.
func Resolve(ctx context.Context, a Address, endpoint string) (Target, error) {
	cfg, err := awsconfig.Load(ctx, a.Profile)
	if err != nil {
		return Target{}, err
	}
	t := Target{Address: a}
	t.Region = cfg.Region(a.Region, "")
	if t.Region == "" {
		where := a.Repo
		if a.Profile != "" {
			where = a.Profile + "@" + a.Repo
		}
		return Target{}, awscreds.NoRegion(cfg.Profile, "name it in the URL: codecommit::REGION://"+where)
	}
	host, ok := codecommit.Host(t.Region, cfg.UseFIPS())
	if !ok {
		return Target{}, &failure.Error{Problem: "the region " + t.Region + " is not one AWS lists", Fix: "check its spelling"}
	}
	t.Host = host
	if endpoint != "" {
		e, ok := codecommit.Parse(endpoint)
		if !ok || !e.VPC {
			return Target{}, &failure.Error{Problem: fmt.Sprintf("the CodeCommit endpoint %s is not a CodeCommit VPC endpoint host name", endpoint),
				Fix: "check " + EndpointEnv + " or git config codecommit.endpoint"}
		}
		if e.Region != t.Region {
			return Target{}, &failure.Error{Problem: fmt.Sprintf("the CodeCommit endpoint %s is in %s, but the repository is in %s", endpoint, e.Region, t.Region),
				Fix: "use an endpoint in " + t.Region + ", or name " + e.Region + " in the URL"}
		}
		t.Host = endpoint
	}
	return t, nil
}

// Env returns the environment variables that make git use the credential
// helper command for t's URL, added after those of environ: an empty helper
// that cuts off every other, then helper, and useHttpPath. Git reads them as
// command-line configuration, after every file.
func (t Target) Env(environ []string, helperCommand string) ([]string, error) {
	n := 0
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GIT_CONFIG_COUNT="); ok && v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 0 {
				return nil, &failure.Error{Problem: "GIT_CONFIG_COUNT=" + v + " is not a count", Fix: "unset it, or set it to the number of GIT_CONFIG_KEY_ variables"}
			}
		}
	}
	scope := "credential." + t.URL()
	add := [][2]string{{scope + ".helper", ""}, {scope + ".helper", helperCommand}, {scope + ".useHttpPath", "true"}}
	env := append([]string{}, environ...)
	for i, kv := range add {
		env = append(env, fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", n+i, kv[0]), fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", n+i, kv[1]))
	}
	return append(env, fmt.Sprintf("GIT_CONFIG_COUNT=%d", n+len(add))), nil
}

// Main is the remote helper. args are git's: REMOTE URL, or URL alone; self
// is this binary's path, for the credential helper. It returns git
// remote-https's exit status, or the error that stopped it before: the
// caller prints that, as Name's one line, and exits 1.
func Main(ctx context.Context, args []string, self string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	var remote, raw string
	switch len(args) {
	case 1:
		remote, raw = args[0], args[0]
	case 2:
		remote, raw = args[0], args[1]
	default:
		return 1, &failure.Error{Problem: fmt.Sprintf("%s takes REMOTE URL, not %d arguments", Name, len(args)),
			Fix: "let git run it, for a codecommit:// remote"}
	}
	a, err := Parse(raw)
	if err != nil {
		return 1, err
	}
	git := gitconfig.Git{}
	t, err := Resolve(ctx, a, Endpoint(ctx, git))
	if err != nil {
		return 1, err
	}
	helperArgs := []string{self, CredentialHelperFlag}
	if a.Profile != "" {
		helperArgs = append(helperArgs, "--profile", a.Profile)
	}
	env, err := t.Env(os.Environ(), gitconfig.HelperCommand(helperArgs))
	if err != nil {
		return 1, err
	}
	cmd := exec.CommandContext(ctx, "git", "remote-https", remote, t.URL())
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, stdin, stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 1, &failure.Error{Problem: "cannot run git remote-https", Cause: failure.OneLine(err), Fix: "check that git is installed and on PATH", Err: err}
	}
	return 0, nil
}

// Endpoint is the VPC endpoint host to use: CODE_COMMIT_ENDPOINT, else git's
// codecommit.endpoint setting, else "".
func Endpoint(ctx context.Context, git gitconfig.Git) string {
	if e := os.Getenv(EndpointEnv); e != "" {
		return e
	}
	v, err := git.Get(ctx, "codecommit.endpoint")
	if err != nil {
		return ""
	}
	return v
}
