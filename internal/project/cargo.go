package project

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// CheckCargo checks that cargo fetches the CodeCommit git dependencies of
// Cargo.toml with git: its own git library asks no credential helper
// configured for a URL pattern, as install's are.
func CheckCargo(o Options) []Finding {
	manifest, err := readFile(o.dir(), "Cargo.toml")
	if err != nil {
		return unreadable(Cargo, "Cargo.toml", err)
	}
	urls := codeCommitURLs(string(manifest))
	if len(urls) == 0 {
		return absent(Cargo, "Cargo.toml names no CodeCommit repository")
	}
	if where, on := cargoFetchesWithCLI(o); on {
		return []Finding{{Manager: Cargo, Result: Fine, Detail: "cargo fetches " + list(urls) + " with git (" + where + ")"}}
	}
	return []Finding{{Manager: Cargo, Result: Broken, Err: &failure.Error{
		Problem: "Cargo.toml depends on " + list(urls) + ", but cargo fetches git dependencies with its own git library, which never runs this helper",
		Fix:     "add to .cargo/config.toml: [net] git-fetch-with-cli = true (or export CARGO_NET_GIT_FETCH_WITH_CLI=true)"}}}
}

// cargoFetchesWithCLI reports whether cargo uses the git command line, and
// where that is set: CARGO_NET_GIT_FETCH_WITH_CLI, or net.git-fetch-with-cli
// in a cargo config file of the project's directory, its parents, or
// CARGO_HOME (by default ~/.cargo).
func cargoFetchesWithCLI(o Options) (string, bool) {
	if v := o.getenv("CARGO_NET_GIT_FETCH_WITH_CLI"); v != "" {
		return "CARGO_NET_GIT_FETCH_WITH_CLI", v == "true"
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
	home := o.getenv("CARGO_HOME")
	if h := o.homeDir(); home == "" && h != "" {
		home = filepath.Join(h, ".cargo")
	}
	if home != "" {
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
			return f, v
		}
	}
	return "", false
}

// tomlNetFetchWithCLI finds net.git-fetch-with-cli in a cargo config file:
// under [net], or dotted at the top. It reads the two spellings cargo's
// documentation uses, not all of TOML: a TOML library would grow the binary
// git runs on every authentication for one key of one file.
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
		if section == "net" && k == "git-fetch-with-cli" || section == "" && k == "net.git-fetch-with-cli" {
			return v == "true", true
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
