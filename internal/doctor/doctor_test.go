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
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

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
