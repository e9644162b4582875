package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// gitConfig runs git config on one configuration file, chosen by scope
// ("--global", "--system", "--local", or "--file" and a path).
type gitConfig struct {
	ctx   context.Context
	scope []string
	dir   string   // where git runs; matters for --local
	env   []string // nil: this process's environment
}

// errNotFound is what git config's exit status 1 (get: no such key) and 5
// (unset: no such key or value) mean to us.
var errNotFound = errors.New("not found")

// run runs git with args and returns its standard output.
func (g gitConfig) run(args ...string) (string, error) {
	cmd := exec.CommandContext(g.ctx, "git", args...)
	cmd.Dir, cmd.Env = g.dir, g.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if (exit.ExitCode() == 1 || exit.ExitCode() == 5) && args[0] == "config" && errOut.Len() == 0 {
			return "", errNotFound
		}
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), strings.TrimSpace(errOut.String()))
	}
	if err != nil {
		return "", fmt.Errorf("running git: %w", err)
	}
	return out.String(), nil
}

// config runs git config on the scope's file.
func (g gitConfig) config(args ...string) (string, error) {
	return g.run(append(append([]string{"config"}, g.scope...), args...)...)
}

// entry is one key and value of a section, in file order.
type entry struct{ key, value string }

// entries returns the entries of section name (for example
// "credential.https://git-codecommit.*.amazonaws.com/") in the scope's file,
// in file order, with keys in lower case as git reports them.
func (g gitConfig) entries(name string) ([]entry, error) {
	out, err := g.config("-z", "--get-regexp", "^"+regexp.QuoteMeta(name)+`\.[^.]+$`)
	if errors.Is(err, errNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var es []entry
	for _, rec := range strings.Split(strings.TrimSuffix(out, "\x00"), "\x00") {
		k, v, _ := strings.Cut(rec, "\n")
		es = append(es, entry{k[len(name)+1:], v})
	}
	return es, nil
}

// version returns git's major and minor version.
func version(g gitConfig) (major, minor int, err error) {
	out, err := g.run("version")
	if err != nil {
		return 0, 0, err
	}
	m := regexp.MustCompile(`git version (\d+)\.(\d+)`).FindStringSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("cannot read git's version from %q", strings.TrimSpace(out))
	}
	major, _ = strconv.Atoi(m[1])
	minor, _ = strconv.Atoi(m[2])
	return major, minor, nil
}

// atLeast reports whether git is version major.minor or newer.
func atLeast(gotMajor, gotMinor, major, minor int) bool {
	return gotMajor > major || gotMajor == major && gotMinor >= minor
}
