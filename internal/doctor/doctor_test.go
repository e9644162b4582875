package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
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

// install runs the helper binary's install with args.
func (w *doctorWorld) install(args ...string) {
	w.t.Helper()
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

func TestDoctorGoodSetup(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	w.install()
	c := envCreds
	r := w.doctor(Options{URL: testURL})
	if !r.OK || r.URL != testURL {
		t.Fatalf("OK %v, URL %s; want a passing report for %s", r.OK, r.URL, testURL)
	}
	for _, name := range []string{"git", "url", "helper", "usehttppath", "credentials", "region"} {
		if !slices.ContainsFunc(r.Checks, func(c Check) bool { return c.Name == name }) {
			t.Errorf("no %s check", name)
		}
	}
	if cs := find(r, "helper", OK); len(cs) != 1 || !strings.Contains(cs[0].Detail, w.bin) {
		t.Errorf("helper check %+v does not list the helper %s", cs, w.bin)
	}
	if cs := find(r, "credentials", OK); len(cs) != 1 || !strings.Contains(cs[0].Detail, c.AccessKeyID) ||
		!strings.Contains(cs[0].Detail, "EnvConfigCredentials") {
		t.Errorf("credentials check %+v lacks the source or the access key id", cs)
	}
	if cs := find(r, "region", OK); len(cs) != 1 || !strings.HasPrefix(cs[0].Detail, "us-east-1") {
		t.Errorf("region check %+v, want us-east-1", cs)
	}
	assertNoSecret(t, r, c)

	var text bytes.Buffer
	r.WriteText(&text)
	if want := "a clone of " + testURL + " should work\n"; !strings.HasSuffix(text.String(), want) {
		t.Errorf("text ends %q, want %q", text.String(), want)
	}
}

func TestDoctorOnline(t *testing.T) {
	w := newDoctorWorld(t)
	w.install()
	sts, err := fakeaws.StartSTS(envKeys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sts.Close)
	t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
	c := envCreds

	r := w.doctor(Options{URL: testURL, Online: true})
	if !r.OK {
		t.Fatalf("failed checks %v, want none", failed(r))
	}
	if cs := find(r, "identity", OK); len(cs) != 1 || !strings.Contains(cs[0].Detail, "arn:aws:iam::123456789012:user/fakeaws") {
		t.Errorf("identity check %+v lacks the caller's ARN", cs)
	}
	if len(find(r, "clock", OK)) != 1 {
		t.Errorf("no passing clock check in %+v", r.Checks)
	}
	if calls := sts.Callers(); len(calls) != 1 || calls[0].Action != "GetCallerIdentity" || calls[0].AccessKeyID != c.AccessKeyID {
		t.Errorf("STS calls %+v, want one GetCallerIdentity by %s", calls, c.AccessKeyID)
	}
	assertNoSecret(t, r, c)

	// Credentials STS does not know fail the identity check.
	t.Setenv("AWS_ACCESS_KEY_ID", "ASIAUNKNOWNKEY000001")
	r = w.doctor(Options{URL: testURL, Online: true})
	if cs := find(r, "identity", Fail); len(cs) != 1 || !strings.Contains(cs[0].Detail, "InvalidClientTokenId") || cs[0].Fix == "" {
		t.Errorf("identity check %+v, want a failure with InvalidClientTokenId and a fix", r.Checks)
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

func TestDoctorFailures(t *testing.T) {
	const keyID = "APKAEIBAERJR2EXAMPLE"
	for _, tc := range []struct {
		name string
		// setup configures the world; good is an installed helper and
		// credentials in the environment.
		setup func(w *doctorWorld)
		url   string
		// noCreds leaves the environment without credentials; aws says
		// setup changes the process environment (isolate).
		noCreds, aws bool
		// check is the check that must fail; detail and fix are strings
		// its detail and fix must hold.
		check, detail, fix string
		// also is a check that fails too, for the same cause, with the
		// same fix.
		also string
	}{{
		name: "no helper configured",
		setup: func(w *doctorWorld) {
			w.git("config", "--global", testScope+".useHttpPath", "true")
		},
		check: "helper", detail: "git does not ask git-credential-codecommit", fix: "git-credential-codecommit install",
	}, {
		name: "storing helper before ours",
		setup: func(w *doctorWorld) {
			w.git("config", "--global", "--add", testScope+".helper", "store")
			w.git("config", "--global", "--add", testScope+".helper", w.bin)
			w.git("config", "--global", testScope+".useHttpPath", "true")
		},
		check: "helper", detail: "git asks git credential-store before git-credential-codecommit", fix: `empty "helper ="`,
	}, {
		name: "AWS CLI helper only",
		setup: func(w *doctorWorld) {
			w.git("config", "--global", "--add", testScope+".helper", "!"+w.fakeAWS()+" codecommit credential-helper $@")
			w.git("config", "--global", testScope+".useHttpPath", "true")
		},
		check: "helper", detail: "AWS CLI's helper", fix: "git-credential-codecommit install",
	}, {
		name: "helper binary missing",
		setup: func(w *doctorWorld) {
			w.git("config", "--global", "--add", testScope+".helper", "")
			w.git("config", "--global", "--add", testScope+".helper", filepath.Join(w.home, "gone", "git-credential-codecommit"))
			w.git("config", "--global", testScope+".useHttpPath", "true")
		},
		check: "helper", detail: "exited with status 127", fix: "git-credential-codecommit install",
	}, {
		name: "no useHttpPath",
		setup: func(w *doctorWorld) {
			w.git("config", "--global", "--add", testScope+".helper", "")
			w.git("config", "--global", "--add", testScope+".helper", w.bin)
		},
		check: "usehttppath", detail: "not true", fix: "git config --global credential.https://" + testHost + ".useHttpPath true",
	}, {
		name: "useHttpPath false in a later section",
		setup: func(w *doctorWorld) {
			w.install()
			w.git("config", "--global", "credential.useHttpPath", "false")
		},
		check: "usehttppath", detail: "a later one is false", fix: "--show-origin",
	}, {
		name:    "no credentials",
		noCreds: true, aws: true,
		check: "credentials", detail: "no AWS credentials (", fix: "aws configure",
	}, {
		name: "expired SSO token",
		setup: func(w *doctorWorld) {
			w.install("--profile", "dev") // doctor takes the profile from the helper's command line
			w.ssoProfile()
		},
		aws:   true,
		check: "credentials", detail: `session of profile "dev" has expired`, fix: "git-credential-codecommit login --profile dev",
		also: "sso",
	}, {
		name:  "http URL",
		url:   "http://" + testHost + "/v1/repos/demo",
		check: "url", detail: "plain http", fix: "use " + testURL,
	}, {
		name:  "https URL with a user",
		url:   "https://someone@" + testHost + "/v1/repos/demo",
		check: "url", detail: `names the user "someone"`, fix: "remove someone@",
	}, {
		name:  "not a CodeCommit host",
		url:   "https://git-codecommit.us-east-1.amazonaws.com.evil.example/v1/repos/demo",
		check: "url", detail: "only signs for CodeCommit hosts", fix: "https://git-codecommit.REGION.amazonaws.com/v1/repos/NAME",
	}, {
		name:  "SSH URL without rewrite rules",
		url:   "ssh://" + testHost + "/v1/repos/demo",
		check: "url", detail: "git does not rewrite to https", fix: "git-credential-codecommit install --rewrite-ssh",
	}, {
		name:  "scp-like SSH URL without rewrite rules",
		url:   testHost + ":v1/repos/demo",
		check: "url", detail: "git does not rewrite to https", fix: "git-credential-codecommit install --rewrite-ssh",
	}, {
		name:  "SSH URL with a key id",
		url:   "ssh://" + keyID + "@" + testHost + "/v1/repos/demo",
		setup: func(w *doctorWorld) { w.install("--rewrite-ssh", "--region", "us-east-1") },
		check: "url", detail: "insteadOf rules are literal prefixes that cannot match a user name",
		fix: "ssh://" + testHost + "/v1/repos/demo and run: git-credential-codecommit install --rewrite-ssh",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.aws {
				t.Parallel()
			}
			w := newDoctorWorld(t)
			c := envCreds
			if tc.noCreds {
				w.isolate()
				w.noEnvCredentials()
				c = fakeaws.Credentials{}
			}
			if tc.setup != nil {
				tc.setup(w)
			} else {
				w.install()
			}
			url := tc.url
			if url == "" {
				url = testURL
			}
			r := w.doctor(Options{URL: url})
			if r.OK {
				t.Fatal("OK is true, want false")
			}
			want, verdict := []string{tc.check}, " would fail: 1 problem\n"
			if tc.also != "" {
				want, verdict = append(want, tc.also), " would fail: 2 problems\n"
			}
			if got := failed(r); !slices.Equal(got, want) {
				t.Fatalf("failed checks %v, want %v", got, want)
			}
			f := find(r, tc.check, Fail)[0]
			if !strings.Contains(f.Detail, tc.detail) || !strings.Contains(f.Fix, tc.fix) {
				t.Errorf("%s check:\ndetail %q\nfix    %q\nwant them to hold %q and %q", tc.check, f.Detail, f.Fix, tc.detail, tc.fix)
			}
			if tc.also != "" {
				if a := find(r, tc.also, Fail)[0]; a.Fix != f.Fix {
					t.Errorf("%s check has the fix %q, want %q", tc.also, a.Fix, f.Fix)
				}
			}
			assertNoSecret(t, r, c)
			var text bytes.Buffer
			r.WriteText(&text)
			if !strings.Contains(text.String(), "\n      fix: "+f.Fix+"\n") || !strings.HasSuffix(text.String(), verdict) {
				t.Errorf("text lacks the fix or the verdict:\n%s", text.String())
			}
		})
	}
}

func TestDoctorWarnings(t *testing.T) {
	for _, tc := range []struct {
		name, helper, want string
	}{
		{"storing helper after ours", "store", "git credential-store, asked after git-credential-codecommit, will store"},
		{"AWS CLI helper after ours", "!AWS codecommit credential-helper $@", "the AWS CLI's helper"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newDoctorWorld(t)
			w.install()
			helper := strings.Replace(tc.helper, "AWS", w.fakeAWS(), 1)
			w.git("config", "--global", "--add", "credential.helper", helper) // after the sections install wrote
			r := w.doctor(Options{URL: testURL})
			if !r.OK {
				t.Fatalf("failed checks %v, want none", failed(r))
			}
			if cs := find(r, "helper", Warn); len(cs) != 1 || !strings.Contains(cs[0].Detail, tc.want) || cs[0].Fix == "" {
				t.Errorf("helper warnings %+v, want one holding %q, with a fix", cs, tc.want)
			}
		})
	}
}

func TestDoctorSSHRewritten(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	w.install("--rewrite-ssh", "--region", "us-east-1")
	for _, u := range []string{"ssh://" + testHost + "/v1/repos/demo", "git+ssh://" + testHost + "/v1/repos/demo", testHost + ":v1/repos/demo"} {
		r := w.doctor(Options{URL: u})
		if !r.OK || r.URL != u {
			t.Errorf("%s: failed checks %v, URL %s; want a passing report", u, failed(r), r.URL)
			continue
		}
		if cs := find(r, "url", OK); len(cs) != 1 || !strings.Contains(cs[0].Detail, "git rewrites "+u+" to "+testURL) {
			t.Errorf("%s: url check %+v does not say git rewrites it", u, cs)
		}
	}
}

// TestDoctorHelperFlags checks that the credentials are those of the
// profile on the helper's command line, and that Options beat it.
func TestDoctorHelperFlags(t *testing.T) {
	w := newDoctorWorld(t)
	w.isolate()
	w.install("--profile", "dev")
	// TestMain's credentials in the environment: a profile named beats them.
	w.write(".aws/credentials", `[dev]
aws_access_key_id = AKIADEVPROFILE000001
aws_secret_access_key = dev/secret+key0000000000000000000000000
[ops]
aws_access_key_id = AKIAOPSPROFILE000001
aws_secret_access_key = ops/secret+key0000000000000000000000000
`)
	for _, tc := range []struct{ option, key, profile string }{
		{"", "AKIADEVPROFILE000001", "dev"},
		{"ops", "AKIAOPSPROFILE000001", "ops"},
	} {
		r := w.doctor(Options{URL: testURL, Profile: tc.option})
		cs := find(r, "credentials", OK)
		if len(cs) != 1 || !strings.HasPrefix(cs[0].Detail, "access key id "+tc.key+" from SharedConfigCredentials") ||
			!strings.Contains(cs[0].Detail, fmt.Sprintf("profile %q", tc.profile)) {
			t.Errorf("Profile %q: credentials checks %+v, want key %s of profile %s", tc.option, cs, tc.key, tc.profile)
		}
	}
}

func TestDoctorCredentialsExpireSoon(t *testing.T) {
	w := newDoctorWorld(t)
	w.isolate()
	w.noEnvCredentials()
	w.install()
	c := fakeaws.NewKeys().Issue("ASIAPROC", time.Now().Add(10*time.Minute))
	w.write("creds.sh", fmt.Sprintf("cat <<'EOF'\n"+`{"Version": 1, "AccessKeyId": %q, "SecretAccessKey": %q, "SessionToken": %q, "Expiration": %q}`+"\nEOF\n",
		c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expiration.Format(time.RFC3339)))
	w.write(".aws/config", "[default]\ncredential_process = /bin/sh "+filepath.Join(w.home, "creds.sh")+"\n")
	r := w.doctor(Options{URL: testURL})
	if cs := find(r, "credentials", Warn); len(cs) != 1 || !strings.Contains(cs[0].Detail, "sooner than a signed password") {
		t.Errorf("checks %+v, want a credentials warning", r.Checks)
	}
	if !r.OK {
		t.Errorf("failed checks %v, want none", failed(r))
	}
	assertNoSecret(t, r, c)
}

func TestDoctorDefaultURL(t *testing.T) {
	w := newDoctorWorld(t)
	w.install()
	for _, tc := range []struct{ region, env, want string }{
		{"", "", "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/doctor-check"},
		{"", "eu-west-1", "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/doctor-check"},
		{"cn-north-1", "eu-west-1", "https://git-codecommit.cn-north-1.amazonaws.com.cn/v1/repos/doctor-check"},
	} {
		t.Setenv("AWS_REGION", tc.env)
		r := w.doctor(Options{Region: tc.region})
		if r.URL != tc.want || !r.OK {
			t.Errorf("Region %q, AWS_REGION %q: URL %s, failed checks %v; want %s passing", tc.region, tc.env, r.URL, failed(r), tc.want)
		}
	}
}

// TestDoctorRegions checks that the region report names the configured
// region of the AWS calls when it is not the host's.
func TestDoctorRegions(t *testing.T) {
	w := newDoctorWorld(t)
	w.install()
	t.Setenv("AWS_REGION", "eu-west-1")
	r := w.doctor(Options{URL: testURL})
	want := "us-east-1, from the host name; AWS calls for credentials use eu-west-1, the configured region"
	if cs := find(r, "region", OK); len(cs) != 1 || cs[0].Detail != want {
		t.Errorf("region checks %+v, want one with detail %q", cs, want)
	}
}

// TestDoctorEnv checks that Options.Env, not the process's
// environment, is what the git commands run with.
func TestDoctorEnv(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	other := filepath.Join(w.home, "other.gitconfig")
	w.install("--file", other)
	if r := Doctor(context.Background(), Options{URL: testURL, Dir: w.home}); r.OK {
		t.Fatal("OK with the process's empty git configuration, want a failure")
	}
	r := w.doctor(Options{URL: testURL, Env: append(os.Environ(), "GIT_CONFIG_GLOBAL="+other)})
	if !r.OK {
		t.Errorf("failed checks %v with Env naming the installed configuration, want none", failed(r))
	}
}

// TestDoctorCommand runs the built binary's doctor --json as a user would.
func TestDoctorCommand(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	w.install()
	c := envCreds
	for _, tc := range []struct {
		name string
		env  []string
		code int
	}{
		{"with credentials", []string{"AWS_ACCESS_KEY_ID=" + c.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey, "AWS_SESSION_TOKEN=" + c.SessionToken}, 0},
		{"without credentials", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := testenv.Command(w.home, tc.env, w.bin, "doctor", "--json", testURL)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			var r Report
			if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
				t.Fatalf("stdout is not JSON (%v):\n%s", err, stdout.String())
			}
			if code != tc.code || r.OK != (tc.code == 0) || r.URL != testURL || stderr.Len() != 0 {
				t.Errorf("exit %d, ok %v, url %s, stderr %q; want exit %d", code, r.OK, r.URL, stderr.String(), tc.code)
			}
			if len(r.Checks) < 6 {
				t.Errorf("%d checks, want at least 6:\n%s", len(r.Checks), stdout.String())
			}
			if strings.Contains(stdout.String(), c.SecretAccessKey) || strings.Contains(stdout.String(), c.SessionToken) {
				t.Errorf("the output holds the secret key or the session token:\n%s", stdout.String())
			}
		})
	}
}

func TestClassifyHelper(t *testing.T) {
	for _, tc := range []struct {
		command string
		kind    helperKind
		args    []string
	}{
		{"git credential-codecommit", ourHelper, []string{}},
		{"git credential-codecommit --profile dev", ourHelper, []string{"--profile", "dev"}},
		{"/usr/local/bin/git-credential-codecommit --region eu-west-1", ourHelper, []string{"--region", "eu-west-1"}},
		{"'/tmp/dir with space/git-credential-codecommit' '--profile' 'it'\\''s'", ourHelper, []string{"--profile", "it's"}},
		{`C:/Program\ Files/bin/git-credential-codecommit.exe`, ourHelper, []string{}},
		{"git credential-store", storingHelper, []string{}},
		{"git credential-store --file ~/.creds", storingHelper, []string{"--file", "~/.creds"}},
		{"git credential-cache --timeout 900", storingHelper, []string{"--timeout", "900"}},
		{"git credential-osxkeychain", storingHelper, []string{}},
		{"git credential-manager-core", storingHelper, []string{}},
		{"/usr/local/share/gcm-core/git-credential-manager", storingHelper, []string{}},
		{`"C:/Program Files/Git/mingw64/bin/git-credential-wincred.exe"`, storingHelper, []string{}},
		{"/usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret", storingHelper, []string{}},
		{"aws codecommit credential-helper $@", awsCLIHelper, []string{"codecommit", "credential-helper", "$@"}},
		{"/usr/bin/aws --profile dev codecommit credential-helper $@", awsCLIHelper, []string{"--profile", "dev", "codecommit", "credential-helper", "$@"}},
		{"codecommit", otherHelper, []string{}},
		{"git credential-oauth", otherHelper, []string{}},
		{"f() { echo username=x; }; f", otherHelper, []string{"{", "echo", "username=x;", "};", "f"}},
	} {
		h := classifyHelper(tc.command)
		if h.kind != tc.kind || !slices.Equal(h.args, tc.args) || h.command != tc.command {
			t.Errorf("classifyHelper(%q) = kind %d, args %q; want kind %d, args %q", tc.command, h.kind, h.args, tc.kind, tc.args)
		}
	}

	// Every command line install writes is recognised, with its arguments;
	// git runs it without the "!".
	for _, args := range [][]string{
		{"/usr/local/bin/git-credential-codecommit", "--profile", "dev"},
		{"/Users/Jo Smith/bin/git-credential-codecommit", "--profile", "it's mine", "--region", "eu-west-1"},
		{"/opt/$HOME/git-credential-codecommit"},
		{`/opt/back\slash "quoted"/git-credential-codecommit`},
	} {
		command := strings.TrimPrefix(gitconfig.HelperCommand(args), "!")
		if h := classifyHelper(command); h.kind != ourHelper || !slices.Equal(h.args, args[1:]) {
			t.Errorf("classifyHelper(%q) = kind %d, args %q; want ours with %q", command, h.kind, h.args, args[1:])
		}
	}
}

// TestParseTrace reads trace2 events as git 2.39 writes them, both for a
// git started by a user and for one started by another git (a git alias
// running doctor), whose session id holds its parent's and a "/".
func TestParseTrace(t *testing.T) {
	const own = "20261125T210618.671832Z-H0a7c9cdf-P0000601a"
	for _, parent := range []string{"", "20261125T210600.000001Z-H0a7c9cdf-P00005000/"} {
		top := `"sid":"` + parent + own + `"`
		child := `"sid":"` + parent + own + `/20261125T210618.681Z-H0a7c9cdf-P0000602b"`
		events := strings.Join([]string{
			`{"event":"version",` + top + `,"thread":"main","evt":"3","exe":"2.39.5"}`,
			`{"event":"start",` + top + `,"argv":["git","credential","fill"]}`,
			`{"event":"child_start",` + top + `,"child_id":0,"child_class":"?","use_shell":true,"argv":["/tmp/dir with space/x --profile dev get"]}`,
			`{"event":"child_exit",` + top + `,"child_id":0,"pid":1,"code":0}`,
			`{"event":"child_start",` + top + `,"child_id":1,"child_class":"?","use_shell":true,"argv":["git credential-store get"]}`,
			`{"event":"version",` + child + `,"evt":"3","exe":"2.39.5"}`,
			`{"event":"child_start",` + child + `,"child_id":0,"use_shell":true,"argv":["git credential-cache get"]}`,
			`{"event":"child_exit",` + top + `,"child_id":1,"pid":2,"code":0}`,
			`{"event":"child_start",` + top + `,"child_id":2,"use_shell":true,"argv":["'/opt/git-credential-codecommit' '--region' 'eu-west-1' get"]}`,
			`{"event":"child_exit",` + top + `,"child_id":2,"pid":3,"code":127}`,
			`{"event":"child_start",` + top + `,"child_id":3,"use_shell":false,"argv":["true","Username for 'https://x': "]}`,
			`{"event":"child_start",` + top + `,"child_id":4,"use_shell":true,"argv":["git credential-store store"]}`,
			`not json`,
			``,
		}, "\n")
		got := parseTrace([]byte(events))
		want := []credHelper{
			{command: "/tmp/dir with space/x --profile dev", name: "dir", args: []string{"with", "space/x", "--profile", "dev"}},
			{command: "git credential-store", name: "store", args: []string{}, kind: storingHelper},
			{command: "'/opt/git-credential-codecommit' '--region' 'eu-west-1'", name: "codecommit", args: []string{"--region", "eu-west-1"}, kind: ourHelper, exit: 127},
		}
		if len(got) != len(want) {
			t.Fatalf("parent %q: parseTrace found %+v, want %+v", parent, got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.command != w.command || g.name != w.name || g.kind != w.kind || g.exit != w.exit || !slices.Equal(g.args, w.args) {
				t.Errorf("parent %q: helper %d: %+v, want %+v", parent, i, g, w)
			}
		}
	}
}

func TestShellWords(t *testing.T) {
	for in, want := range map[string][]string{
		"":                         nil,
		"  a  b\tc ":               {"a", "b", "c"},
		`'a b' "c \"d\" \$e" f\ g`: {"a b", `c "d" $e`, "f g"},
		`'it'\''s'`:                {"it's"},
		`''`:                       {""},
		`'unterminated`:            {"unterminated"},
	} {
		if got := shellWords(in); !slices.Equal(got, want) {
			t.Errorf("shellWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClockCheck(t *testing.T) {
	aws := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		local  time.Duration // local time minus AWS's
		status Status
		detail string
	}{
		{900 * time.Millisecond, OK, "agrees"},
		{-30 * time.Second, OK, "30s behind"},
		{90 * time.Second, Warn, "1m30s ahead of"},
		{-6 * time.Minute, Fail, "6m0s behind"},
	} {
		c := clockCheck(aws.Add(tc.local), aws)
		if c.Name != "clock" || c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) || (c.Status == OK) != (c.Fix == "") {
			t.Errorf("skew %s: %+v, want status %s and %q", tc.local, c, tc.status, tc.detail)
		}
	}
}

func TestWriteText(t *testing.T) {
	// Details quote URLs, git's configuration and AWS's messages: newlines
	// and terminal escapes there are shown escaped, each check stays one
	// line, and a secret this process holds is redacted.
	const secret = "DoctorSecretWithoutDigits"
	secrets := new(redact.Set)
	secrets.Add(secret)
	r := Report{URL: testURL, secrets: secrets, Checks: []Check{
		{Name: "git", Status: OK, Detail: "git 2.45.1"},
		{Name: "helper", Status: Fail, Detail: "git does not ask git-credential-codecommit", Fix: "git-credential-codecommit install"},
		{Name: "credentials", Status: Warn, Detail: "two\nlines, key " + secret, Fix: "renew \x1b[31mthem\u202e"},
		{Name: "usehttppath", Status: Fail, Detail: "not true", Fix: "git config"},
	}}
	want := `ok    git         git 2.45.1
FAIL  helper      git does not ask git-credential-codecommit
      fix: git-credential-codecommit install
warn  credentials two\nlines, key [redacted]
      fix: renew \x1b[31mthem\u202e
FAIL  usehttppath not true
      fix: git config
a clone of ` + testURL + ` would fail: 2 problems
`
	var b bytes.Buffer
	r.WriteText(&b)
	if b.String() != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", b.String(), want)
	}

	r = Report{URL: testURL, OK: true, Checks: r.Checks[:1]}
	b.Reset()
	r.WriteText(&b)
	if want := "ok    git         git 2.45.1\na clone of " + testURL + " should work\n"; b.String() != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestDoctorSSOToken checks the report on the IAM Identity Center token of
// an SSO profile: its expiry, whether it renews itself, and the sign-in
// that fixes it.
func TestDoctorSSOToken(t *testing.T) {
	const tokenFile = testenv.SSOTokenFile
	in := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	for _, tc := range []struct {
		name string
		// token returns the token file, "" for none. cached first runs
		// doctor with a valid token, which caches role credentials.
		token  func(ic *fakeaws.IdentityCenter) string
		cached bool
		// status is that of the sso check, whose detail holds detail, then
		// a time and also when also is set; ok says doctor passes, fix that
		// the check names the sign-in.
		status       Status
		detail, also string
		ok, fix      bool
	}{{
		name: "renewable",
		token: func(ic *fakeaws.IdentityCenter) string {
			id, secret := ic.RegisterClient()
			access, refresh := ic.IssueToken()
			return fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q, "refreshToken": %q, "clientId": %q, "clientSecret": %q, "registrationExpiresAt": %q}`,
				access, in(time.Hour), refresh, id, secret, in(90*24*time.Hour))
		},
		status: OK, detail: `the IAM Identity Center token of SSO session "corp" expires at `, also: ", in 1h0m; the AWS SDK renews it with its refresh token", ok: true,
	}, {
		name: "renewed by the credentials check",
		token: func(ic *fakeaws.IdentityCenter) string {
			id, secret := ic.RegisterClient()
			access, refresh := ic.IssueToken()
			return fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q, "refreshToken": %q, "clientId": %q, "clientSecret": %q}`,
				access, in(-time.Hour), refresh, id, secret)
		},
		status: OK, detail: "expires at ", also: ", in 1h0m; the AWS SDK renews it with its refresh token", ok: true,
	}, {
		name: "refresh token refused",
		token: func(ic *fakeaws.IdentityCenter) string {
			id, secret := ic.RegisterClient()
			return fmt.Sprintf(`{"accessToken": "old", "expiresAt": %q, "refreshToken": "revoked", "clientId": %q, "clientSecret": %q}`, in(-time.Hour), id, secret)
		},
		status: Fail, detail: "expired at ", also: ", and its refresh token did not renew it", fix: true,
	}, {
		name: "only a sign-in renews it, soon",
		token: func(ic *fakeaws.IdentityCenter) string {
			access, _ := ic.IssueToken()
			return fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q}`, access, in(30*time.Minute))
		},
		status: Warn, detail: "expires at ", also: ", in 30m, and only a sign-in renews it", ok: true, fix: true,
	}, {
		name: "only a sign-in renews it",
		token: func(ic *fakeaws.IdentityCenter) string {
			access, _ := ic.IssueToken()
			return fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q}`, access, in(8*time.Hour))
		},
		status: OK, detail: "expires at ", also: ", in 8h0m; only a sign-in renews it", ok: true,
	}, {
		name:   "missing",
		token:  func(*fakeaws.IdentityCenter) string { return "" },
		status: Fail, detail: `the IAM Identity Center token of SSO session "corp" is missing: no /`, fix: true,
	}, {
		name: "expired, role credentials cached",
		token: func(*fakeaws.IdentityCenter) string {
			return fmt.Sprintf(`{"accessToken": "old", "expiresAt": %q}`, in(-time.Minute))
		},
		cached: true,
		status: Warn, detail: "expired at ", also: ", and only a sign-in renews it; git works with role credentials cached from it until ", ok: true, fix: true,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newDoctorWorld(t)
			w.install("--profile", "dev")
			w.ssoProfile()
			ic, err := fakeaws.StartIdentityCenter(fakeaws.NewKeys())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(ic.Close)
			ic.AllowRole("111122223333", "Developer")
			t.Setenv("AWS_ENDPOINT_URL_SSO", ic.URL)
			t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", ic.URL)
			if tc.cached {
				access, _ := ic.IssueToken()
				w.write(tokenFile, fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q}`, access, in(time.Hour)))
				if r := w.doctor(Options{URL: testURL}); !r.OK {
					t.Fatalf("failed checks %v with a valid token", failed(r))
				}
			}
			os.Remove(filepath.Join(w.home, tokenFile))
			if body := tc.token(ic); body != "" {
				w.write(tokenFile, body)
			}

			r := w.doctor(Options{URL: testURL})
			cs := find(r, "sso", tc.status)
			want := regexp.MustCompile(regexp.QuoteMeta(tc.detail))
			if tc.also != "" {
				want = regexp.MustCompile(regexp.QuoteMeta(tc.detail) + `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ` + regexp.QuoteMeta(tc.also))
			}
			if len(cs) != 1 || !want.MatchString(cs[0].Detail) {
				t.Fatalf("checks %+v\nwant an sso check %s matching %s", r.Checks, tc.status, want)
			}
			if fix := cs[0].Fix == "git-credential-codecommit login --profile dev"; fix != tc.fix || !tc.fix && cs[0].Fix != "" {
				t.Errorf("sso check fix %q; want the sign-in: %v", cs[0].Fix, tc.fix)
			}
			if r.OK != tc.ok {
				t.Errorf("OK %v, want %v; failed checks %v", r.OK, tc.ok, failed(r))
			}
		})
	}
}

// TestDoctorSSOTokenNotChecked checks that doctor reports no token for
// profiles without IAM Identity Center settings, nor when keys in the
// environment beat the SSO profile AWS_PROFILE names.
func TestDoctorSSOTokenNotChecked(t *testing.T) {
	w := newDoctorWorld(t)
	w.install()
	w.ssoProfile()
	for _, tc := range []struct{ profile, why string }{
		{"", "the credentials come from keys in the environment, not from IAM Identity Center"},
		{"dev", "the credentials come from keys in the environment, not from IAM Identity Center"},
	} {
		t.Setenv("AWS_PROFILE", tc.profile)
		r := w.doctor(Options{URL: testURL})
		if cs := find(r, "sso", Skip); !r.OK || len(cs) != 1 || !strings.Contains(cs[0].Detail, tc.why) ||
			slices.ContainsFunc(r.Checks, func(c Check) bool { return c.Name == "sso" && c.Status != Skip }) {
			t.Errorf("AWS_PROFILE=%q: failed checks %v, checks %+v; want the sso check skipped: %s", tc.profile, failed(r), r.Checks, tc.why)
		}
	}
}

// TestDoctorLocalHelpers: a repository's own .git/config can name any
// command as a credential helper. doctor does not run it unless Local is
// set; it lists it instead, and says how to include it.
func TestDoctorLocalHelpers(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	w.install()
	repo := filepath.Join(w.home, "repo")
	w.git("init", "-q", repo)
	marker := filepath.Join(w.home, "ran")
	w.git("-C", repo, "config", "credential.helper", "!touch "+marker+"; false")
	for _, local := range []bool{false, true} {
		os.Remove(marker)
		r := w.doctor(Options{URL: testURL, Dir: repo, Local: local})
		_, err := os.Stat(marker)
		if ran := err == nil; ran != local {
			t.Errorf("Local %v: the repository's helper ran: %v", local, ran)
		}
		listed := slices.ContainsFunc(r.Checks, func(c Check) bool {
			return c.Name == "helper" && c.Status == Warn && strings.Contains(c.Detail, "touch "+marker) && strings.Contains(c.Fix, "doctor --local")
		})
		if listed == local {
			t.Errorf("Local %v: the repository's helper listed: %v; checks %+v", local, listed, r.Checks)
		}
	}
}
