package install

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
)

// Uninstall removes what Install wrote with the same options: the credential
// sections for o (whatever profile they name), and the rewrite rules for its
// regions (all of them when no --region is given), leaving every entry it
// did not write. It prints what it removed to w (nil: nowhere).
func Uninstall(ctx context.Context, o Options, w io.Writer) error {
	if w == nil {
		w = io.Discard
	}
	g, err := o.file(ctx)
	if err != nil {
		return err
	}
	names, err := o.credentialScopes()
	if err != nil {
		return err
	}
	have, err := g.Read(ctx, "credential", "url")
	if err != nil {
		return err
	}
	removed, err := removeSections(ctx, g, have, names)
	if err != nil {
		return err
	}
	if o.URL == "" || o.RewriteSSH {
		rules, err := o.rewriteSections()
		if err != nil {
			return err
		}
		gone, err := removeRewriteRules(ctx, g, have, rules)
		if err != nil {
			return err
		}
		removed = append(removed, gone...)
	}
	if o.RemoteHelper {
		link := o.remoteHelperPath()
		if same, err := sameFile(link, o.Binary); err == nil && same {
			if err := unlinkRemoteHelper(link, w); err != nil {
				return err
			}
		}
	}
	where := "git config " + strings.Join(g.Args(), " ")
	if len(removed) == 0 {
		fmt.Fprintf(w, "nothing of git-credential-codecommit to remove (%s)\n", where)
		return nil
	}
	fmt.Fprintf(w, "removed with %s:\n", where)
	printSections(w, removed)
	return nil
}

// removeSections removes the sections names from g, which held snap, and
// returns those it found, with their entries.
func removeSections(ctx context.Context, g gitconfig.File, snap gitconfig.Snapshot, names []string) ([]section, error) {
	var removed []section
	for _, name := range names {
		have := snap.Section(name)
		if have == nil {
			continue
		}
		if _, err := g.Config(ctx, "--remove-section", name); err != nil {
			return nil, err
		}
		removed = append(removed, section{name, have})
	}
	return removed, nil
}

// removeRewriteRules removes the entries of the rewrite rules ss from g,
// which held snap, and returns those it found. Each key's values go in one
// git config --unset-all.
func removeRewriteRules(ctx context.Context, g gitconfig.File, snap gitconfig.Snapshot, ss []section) ([]section, error) {
	var removed []section
	for _, s := range ss {
		have := snap.Section(s.name)
		var gone []entry
		for _, e := range s.entries {
			if slices.Contains(have, e) {
				gone = append(gone, e)
			}
		}
		var keys []string
		for _, e := range gone {
			if !slices.Contains(keys, e.Key) {
				keys = append(keys, e.Key)
			}
		}
		for _, k := range keys {
			var values []string
			for _, e := range gone {
				if e.Key == k {
					values = append(values, regexp.QuoteMeta(e.Value))
				}
			}
			pattern := "^(" + strings.Join(values, "|") + ")$"
			if _, err := g.Config(ctx, "--unset-all", s.name+"."+k, pattern); err != nil {
				return nil, err
			}
		}
		if len(gone) > 0 {
			removed = append(removed, section{s.name, gone})
		}
	}
	return removed, nil
}
