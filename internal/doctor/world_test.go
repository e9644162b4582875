package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

const (
	testHost = "git-codecommit.us-east-1.amazonaws.com"
	testURL  = "https://" + testHost + "/v1/repos/demo"
	// testScope is the section README.md tells users to write.
	testScope = "credential.https://git-codecommit.*.amazonaws.com"
)

// doctorWorld is an isolated machine: an empty home, and git configured by
// the test. Git, install and doctor run with env, which holds only PATH of
// the machine; the process environment is left alone, so tests can run in
// parallel, unless the test calls isolate.
type doctorWorld struct {
	t    *testing.T
	home string
	bin  string   // the helper binary
	env  []string // the environment of git and doctor's commands
}

func newDoctorWorld(t *testing.T) *doctorWorld {
	t.Helper()
	home := t.TempDir()
	env := append([]string{"PATH=" + os.Getenv("PATH")}, testenv.Baseline(home)...)
	return &doctorWorld{t: t, home: home, bin: testenv.HelperBinary(t), env: env}
}

// isolate points the process environment at the world's home too, for a
// test whose AWS side reads the home's files: the AWS SDK reads the process
// environment. Such a test cannot run in parallel.
func (w *doctorWorld) isolate() {
	for _, kv := range testenv.Baseline(w.home) {
		k, v, _ := strings.Cut(kv, "=")
		w.t.Setenv(k, v)
	}
}

// noEnvCredentials removes the credentials TestMain put in the process
// environment, for this test; it cannot run in parallel.
func (w *doctorWorld) noEnvCredentials() {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		w.t.Setenv(k, "") // restored when the test ends
		os.Unsetenv(k)
	}
}

// git runs git in home with the world's environment.
func (w *doctorWorld) git(args ...string) {
	w.t.Helper()
	if out, err := testenv.Command(w.home, nil, "git", args...).CombinedOutput(); err != nil {
		w.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// install configures git as the helper binary's install with args does.
// Into a home without a global configuration, that is the file
// testenv.InstalledConfig had install write once for every test with args;
// into any other (and with --file), install runs.
func (w *doctorWorld) install(args ...string) {
	w.t.Helper()
	global := filepath.Join(w.home, ".gitconfig")
	if _, err := os.Stat(global); errors.Is(err, fs.ErrNotExist) && !slices.Contains(args, "--file") {
		if err := os.WriteFile(global, []byte(testenv.InstalledConfig(w.t, args...)), 0o644); err != nil {
			w.t.Fatal(err)
		}
		return
	}
	cmd := testenv.Command(w.home, nil, w.bin, append([]string{"install"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		w.t.Fatalf("install %q: %v\n%s", args, err, out)
	}
}

// write creates a file under home.
func (w *doctorWorld) write(name, body string) {
	w.t.Helper()
	testenv.WriteFile(w.t, w.home, name, body)
}

// fakeAWS writes a program named aws that answers nothing, in place of the
// AWS CLI, and returns its path.
func (w *doctorWorld) fakeAWS() string {
	w.t.Helper()
	w.write("bin/aws", "#!/bin/sh\nexit 0\n")
	p := filepath.Join(w.home, "bin", "aws")
	if err := os.Chmod(p, 0o755); err != nil {
		w.t.Fatal(err)
	}
	return p
}

// doctor runs Doctor in home, with the world's environment unless o has
// one.
func (w *doctorWorld) doctor(o Options) Report {
	w.t.Helper()
	if o.Dir == "" {
		o.Dir = w.home
	}
	if o.Env == nil {
		o.Env = w.env
	}
	r := Doctor(context.Background(), o)
	var text bytes.Buffer
	r.WriteText(&text)
	w.t.Logf("doctor %s:\n%s", o.URL, text.String())
	return r
}

// find returns the checks named name with status.
func find(r Report, name string, status Status) []Check {
	var cs []Check
	for _, c := range r.Checks {
		if c.Name == name && c.Status == status {
			cs = append(cs, c)
		}
	}
	return cs
}

// failed returns the names of the failed checks.
func failed(r Report) []string {
	var names []string
	for _, c := range r.Checks {
		if c.Status == Fail {
			names = append(names, c.Name)
		}
	}
	return names
}

// assertNoSecret checks that neither the text nor the JSON form of r holds
// the secret key or the session token of c.
func assertNoSecret(t *testing.T, r Report, c fakeaws.Credentials) {
	t.Helper()
	var text bytes.Buffer
	r.WriteText(&text)
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{text.String(), string(js)} {
		if c.SecretAccessKey != "" && strings.Contains(out, c.SecretAccessKey) || c.SessionToken != "" && strings.Contains(out, c.SessionToken) {
			t.Errorf("the report holds the secret key or the session token:\n%s", out)
		}
	}
}

// ssoProfile writes a "dev" profile on IAM Identity Center whose cached
// token expired an hour ago and cannot be refreshed, and points the process
// environment at them (isolate).
func (w *doctorWorld) ssoProfile() {
	w.isolate()
	w.write(".aws/config", testenv.SSOConfig)
	w.write(testenv.SSOTokenFile, fmt.Sprintf(`{"accessToken": "expired-token", "expiresAt": %q}`, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)))
}
