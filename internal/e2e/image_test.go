package e2e

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
)

// imagesEnv names the variable with which .ci/run hands this test the
// images .ci/docker built from Dockerfile.example with buildah: a directory
// holding one OCI layout per variant (build, release, release-fips) and one
// of the base image they start from (base). Its name keeps clear of the AWS_
// and GIT_ prefixes that testenv.Main scrubs.
const imagesEnv = "CODECOMMIT_TEST_IMAGES"

// variants are the images .ci/docker builds, and what their helper's
// --version says of FIPS 140-3 mode.
var variants = []struct{ name, fips140 string }{
	{"build", "fips140: off"},
	{"release", "fips140: off"},
	{"release-fips", "fips140: on (Go Cryptographic Module v1.0.0)"},
}

// imagesDir returns the directory of images, or skips the test when there
// is none, except under CI=true, where .ci/run always builds them.
func imagesDir(t *testing.T) string {
	dir := os.Getenv(imagesEnv)
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: .ci/run builds the images with .ci/docker and names them there", imagesEnv)
		}
		t.Skipf("%s is not set: no images of Dockerfile.example to run (.ci/docker builds them)", imagesEnv)
	}
	return dir
}

// TestBuildImages runs each image .ci/docker built from Dockerfile.example
// as AWS CodeBuild would, inside the loopback-only namespace of the tests:
// as root and as the user "node", it clones a repository, installs the
// example project's git+https dependency with npm install and then npm ci,
// and installs a dependency spelled git+ssh://, which the image's
// --rewrite-ssh turns into https. Credentials come only from a fake
// container credentials endpoint on 127.0.0.1 (the real one, 169.254.170.2,
// is never used); the fake CodeCommit's proxy and CA reach git through its
// environment (GIT_CONFIG_COUNT), never the image.
func TestBuildImages(t *testing.T) {
	t.Parallel()
	dir := imagesDir(t)
	if _, err := exec.LookPath("buildah"); err != nil {
		t.Fatalf("buildah: %v", err)
	}
	base := readLayout(t, filepath.Join(dir, "base"))
	// Every layer of every image, each once: they share the base's.
	var all []layerRef
	seen := map[string]bool{}
	for _, v := range variants {
		img := readLayout(t, filepath.Join(dir, v.name))
		for _, l := range img.layers {
			if !seen[l.Digest] {
				seen[l.Digest] = true
				all = append(all, layerRef{img, l})
			}
		}
	}
	sums := dpkgSums(t, all)
	baseDirs := map[string]bool{}
	for _, l := range base.layers {
		base.walk(t, l, func(h *tar.Header, _ io.Reader) {
			if h.Typeflag == tar.TypeDir {
				baseDirs[h.Name] = true
			}
		})
	}
	for _, l := range all {
		checkNoSecrets(t, l, sums)
	}
	storage := t.TempDir() // one for all: they share the base image's layers
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			layout := filepath.Join(dir, v.name)
			img := readLayout(t, layout)
			checkAdded(t, img, img.addedTo(t, base), baseDirs)

			b := newBuildah(t, storage, layout)
			if got := b.output(t, "root", "", nil, "git-credential-codecommit", "--version"); !strings.Contains(got, "\n"+v.fips140+"\n") {
				t.Errorf("the image's helper says\n%s\nwant %q", got, v.fips140)
			}
			// /etc/gitconfig is exactly what install --system --rewrite-ssh
			// writes: the same command, into an empty file, writes the same
			// bytes.
			fresh := b.output(t, "root", "", nil, "sh", "-c",
				`GIT_CONFIG_SYSTEM=/tmp/fresh git-credential-codecommit install --system --rewrite-ssh >/dev/null && cat /tmp/fresh`)
			if system := b.output(t, "root", "", nil, "cat", "/etc/gitconfig"); system != fresh || !strings.Contains(system, "helper = /usr/local/bin/git-credential-codecommit\n") {
				t.Errorf("/etc/gitconfig holds\n%s\nwant what install --system --rewrite-ssh writes:\n%s", system, fresh)
			}
			// Each build starts from the image, as CodeBuild's do.
			for _, user := range []string{"root", "node"} {
				t.Run(user, func(t *testing.T) { runAsCodeBuild(t, newBuildah(t, storage, layout), user) })
			}
		})
	}
}

// runAsCodeBuild runs a build in the image as user: git clone, then npm
// install and npm ci of the example project (/example, copied to the home
// of a user who cannot write there), then an npm install of a dependency
// spelled git+ssh://.
func runAsCodeBuild(t *testing.T, b *buildah, user string) {
	w := newWorld(t)
	// The dependencies are published from outside, with keys of their own.
	pub := w.keys.Issue("ASIAPUB", time.Now().Add(time.Hour))
	w.setenv("AWS_ACCESS_KEY_ID="+pub.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+pub.SecretAccessKey, "AWS_SESSION_TOKEN="+pub.SessionToken)
	head := w.publishPackage(repoURL+"shared-lib", "shared-lib", "shared-lib", "hello from shared-lib")
	w.publishPackage(repoURL+"ssh-lib", "ssh-lib", "ssh-lib", "hello from ssh-lib")
	published := len(w.cc.Verdicts())

	ct, err := fakeaws.StartContainer(w.keys, "codebuild-auth-token")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ct.Close)
	home := "/root"
	if user != "root" {
		home = "/home/" + user
	}
	env := []string{
		"HOME=" + home,
		// As CodeBuild, but on loopback; a token as ECS and EKS have.
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + ct.URL,
		"AWS_CONTAINER_AUTHORIZATION_TOKEN=codebuild-auth-token",
		"AWS_EC2_METADATA_DISABLED=true",
		// The fake CodeCommit, through git's environment only.
		"GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=http.proxy", "GIT_CONFIG_VALUE_0=" + w.cc.ProxyURL,
		"GIT_CONFIG_KEY_1=http.sslCAInfo", "GIT_CONFIG_VALUE_1=/run/fakecodecommit/ca.pem",
		"GIT_TERMINAL_PROMPT=0",
		// ssh must never run: every ssh URL is rewritten to https.
		"GIT_SSH_COMMAND=false ssh must not run",
		"NPM_CONFIG_UPDATE_NOTIFIER=false",
	}
	// A copy every user of the image can read.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, w.cc.CAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	mounts := []string{ca + ":/run/fakecodecommit/ca.pem:ro"}
	const script = `set -eu
npm() { # quiet, unless it fails
	command npm --no-audit --no-fund --registry=http://127.0.0.1:9/ --cache="$HOME/.npm-ci" "$@" >"$HOME/npm.log" 2>&1 || { cat "$HOME/npm.log" >&2; return 1; }
}
git clone -q https://git-codecommit.us-east-1.amazonaws.com/v1/repos/shared-lib "$HOME/clone"
git -C "$HOME/clone" rev-parse HEAD
app=/example
if [ ! -w /example ]; then cp -r /example "$HOME/example"; app=$HOME/example; fi
cd "$app"
npm install
node -p "require('shared-lib')"
node -p "require('./package-lock.json').packages['node_modules/shared-lib'].resolved"
rm -rf node_modules
npm ci
node -p "require('shared-lib')"
mkdir "$HOME/ssh-app" && cd "$HOME/ssh-app"
echo '{"name": "ssh-app", "version": "1.0.0", "dependencies": {"ssh-lib": "git+ssh://git-codecommit.us-east-1.amazonaws.com/v1/repos/ssh-lib"}}' >package.json
npm install
node -p "require('ssh-lib')"
`
	got := b.output(t, user, home, append(env, "CODECOMMIT_MOUNTS="+strings.Join(mounts, ",")), "sh", "-c", script)
	want := head + "\nhello from shared-lib\n" +
		"git+" + repoURL + "shared-lib#" + head + "\n" +
		"hello from shared-lib\nhello from ssh-lib\n"
	if got != want {
		t.Errorf("the build in the image printed\n%s\nwant\n%s", got, want)
	}
	if ct.Requests() == 0 {
		t.Error("the container credentials endpoint was never asked")
	}
	w.assertSignedSince(published, is(ct.Issued().AccessKeyID))
	for _, v := range w.cc.Verdicts()[published:] {
		if v.Repo == "/v1/repos/ssh-lib" && v.Status == 200 {
			return
		}
	}
	t.Error("the ssh-spelled dependency was not fetched over https from the fake CodeCommit")
}

// buildah is a working container of an image, on a buildah storage of
// the test's own; it runs commands with the isolation the images are built
// with (chroot: no daemon, no cgroups).
type buildah struct {
	root      string
	container string
}

// newBuildah makes a working container of the OCI layout in storage.
func newBuildah(t *testing.T, storage, layout string) *buildah {
	t.Helper()
	b := &buildah{root: storage}
	// buildah names the image after the layout's path, which must then be
	// lower case: a link of such a name leads to it.
	dir, err := os.MkdirTemp("", "codecommit-image")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	link := filepath.Join(dir, strings.ToLower(filepath.Base(layout)))
	if err := os.Symlink(layout, link); err != nil {
		t.Fatal(err)
	}
	out, err := b.cmd("from", "--pull=never", "--quiet", "oci:"+link).Output()
	if err != nil {
		t.Fatalf("buildah from oci:%s: %v\n%s", layout, err, stderrOf(err))
	}
	b.container = strings.TrimSpace(string(out))
	t.Cleanup(func() { b.cmd("rm", b.container).Run() })
	return b
}

func (b *buildah) cmd(args ...string) *exec.Cmd {
	args = append([]string{"--root", filepath.Join(b.root, "root"), "--runroot", filepath.Join(b.root, "run"), "--storage-driver", "overlay"}, args...)
	cmd := exec.Command("buildah", args...)
	// buildah itself needs nothing of the tests' environment; what runs in
	// the image gets only the image's and --env's.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + b.root, "TMPDIR=" + b.root}
	return cmd
}

// output runs a command in the container as user and returns its stdout,
// failing the test if it fails. env may hold CODECOMMIT_MOUNTS, a comma-
// separated list of buildah -v mounts.
func (b *buildah) output(t *testing.T, user, home string, env []string, name string, args ...string) string {
	t.Helper()
	run := []string{"run", "--isolation", "chroot", "--user", user}
	for _, kv := range env {
		if m, ok := strings.CutPrefix(kv, "CODECOMMIT_MOUNTS="); ok {
			for _, v := range strings.Split(m, ",") {
				run = append(run, "-v", v)
			}
			continue
		}
		run = append(run, "--env", kv)
	}
	if home != "" && !slices.Contains(env, "HOME="+home) {
		run = append(run, "--env", "HOME="+home)
	}
	run = append(append(run, b.container, "--", name), args...)
	out, err := b.cmd(run...).Output()
	if err != nil {
		t.Fatalf("in the image, as %s: %s %s: %v\nstdout:\n%s\nstderr:\n%s", user, name, strings.Join(args, " "), err, out, stderrOf(err))
	}
	return string(out)
}

func stderrOf(err error) string {
	if e, ok := err.(*exec.ExitError); ok {
		return string(e.Stderr)
	}
	return ""
}
