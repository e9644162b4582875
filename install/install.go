// Package install writes and removes the git configuration that makes git
// use git-credential-codecommit for CodeCommit, and diagnoses it. It changes
// configuration only by running git config, never by editing files.
//
// Its credential sections are named with a trailing slash
// ([credential "https://git-codecommit.*.amazonaws.com/"]). Git matches them
// exactly as it matches the same URL without the slash, and the distinct
// name keeps them apart from sections users write by hand, so that
// uninstall removes what install wrote and nothing else.
package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
)

// Options say where to write and what.
type Options struct {
	// Scope is git config's file option: "--global" (the default),
	// "--system", "--local" or "--file"; File is the path for "--file".
	Scope string
	File  string
	// Binary is the helper's absolute path.
	Binary string
	// Profile and Region go into the helper's command line. Region may be
	// given once, except with RewriteSSH, where Regions lists the regions to
	// write rules for (all the SDK knows when empty).
	Profile string
	Regions []string
	// URL scopes the credential section to one URL prefix instead of every
	// CodeCommit host, so that repositories under it can use their own
	// profile.
	URL string
	// RewriteSSH adds url.<https>.insteadOf <ssh> rules for CodeCommit.
	RewriteSSH bool
	// RemoteHelper links git-remote-codecommit to Binary, in
	// RemoteHelperDir or else beside Binary, so that git finds this binary
	// as the remote helper of codecommit:// URLs.
	RemoteHelper    bool
	RemoteHelperDir string
	// Dir is where git runs (it matters for --local); Env its environment,
	// nil for this process's.
	Dir string
	Env []string
}

// minMajor and minMinor are the oldest git whose credential sections take
// the one-label wildcards install writes.
const minMajor, minMinor = 2, 26

// hostScopes are the credential sections for every CodeCommit host form in
// every partition (codecommit.URLScopes), with the trailing slash that marks
// them as install's.
func hostScopes() []string {
	scopes := codecommit.URLScopes()
	for i, s := range scopes {
		scopes[i] = s + "/"
	}
	return scopes
}

// section is a configuration section install writes, with its entries in
// the order written. For rewrite rules, only the entries are ours.
type section struct {
	name    string // "credential.https://…/" or "url.https://…/"
	entries []entry
}

func (o Options) git(ctx context.Context) (gitConfig, error) {
	g := gitConfig{ctx: ctx, dir: o.Dir, env: o.Env}
	switch o.Scope {
	case "", "--global":
		g.scope = []string{"--global"}
	case "--system", "--local":
		g.scope = []string{o.Scope}
	case "--file":
		if o.File == "" {
			return g, errors.New("--file needs a path")
		}
		g.scope = []string{"--file", o.File}
	default:
		return g, fmt.Errorf("unknown scope %q", o.Scope)
	}
	major, minor, err := version(g)
	if err != nil {
		return g, err
	}
	if !atLeast(major, minor, minMajor, minMinor) {
		return g, fmt.Errorf("git %d.%d is too old: the URL wildcards CodeCommit needs work from git %d.%d; upgrade git", major, minor, minMajor, minMinor)
	}
	return g, nil
}

// credentialScopes returns the names of the credential sections for o.
func (o Options) credentialScopes() ([]string, error) {
	if len(o.Regions) > 1 && !o.RewriteSSH {
		return nil, errors.New("--region can be given once, except with --rewrite-ssh")
	}
	scopes := hostScopes()
	if o.URL != "" {
		u, err := credentialURL(o.URL)
		if err != nil {
			return nil, err
		}
		scopes = []string{u}
	}
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = "credential." + s
	}
	return names, nil
}

// credentialSections returns the credential sections for o: an empty helper
// that cuts off every helper configured before it, this helper, and
// useHttpPath, without which git sends no path to sign.
func (o Options) credentialSections() ([]section, error) {
	names, err := o.credentialScopes()
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(o.Binary) {
		return nil, fmt.Errorf("the helper's path %q is not absolute", o.Binary)
	}
	args := []string{o.Binary}
	if o.Profile != "" {
		args = append(args, "--profile", o.Profile)
	}
	if len(o.Regions) == 1 {
		args = append(args, "--region", o.Regions[0])
	}
	entries := []entry{{"helper", ""}, {"helper", HelperCommand(args)}, {"usehttppath", "true"}}
	ss := make([]section, len(names))
	for i, n := range names {
		ss[i] = section{n, entries}
	}
	return ss, nil
}

// credentialURL checks a --url prefix and gives it the trailing slash of the
// sections install owns.
func credentialURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("--url %q is not an https URL prefix", raw)
	}
	if _, ok := codecommit.Region(u.Host); !ok {
		return "", fmt.Errorf("--url %q is not on a CodeCommit host", raw)
	}
	return strings.TrimSuffix(u.String(), "/") + "/", nil
}

// rewriteSections returns the url.<https>.insteadOf rules for the regions
// of o: the ssh://, git+ssh:// and scp-like (host:path) forms of each
// CodeCommit SSH host lead to its https form. insteadOf matches literal
// prefixes, so every region needs its own rule, and URLs that name an SSH
// key id as user (ssh://APKA…@git-codecommit…) match none.
func (o Options) rewriteSections() ([]section, error) {
	hosts, err := codecommit.SSHHosts(o.Regions)
	if err != nil {
		return nil, err
	}
	ss := make([]section, len(hosts))
	for i, h := range hosts {
		ss[i] = section{"url.https://" + h + "/", []entry{
			{"insteadof", "ssh://" + h + "/"},
			{"insteadof", "git+ssh://" + h + "/"},
			{"insteadof", h + ":"},
		}}
	}
	return ss, nil
}

// HelperCommand renders a helper's command line for credential.helper. A
// plain absolute path is run as it is; one that needs quoting must be run
// through the shell, which git does for helpers starting with "!".
func HelperCommand(args []string) string {
	if runtime.GOOS == "windows" {
		args[0] = filepath.ToSlash(args[0])
	}
	if !slices.ContainsFunc(args, needsQuote) {
		return strings.Join(args, " ")
	}
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return "!" + strings.Join(q, " ")
}

var plain = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

func needsQuote(s string) bool { return !plain.MatchString(s) }

// Install writes the configuration for o and prints what it wrote to w.
// Running it again with the same options changes nothing.
func Install(ctx context.Context, o Options, w io.Writer) error {
	g, err := o.git(ctx)
	if err != nil {
		return err
	}
	creds, err := o.credentialSections()
	if err != nil {
		return err
	}
	var rules []section
	if o.RewriteSSH {
		if rules, err = o.rewriteSections(); err != nil {
			return err
		}
	}

	var wrote []section
	for _, s := range creds {
		have, err := g.entries(s.name)
		if err != nil {
			return err
		}
		if slices.Equal(have, s.entries) {
			continue
		}
		if have != nil { // an older install with other options: the section is ours
			if _, err := g.config("--remove-section", s.name); err != nil {
				return err
			}
		}
		if err := g.add(s.name, s.entries); err != nil {
			return err
		}
		wrote = append(wrote, s)
	}
	if len(wrote) > 0 && o.URL == "" {
		// Git runs the helpers of every matching section in file order, and
		// an empty helper resets the list, so a URL-prefix section must come
		// after the host sections it refines.
		if err := g.moveURLSectionsLast(); err != nil {
			return err
		}
	}
	for _, s := range rules {
		have, err := g.entries(s.name)
		if err != nil {
			return err
		}
		var missing []entry
		for _, e := range s.entries {
			if !slices.Contains(have, e) {
				missing = append(missing, e)
			}
		}
		if err := g.add(s.name, missing); err != nil {
			return err
		}
		if len(missing) > 0 {
			wrote = append(wrote, section{s.name, missing})
		}
	}

	linked := false
	if o.RemoteHelper {
		if linked, err = o.linkRemoteHelper(w); err != nil {
			return err
		}
	}
	where := "git config " + strings.Join(g.scope, " ")
	switch {
	case len(wrote) == 0 && linked:
		fmt.Fprintf(w, "the git configuration is already installed (%s)\n", where)
		return nil
	case len(wrote) == 0:
		fmt.Fprintf(w, "git-credential-codecommit is already installed (%s); nothing changed\n", where)
		return nil
	}
	fmt.Fprintf(w, "wrote with %s:\n", where)
	printSections(w, wrote)
	return nil
}

// remoteHelperPath is where the git-remote-codecommit link goes.
func (o Options) remoteHelperPath() string {
	dir := o.RemoteHelperDir
	if dir == "" {
		dir = filepath.Dir(o.Binary)
	}
	name := "git-remote-codecommit"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(dir, name)
}

// linkRemoteHelper makes git-remote-codecommit a link to the binary: a
// symbolic link, or a hard link on Windows, where symbolic links need
// privileges. An existing link to the binary is left alone; any other file
// of that name is an error. It reports whether it made the link.
func (o Options) linkRemoteHelper(w io.Writer) (bool, error) {
	link := o.remoteHelperPath()
	if same, err := sameFile(link, o.Binary); err == nil {
		if same {
			fmt.Fprintf(w, "%s already runs this binary\n", link)
			return false, nil
		}
		return false, fmt.Errorf("%s exists and is not this binary; remove it first", link)
	}
	var err error
	if runtime.GOOS == "windows" {
		err = os.Link(o.Binary, link)
	} else {
		err = os.Symlink(o.Binary, link)
	}
	if err != nil {
		return false, fmt.Errorf("linking the remote helper: %w", err)
	}
	fmt.Fprintf(w, "linked %s to %s: git now runs it for codecommit:// URLs\n", link, o.Binary)
	if !onPath(filepath.Dir(link)) {
		fmt.Fprintf(w, "note: %s is not on PATH, where git looks for remote helpers\n", filepath.Dir(link))
	}
	return true, nil
}

// sameFile reports whether a and b are the same file; it fails when a does
// not exist.
func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		if _, lerr := os.Lstat(a); lerr == nil {
			return false, nil // a dangling link: not ours to replace
		}
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

func onPath(dir string) bool {
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if a, err := filepath.Abs(d); err == nil && a == dir {
			return true
		}
	}
	return false
}

// add appends entries to section name.
func (g gitConfig) add(name string, entries []entry) error {
	for _, e := range entries {
		if _, err := g.config("--add", name+"."+displayKey(e.key), e.value); err != nil {
			return err
		}
	}
	return nil
}

// moveURLSectionsLast moves the credential sections an install --url wrote
// to the end of the file, in their order.
func (g gitConfig) moveURLSectionsLast() error {
	out, err := g.config("-z", "--name-only", "--get-regexp", `^credential\..*/\.helper$`)
	if errors.Is(err, errNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	for _, k := range strings.Split(strings.TrimSuffix(out, "\x00"), "\x00") {
		name := strings.TrimSuffix(k, ".helper")
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for _, name := range names {
		es, err := g.entries(name)
		if err != nil {
			return err
		}
		if !isURLSection(name, es) {
			continue
		}
		if _, err := g.config("--remove-section", name); err != nil {
			return err
		}
		if err := g.add(name, es); err != nil {
			return err
		}
	}
	return nil
}

// isURLSection reports whether section name, with entries es, is one an
// install --url wrote: a CodeCommit URL prefix ending in '/', other than the
// host sections, holding an empty helper and then this helper. Other
// sections are the user's, and stay where they are.
func isURLSection(name string, es []entry) bool {
	scope := strings.TrimPrefix(name, "credential.")
	if slices.Contains(hostScopes(), scope) {
		return false
	}
	if u, err := credentialURL(scope); err != nil || "credential."+u != name {
		return false
	}
	return len(es) >= 2 && es[0] == entry{"helper", ""} && es[1].key == "helper" &&
		strings.Contains(es[1].value, "git-credential-codecommit")
}

// Uninstall removes what Install wrote with the same options: the credential
// sections for o (whatever profile they name), and the rewrite rules for its
// regions (all of them when no --region is given), leaving every entry it
// did not write.
func Uninstall(ctx context.Context, o Options, w io.Writer) error {
	g, err := o.git(ctx)
	if err != nil {
		return err
	}
	names, err := o.credentialScopes()
	if err != nil {
		return err
	}
	var removed []section
	for _, name := range names {
		have, err := g.entries(name)
		if err != nil {
			return err
		}
		if have == nil {
			continue
		}
		if _, err := g.config("--remove-section", name); err != nil {
			return err
		}
		removed = append(removed, section{name, have})
	}
	if o.URL == "" || o.RewriteSSH {
		o.RewriteSSH = true
		rules, err := o.rewriteSections()
		if err != nil {
			return err
		}
		for _, s := range rules {
			var gone []entry
			for _, e := range s.entries {
				_, err := g.config("--unset-all", s.name+"."+e.key, "^"+regexp.QuoteMeta(e.value)+"$")
				if errors.Is(err, errNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				gone = append(gone, e)
			}
			if len(gone) > 0 {
				removed = append(removed, section{s.name, gone})
			}
		}
	}
	if o.RemoteHelper {
		link := o.remoteHelperPath()
		if same, err := sameFile(link, o.Binary); err == nil && same {
			if err := os.Remove(link); err != nil {
				return err
			}
			fmt.Fprintf(w, "removed %s\n", link)
		}
	}
	where := "git config " + strings.Join(g.scope, " ")
	if len(removed) == 0 {
		fmt.Fprintf(w, "nothing of git-credential-codecommit to remove (%s)\n", where)
		return nil
	}
	fmt.Fprintf(w, "removed with %s:\n", where)
	printSections(w, removed)
	return nil
}

// displayKey is the spelling of a key in git's documentation; git reports
// keys in lower case, and entries hold them so.
func displayKey(k string) string {
	switch k {
	case "usehttppath":
		return "useHttpPath"
	case "insteadof":
		return "insteadOf"
	}
	return k
}

// printSections prints sections as they read in a git config file. Of a
// run of sections of one kind with entries of the same shape (the credential
// sections for every host form, the rewrite rules for every region), the
// first few are printed and the rest summed up in a line.
func printSections(w io.Writer, ss []section) {
	const showCredential, showURL = 1, 3
	var (
		kind   string
		shown  int
		hidden int
		last   []entry
	)
	flush := func() {
		switch {
		case hidden > 0 && kind == "credential":
			fmt.Fprintf(w, "  … and the same for %d more CodeCommit host patterns\n", hidden)
		case hidden > 0:
			fmt.Fprintf(w, "  … and the same for %d more hosts\n", hidden)
		}
		hidden = 0
	}
	for _, s := range ss {
		k, sub, _ := strings.Cut(s.name, ".")
		if k != kind {
			flush()
			kind, shown = k, 0
		}
		limit := showURL
		if k == "credential" {
			limit = showCredential
		}
		if shown >= limit && sameShape(s.entries, last) {
			hidden++
			continue
		}
		shown++
		last = s.entries
		fmt.Fprintf(w, "  [%s %q]\n", k, sub)
		for _, e := range s.entries {
			if e.value == "" {
				fmt.Fprintf(w, "  \t%s =\n", displayKey(e.key))
			} else {
				fmt.Fprintf(w, "  \t%s = %s\n", displayKey(e.key), e.value)
			}
		}
	}
	flush()
}

// sameShape reports whether two sections' entries have the same keys and
// values, up to the host names in rewrite rules.
func sameShape(a, b []entry) bool {
	return slices.EqualFunc(a, b, func(x, y entry) bool {
		return x.key == y.key && (x.key == "insteadof" || x.value == y.value)
	})
}
