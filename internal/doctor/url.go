package doctor

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/project"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/remotehelper"
)

// checkURL checks the URL git would use for the URL asked about, and notes
// the https CodeCommit URL to check the rest of the set-up against.
func (d *doctor) checkURL(ctx context.Context) []Check {
	if u := d.getURL(ctx, d.raw); strings.HasPrefix(u, "codecommit:") {
		c, target, profile := d.checkRemoteHelperURL(ctx, u)
		d.target, d.remote, d.flags.Profile = target, true, profile
		return []Check{c}
	}
	c, target := checkURL(ctx, d.git, d.raw)
	if ctx.Err() != nil { // git was stopped: what it would use is unknown
		return []Check{d.unfinished(ctx, Fail, "url", "git ls-remote --get-url -- "+redactURL(d.raw))}
	}
	d.target = target
	return []Check{c}
}

// getURL is the URL git would use for raw: a remote's, after insteadOf.
func (d *doctor) getURL(ctx context.Context, raw string) string {
	if out, err := d.git.Run(ctx, "ls-remote", "--get-url", "--", raw); err == nil && strings.TrimSpace(out) != "" {
		return strings.TrimSpace(out)
	}
	return raw
}

// checkRemoteHelperURL checks a codecommit:// URL (or codecommit::REGION://):
// git runs git-remote-codecommit for it, which must be where git looks, and
// which gives git this helper for the https URL the remote leads to itself,
// with the URL's profile. It returns that URL and profile.
func (d *doctor) checkRemoteHelperURL(ctx context.Context, u string) (Check, string, string) {
	a, err := remotehelper.Parse(strings.TrimPrefix(u, "codecommit::"))
	var t remotehelper.Target
	if err == nil {
		t, err = remotehelper.Resolve(ctx, a, remotehelper.Endpoint(ctx, d.git))
	}
	if err != nil {
		if e := failure.As(err); e != nil {
			return fail("url", e.Finding(), e.Fix), "", ""
		}
		return fail("url", failure.OneLine(err), ""), "", ""
	}
	if !project.RemoteHelperFound(ctx, project.Options{Dir: d.o.Dir, Env: d.o.Env}) {
		c := fail("url", fmt.Sprintf("%s is a codecommit:// URL, but git finds no %s, which it runs for those, on PATH or in git --exec-path", u, remotehelper.Name),
			ourName+" install --remote-helper, into a directory on PATH (--remote-helper=DIR)")
		c.Changes = []change.Change{{Kind: change.Install, RemoteHelper: true}}
		return c, t.URL(), a.Profile
	}
	return ok("url", fmt.Sprintf("%s is a codecommit:// URL: git runs %s, which fetches %s with this helper", u, remotehelper.Name, t.URL())), t.URL(), a.Profile
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
	c := fail("url", note+u+" is an SSH URL that git does not rewrite to https, and "+ourName+" signs only https",
		ourName+" install --rewrite-ssh (or use "+https+")")
	c.Changes = []change.Change{{Kind: change.Install, RewriteSSH: true}}
	return c, https
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
