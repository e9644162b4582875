package doctor

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
)

// checkURL checks the URL git would use for the URL asked about, and notes
// the https CodeCommit URL to check the rest of the set-up against.
func (d *doctor) checkURL(ctx context.Context) []Check {
	c, target := checkURL(ctx, d.git, d.raw)
	if ctx.Err() != nil { // git was stopped: what it would use is unknown
		return []Check{d.unfinished(ctx, Fail, "url", "git ls-remote --get-url -- "+redactURL(d.raw))}
	}
	d.target = target
	return []Check{c}
}

// checkURL checks the URL git would use for raw, after its insteadOf rules,
// and returns the https CodeCommit URL to check the rest of the set-up
// against: that URL, or the https form of a URL that is wrong only in its
// form (http, SSH, a user name), or "" when there is none.
func checkURL(ctx context.Context, git gitconfig.Git, raw string) (Check, string) {
	u, note := raw, ""
	// git ls-remote --get-url applies url.<base>.insteadOf (and resolves a
	// remote's name) without touching the network. Where git does not run,
	// it fails, and the URL is checked as it is.
	if out, err := git.Run(ctx, "ls-remote", "--get-url", "--", raw); err == nil {
		if got := strings.TrimSpace(out); got != "" && got != raw {
			u, note = got, fmt.Sprintf("git rewrites %s to %s; ", redactURL(raw), redactURL(got))
		}
	}
	if s, ok := gitconfig.ParseSSH(u); ok {
		return checkSSH(redactURL(u), s, note)
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http") {
		return fail("url", note+fmt.Sprintf("%q is not an https URL", redactURL(u)),
			"use the repository's https URL: "+codecommit.ExampleURL), ""
	}
	region, known := codecommit.Region(p.Host)
	if !known {
		return fail("url", note+fmt.Sprintf("%s is not a CodeCommit host: %s only signs for CodeCommit hosts (%s and its FIPS, China and VPC endpoint forms)", p.Host, ourName, codecommit.ExampleHost),
			"use the repository's CodeCommit URL ("+codecommit.ExampleURL+"); for a proxy you trust, add --ignore-host-check to the helper's command line"), ""
	}
	https := "https://" + p.Host + p.EscapedPath()
	switch {
	case p.Scheme == "http":
		return fail("url", note+redactURL(u)+" is plain http: the password would cross the network in clear, so "+ourName+" never signs for it",
			"use "+https), https
	case p.User != nil:
		return fail("url", note+fmt.Sprintf("the URL names the user %q: git sends that name instead of the signed one, and CodeCommit answers 403", p.User.Username()),
			fmt.Sprintf("remove %s@ from the URL: git remote set-url origin %s", p.User.Username(), https)), https
	}
	return ok("url", note+fmt.Sprintf("%s is a CodeCommit URL in %s", u, region)), https
}

// redactURL hides the password of a URL that holds one.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if _, has := u.User.Password(); !has {
		return raw
	}
	return u.Redacted()
}

// isKeyID reports whether user is the SSH key id of an IAM user, which
// CodeCommit's SSH set-up puts in URLs as the user name (APKA…).
func isKeyID(user string) bool {
	rest, ok := strings.CutPrefix(user, "APKA")
	return ok && rest != "" && strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == ""
}

// checkSSH reports an SSH URL git would use as it is: the helper signs only
// for https. It returns the https form of a CodeCommit SSH URL.
func checkSSH(u string, s gitconfig.SSHURL, note string) (Check, string) {
	if _, known := codecommit.Region(s.Host); !known {
		return fail("url", note+fmt.Sprintf("%s is an SSH URL of %s, which is not a CodeCommit host: %s only signs for CodeCommit hosts, over https", u, s.Host, ourName),
			"use the repository's CodeCommit URL: "+codecommit.ExampleURL), ""
	}
	https := "https://" + s.Host + "/" + strings.TrimPrefix(s.Path, "/")
	plain := "ssh://" + s.Host + "/" + strings.TrimPrefix(s.Path, "/")
	if s.User != "" {
		who := fmt.Sprintf("the user name %q", s.User)
		if isKeyID(s.User) {
			who = fmt.Sprintf("the SSH key id %s as user name", s.User)
		}
		return fail("url", note+fmt.Sprintf("%s is an SSH URL with %s; %s signs only https, and git's url.<https>.insteadOf rules are literal prefixes that cannot match a user name, so no rule turns this URL into https", u, who, ourName),
			fmt.Sprintf("change the URL to %s (git remote set-url origin %s), or to %s and run: %s install --rewrite-ssh", https, https, plain, ourName)), https
	}
	return fail("url", note+u+" is an SSH URL that git does not rewrite to https, and "+ourName+" signs only https",
		ourName+" install --rewrite-ssh (or use "+https+")"), https
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
