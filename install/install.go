// Package install writes and removes the git configuration that makes git
// use git-credential-codecommit for CodeCommit (internal/doctor checks it).
// It changes configuration only by running git config, never by editing files.
//
// Its credential sections are named with a trailing slash
// ([credential "https://git-codecommit.*.amazonaws.com/"]). Git matches them
// exactly as it matches the same URL without the slash, and the distinct
// name keeps them apart from sections users write by hand, so that
// uninstall removes what install wrote and nothing else.
package install

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
)

// Scope chooses the configuration file to write, as git config's options do.
type Scope int

const (
	Global Scope = iota // --global, the user's file; the zero value
	System              // --system
	Local               // --local, the repository's (in Options.Dir)
	Path                // --file Options.File
)

// gitconfig returns gitconfig's name for s.
func (s Scope) gitconfig() (gitconfig.Scope, error) {
	switch s {
	case Global:
		return gitconfig.Global, nil
	case System:
		return gitconfig.System, nil
	case Local:
		return gitconfig.Local, nil
	case Path:
		return gitconfig.Path, nil
	}
	return 0, &failure.Error{Problem: fmt.Sprintf("install: no configuration scope %d", int(s)), Fix: "use Global, System, Local or Path"}
}

// Options say where to write and what.
type Options struct {
	// Scope is the configuration file to write: the user's (the default),
	// the system's, the repository's, or File.
	Scope Scope
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

type entry = gitconfig.Entry

// file returns the configuration file of o, once git is known to be new
// enough for the sections install writes.
func (o Options) file(ctx context.Context) (gitconfig.File, error) {
	scope, err := o.Scope.gitconfig()
	f := gitconfig.File{Git: gitconfig.Git{Dir: o.Dir, Env: o.Env}, Scope: scope, Path: o.File}
	if err != nil {
		return f, err
	}
	if o.Scope == Path && o.File == "" {
		return f, &failure.Error{Problem: "--file needs a path", Fix: "give one: --file PATH"}
	}
	v, _, err := f.Version(ctx)
	if err != nil {
		return f, err
	}
	if !v.AtLeast(gitconfig.Wildcards) {
		return f, &failure.Error{Problem: "git " + v.String() + " is too old",
			Cause: "the URL wildcards CodeCommit needs work from git " + gitconfig.Wildcards.String(), Fix: "upgrade git"}
	}
	return f, nil
}

// credentialScopes returns the names of the credential sections for o.
func (o Options) credentialScopes() ([]string, error) {
	if len(o.Regions) > 1 && !o.RewriteSSH {
		return nil, &failure.Error{Problem: "--region can be given once, except with --rewrite-ssh", Fix: "give one --region, or add --rewrite-ssh"}
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
		return nil, &failure.Error{Problem: fmt.Sprintf("the helper's path %q is not absolute", o.Binary), Fix: "give its absolute path"}
	}
	args := []string{o.Binary}
	if o.Profile != "" {
		args = append(args, "--profile", o.Profile)
	}
	if len(o.Regions) == 1 {
		args = append(args, "--region", o.Regions[0])
	}
	entries := []entry{{Key: "helper", Value: ""}, {Key: "helper", Value: gitconfig.HelperCommand(args)}, {Key: "usehttppath", Value: "true"}}
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
		return "", &failure.Error{Problem: fmt.Sprintf("--url %q is not an https URL prefix", raw), Fix: "give the https:// URL of a CodeCommit repository, or a prefix of one"}
	}
	if _, ok := codecommit.Region(u.Host); !ok {
		return "", &failure.Error{Problem: fmt.Sprintf("--url %q is not on a CodeCommit host", raw), Fix: "give the https:// URL of a CodeCommit repository, or a prefix of one"}
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
		return nil, &failure.Error{Problem: "--region: " + err.Error(), Fix: "check its spelling"}
	}
	ss := make([]section, len(hosts))
	for i, h := range hosts {
		ss[i] = section{"url.https://" + h + "/", []entry{
			{Key: "insteadof", Value: "ssh://" + h + "/"},
			{Key: "insteadof", Value: "git+ssh://" + h + "/"},
			{Key: "insteadof", Value: h + ":"},
		}}
	}
	return ss, nil
}

// Install writes the configuration for o and prints what it wrote to w
// (nil: nowhere). Running it again with the same options changes nothing.
func Install(ctx context.Context, o Options, w io.Writer) error {
	if w == nil {
		w = io.Discard
	}
	g, err := o.file(ctx)
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
	have, err := g.Read(ctx, "credential", "url")
	if err != nil {
		return err
	}
	wrote, err := writeCredentialSections(ctx, g, have, creds, o.URL == "")
	if err != nil {
		return err
	}
	more, err := writeRewriteRules(ctx, g, have, rules)
	if err != nil {
		return err
	}
	wrote = append(wrote, more...)
	linked := false
	if o.RemoteHelper {
		if linked, err = o.linkRemoteHelper(w); err != nil {
			return err
		}
	}
	reportInstall(w, g, wrote, linked)
	return nil
}

// writeCredentialSections writes the credential sections ss that g, which
// held snap, does not hold as they are, and returns those it wrote. hosts
// says they are the sections for every host, which the sections of an
// install --url refine.
func writeCredentialSections(ctx context.Context, g gitconfig.File, snap gitconfig.Snapshot, ss []section, hosts bool) ([]section, error) {
	var wrote []section
	for _, s := range ss {
		have := snap.Section(s.name)
		if slices.Equal(have, s.entries) {
			continue
		}
		if have != nil { // an older install with other options: the section is ours
			if _, err := g.Config(ctx, "--remove-section", s.name); err != nil {
				return nil, err
			}
		}
		if err := add(ctx, g, s.name, s.entries); err != nil {
			return nil, err
		}
		wrote = append(wrote, s)
	}
	if len(wrote) > 0 && hosts {
		// Git runs the helpers of every matching section in file order, and
		// an empty helper resets the list, so a URL-prefix section must come
		// after the host sections it refines.
		if err := moveURLSectionsLast(ctx, g); err != nil {
			return nil, err
		}
	}
	return wrote, nil
}

// writeRewriteRules adds the entries of the rewrite rules ss that g, which
// held snap, lacks, and returns them.
func writeRewriteRules(ctx context.Context, g gitconfig.File, snap gitconfig.Snapshot, ss []section) ([]section, error) {
	var wrote []section
	for _, s := range ss {
		have := snap.Section(s.name)
		var missing []entry
		for _, e := range s.entries {
			if !slices.Contains(have, e) {
				missing = append(missing, e)
			}
		}
		if err := add(ctx, g, s.name, missing); err != nil {
			return nil, err
		}
		if len(missing) > 0 {
			wrote = append(wrote, section{s.name, missing})
		}
	}
	return wrote, nil
}

// reportInstall tells w what install wrote to g, and whether it linked the
// remote helper.
func reportInstall(w io.Writer, g gitconfig.File, wrote []section, linked bool) {
	where := "git config " + strings.Join(g.Args(), " ")
	switch {
	case len(wrote) == 0 && linked:
		fmt.Fprintf(w, "the git configuration is already installed (%s)\n", where)
	case len(wrote) == 0:
		fmt.Fprintf(w, "git-credential-codecommit is already installed (%s); nothing changed\n", where)
	default:
		fmt.Fprintf(w, "wrote with %s:\n", where)
		printSections(w, wrote)
	}
}

// add appends entries to section name of g.
func add(ctx context.Context, g gitconfig.File, name string, entries []entry) error {
	return g.Add(ctx, name, entries, displayKey)
}

// moveURLSectionsLast moves the credential sections an install --url wrote
// to the end of the file, in their order.
func moveURLSectionsLast(ctx context.Context, g gitconfig.File) error {
	snap, err := g.Read(ctx, "credential")
	if err != nil {
		return err
	}
	var names []string // of sections with a helper, ending in '/', in file order
	for _, e := range snap {
		name, ok := strings.CutSuffix(e.Key, "/.helper")
		if ok && !slices.Contains(names, name+"/") {
			names = append(names, name+"/")
		}
	}
	for _, name := range names {
		es := snap.Section(name)
		if !isURLSection(name, es) {
			continue
		}
		if _, err := g.Config(ctx, "--remove-section", name); err != nil {
			return err
		}
		if err := add(ctx, g, name, es); err != nil {
			return err
		}
	}
	return nil
}

// isURLSection reports whether section name, with entries es, is one an
// install --url wrote: a CodeCommit URL prefix in the form install writes,
// ending in '/' (see the package's comment), other than the host sections,
// holding an empty helper and then a helper. Other sections are the
// user's, and stay where they are.
func isURLSection(name string, es []entry) bool {
	scope := strings.TrimPrefix(name, "credential.")
	if slices.Contains(hostScopes(), scope) {
		return false
	}
	if u, err := credentialURL(scope); err != nil || "credential."+u != name {
		return false
	}
	return len(es) >= 2 && es[0] == entry{Key: "helper", Value: ""} && es[1].Key == "helper"
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
			if e.Value == "" {
				fmt.Fprintf(w, "  \t%s =\n", displayKey(e.Key))
			} else {
				fmt.Fprintf(w, "  \t%s = %s\n", displayKey(e.Key), e.Value)
			}
		}
	}
	flush()
}

// sameShape reports whether two sections' entries have the same keys and
// values, up to the host names in rewrite rules.
func sameShape(a, b []entry) bool {
	return slices.EqualFunc(a, b, func(x, y entry) bool {
		return x.Key == y.Key && (x.Key == "insteadof" || x.Value == y.Value)
	})
}
