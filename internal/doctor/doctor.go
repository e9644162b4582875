// Package doctor checks that a clone of a CodeCommit repository would work
// with the configuration git and the AWS SDK find, and says how to fix what
// would not. Each check returns a Check; Doctor runs them in order, each
// taking what the ones before it found, and the report only prints.
//
// The checks fall into four files: the URL (url.go), the credential helpers
// git asks (helpers.go), AWS credentials, IAM Identity Center, region and
// clock (aws.go), and the package managers of the project in the working
// directory (project.go).
package doctor

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
)

// Options say what doctor checks.
type Options struct {
	// URL is the repository URL to check, as a remote holds it: https, http
	// or SSH, to which git's insteadOf rules apply; in a repository, a
	// remote's name works too. When empty, doctor checks
	// https://git-codecommit.REGION.amazonaws.com/v1/repos/doctor-check for
	// Region, else the configured region, else us-east-1.
	URL string
	// Profile and Region are as for the helper's --profile and --region.
	// When empty, those on the helper's command line in git's configuration
	// apply, as they do when git runs the helper.
	Profile string
	Region  string
	// Online also calls STS GetCallerIdentity with the credentials and
	// compares the local clock with AWS's.
	Online bool
	// Local lets the probe run credential helpers that the repository's own
	// configuration (.git/config) names. Without it, doctor only lists
	// them: a repository someone else made can name any command there.
	Local bool
	// Dir is where git and go env run and the project is looked for, and
	// Env the environment of those commands (nil for this process's); Env
	// is also where the cargo check reads CARGO_NET_GIT_FETCH_WITH_CLI and
	// CARGO_HOME. AWS credentials and regions are resolved, as the AWS SDK
	// resolves them, from this process's environment.
	Dir string
	Env []string
}

// Check is one finding of doctor.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Status is how a check came out.
type Status string

// The statuses of a Check. Only a failure makes a clone fail.
const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
)

func ok(name, detail string) Check        { return Check{Name: name, Status: OK, Detail: detail} }
func warn(name, detail, fix string) Check { return Check{name, Warn, detail, fix} }
func fail(name, detail, fix string) Check { return Check{name, Fail, detail, fix} }

// Report is what doctor found. OK is true when a clone of URL would work.
type Report struct {
	// Version is the version of this format, for scripts that read
	// doctor --json.
	Version int     `json:"version"`
	URL     string  `json:"url"`
	OK      bool    `json:"ok"`
	Checks  []Check `json:"checks"`
}

// ReportVersion is Report.Version.
const ReportVersion = 1

const (
	// soonExpiry is how long credentials must still be valid: a password
	// signed now is used for up to this long.
	soonExpiry = helper.PasswordLifetime
	// ssoTokenWarn is how long before its expiry doctor warns of an IAM
	// Identity Center token that only a sign-in can renew.
	ssoTokenWarn = time.Hour
	// skewWarn and skewFail bound the difference between the local clock
	// and AWS's. Passwords carry the local time, and CodeCommit accepts them
	// for about 15 minutes around its own.
	skewWarn, skewFail = time.Minute, 5 * time.Minute
	// probeTimeout bounds the git credential fill that lists the helpers;
	// credentialsTimeout and stsTimeout bound the AWS calls.
	probeTimeout       = 30 * time.Second
	credentialsTimeout = time.Minute
	stsTimeout         = 30 * time.Second
	// defaultRepo is the repository path of the URL checked when none is
	// given.
	defaultRepo = "/v1/repos/doctor-check"
	// ourName is how doctor names this helper in its findings.
	ourName = "git-credential-codecommit"
)

// Doctor checks that a clone of o.URL would work, and says how to fix what
// would not. It changes nothing: the helpers git runs for the check are
// asked with helper.ProbeEnv set, and what they answer is not used.
func Doctor(ctx context.Context, o Options) Report {
	git := gitconfig.Git{Dir: o.Dir, Env: o.Env}
	var checks []Check
	add := func(cs ...Check) { checks = append(checks, cs...) }

	gitCheck, version, gitOK := checkGit(ctx, git)
	add(gitCheck)
	raw := o.URL
	if raw == "" {
		raw = defaultURL(ctx, o)
	}
	urlCheck, target := checkURL(ctx, git, raw, gitOK)
	add(urlCheck)
	if c, ok := checkFIPS(target); ok {
		add(c)
	}

	var flags helper.Getter
	if gitOK && target != "" {
		p, err := runProbe(ctx, o, target)
		hc, f := checkHelpers(p, err, target, version)
		add(hc...)
		flags = f
		if err == nil {
			add(checkUseHTTPPath(ctx, git, target, !p.sentPath))
		}
		add(checkLocalHelpers(ctx, git, o.Local)...)
	}
	if o.Profile != "" {
		flags.Profile = o.Profile
	}
	if o.Region != "" {
		flags.Region = o.Region
	}
	hostRegion := urlRegion(target)
	credCheck, creds, credsOK := checkCredentials(ctx, flags, hostRegion)
	add(credCheck)
	if c, ok := checkSSOToken(ctx, flags.Profile, creds, credsOK); ok {
		add(c)
	}
	if hostRegion != "" {
		configured := creds.Region
		if !credsOK {
			configured = configuredRegion(flags.Profile, flags.Region)
		}
		add(checkRegion(hostRegion, configured))
	}
	if o.Online && credsOK {
		add(checkOnline(ctx, creds, flags.Profile)...)
	}
	add(checkProject(ctx, git, o.Dir, o.Env)...)

	r := Report{Version: ReportVersion, URL: redact.String(redactURL(raw)), OK: true, Checks: checks}
	for i, c := range r.Checks {
		if c.Status == Fail {
			r.OK = false
		}
		// Both the text and the JSON report carry no secret this process
		// holds, whichever check quoted it.
		r.Checks[i].Detail, r.Checks[i].Fix = redact.String(c.Detail), redact.String(c.Fix)
	}
	return r
}

// WriteText writes r for people: a line per check with its status, name
// and detail, the fix indented below a problem, and a verdict. Details
// quote URLs, git's configuration, paths and AWS's messages: each field is
// printed through safetext, so a check is always one line and nothing
// printed drives the terminal.
func (r Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	failed, project := 0, 0 // failed checks; of them, the project's
	url := safetext.Clean(r.URL)
	for _, c := range r.Checks {
		status := string(c.Status)
		if c.Status == Fail {
			status = "FAIL"
			failed++
			if slices.Contains(projectChecks, c.Name) {
				project++
			}
		}
		fmt.Fprintf(bw, "%-5s %-11s %s\n", status, safetext.Clean(c.Name), safetext.Clean(c.Detail))
		if c.Fix != "" {
			fmt.Fprintf(bw, "      fix: %s\n", safetext.Clean(c.Fix))
		}
	}
	switch {
	case r.OK:
		fmt.Fprintf(bw, "a clone of %s should work\n", url)
	case failed == project:
		fmt.Fprintf(bw, "a clone of %s should work, but this project's package manager would not fetch its CodeCommit dependencies: %s\n", url, problems(project))
	default:
		fmt.Fprintf(bw, "a clone of %s would fail: %s\n", url, problems(failed))
	}
	return bw.Flush()
}

// problems says how many problems n is.
func problems(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}

// checkGit checks git's version, and reports whether git runs at all.
func checkGit(ctx context.Context, git gitconfig.Git) (Check, gitconfig.Version, bool) {
	v, line, err := git.Version(ctx)
	if err != nil {
		return fail("git", fmt.Sprintf("cannot run git: %v", err), "install git "+gitconfig.Wildcards.String()+" or newer and put it on PATH"), v, false
	}
	name := strings.Replace(line, "git version", "git", 1)
	if !v.AtLeast(gitconfig.Wildcards) {
		return fail("git", fmt.Sprintf("%s is too old: the wildcard credential sections CodeCommit needs (%s) work from git %s", name, codecommit.URLScopes()[0], gitconfig.Wildcards),
			"upgrade git to "+gitconfig.PasswordExpiry.String()+" or newer"), v, true
	}
	// Older git ignores password_expiry_utc, which matters only when a
	// storing helper could keep a password: checkHelpers warns then.
	return ok("git", name), v, true
}

// defaultURL is the URL checked when none is given: a repository in the
// region asked for, else the configured one, else us-east-1.
func defaultURL(ctx context.Context, o Options) string {
	region := o.Region
	if region == "" {
		region = configuredRegion(o.Profile, "")
	}
	host, known := codecommit.Host(region, false)
	if !known {
		host, _ = codecommit.Host("us-east-1", false)
	}
	return "https://" + host + defaultRepo
}
