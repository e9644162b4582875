package project

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/remotehelper"
)

// CheckSubmodules checks the codecommit:// submodules .gitmodules names:
// git must find git-remote-codecommit, and allow its transport for
// submodules (protocol.codecommit.allow always), since a protocol git does
// not know is allowed only for commands the user typed.
func CheckSubmodules(ctx context.Context, o Options) []Finding {
	b, err := readFile(o.dir(), ".gitmodules")
	if err != nil {
		return unreadable(Submodules, ".gitmodules", err)
	}
	var urls []string
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		v = strings.TrimSpace(v)
		if ok && strings.EqualFold(strings.TrimSpace(k), "url") && strings.HasPrefix(v, "codecommit:") {
			urls = append(urls, v)
		}
	}
	if len(urls) == 0 {
		return absent(Submodules, "no codecommit:// submodule")
	}
	var fs []Finding
	if !RemoteHelperFound(ctx, o) {
		fs = append(fs, Finding{Manager: Submodules, Result: Broken, Err: &failure.Error{
			Problem: "the submodules " + strings.Join(urls, ", ") + " need " + remotehelper.Name + ", which git finds neither on PATH nor in git --exec-path",
			Fix:     o.Program + " install --remote-helper, into a directory on PATH (--remote-helper=DIR)"},
			Changes: []change.Change{{Kind: change.Install, RemoteHelper: true}}})
	}
	if !protocolAllowed(ctx, o) {
		c := change.Change{Kind: change.GitGlobal, Key: "protocol.codecommit.allow", Value: "always"}
		fs = append(fs, Finding{Manager: Submodules, Result: Broken, Err: &failure.Error{
			Problem: "git refuses the submodules " + strings.Join(urls, ", ") + " (transport 'codecommit' not allowed): it allows a protocol it does not know only for commands the user typed",
			Fix:     c.String(o.Program)}, Changes: []change.Change{c}})
	}
	if len(fs) == 0 {
		fs = append(fs, Finding{Manager: Submodules, Result: Fine, Detail: "git allows and finds " + remotehelper.Name + " for " + strings.Join(urls, ", ")})
	}
	return fs
}

// protocolAllowed reports whether git allows the codecommit transport for
// submodules: GIT_ALLOW_PROTOCOL lists it, or else
// protocol.codecommit.allow (else protocol.allow) is always.
func protocolAllowed(ctx context.Context, o Options) bool {
	if list, set := o.lookupEnv("GIT_ALLOW_PROTOCOL"); set {
		return slices.Contains(strings.Split(list, ":"), "codecommit")
	}
	for _, key := range []string{"protocol.codecommit.allow", "protocol.allow"} {
		if v, err := o.git().Get(ctx, key); err == nil {
			return strings.TrimSpace(v) == "always"
		}
	}
	return false
}

// RemoteHelperFound reports whether git finds git-remote-codecommit: in
// git --exec-path, or on the PATH of o.Env.
func RemoteHelperFound(ctx context.Context, o Options) bool {
	dirs := filepath.SplitList(o.getenv("PATH"))
	if out, err := o.git().Run(ctx, "--exec-path"); err == nil {
		dirs = append([]string{strings.TrimSpace(out)}, dirs...)
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		for _, name := range []string{remotehelper.Name, remotehelper.Name + ".exe"} {
			if fi, err := os.Stat(filepath.Join(d, name)); err == nil && !fi.IsDir() && (fi.Mode()&0o111 != 0 || filepath.Ext(name) == ".exe") {
				return true
			}
		}
	}
	_, err := exec.LookPath(remotehelper.Name)
	return err == nil && o.Env == nil
}
