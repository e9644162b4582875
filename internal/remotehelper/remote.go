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
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
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

const forms = "use codecommit://[PROFILE@]REPOSITORY or codecommit::REGION://[PROFILE@]REPOSITORY"

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
		return Address{}, fmt.Errorf("the URL %s is malformed: %s", shown, forms)
	}
	var a Address
	switch {
	case scheme == "codecommit":
	case codecommit.LooksLikeRegion(scheme):
		if !codecommit.KnownRegion(scheme) {
			return Address{}, fmt.Errorf("the URL %s names the region %s, which AWS does not list; check its spelling", shown, scheme)
		}
		a.Region = scheme
	default:
		return Address{}, fmt.Errorf("the URL %s is malformed: %s", shown, forms)
	}
	// As GRC, which takes the URL's host part: the path is ignored.
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		a.Profile, rest = rest[:at], rest[at+1:]
		if a.Profile == "" {
			return Address{}, fmt.Errorf("the URL %s has an empty profile before '@': %s", shown, forms)
		}
	}
	if rest == "" {
		return Address{}, fmt.Errorf("the URL %s names no repository: %s", shown, forms)
	}
	if !codecommit.ValidRepoName(rest) {
		return Address{}, fmt.Errorf("the URL %s names %q, which is not a CodeCommit repository name (letters, digits, '.', '_' and '-', at most 100)", shown, rest)
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
		return Target{}, fmt.Errorf("the region %s is not one AWS lists; check its spelling", t.Region)
	}
	t.Host = host
	if endpoint != "" {
		e, ok := codecommit.Parse(endpoint)
		if !ok || !e.VPC {
			return Target{}, fmt.Errorf("the CodeCommit endpoint %s (%s or git config codecommit.endpoint) is not a CodeCommit VPC endpoint host name", endpoint, EndpointEnv)
		}
		if e.Region != t.Region {
			return Target{}, fmt.Errorf("the CodeCommit endpoint %s is in %s, but the repository is in %s", endpoint, e.Region, t.Region)
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
				return nil, fmt.Errorf("GIT_CONFIG_COUNT=%s is not a count", v)
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
// is this binary's path, for the credential helper. Errors are one line on
// stderr, prefixed git-remote-codecommit, and exit status 1.
func Main(ctx context.Context, args []string, self string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, secrets := redact.Ensure(ctx)
	fail := func(err error) int {
		// The URL, the profile in it and git's configuration are quoted
		// here: redact and escape, as the credential helper's errors do.
		fmt.Fprintf(stderr, "git-remote-codecommit: %s\n", safetext.Clean(secrets, err.Error()))
		return 1
	}
	var remote, raw string
	switch len(args) {
	case 1:
		remote, raw = args[0], args[0]
	case 2:
		remote, raw = args[0], args[1]
	default:
		return fail(fmt.Errorf("git runs this as git-remote-codecommit REMOTE URL, with a codecommit:// URL; got %d arguments", len(args)))
	}
	a, err := Parse(raw)
	if err != nil {
		return fail(err)
	}
	t, err := Resolve(ctx, a, endpoint(ctx))
	if err != nil {
		return fail(err)
	}
	helperArgs := []string{self, CredentialHelperFlag}
	if a.Profile != "" {
		helperArgs = append(helperArgs, "--profile", a.Profile)
	}
	env, err := t.Env(os.Environ(), gitconfig.HelperCommand(helperArgs))
	if err != nil {
		return fail(err)
	}
	cmd := exec.CommandContext(ctx, "git", "remote-https", remote, t.URL())
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, stdin, stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return fail(fmt.Errorf("running git remote-https: %v", err))
	}
	return 0
}

// endpoint is the VPC endpoint host to use: CODE_COMMIT_ENDPOINT, else git's
// codecommit.endpoint setting, else "".
func endpoint(ctx context.Context) string {
	if e := os.Getenv(EndpointEnv); e != "" {
		return e
	}
	out, err := exec.CommandContext(ctx, "git", "config", "--get", "codecommit.endpoint").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
