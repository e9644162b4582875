package install

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/login"
)

// ProbeEnv is set by doctor in the environment of the git it runs to see
// which helpers git asks: a get that finds it answers nothing and touches no
// credentials.
const ProbeEnv = "GIT_CREDENTIAL_CODECOMMIT_DOCTOR"

// DoctorOptions say what doctor checks.
type DoctorOptions struct {
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
	// Dir is where git runs, and Env its environment, nil for this
	// process's. Env applies to the git commands only: AWS credentials and
	// regions are resolved, as the AWS SDK resolves them, from this
	// process's environment.
	Dir string
	Env []string
}

// Check is one finding of doctor.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // "ok", "warn" or "fail"
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Report is what doctor found. OK is true when a clone of URL would work.
type Report struct {
	URL    string  `json:"url"`
	OK     bool    `json:"ok"`
	Checks []Check `json:"checks"`
}

// The statuses of a Check.
const (
	statusOK   = "ok"
	statusWarn = "warn"
	statusFail = "fail"
)

const (
	// expiryMajor and expiryMinor are the first git that reads
	// password_expiry_utc, so that storing helpers forget passwords in time.
	expiryMajor, expiryMinor = 2, 40
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
)

// Doctor checks that a clone of o.URL would work with the configuration git
// and the AWS SDK find, and says how to fix what would not. It changes
// nothing: the helpers git runs for the check are asked with ProbeEnv set,
// and what they answer is not used.
func Doctor(ctx context.Context, o DoctorOptions) Report {
	d := &doctor{ctx: ctx, o: o, git: gitConfig{ctx: ctx, dir: o.Dir, env: o.Env}}
	gitOK := d.checkGit()
	raw := o.URL
	if raw == "" {
		raw = d.defaultURL()
	}
	target := d.checkURL(raw, gitOK)

	var flags helperFlags
	if gitOK && target != "" {
		var sentPath, probed bool
		flags, sentPath, probed = d.checkHelpers(target)
		d.checkUseHTTPPath(target, probed && !sentPath)
	}
	if o.Profile != "" {
		flags.profile = o.Profile
	}
	if o.Region != "" {
		flags.region = o.Region
	}
	hostRegion := urlRegion(target)
	creds, credsOK := d.checkCredentials(flags, hostRegion)
	d.checkSSOToken(flags.profile, creds, credsOK)
	if hostRegion != "" {
		configured := creds.Region
		if !credsOK {
			configured = configuredRegion(ctx, flags.profile, flags.region)
		}
		d.checkRegion(hostRegion, configured)
	}
	if o.Online && credsOK {
		d.checkOnline(creds, flags.profile)
	}

	r := Report{URL: redact(raw), OK: true, Checks: d.checks}
	for _, c := range r.Checks {
		if c.Status == statusFail {
			r.OK = false
		}
	}
	return r
}

// WriteText writes r for people: a line per check with its status, name
// and detail, the fix indented below a problem, and a verdict.
func (r Report) WriteText(w io.Writer) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	failed := 0
	for _, c := range r.Checks {
		status := c.Status
		if status == statusFail {
			status = "FAIL"
			failed++
		}
		detail := strings.ReplaceAll(c.Detail, "\n", "\n"+strings.Repeat(" ", 18))
		fmt.Fprintf(bw, "%-5s %-11s %s\n", status, c.Name, detail)
		if c.Fix != "" {
			fmt.Fprintf(bw, "      fix: %s\n", c.Fix)
		}
	}
	switch {
	case r.OK:
		fmt.Fprintf(bw, "a clone of %s should work\n", r.URL)
	case failed == 1:
		fmt.Fprintf(bw, "a clone of %s would fail: 1 problem\n", r.URL)
	default:
		fmt.Fprintf(bw, "a clone of %s would fail: %d problems\n", r.URL, failed)
	}
}

// doctor collects the checks of one Doctor run.
type doctor struct {
	ctx          context.Context
	o            DoctorOptions
	git          gitConfig // runs git in o.Dir with o.Env; no scope
	major, minor int       // git's version, once checkGit has read it
	checks       []Check
}

func (d *doctor) add(name, status, detail, fix string) {
	d.checks = append(d.checks, Check{Name: name, Status: status, Detail: detail, Fix: fix})
}

// checkGit checks git's version and reports whether git runs at all.
func (d *doctor) checkGit() bool {
	out, err := d.git.run("version")
	if err == nil {
		d.major, d.minor, err = version(d.git)
	}
	if err != nil {
		d.add("git", statusFail, fmt.Sprintf("cannot run git: %v", err), "install git 2.40 or newer and put it on PATH")
		return false
	}
	v := strings.TrimSpace(strings.Replace(out, "git version", "git", 1))
	switch {
	case !atLeast(d.major, d.minor, minMajor, minMinor):
		d.add("git", statusFail, fmt.Sprintf("%s is too old: the wildcard credential sections CodeCommit needs (https://git-codecommit.*.amazonaws.com) work from git %d.%d", v, minMajor, minMinor),
			"upgrade git to 2.40 or newer")
	case !atLeast(d.major, d.minor, expiryMajor, expiryMinor):
		d.add("git", statusWarn, fmt.Sprintf("%s works, but ignores password_expiry_utc (git %d.%d+), so a storing helper would keep CodeCommit passwords after they expire", v, expiryMajor, expiryMinor),
			"upgrade git to 2.40 or newer")
	default:
		d.add("git", statusOK, v, "")
	}
	return true
}

// defaultURL is the URL checked when none is given: a repository in the
// region asked for, else the configured one, else us-east-1.
func (d *doctor) defaultURL() string {
	region := d.o.Region
	if region == "" {
		region = configuredRegion(d.ctx, d.o.Profile, "")
	}
	if region == "" {
		region = "us-east-1"
	}
	host, ok := codecommit.Host(region, false)
	if !ok {
		host, _ = codecommit.Host("us-east-1", false)
	}
	return "https://" + host + defaultRepo
}

// configuredRegion returns the region the AWS configuration names for
// profile (the SDK's choice when empty), or region when it is set, or "".
// It reads files and the environment only.
func configuredRegion(ctx context.Context, profile, region string) string {
	if region != "" {
		return region
	}
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return ""
	}
	return cfg.Region
}

// checkURL checks the URL git would use for raw, after its insteadOf rules,
// and returns the https CodeCommit URL to check the rest of the set-up
// against: that URL, or the https form of a URL that is wrong only in its
// form (http, SSH, a user name), or "" when there is none.
func (d *doctor) checkURL(raw string, gitOK bool) string {
	u, note := raw, ""
	if gitOK {
		// git ls-remote --get-url applies url.<base>.insteadOf (and
		// resolves a remote's name) without touching the network.
		if out, err := d.git.run("ls-remote", "--get-url", "--", raw); err == nil {
			if got := strings.TrimSpace(out); got != "" && got != raw {
				u, note = got, fmt.Sprintf("git rewrites %s to %s; ", redact(raw), redact(got))
			}
		}
	}
	if s, ok := parseSSH(u); ok {
		return d.checkSSH(redact(u), s, note)
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http") {
		d.add("url", statusFail, note+fmt.Sprintf("%q is not an https URL", redact(u)),
			"use the repository's https URL: https://git-codecommit.REGION.amazonaws.com/v1/repos/NAME")
		return ""
	}
	region, ok := codecommit.Region(p.Host)
	if !ok {
		d.add("url", statusFail, note+fmt.Sprintf("%s is not a CodeCommit host: git-credential-codecommit only signs for CodeCommit hosts (git-codecommit.REGION.amazonaws.com and their FIPS, China and VPC endpoint forms)", p.Host),
			"use the repository's CodeCommit URL (https://git-codecommit.REGION.amazonaws.com/v1/repos/NAME); for a proxy you trust, add --ignore-host-check to the helper's command line")
		return ""
	}
	https := "https://" + p.Host + p.EscapedPath()
	switch {
	case p.Scheme == "http":
		d.add("url", statusFail, note+redact(u)+" is plain http: the password would cross the network in clear, so git-credential-codecommit never signs for it",
			"use "+https)
	case p.User != nil:
		d.add("url", statusFail, note+fmt.Sprintf("the URL names the user %q: git sends that name instead of the signed one, and CodeCommit answers 403", p.User.Username()),
			fmt.Sprintf("remove %s@ from the URL: git remote set-url origin %s", p.User.Username(), https))
	default:
		d.add("url", statusOK, note+fmt.Sprintf("%s is a CodeCommit URL in %s", u, region), "")
	}
	return https
}

// redact hides the password of a URL that holds one.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if _, has := u.User.Password(); !has {
		return raw
	}
	return u.Redacted()
}

// sshURL is a URL git would reach over SSH.
type sshURL struct {
	user, host, path string
}

// parseSSH recognises SSH URLs the ways git does: ssh://, git+ssh:// and
// ssh+git:// URLs, and the scp-like [user@]host:path, which has a colon
// before any slash.
func parseSSH(raw string) (sshURL, bool) {
	if scheme, _, ok := strings.Cut(raw, "://"); ok {
		switch strings.ToLower(scheme) {
		case "ssh", "git+ssh", "ssh+git":
		default:
			return sshURL{}, false
		}
		u, err := url.Parse(raw)
		if err != nil {
			return sshURL{}, false
		}
		return sshURL{user: u.User.Username(), host: u.Hostname(), path: u.Path}, true
	}
	colon, slash := strings.IndexByte(raw, ':'), strings.IndexByte(raw, '/')
	if colon <= 1 || (slash >= 0 && slash < colon) { // no host, or a drive letter as in C:/x
		return sshURL{}, false
	}
	user, host, ok := strings.Cut(raw[:colon], "@")
	if !ok {
		user, host = "", user
	}
	return sshURL{user: user, host: host, path: raw[colon+1:]}, true
}

// keyID matches the SSH key ids of IAM users, which CodeCommit's SSH set-up
// puts in URLs as the user name.
var keyID = regexp.MustCompile(`^APKA[A-Z0-9]+$`)

// checkSSH reports an SSH URL git would use as it is: the helper signs only
// for https. It returns the https form of a CodeCommit SSH URL.
func (d *doctor) checkSSH(u string, s sshURL, note string) string {
	if _, ok := codecommit.Region(s.host); !ok {
		d.add("url", statusFail, note+fmt.Sprintf("%s is an SSH URL of %s, which is not a CodeCommit host: git-credential-codecommit only signs for CodeCommit hosts, over https", u, s.host),
			"use the repository's CodeCommit URL: https://git-codecommit.REGION.amazonaws.com/v1/repos/NAME")
		return ""
	}
	https := "https://" + s.host + "/" + strings.TrimPrefix(s.path, "/")
	plain := "ssh://" + s.host + "/" + strings.TrimPrefix(s.path, "/")
	switch {
	case s.user != "":
		who := fmt.Sprintf("the user name %q", s.user)
		if keyID.MatchString(s.user) {
			who = fmt.Sprintf("the SSH key id %s as user name", s.user)
		}
		d.add("url", statusFail, note+fmt.Sprintf("%s is an SSH URL with %s; git-credential-codecommit signs only https, and git's url.<https>.insteadOf rules are literal prefixes that cannot match a user name, so no rule turns this URL into https", u, who),
			fmt.Sprintf("change the URL to %s (git remote set-url origin %s), or to %s and run: git-credential-codecommit install --rewrite-ssh", https, https, plain))
	default:
		d.add("url", statusFail, note+u+" is an SSH URL that git does not rewrite to https, and git-credential-codecommit signs only https",
			"git-credential-codecommit install --rewrite-ssh (or use "+https+")")
	}
	return https
}

// urlRegion returns the region of a CodeCommit URL's host, or "".
func urlRegion(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	region, _ := codecommit.Region(u.Host)
	return region
}

// helperKind is what doctor knows of a credential helper.
type helperKind int

const (
	otherHelper   helperKind = iota
	ourHelper                // git-credential-codecommit
	awsCLIHelper             // aws codecommit credential-helper
	storingHelper            // a helper that stores passwords: store, cache, keychains
)

// storingHelpers are the names of the credential helpers that keep the
// passwords git gives them.
var storingHelpers = []string{"store", "cache", "osxkeychain", "manager", "manager-core", "wincred", "libsecret", "gnome-keyring"}

// credHelper is one credential helper git asked.
type credHelper struct {
	command string   // the command git ran, without " get"
	name    string   // "codecommit", "store", …, or the program's base name
	args    []string // the words after the program
	kind    helperKind
	exit    int // the exit status of its get
}

// classifyHelper tells which helper a command git ran (without " get") is.
// Git runs a helper configured by name as "git credential-NAME ARGS", and
// one configured by path or with "!" through the shell as written.
func classifyHelper(command string) credHelper {
	h := credHelper{command: command}
	words := shellWords(command)
	if len(words) == 0 {
		return h
	}
	isGitHelper := false // the program is git-credential-NAME
	if len(words) >= 2 && words[0] == "git" && strings.HasPrefix(words[1], "credential-") {
		h.name, h.args, isGitHelper = strings.TrimPrefix(words[1], "credential-"), words[2:], true
	} else {
		base := strings.TrimSuffix(words[0][strings.LastIndexAny(words[0], `/\`)+1:], ".exe")
		h.name, h.args = base, words[1:]
		if n, ok := strings.CutPrefix(base, "git-credential-"); ok {
			h.name, isGitHelper = n, true
		}
	}
	switch {
	case isGitHelper && h.name == "codecommit":
		h.kind = ourHelper
	case isGitHelper && slices.Contains(storingHelpers, h.name):
		h.kind = storingHelper
	case h.name == "aws" && slices.Contains(h.args, "codecommit") && slices.Contains(h.args, "credential-helper"):
		h.kind = awsCLIHelper
	}
	return h
}

// shellWords splits a command line into words the way the POSIX shell
// does, for the single and double quotes and backslashes git's helper lines
// use. Shell syntax beyond that stays in the words.
func shellWords(s string) []string {
	var (
		words  []string
		w      strings.Builder
		inWord bool
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
			continue
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				end = len(s) - i - 1
			}
			w.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
					i++
				}
				w.WriteByte(s[i])
			}
		case c == '\\' && i+1 < len(s):
			i++
			w.WriteByte(s[i])
		default:
			w.WriteByte(c)
		}
		inWord = true
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// helperFlags are the --profile and --region of the helper's command line.
type helperFlags struct {
	profile, region string
}

// parseHelperFlags reads --profile and --region (also -profile, and with
// "=") from the helper's arguments, as its flag package does.
func parseHelperFlags(args []string) helperFlags {
	var f helperFlags
	for i := 0; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "-") {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if name != "profile" && name != "region" {
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			value = args[i]
		}
		if name == "profile" {
			f.profile = value
		} else {
			f.region = value
		}
	}
	return f
}

// probe is what git credential fill showed of git's credential code.
type probe struct {
	helpers  []credHelper // the helpers git asked, in order
	sentPath bool         // git kept the path: useHttpPath is in effect
	answered bool         // the last helper asked answered with a password
}

// runProbe runs git credential fill for rawURL the way git would ask for a
// clone, harmlessly: ProbeEnv makes git-credential-codecommit answer
// nothing, prompts answer nothing, and trace2 records the helpers git runs.
// What the helpers answer is read for its path and password keys only, and
// never shown.
func (d *doctor) runProbe(rawURL string) (probe, error) {
	dir, err := os.MkdirTemp("", "git-credential-codecommit-doctor-")
	if err != nil {
		return probe{}, err
	}
	defer os.RemoveAll(dir)
	trace, err := filepath.Abs(filepath.Join(dir, "trace2.json"))
	if err != nil {
		return probe{}, err
	}

	ctx, cancel := context.WithTimeout(d.ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "credential", "fill")
	cmd.Dir = d.o.Dir
	cmd.Env = d.o.Env
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(slices.Clip(cmd.Env),
		"GIT_TRACE2_EVENT="+trace,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=true", // prompts get empty answers
		"GCM_INTERACTIVE=never",
		ProbeEnv+"=1",
	)
	cmd.Stdin = strings.NewReader("url=" + rawURL + "\n\n")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return probe{}, fmt.Errorf("git credential fill did not finish within %s; a helper may be waiting for input", probeTimeout)
	}
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return probe{}, fmt.Errorf("running git: %w", runErr)
	}
	events, err := os.ReadFile(trace)
	if err != nil || len(events) == 0 {
		return probe{}, fmt.Errorf("git credential fill wrote no trace2 events (%s)", lastLine(errOut.String(), runErr))
	}
	p := probe{helpers: parseTrace(events)}
	for _, line := range strings.Split(out.String(), "\n") {
		p.sentPath = p.sentPath || strings.HasPrefix(line, "path=")
		p.answered = p.answered || strings.HasPrefix(line, "password=") && line != "password="
	}
	return p, nil
}

// lastLine returns the last line of stderr, else err's text.
func lastLine(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if l := lines[len(lines)-1]; l != "" {
		return l
	}
	if err != nil {
		return err.Error()
	}
	return "no error"
}

// traceEvent holds the fields of a trace2 event that parseTrace reads.
type traceEvent struct {
	Event    string   `json:"event"`
	SID      string   `json:"sid"`
	ChildID  int      `json:"child_id"`
	UseShell bool     `json:"use_shell"`
	Argv     []string `json:"argv"`
	Code     int      `json:"code"`
}

// parseTrace returns the credential helpers whose get the traced git ran,
// in order, from trace2 event lines. Only the children of the process that
// logged first count: the processes it runs log with session ids of their
// own (its id, "/", theirs). Its own id holds a "/" too when another git
// started it, as a git alias does, so it is taken from its first event.
func parseTrace(events []byte) []credHelper {
	var (
		top     string
		helpers []credHelper
		byChild = map[int]int{} // child_id → index in helpers
	)
	for _, line := range bytes.Split(events, []byte("\n")) {
		var e traceEvent
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		if top == "" {
			top = e.SID
		}
		if e.SID != top {
			continue
		}
		switch e.Event {
		case "child_start":
			if !e.UseShell || len(e.Argv) == 0 || !strings.HasSuffix(e.Argv[0], " get") {
				continue
			}
			byChild[e.ChildID] = len(helpers)
			helpers = append(helpers, classifyHelper(strings.TrimSuffix(e.Argv[0], " get")))
		case "child_exit":
			if i, ok := byChild[e.ChildID]; ok {
				helpers[i].exit = e.Code
			}
		}
	}
	return helpers
}

// ourName is how doctor names this helper in its findings.
const ourName = "git-credential-codecommit"

// showOrigin is the command that finds where credential helpers are set.
const showOrigin = `git config --show-origin --get-regexp '^credential\..*helper$'`

// checkHelpers checks that git asks this helper, first, for rawURL, and
// returns the flags of its command line, whether git sent the path, and
// whether the probe ran.
func (d *doctor) checkHelpers(rawURL string) (flags helperFlags, sentPath, probed bool) {
	p, err := d.runProbe(rawURL)
	if err != nil {
		d.add("helper", statusFail, fmt.Sprintf("cannot see which credential helpers git asks for %s: %v", rawURL, err),
			"check that git credential fill runs here")
		return helperFlags{}, false, false
	}
	chain := describeChain(p)
	i := slices.IndexFunc(p.helpers, func(h credHelper) bool { return h.kind == ourHelper })
	switch {
	case i < 0:
		detail := fmt.Sprintf("git does not ask %s for %s; %s", ourName, rawURL, chain)
		if slices.ContainsFunc(p.helpers, func(h credHelper) bool { return h.kind == awsCLIHelper }) {
			detail += "; the AWS CLI's helper it asks takes about half a second a call, and " + ourName + " replaces it"
		}
		d.add("helper", statusFail, detail, ourName+" install")
	case i > 0:
		d.add("helper", statusFail, fmt.Sprintf("git asks %s before %s for %s: %s; %s", commands(p.helpers[:i]), ourName, rawURL, beforeReason(p.helpers[:i]), chain),
			ourName+` install (its empty "helper =" cuts off the helpers configured before it)`)
	case p.helpers[0].exit != 0:
		d.add("helper", statusFail, fmt.Sprintf("git asks %s first for %s, but %q exited with status %d: git cannot run it as configured; %s", ourName, rawURL, p.helpers[0].command, p.helpers[0].exit, chain),
			ourName+" install (it writes this binary's absolute path)")
	default:
		d.add("helper", statusOK, fmt.Sprintf("git asks %s first for %s; %s", ourName, rawURL, chain), "")
	}
	if i >= 0 {
		d.checkHelpersAfter(p.helpers[i+1:], p.answered)
		flags = parseHelperFlags(p.helpers[i].args)
	}
	return flags, p.sentPath, true
}

// checkHelpersAfter warns of helpers git asks after this one that store
// passwords or are the AWS CLI's. answered says the last of them answered
// with a password.
func (d *doctor) checkHelpersAfter(after []credHelper, answered bool) {
	for j, h := range after {
		switch h.kind {
		case storingHelper:
			detail := fmt.Sprintf("%s, asked after %s, will store CodeCommit passwords", h.command, ourName)
			if h.name == "store" || !atLeast(d.major, d.minor, expiryMajor, expiryMinor) {
				detail += " and keep them after they expire: should " + ourName + " give no password, git sends the stored one and CodeCommit answers 403"
			}
			if answered && j == len(after)-1 {
				detail += "; it holds one for this URL now"
			}
			d.add("helper", statusWarn, detail, "remove it for CodeCommit hosts; find where it is set with: "+showOrigin)
		case awsCLIHelper:
			d.add("helper", statusWarn, fmt.Sprintf("the AWS CLI's helper (%s) is asked after %s; it runs only when %s gives no password, takes about half a second a call, and %s replaces it", h.command, ourName, ourName, ourName),
				"remove it; find where it is set with: "+showOrigin)
		}
	}
}

// beforeReason says why helpers asked before this one break CodeCommit.
func beforeReason(before []credHelper) string {
	switch {
	case slices.ContainsFunc(before, func(h credHelper) bool { return h.kind == storingHelper }):
		return "a storing helper answers first with the password it stored, which expires after about 15 minutes, and CodeCommit answers an expired password with 403, which never makes git forget it"
	case slices.ContainsFunc(before, func(h credHelper) bool { return h.kind == awsCLIHelper }):
		return "the AWS CLI's helper answers first, taking about half a second a call; " + ourName + " replaces it"
	}
	return "a helper asked first answers with its own credentials, and " + ourName + " is never asked"
}

// describeChain lists the helpers git asks, in order.
func describeChain(p probe) string {
	if len(p.helpers) == 0 {
		return "git asks no credential helper for it"
	}
	s := "helpers git asks, in order: " + commands(p.helpers)
	if p.answered {
		s += fmt.Sprintf(" (%s answered with a password, so git asked no further)", p.helpers[len(p.helpers)-1].command)
	}
	return s
}

// commands joins the commands of helpers.
func commands(helpers []credHelper) string {
	cs := make([]string, len(helpers))
	for i, h := range helpers {
		cs[i] = h.command
	}
	return strings.Join(cs, ", ")
}

// checkUseHTTPPath checks that git sends the repository path, which the
// password signs. lastWinsFalse says git's credential code, unlike git
// config --get-urlmatch, found useHttpPath false: it takes the last value
// of every matching section, not the most specific one.
func (d *doctor) checkUseHTTPPath(rawURL string, lastWinsFalse bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return
	}
	fix := fmt.Sprintf("git config --global credential.https://%s.useHttpPath true (or: %s install)", u.Host, ourName)
	out, err := d.git.run("config", "--type=bool", "--get-urlmatch", "credential.useHttpPath", rawURL)
	switch {
	case err != nil && !errors.Is(err, errNotFound):
		d.add("usehttppath", statusFail, fmt.Sprintf("cannot read credential.useHttpPath: %v", err), fix)
	case strings.TrimSpace(out) != "true":
		d.add("usehttppath", statusFail, fmt.Sprintf("credential.useHttpPath is not true for %s: git sends no repository path, and the password is a signature over it", rawURL), fix)
	case lastWinsFalse:
		d.add("usehttppath", statusFail, "credential.useHttpPath is true in the most specific section, but git's credential code takes the last value of every matching section, and a later one is false: git sends no repository path, and the password is a signature over it",
			`remove the later false one; find it with: git config --show-origin --get-regexp '^credential\..*usehttppath$'`)
	default:
		d.add("usehttppath", statusOK, "credential.useHttpPath is true: git sends the repository path to sign", "")
	}
}

// checkCredentials resolves AWS credentials as the helper would and reports
// their source, access key id and expiry, never their secrets.
func (d *doctor) checkCredentials(f helperFlags, hostRegion string) (awscreds.Resolved, bool) {
	ctx, cancel := context.WithTimeout(d.ctx, credentialsTimeout)
	defer cancel()
	c, err := awscreds.Resolve(ctx, awscreds.Options{Profile: f.profile, Region: f.region, DefaultRegion: hostRegion})
	if err != nil {
		detail, fix := splitFix(err.Error())
		d.add("credentials", statusFail, detail, fix)
		return c, false
	}
	detail := fmt.Sprintf("access key id %s from %s", c.AccessKeyID, c.Source)
	if f.profile != "" {
		detail += fmt.Sprintf(", profile %q", c.Profile)
	}
	now := time.Now()
	left := c.Expires.Sub(now)
	switch {
	case !c.CanExpire:
		d.add("credentials", statusOK, detail+"; they do not expire", "")
	case left <= 0:
		d.add("credentials", statusFail, detail+fmt.Sprintf("; they expired at %s", c.Expires.UTC().Format(time.RFC3339)),
			"renew them where they come from ("+c.Source+")")
		return c, false
	case left < soonExpiry:
		d.add("credentials", statusWarn, detail+fmt.Sprintf("; they expire at %s, in %s, sooner than a signed password would", c.Expires.UTC().Format(time.RFC3339), left.Round(time.Second)),
			"renew them where they come from ("+c.Source+")")
	default:
		d.add("credentials", statusOK, detail+fmt.Sprintf("; they expire at %s, in %s", c.Expires.UTC().Format(time.RFC3339), roundDuration(left)), "")
	}
	return c, true
}

// checkSSOToken reports, for a profile on IAM Identity Center, the token
// its role credentials come from: when it expires, and whether the AWS SDK
// can renew it with its refresh token or only a sign-in can. A token that
// is missing or expired for good fails, unless the credentials check found
// role credentials cached from it: git then works until they expire. A
// token that only a sign-in renews warns an hour before it expires; one
// with a refresh token does not, since its access token lives about an
// hour and is renewed without the user.
//
// Profiles without IAM Identity Center settings get no check, nor do
// configurations that do not load: the credentials check reports those.
func (d *doctor) checkSSOToken(profile string, creds awscreds.Resolved, credsOK bool) {
	if credsOK && creds.Source == config.CredentialsSourceName {
		return // keys in the environment beat the profile named by AWS_PROFILE
	}
	s, err := login.FindSession(d.ctx, profile, "")
	if err != nil {
		return
	}
	path, err := s.CacheFile()
	if err != nil {
		return
	}
	fix := s.LoginCommand()
	bad := func(detail string) {
		if credsOK && creds.CanExpire {
			d.add("sso", statusWarn, detail+fmt.Sprintf("; git works with role credentials cached from it until %s", creds.Expires.UTC().Format(time.RFC3339)), fix)
			return
		}
		d.add("sso", statusFail, detail, fix)
	}
	what := fmt.Sprintf("the IAM Identity Center token of %s", s)
	t, err := login.ReadToken(path)
	now := time.Now()
	left := t.ExpiresAt.Sub(now)
	at := t.ExpiresAt.UTC().Format(time.RFC3339)
	switch {
	case errors.Is(err, os.ErrNotExist):
		bad(fmt.Sprintf("%s is missing: no %s", what, path))
	case err != nil:
		bad(fmt.Sprintf("%s cannot be read (%s)", what, oneLine(err)))
	case t.CanRefresh(now) && left > 0:
		d.add("sso", statusOK, fmt.Sprintf("%s expires at %s, in %s; the AWS SDK renews it with its refresh token", what, at, roundDuration(left)), "")
	case t.CanRefresh(now) && credsOK:
		d.add("sso", statusOK, fmt.Sprintf("%s expired at %s; the AWS SDK renews it with its refresh token when it is next used", what, at), "")
	case t.CanRefresh(now):
		// The credentials check tried the refresh token, and it failed.
		bad(fmt.Sprintf("%s expired at %s, and its refresh token did not renew it", what, at))
	case left <= 0:
		bad(fmt.Sprintf("%s expired at %s, and only a sign-in renews it", what, at))
	case left < ssoTokenWarn:
		d.add("sso", statusWarn, fmt.Sprintf("%s expires at %s, in %s, and only a sign-in renews it", what, at, roundDuration(left)), fix)
	default:
		d.add("sso", statusOK, fmt.Sprintf("%s expires at %s, in %s; only a sign-in renews it", what, at, roundDuration(left)), "")
	}
}

// roundDuration is d to the minute, without the trailing "0s" (1h5m), or to
// the second below a minute.
func roundDuration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}

// splitFix splits an awscreds error, "what failed (why); what to do", into
// the finding and the fix.
func splitFix(msg string) (detail, fix string) {
	i := strings.LastIndex(msg, "; ")
	if i < 0 {
		return msg, ""
	}
	return msg[:i], strings.TrimPrefix(msg[i+2:], "run: ")
}

// checkRegion reports the region passwords are signed for, which every
// CodeCommit host name carries, and the region of the AWS calls that get
// credentials (STS, IAM Identity Center) when another one is configured.
func (d *doctor) checkRegion(hostRegion, configured string) {
	detail := hostRegion + ", from the host name"
	if configured != "" && configured != hostRegion {
		detail += "; AWS calls for credentials use " + configured + ", the configured region"
	}
	d.add("region", statusOK, detail, "")
}

// checkOnline asks STS who the credentials are, and compares the local
// clock with the Date of STS's answer.
func (d *doctor) checkOnline(c awscreds.Resolved, profile string) {
	ctx, cancel := context.WithTimeout(d.ctx, stsTimeout)
	defer cancel()
	region := c.Region
	if region == "" {
		region = "us-east-1"
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithCredentialsProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return c.Credentials, nil
		})),
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	// LoadDefaultConfig, rather than a bare aws.Config, so that
	// AWS_ENDPOINT_URL_STS and the profile's endpoint settings apply.
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		d.add("identity", statusFail, fmt.Sprintf("cannot load the AWS configuration: %v", err), "")
		return
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	received := time.Now()
	var raw *smithyhttp.Response
	if err != nil {
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			raw = re.Response
		}
		d.add("identity", statusFail, fmt.Sprintf("STS GetCallerIdentity failed with these credentials (%s)", oneLine(err)), stsFix(err))
	} else {
		raw, _ = awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response)
		d.add("identity", statusOK, fmt.Sprintf("%s (account %s)", aws.ToString(out.Arn), aws.ToString(out.Account)), "")
	}
	if raw == nil || raw.Response == nil || raw.StatusCode == 0 {
		return // no answer came
	}
	date, err := http.ParseTime(raw.Header.Get("Date"))
	if err != nil {
		d.add("clock", statusWarn, "cannot compare the clock with AWS's: STS's answer has no valid Date header", "")
		return
	}
	d.checks = append(d.checks, clockCheck(received, date))
}

// oneLine puts err's text on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// stsFix says what to do about a failed GetCallerIdentity.
func stsFix(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ExpiredToken", "ExpiredTokenException":
			return "renew the credentials: they have expired"
		case "InvalidClientTokenId", "UnrecognizedClientException":
			return "AWS does not know these credentials: check them with aws configure list, and renew them"
		case "SignatureDoesNotMatch":
			return "check the secret key, and that the clock is right"
		}
	}
	return "check the network path to STS (proxies, AWS_ENDPOINT_URL_STS) and retry"
}

// clockCheck compares the local time an answer arrived with the Date AWS
// sent, which has whole seconds.
func clockCheck(local, awsDate time.Time) Check {
	skew := local.Sub(awsDate)
	way := "ahead of"
	if skew < 0 {
		skew, way = -skew, "behind"
	}
	if skew < 2*time.Second {
		return Check{Name: "clock", Status: statusOK, Detail: "the local clock agrees with AWS's"}
	}
	detail := fmt.Sprintf("the local clock is %s %s AWS's", skew.Round(time.Second), way)
	const fix = "set the clock right, and keep it so with NTP (for example: timedatectl set-ntp true)"
	switch {
	case skew > skewFail:
		return Check{Name: "clock", Status: statusFail, Detail: detail + ": passwords carry the local time, and CodeCommit refuses them when it is more than about 15 minutes off", Fix: fix}
	case skew > skewWarn:
		return Check{Name: "clock", Status: statusWarn, Detail: detail + ": passwords carry the local time, and their 15 minutes run shorter", Fix: fix}
	}
	return Check{Name: "clock", Status: statusOK, Detail: detail}
}
