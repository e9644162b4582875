package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakecodecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// instruction is one instruction of a Dockerfile, its continuation lines
// joined.
type instruction struct {
	keyword string // upper case: FROM, RUN, COPY, …
	args    string
}

// dockerfile reads the instructions of a Dockerfile, without comments.
func dockerfile(t *testing.T, name string) []instruction {
	t.Helper()
	var ins []instruction
	var cur string
	for _, line := range strings.Split(readFile(t, name), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if more, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur += more
			continue
		}
		cur += trimmed
		keyword, args, _ := strings.Cut(cur, " ")
		ins = append(ins, instruction{strings.ToUpper(keyword), strings.Join(strings.Fields(args), " ")})
		cur = ""
	}
	if cur != "" {
		t.Fatalf("%s ends in a continuation line", name)
	}
	return ins
}

// TestDockerfileExample checks that Dockerfile.example builds the binary as
// README.md says, copies files that exist, and configures the image by
// running docker/configure.sh on the binary it built, which the next test
// runs. TestBuildImages runs the images .ci/docker builds from it.
func TestDockerfileExample(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	ins := dockerfile(t, filepath.Join(root, "Dockerfile.example"))
	var from, runs, args []string
	copies := map[string]string{} // destination: source
	for _, in := range ins {
		switch in.keyword {
		case "FROM":
			from = append(from, in.args)
		case "RUN":
			runs = append(runs, in.args)
		case "COPY":
			f := strings.Fields(in.args)
			src, dst := strings.Join(f[:len(f)-1], " "), f[len(f)-1]
			copies[dst] = src
			if !strings.HasPrefix(src, "--from=") {
				for _, s := range f[:len(f)-1] {
					if _, err := os.Stat(filepath.Join(root, s)); err != nil {
						t.Errorf("COPY %s: %v", in.args, err)
					}
				}
			}
		case "ENV", "ARG":
			if in.keyword == "ARG" {
				args = append(args, in.args)
			}
			if strings.Contains(in.args, "AWS_") {
				t.Errorf("%s %s: no AWS setting belongs in the image", in.keyword, in.args)
			}
		}
	}
	// The helper is compiled ("compile") or downloaded and verified
	// ("download", which .ci/release runs against a snapshot); the image
	// ("base", then "release" or "build", the default as the last stage)
	// takes it from one of them through a bind mount, chosen with --target.
	if want := []string{"golang:1.26 AS compile", "debian:bookworm-slim AS download", "node:20-bookworm-slim AS base", "base AS release", "base AS build"}; !slices.Equal(from, want) {
		t.Errorf("the stages are FROM %q, want %q", from, want)
	}
	const build = `CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/git-credential-codecommit .`
	if !slices.Contains(runs, build) {
		t.Errorf("no stage runs\n%s\nRUN instructions:\n%s", build, strings.Join(runs, "\n"))
	}
	const fetch = `sh /tmp/fetch-release.sh "${VERSION}" "${SUMS_SHA256}" "${TARGETARCH}" /out ${FIPS}`
	if !slices.Contains(runs, fetch) || copies["/tmp/fetch-release.sh"] != "docker/fetch-release.sh" || !slices.Contains(args, "RELEASES") {
		t.Errorf("the download stage does not run docker/fetch-release.sh as\n%s\nwith ARG RELEASES; RUN instructions:\n%s", fetch, strings.Join(runs, "\n"))
	}
	for _, stage := range []string{"download", "compile"} {
		configure := "--mount=type=bind,from=" + stage + ",source=/out,target=/mnt/helper --mount=type=bind,source=docker/configure.sh,target=/mnt/configure.sh sh /mnt/configure.sh /mnt/helper/git-credential-codecommit"
		if !slices.Contains(runs, configure) {
			t.Errorf("no image is configured by running docker/configure.sh on the binary of %s: want RUN %s\nRUN instructions:\n%s", stage, configure, strings.Join(runs, "\n"))
		}
	}
	if got := copies["./"]; got != "docker/example/package.json" {
		t.Errorf("the example package.json is not copied: %q", got)
	}
}

// TestDockerConfigure runs docker/configure.sh as Dockerfile.example does,
// into a temporary directory standing for the image's root, then proves with
// CodeBuild-style container credentials that git gets CodeCommit passwords
// from the installed helper and that npm installs the example's dependency
// and pins it in its lockfile.
func TestDockerConfigure(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	w := newBareWorld(t)
	image := t.TempDir()
	if err := os.Mkdir(filepath.Join(image, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	system := filepath.Join(image, "etc", "gitconfig")
	w.unsetenv("GIT_CONFIG_NOSYSTEM")
	w.setenv("ROOT="+image, "GIT_CONFIG_SYSTEM="+system)
	global := readFile(t, filepath.Join(w.home, ".gitconfig"))

	installedBin := filepath.Join(image, "usr", "local", "bin", "git-credential-codecommit")
	// It prints the version, then what install wrote: the helper sections,
	// then the rewrite rules.
	want := w.cli("", "", "--version") + installed("--system", installedBin) + `  [url "https://git-codecommit.af-south-1.amazonaws.com/"]` + "\n"
	stdout, stderr, code := w.run(root, "", "sh", "docker/configure.sh", testenv.HelperBinary(t))
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, want) {
		t.Fatalf("configure.sh: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout to start with\n%s", code, stdout, stderr, want)
	}
	if fi, err := os.Stat(installedBin); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("the installed binary: %v, %v", fi, err)
	}
	if readFile(t, installedBin) != readFile(t, testenv.HelperBinary(t)) {
		t.Error("the installed binary is not the one given")
	}
	if got := w.git("config", "--system", "--get-all", "credential."+hostSection+".helper"); got != "\n"+installedBin+"\n" {
		t.Errorf("the system configuration has the helpers %q", got)
	}
	if got := readFile(t, filepath.Join(w.home, ".gitconfig")); got != global {
		t.Errorf("configure.sh changed the global configuration:\n%s", got)
	}

	// The build runs: credentials from the container endpoint.
	ct := w.startContainer()
	w.noSSH()
	var example struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	exampleJSON := readFile(t, filepath.Join(root, "docker", "example", "package.json"))
	if err := json.Unmarshal([]byte(exampleJSON), &example); err != nil {
		t.Fatal(err)
	}
	if len(example.Dependencies) == 0 {
		t.Fatal("the example package.json has no dependencies")
	}
	heads := map[string]string{}
	for name, dep := range example.Dependencies {
		repo, ok := strings.CutPrefix(dep, "git+"+repoURL)
		if !ok {
			t.Fatalf("the example's dependency %s is %q, not on %s", name, dep, repoURL)
		}

		// git asks the installed helper, and gets a password for the
		// container's key.
		request := "protocol=https\nhost=" + host + "\npath=v1/repos/" + repo + "\n"
		out, stderr, code := w.run("", request, "git", "credential", "fill")
		issued := ct.Issued()
		m := regexp.MustCompile(`^` + regexp.QuoteMeta(request+"username="+issued.AccessKeyID+"%"+issued.SessionToken+"\n") + `password=(\d{8}T\d{6}Z[0-9a-f]{64})\n$`).FindStringSubmatch(out)
		if code != 0 || m == nil {
			t.Fatalf("git credential fill: exit %d\n%s\n%s", code, out, stderr)
		}
		if id, err := fakecodecommit.Verify(issued.AccessKeyID+"%"+issued.SessionToken, m[1], host, "/v1/repos/"+repo, w.keys.Lookup, time.Now()); err != nil || id != issued.AccessKeyID {
			t.Fatalf("the password does not verify: %q, %v", id, err)
		}

		// Publish the dependency, over the SSH URL the image rewrites.
		heads[name] = w.publishPackage("ssh://"+host+"/v1/repos/"+repo, repo, name, "hello from "+repo)
	}

	app := filepath.Join(w.home, "example")
	writeFile(t, filepath.Join(app, "package.json"), exampleJSON)
	npm := []string{"--no-audit", "--no-fund", "--registry=http://127.0.0.1:9/", "--cache=" + filepath.Join(w.home, "npm-cache")}
	w.setenv("NPM_CONFIG_UPDATE_NOTIFIER=false")
	check := func() {
		t.Helper()
		for name, dep := range example.Dependencies {
			repo := strings.TrimPrefix(dep, "git+"+repoURL)
			out, stderr, code := w.run(app, "", "node", "-e", "console.log(require('"+name+"'))")
			if code != 0 || out != "hello from "+repo+"\n" {
				t.Fatalf("node: exit %d, printed %q\n%s", code, out, stderr)
			}
		}
	}
	w.npm(app, append([]string{"install"}, npm...)...)
	check()
	var lock struct {
		Packages map[string]struct{ Resolved string } `json:"packages"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(app, "package-lock.json"))), &lock); err != nil {
		t.Fatal(err)
	}
	for name, dep := range example.Dependencies {
		if got, want := lock.Packages["node_modules/"+name].Resolved, dep+"#"+heads[name]; got != want {
			t.Errorf("the lockfile resolves %s to %q, want %q", name, got, want)
		}
	}
	// npm ci from such a lockfile: TestNpmTransitiveGitDependencies, and
	// TestBuildImages in the image itself.

	w.assertSignedBy(is(ct.Issued().AccessKeyID))
	if ct.Requests() == 0 {
		t.Fatal("the container endpoint was never asked")
	}
}

// repoRoot returns the module's root directory, two levels above this
// package's.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}
