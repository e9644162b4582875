package project

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

const lib = "git-codecommit.us-east-1.amazonaws.com/v1/repos/lib"

func TestCodeCommitModules(t *testing.T) {
	for gomod, want := range map[string][]string{
		"module a\n\nrequire " + lib + ".git v1.0.0\n":                                          {lib + ".git"},
		"module a\nrequire (\n\t" + lib + " v1.0.0 // indirect\n\tgolang.org/x/mod v0.1.0\n)\n": {lib},
		"module a\nrequire(\n\t\"" + lib + ".git\" v1.0.0\n)\n":                                 {lib + ".git"},
		"module a\n// require " + lib + " v1.0.0\nrequire example.com/b v1.0.0\n":               nil,
		"module a\nreplace example.com/b => " + lib + ".git v1.0.0\n":                           nil,
		"not a go.mod (": nil,
	} {
		if got := codeCommitModules([]byte(gomod)); !slices.Equal(got, want) {
			t.Errorf("codeCommitModules(%q) = %q, want %q", gomod, got, want)
		}
	}
}

func TestMatchesGoPatterns(t *testing.T) {
	for _, tc := range []struct {
		patterns, path string
		want           bool
	}{
		{"git-codecommit.*.amazonaws.com", lib + ".git", true},
		{"example.com, git-codecommit.us-east-1.amazonaws.com/v1", lib, true},
		{"git-codecommit.*.amazonaws.com/v1/repos/other", lib, false},
		{"git-codecommit.eu-west-1.amazonaws.com", lib, false},
		{"", lib, false},
	} {
		if got := matchesGoPatterns(tc.patterns, tc.path); got != tc.want {
			t.Errorf("matchesGoPatterns(%q, %q) = %v, want %v", tc.patterns, tc.path, got, tc.want)
		}
	}
	if got := goPattern(lib + ".git"); got != "git-codecommit.*.amazonaws.com" {
		t.Errorf("goPattern = %q", got)
	}
}

func TestTOMLNetFetchWithCLI(t *testing.T) {
	for _, tc := range []struct {
		text         string
		value, found bool
	}{
		{"[net]\ngit-fetch-with-cli = true # for CodeCommit\n", true, true},
		{"[net]\ngit-fetch-with-cli=false\n", false, true},
		{"net.git-fetch-with-cli = true\n", true, true},
		{"[http]\ngit-fetch-with-cli = true\n", false, false},
		{"[net]\n# git-fetch-with-cli = true\nretry = 3\n", false, false},
		{"net = { retry = 2, git-fetch-with-cli = true }\n", true, true},
		{"[http]\nnet = { git-fetch-with-cli = true }\n", false, false},
	} {
		if v, f := tomlNetFetchWithCLI(tc.text); v != tc.value || f != tc.found {
			t.Errorf("tomlNetFetchWithCLI(%q) = %v, %v; want %v, %v", tc.text, v, f, tc.value, tc.found)
		}
	}
}

// TestCargo checks where cargo's setting is read: the environment first,
// then the cargo config files from the project up, then CARGO_HOME, else
// HOME's .cargo, all from Options.Env.
func TestCargo(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	dir := filepath.Join(home, "work", "app")
	testenv.WriteFile(t, dir, "Cargo.toml", "[dependencies]\nlib = { git = \"https://"+lib+"\" }\n")
	on := "[net]\ngit-fetch-with-cli = true\n"
	for _, tc := range []struct {
		name  string
		env   []string
		file  string // written with on, under home
		where string // "" when cargo does not fetch with git
	}{
		{"nothing set", []string{"HOME=" + home}, "", ""},
		{"environment", []string{"HOME=" + home, "CARGO_NET_GIT_FETCH_WITH_CLI=true"}, "", "CARGO_NET_GIT_FETCH_WITH_CLI"},
		{"a parent's config", []string{"HOME=" + home}, "work/.cargo/config.toml", filepath.Join(home, "work/.cargo/config.toml")},
		{"HOME's .cargo", []string{"HOME=" + home}, ".cargo/config", filepath.Join(home, ".cargo/config")},
		{"CARGO_HOME", []string{"HOME=" + home, "CARGO_HOME=" + filepath.Join(home, "ch")}, "ch/config.toml", filepath.Join(home, "ch/config.toml")},
	} {
		if tc.file != "" {
			testenv.WriteFile(t, home, tc.file, on)
		}
		fs := CheckCargo(Options{Dir: dir, Env: tc.env, Program: "prog"})
		if tc.file != "" {
			os.Remove(filepath.Join(home, tc.file))
		}
		if len(fs) != 1 || fs[0].Manager != Cargo {
			t.Fatalf("%s: findings %+v", tc.name, fs)
		}
		switch f := fs[0]; {
		case tc.where == "" && (f.Result != Broken || failure.As(f.Err) == nil || failure.As(f.Err).Fix == ""):
			t.Errorf("%s: %+v, want a problem with a fix", tc.name, f)
		case tc.where != "" && (f.Result != Fine || f.Detail != "cargo fetches https://"+lib+" with git ("+tc.where+")"):
			t.Errorf("%s: %+v, want it fine, set in %s", tc.name, f, tc.where)
		}
	}
}

// TestAbsent checks that each manager says why it has nothing to check in
// an empty directory, in the order of Managers.
func TestAbsent(t *testing.T) {
	t.Parallel()
	o := Options{Dir: t.TempDir(), Env: []string{"HOME=" + t.TempDir()}, Program: "prog"}
	fs := slices.Concat(CheckGo(t.Context(), o), CheckCargo(o), CheckJavaScript(o), CheckSSHDeps(t.Context(), o), CheckSubmodules(t.Context(), o))
	var names []string
	for _, f := range fs {
		if f.Result != Absent || f.Detail == "" || f.Err != nil {
			t.Errorf("%+v, want absent with a reason", f)
		}
		names = append(names, f.Manager)
	}
	if !slices.Equal(names, Managers()) {
		t.Errorf("managers %q, want %q", names, Managers())
	}
}

// TestDocs checks the bound on the files read that
// docs/package-managers.md states.
func TestDocs(t *testing.T) {
	b, err := os.ReadFile("../../docs/package-managers.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("of at most %d MiB", maxFile>>20); !strings.Contains(strings.Join(strings.Fields(string(b)), " "), want) {
		t.Errorf("docs/package-managers.md does not say: %s", want)
	}
}

func TestWorkspaceMembers(t *testing.T) {
	for text, want := range map[string][]string{
		"[workspace]\nmembers = [\"a\", \"crates/*\"]\n":                            {"a", "crates/*"},
		"[workspace]\nresolver = \"2\"\nmembers = [\n  \"a\", # one\n  \"b\",\n]\n": {"a", "b"},
		"[package]\nmembers = [\"a\"]\n":                                            nil,
		"[workspace]\nexclude = [\"a\"]\n":                                          nil,
	} {
		if got := workspaceMembers(text); !slices.Equal(got, want) {
			t.Errorf("workspaceMembers(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestCodeCommitURLs reads the spellings of each client's files.
func TestCodeCommitURLs(t *testing.T) {
	ssh := "ssh://" + lib
	for text, want := range map[string][]string{
		`source = "git::` + ssh + `?ref=v1.2.0"`:             {ssh},              // Terraform
		"lib @ git+" + ssh + "@v1.0#egg=lib\n":               {ssh},              // pip
		`gem "lib", git: "` + ssh + `", branch: "main"`:      {ssh},              // Bundler
		`source = "git+https://` + lib + `?branch=main#abc"`: {"https://" + lib}, // Cargo.lock
		"git+ssh://APKAEIBAERJR2EXAMPLE@" + lib + "#main":    {"ssh://APKAEIBAERJR2EXAMPLE@" + lib},
		"https://example.com/v1/repos/lib":                   nil,
	} {
		if got := codeCommitURLs(text); !slices.Equal(got, want) {
			t.Errorf("codeCommitURLs(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestYarnBerry(t *testing.T) {
	for pkg, want := range map[string]string{
		`{"packageManager": "yarn@4.18.1+sha512.abc"}`: `"packageManager": "yarn@4.18.1+sha512.abc"`,
		`{"packageManager": "yarn@1.22.22"}`:           "",
		`{"packageManager": "pnpm@9.0.0"}`:             "",
		`{}`:                                           "",
	} {
		dir := t.TempDir()
		testenv.WriteFile(t, dir, "package.json", pkg)
		if got := yarnBerry(dir); got != want {
			t.Errorf("yarnBerry(%s) = %q, want %q", pkg, got, want)
		}
	}
}

func TestUnapproved(t *testing.T) {
	ssh := "ssh://" + lib
	for yml, want := range map[string][]string{
		"approvedGitRepositories:\n  - \"ssh://git-codecommit.*.amazonaws.com/v1/repos/*\"\n": nil,
		`approvedGitRepositories: ["ssh://git-codecommit.*.amazonaws.com/v1/repos/*"]`:        nil,
		"approvedGitRepositories:\n  - 'https://git-codecommit.*.amazonaws.com/v1/repos/*'\n": {ssh},
		"nodeLinker: node-modules\n": {ssh},
		"approvedGitRepositories:\nnodeLinker: node-modules\n  - \"ssh://git-codecommit.*.amazonaws.com/v1/repos/*\"\n": {ssh},
	} {
		dir := t.TempDir()
		testenv.WriteFile(t, dir, ".yarnrc.yml", yml)
		if got := unapproved(dir, []string{ssh}); !slices.Equal(got, want) {
			t.Errorf("unapproved with %q = %q, want %q", yml, got, want)
		}
	}
}

// TestImportedModules reads the imports of the module's Go files, not
// those go leaves out or another module's.
func TestImportedModules(t *testing.T) {
	dir := t.TempDir()
	imp := func(path string) string { return "package x\n\nimport (\n\t\"fmt\"\n\t_ \"" + path + "\"\n)\n" }
	testenv.WriteFile(t, dir, "go.mod", "module example.com/app\n")
	testenv.WriteFile(t, dir, "main.go", imp(lib+".git/sub/pkg"))
	testenv.WriteFile(t, dir, "cmd/tool/main.go", imp(lib+"2"))
	testenv.WriteFile(t, dir, "testdata/x.go", imp(lib+"3.git"))
	testenv.WriteFile(t, dir, "vendor/x/x.go", imp(lib+"4.git"))
	testenv.WriteFile(t, dir, "other/go.mod", "module example.com/other\n")
	testenv.WriteFile(t, dir, "other/x.go", imp(lib+"5.git"))
	testenv.WriteFile(t, dir, "broken.go", "package (")
	got := importedModules(dir)
	slices.Sort(got)
	if want := []string{lib + ".git", lib + "2"}; !slices.Equal(got, want) {
		t.Errorf("importedModules = %q, want %q", got, want)
	}
}

// TestSubmodules checks what allows the codecommit transport, and where
// git-remote-codecommit is looked for.
func TestSubmodules(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	dir := filepath.Join(home, "super")
	testenv.WriteFile(t, dir, ".gitmodules", "[submodule \"lib\"]\n\tpath = lib\n\turl = codecommit::us-east-1://lib\n")
	bin := filepath.Join(home, "bin")
	testenv.WriteFile(t, bin, "git-remote-codecommit", "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(bin, "git-remote-codecommit"), 0o755); err != nil {
		t.Fatal(err)
	}
	base := append([]string{"PATH=" + os.Getenv("PATH")}, testenv.Baseline(home)...)
	for _, tc := range []struct {
		name   string
		env    []string
		broken []string // the problems' fixes
	}{
		{"nothing", nil, []string{"prog install --remote-helper, into a directory on PATH (--remote-helper=DIR)", "git config --global protocol.codecommit.allow always"}},
		{"on PATH, protocol.allow", []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=protocol.allow", "GIT_CONFIG_VALUE_0=always"}, nil},
		{"protocol.codecommit.allow user", []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "GIT_CONFIG_COUNT=2", "GIT_CONFIG_KEY_0=protocol.allow", "GIT_CONFIG_VALUE_0=always",
			"GIT_CONFIG_KEY_1=protocol.codecommit.allow", "GIT_CONFIG_VALUE_1=user"}, []string{"git config --global protocol.codecommit.allow always"}},
		{"GIT_ALLOW_PROTOCOL", []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "GIT_ALLOW_PROTOCOL=https:codecommit"}, nil},
	} {
		fs := CheckSubmodules(t.Context(), Options{Dir: dir, Env: append(slices.Clone(base), tc.env...), Program: "prog"})
		var broken []string
		for _, f := range fs {
			if f.Result == Broken {
				broken = append(broken, failure.As(f.Err).Fix)
			}
		}
		if !slices.Equal(broken, tc.broken) || len(broken) == 0 && (len(fs) != 1 || fs[0].Result != Fine) {
			t.Errorf("%s: %+v, want the fixes %q", tc.name, fs, tc.broken)
		}
	}
}

// TestGoPrivate: the fix keeps the patterns GOPRIVATE has, and says which
// commands fail when go.sum pins the modules and the proxy falls back to
// git.
func TestGoPrivate(t *testing.T) {
	ours := []string{lib + ".git"}
	for _, tc := range []struct {
		name   string
		ge     map[string]string
		summed []string
		fix    string
		says   string
	}{
		{"appended", map[string]string{"GOPRIVATE": "example.com", "GOPROXY": "https://proxy.golang.org,direct"}, nil,
			"go env -w GOPRIVATE=example.com,git-codecommit.*.amazonaws.com", "go get and go mod tidy would ask"},
		{"go.sum pins it", map[string]string{"GOPROXY": "https://proxy.golang.org,direct"}, ours,
			"go env -w GOPRIVATE=git-codecommit.*.amazonaws.com", "go build and go mod download of the versions go.sum pins work"},
		{"go.sum pins it, no fallback", map[string]string{"GOPROXY": "https://proxy.example.com"}, ours,
			"go env -w GOPRIVATE=git-codecommit.*.amazonaws.com", "go get and go mod tidy would ask"},
	} {
		f, ok := goPrivate(tc.ge, ours, tc.summed)
		e := failure.As(f.Err)
		if !ok || e == nil || e.Fix != tc.fix || !strings.Contains(e.Problem, tc.says) || len(f.Changes) != 1 || f.Changes[0].String("") != tc.fix {
			t.Errorf("%s: %+v, %v; want the fix %q, saying %q", tc.name, f, ok, tc.fix, tc.says)
		}
	}
	if _, ok := goPrivate(map[string]string{"GOPRIVATE": "git-codecommit.*.amazonaws.com"}, ours, nil); ok {
		t.Error("GOPRIVATE covers the module, and goPrivate fails it")
	}
}
