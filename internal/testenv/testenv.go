// Package testenv builds the surroundings of a test from nothing: no AWS
// setting, no git configuration, no home directory and no CA bundle of the
// machine it runs on leaks in, and nothing can reach instance metadata.
package testenv

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// scrubbed reports whether a variable of the machine must not reach a test:
// AWS settings would choose credentials, regions and endpoints; git settings
// would add configuration, and GIT_SSL_CAINFO would beat http.sslCAInfo;
// the go command's privacy settings and cargo's would change what doctor
// finds in a project.
func scrubbed(name string) bool {
	return strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "GIT_") || strings.HasPrefix(name, "CARGO_") ||
		name == "HOME" || name == "XDG_CONFIG_HOME" || name == "XDG_CACHE_HOME" || name == "XDG_RUNTIME_DIR" || name == "SSL_CERT_FILE" || name == "SSL_CERT_DIR" ||
		name == "GOPRIVATE" || name == "GONOPROXY" || name == "GONOSUMDB" || name == "GOSUMDB"
}

// Scrub removes the machine's AWS and git settings from the process
// environment and sets the baseline of Baseline, with an empty temporary
// directory as HOME. TestMain calls it before m.Run, because the AWS SDK
// reads the process environment itself, and defer-calls what it returns.
func Scrub() (cleanup func()) {
	memoryTempDir()
	// The go command finds its build and module caches through HOME; keep
	// them where they were, so that tests that run "go build" stay fast.
	if os.Getenv("GOCACHE") == "" {
		if d, err := os.UserCacheDir(); err == nil {
			os.Setenv("GOCACHE", filepath.Join(d, "go-build"))
		}
	}
	if os.Getenv("GOPATH") == "" {
		if d, err := os.UserHomeDir(); err == nil {
			os.Setenv("GOPATH", filepath.Join(d, "go"))
		}
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if scrubbed(k) {
			os.Unsetenv(k)
		}
	}
	home, err := os.MkdirTemp("", "testenv-home-")
	if err != nil {
		panic(err)
	}
	// The go commands the tests run count Go's telemetry under HOME, from a
	// process that outlives them and wrote there after the cleanup below had
	// removed home (a stray testenv-home-* now and then): off, in this home.
	telemetry := filepath.Join(home, ".config", "go", "telemetry")
	if err := os.MkdirAll(telemetry, 0o700); err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(telemetry, "mode"), []byte("off"), 0o600); err != nil {
		panic(err)
	}
	for _, kv := range Baseline(home) {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	return func() {
		os.RemoveAll(home)
		for _, d := range private.dirs {
			os.RemoveAll(d)
		}
		if cover.private {
			os.RemoveAll(cover.dir)
		}
		stopWine()
	}
}

// Nowhere is a loopback address that nothing listens on: a connection to it
// is refused at once.
const Nowhere = "http://127.0.0.1:9"

// Main is TestMain for a package whose tests need the scrubbed environment:
// it scrubs, runs the tests, cleans up and exits with their status. It
// parses the flags first, which Baseline reads (-test.gocoverdir).
func Main(m *testing.M) {
	flag.Parse()
	cleanup := Scrub()
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// Baseline is the environment every test starts from, with home as HOME:
// git reads no system or user configuration and never prompts, and no AWS
// endpoint the SDK could call is left at its default. Instance metadata is
// disabled and, should a test enable it, points at Nowhere rather than
// 169.254.169.254; STS, IAM Identity Center and every other service point at
// Nowhere too. Tests that need one of them set its variable to a fake.
// CI=false pins the fix the no-credentials line names to a person's,
// whatever the machine and its terminal; a test of CI's sets CI=true.
// When the tests count coverage, GOCOVERDIR is CoverDir, for the helper
// binary built with -cover.
//
// The AWS config files are named explicitly because the SDK computes their
// default paths from HOME once, when the process starts; in-process tests
// that change HOME would otherwise read the first HOME's files.
func Baseline(home string) []string {
	env := []string{
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_TERMINAL_PROMPT=0",
		"CI=false",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + Nowhere,
		"AWS_ENDPOINT_URL=" + Nowhere,
		"AWS_ENDPOINT_URL_STS=" + Nowhere,
		"AWS_ENDPOINT_URL_SSO=" + Nowhere,
		"AWS_ENDPOINT_URL_SSO_OIDC=" + Nowhere,
		"AWS_ENDPOINT_URL_SIGNIN=" + Nowhere,
	}
	if d := CoverDir(); d != "" {
		env = append(env, "GOCOVERDIR="+d)
	}
	return env
}

// Isolate gives the test a fresh, empty HOME and the baseline environment,
// restored when the test ends, and returns the home directory.
func Isolate(t testing.TB) string {
	t.Helper()
	home := tempDir(t)
	for _, kv := range Baseline(home) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return home
}

// Command returns a command that runs in home with only PATH from the
// machine, the baseline environment for home, and extra ("KEY=value"; a
// later value of a variable wins).
func Command(home string, extra []string, name string, args ...string) *exec.Cmd {
	return CommandContext(context.Background(), home, extra, name, args...)
}

// PipeDelay bounds how long a command's Wait waits for its output pipes
// once it has exited (or its context has ended): a program it started that
// still holds them (Wine's services, a browser opener) makes Wait fail
// with exec.ErrWaitDelay instead of waiting for ever.
const PipeDelay = 10 * time.Second

// CommandContext is Command with a context that kills the command.
func CommandContext(ctx context.Context, home string, extra []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = PipeDelay
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, Baseline(home)...)
	cmd.Env = append(cmd.Env, extra...)
	cmd.Dir = home
	return cmd
}
