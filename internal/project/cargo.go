package project

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// maxMembers bounds the workspace members whose manifests are read.
const maxMembers = 256

// CheckCargo checks that cargo fetches the CodeCommit git dependencies of
// Cargo.toml, and of its workspace members', with git: its own git library
// asks no credential helper configured for a URL pattern, as install's are.
func CheckCargo(o Options) []Finding {
	manifests, err := cargoManifests(o.dir())
	if err != nil {
		return unreadable(Cargo, "Cargo.toml", err)
	}
	https, ssh, name, err := urlsIn(o.dir(), manifests)
	if err != nil {
		return unreadable(Cargo, name, err)
	}
	urls := append(https, ssh...)
	if len(urls) == 0 {
		return absent(Cargo, "Cargo.toml names no CodeCommit repository")
	}
	where, value, found := cargoFetchesWithCLI(o)
	if value {
		return []Finding{{Manager: Cargo, Result: Fine, Detail: "cargo fetches " + list(urls) + " with git (" + where + ")"}}
	}
	problem := "Cargo.toml depends on " + list(urls) + ", but cargo fetches git dependencies with its own git library, which never runs this helper"
	if found {
		// A false set where cargo looks first: only there does true help.
		return []Finding{{Manager: Cargo, Result: Broken, Err: &failure.Error{Problem: problem + " (" + where + " says false)", Fix: "set it to true there"}}}
	}
	home := cargoHome(o)
	if home == "" {
		return []Finding{{Manager: Cargo, Result: Broken, Err: &failure.Error{Problem: problem, Fix: "export CARGO_NET_GIT_FETCH_WITH_CLI=true"}}}
	}
	file := filepath.Join(home, "config.toml")
	c := change.Change{Kind: change.CargoCLI, File: file}
	return []Finding{{Manager: Cargo, Result: Broken, Err: &failure.Error{Problem: problem,
		Fix: c.String(o.Program) + " (or export CARGO_NET_GIT_FETCH_WITH_CLI=true)"}, Changes: []change.Change{c}}}
}

// cargoManifests returns Cargo.toml, when dir has one, and the manifests of
// the workspace members it lists, relative to dir; readFile's error when
// Cargo.toml cannot be read.
func cargoManifests(dir string) ([]string, error) {
	b, err := readFile(dir, "Cargo.toml")
	if err != nil {
		return nil, err
	}
	names := []string{"Cargo.toml"}
	for _, m := range workspaceMembers(string(b)) {
		found, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(m), "Cargo.toml"))
		for _, f := range found {
			if rel, err := filepath.Rel(dir, f); err == nil && len(names) <= maxMembers && !strings.HasPrefix(rel, "..") {
				names = append(names, rel)
			}
		}
	}
	return names, nil
}

// workspaceMembers returns the members array of a Cargo.toml's
// [workspace] table: paths and globs, quoted, on one line or several.
func workspaceMembers(text string) []string {
	section, collecting := "", false
	var members []string
	for line := range strings.SplitSeq(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		t := strings.TrimSpace(line)
		if !collecting && strings.HasPrefix(t, "[") {
			section = strings.TrimSpace(strings.Trim(t, "[]"))
			continue
		}
		if !collecting {
			k, v, ok := strings.Cut(t, "=")
			if !ok || section != "workspace" || strings.TrimSpace(k) != "members" {
				continue
			}
			t, collecting = v, true
		}
		for _, part := range strings.Split(t, `"`)[1:] {
			if !strings.ContainsAny(part, "[],") && strings.TrimSpace(part) != "" {
				members = append(members, part)
			}
		}
		if strings.Contains(t, "]") {
			collecting = false
		}
	}
	return members
}

// cargoHome is CARGO_HOME, else ~/.cargo, else "".
func cargoHome(o Options) string {
	if h := o.getenv("CARGO_HOME"); h != "" {
		return h
	}
	if h := o.homeDir(); h != "" {
		return filepath.Join(h, ".cargo")
	}
	return ""
}

// cargoFetchesWithCLI reports where cargo's net.git-fetch-with-cli is set,
// to what, and whether it is: CARGO_NET_GIT_FETCH_WITH_CLI, or a cargo
// config file of the project's directory, its parents, or CARGO_HOME (by
// default ~/.cargo), the first that sets it.
func cargoFetchesWithCLI(o Options) (where string, value, found bool) {
	if v := o.getenv("CARGO_NET_GIT_FETCH_WITH_CLI"); v != "" {
		return "CARGO_NET_GIT_FETCH_WITH_CLI", v == "true", true
	}
	var files []string
	if abs, err := filepath.Abs(o.dir()); err == nil {
		for d := abs; ; d = filepath.Dir(d) {
			files = append(files, filepath.Join(d, ".cargo", "config.toml"), filepath.Join(d, ".cargo", "config"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if home := cargoHome(o); home != "" {
		files = append(files, filepath.Join(home, "config.toml"), filepath.Join(home, "config"))
	}
	for _, f := range files {
		// A cargo config file holds no secret, and cargo reads it whoever
		// owns it: a regular file of a sane size is enough.
		b, err := readFile(filepath.Dir(f), filepath.Base(f))
		if err != nil {
			continue
		}
		if v, ok := tomlNetFetchWithCLI(string(b)); ok {
			return f, v, true
		}
	}
	return "", false, false
}

// tomlNetFetchWithCLI finds net.git-fetch-with-cli in a cargo config file:
// under [net], dotted at the top, or in an inline net table. It reads the
// spellings cargo's documentation uses, not all of TOML: a TOML library
// would grow the binary git runs on every authentication for one key of one
// file.
func tomlNetFetchWithCLI(text string) (value, found bool) {
	section := ""
	for line := range strings.SplitSeq(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = strings.TrimSpace(strings.Trim(line, "[]"))
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case section == "net" && k == "git-fetch-with-cli", section == "" && k == "net.git-fetch-with-cli":
			return v == "true", true
		case section == "" && k == "net" && strings.HasPrefix(v, "{"):
			for _, kv := range strings.Split(strings.Trim(v, "{} "), ",") {
				if ik, iv, ok := strings.Cut(kv, "="); ok && strings.TrimSpace(ik) == "git-fetch-with-cli" {
					return strings.TrimSpace(iv) == "true", true
				}
			}
		}
	}
	return false, false
}

// homeDir is the user's home directory: HOME in o.Env, or this process's.
func (o Options) homeDir() string {
	if o.Env != nil {
		return o.getenv("HOME")
	}
	h, _ := os.UserHomeDir()
	return h
}
