// Package doctor checks that a clone of a CodeCommit repository would work
// with the configuration git and the AWS SDK find, and says how to fix what
// would not. Each check returns a Check; Doctor runs them concurrently
// under one time budget, a check that needs what another found waiting for
// it (run.go), and the report only prints.
//
// The checks fall into these files: the URL and FIPS (url.go, fips.go), the
// credential helpers git asks (helpers.go, probe.go), AWS credentials, IAM
// Identity Center, region and clock (aws.go, online.go), and the package
// managers of the project in the working directory (internal/project,
// reported by project.go).
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
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/project"
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
	// Dir is where git and the project checks run ("" for the current
	// directory). Env, nil for this process's environment, is the
	// environment of the commands doctor runs (git, and go for the project
	// checks) and where the project checks read CARGO_* and HOME. The AWS
	// SDK reads this process's environment itself: AWS credentials and
	// regions are resolved from it, whatever Env holds.
	Dir string
	Env []string
	// Now is the clock that expiries are measured against and that is
	// compared with AWS's; nil for time.Now.
	Now func() time.Time
	// Budget bounds the whole run, all checks together; zero for
	// DefaultBudget.
	Budget time.Duration
	// FIPSModule is the Go Cryptographic Module the binary links, as
	// crypto/fips140.Version reports it: "v1.0.0" for the validated module
	// (GOFIPS140=v1.0.0), "latest" for Go's own source, which
	// GODEBUG=fips140=on or only also runs in FIPS 140-3 mode.
	FIPSModule string
}

// DefaultBudget is how long doctor lets all its checks run, together. It is
// generous: each git authentication would wait as long for what a check
// waits for (a credential helper, a credential source), so a check that
// takes longer is a problem in itself.
const DefaultBudget = 20 * time.Second

// Check is one finding of doctor.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
	// Changes are the fixes of the user's own tool configuration that
	// doctor --fix may make for a failure (internal/change).
	Changes []change.Change `json:"-"`
}

// Status is how a check came out.
type Status string

// The statuses of a Check. Only a failure makes a clone fail. A check that
// does not apply here, or that could not run because one it needs did not
// finish, is skipped, and its detail says why.
const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

func ok(name, detail string) Check { return Check{Name: name, Status: OK, Detail: detail} }
func warn(name, detail, fix string) Check {
	return Check{Name: name, Status: Warn, Detail: detail, Fix: fix}
}
func fail(name, detail, fix string) Check {
	return Check{Name: name, Status: Fail, Detail: detail, Fix: fix}
}
func skip(name, why string) Check { return Check{Name: name, Status: Skip, Detail: why} }

// Report is what doctor found. OK is true when a clone of URL would work.
type Report struct {
	// Version is the version of this format, for scripts that read
	// doctor --json. It changes when a field changes its type or meaning,
	// not when a check or a status value is added: scripts should ignore
	// the names and statuses they do not know.
	Version int     `json:"version"`
	URL     string  `json:"url"`
	OK      bool    `json:"ok"`
	Checks  []Check `json:"checks"`
	// secrets are the check's (internal/redact): Doctor redacts the report
	// with them, and WriteText what it prints.
	secrets *redact.Set
	// installFlags are the helper's flags in git's configuration.
	installFlags helper.Getter
}

// Changes are the fixes of the user's tool configuration that doctor --fix
// makes for the failed checks, each once, one install first: it keeps the
// --profile and --region the helper has.
func (r Report) Changes() []change.Change {
	var cs []change.Change
	for _, c := range r.Checks {
		if c.Status == Fail {
			cs = append(cs, c.Changes...)
		}
	}
	cs = change.Merge(cs)
	if len(cs) > 0 && cs[0].Kind == change.Install {
		cs[0].Profile, cs[0].Region = r.installFlags.Profile, r.installFlags.Region
	}
	return cs
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
	// defaultRepo is the repository path of the URL checked when none is
	// given.
	defaultRepo = "/v1/repos/doctor-check"
	// ourName is how doctor names this helper in its findings.
	ourName = "git-credential-codecommit"
)

// Doctor checks that a clone of o.URL would work, and says how to fix what
// would not. It changes nothing: the helpers git runs for the check are
// asked with helper.ProbeEnv set, and what they answer is not used. The
// checks run concurrently, within o.Budget in all; the report lists them
// in the same order whichever finishes first.
func Doctor(ctx context.Context, o Options) Report {
	ctx, secrets := redact.Ensure(ctx)
	if o.Budget <= 0 {
		o.Budget = DefaultBudget
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	raw := o.URL
	if raw == "" {
		raw = defaultURL(ctx, o)
	}
	d := &doctor{o: o, raw: raw, git: gitconfig.Git{Dir: o.Dir, Env: o.Env, Prepare: contain}}
	r := Report{Version: ReportVersion, URL: secrets.String(redactURL(raw)), OK: true, Checks: d.run(ctx), secrets: secrets}
	d.mu.Lock()
	r.installFlags = d.installFlags
	d.mu.Unlock()
	for i, c := range r.Checks {
		if c.Status == Fail {
			r.OK = false
		}
		// Both the text and the JSON report carry no secret the checks
		// learnt, whichever check quoted it.
		r.Checks[i].Detail, r.Checks[i].Fix = secrets.String(c.Detail), secrets.String(c.Fix)
	}
	return r
}

// WriteText writes r for people: a line per check with its status, name
// and detail, the fix indented below a problem, and a verdict. Skipped
// checks are left out: they name nothing to fix, and a check skipped
// because another did not finish follows that one's failure, which is
// shown; the JSON form has them all. Details
// quote URLs, git's configuration, paths and AWS's messages: each field is
// printed through safetext, so a check is always one line and nothing
// printed drives the terminal.
func (r Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	failed, ofProject := 0, 0 // failed checks; of them, the project's
	url := safetext.Clean(r.secrets, r.URL)
	for _, c := range r.Checks {
		status := string(c.Status)
		switch c.Status {
		case Skip:
			continue
		case Fail:
			status = "FAIL"
			failed++
			if slices.Contains(project.Managers(), c.Name) {
				ofProject++
			}
		}
		fmt.Fprintf(bw, "%-5s %-11s %s\n", status, safetext.Clean(r.secrets, c.Name), safetext.Clean(r.secrets, c.Detail))
		if c.Fix != "" {
			fmt.Fprintf(bw, "      fix: %s\n", safetext.Clean(r.secrets, c.Fix))
		}
	}
	switch {
	case r.OK:
		fmt.Fprintf(bw, "a clone of %s should work\n", url)
	case failed == ofProject:
		fmt.Fprintf(bw, "a clone of %s should work, but this project's package manager would not fetch its CodeCommit dependencies: %s\n", url, problems(ofProject))
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

// checkGit checks git's version, and notes whether git runs at all.
func (d *doctor) checkGit(ctx context.Context) []Check {
	v, line, err := d.git.Version(ctx)
	d.version, d.gitOK = v, err == nil
	if err != nil && ctx.Err() != nil {
		return []Check{d.unfinished(ctx, Fail, "git", "git version")}
	}
	if err != nil {
		return []Check{fail("git", fmt.Sprintf("cannot run git: %v", err), "install git "+gitconfig.Wildcards.String()+" or newer and put it on PATH")}
	}
	name := strings.Replace(line, "git version", "git", 1)
	if !v.AtLeast(gitconfig.Wildcards) {
		return []Check{fail("git", fmt.Sprintf("%s is too old: the wildcard credential sections CodeCommit needs (%s) work from git %s", name, codecommit.URLScopes()[0], gitconfig.Wildcards),
			"upgrade git to "+gitconfig.PasswordExpiry.String()+" or newer")}
	}
	// Older git ignores password_expiry_utc, which matters only when a
	// storing helper could keep a password: checkHelpers warns then.
	return []Check{ok("git", name)}
}

// defaultURL is the URL checked when none is given: a repository in the
// region asked for, else the configured one, else us-east-1.
func defaultURL(ctx context.Context, o Options) string {
	region := o.Region
	if region == "" {
		region = configuredRegion(ctx, o.Profile, "")
	}
	host, known := codecommit.Host(region, false)
	if !known {
		host, _ = codecommit.Host("us-east-1", false)
	}
	return "https://" + host + defaultRepo
}
