// Package e2e drives real git and npm through the built helper against
// loopback fakes of CodeCommit and of every AWS credential source.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakecodecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestMain hands over to the browser stand-in when started as xdg-open.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "xdg-open" { // the browser stand-in
		os.Exit(browse())
	}
	// Most of these tests wait on other programs (git, the package
	// managers, Wine) more than they use the CPU: unless -parallel says
	// otherwise, run twice its default at once.
	flag.Parse()
	parallel := false
	flag.Visit(func(f *flag.Flag) { parallel = parallel || f.Name == "test.parallel" })
	if !parallel {
		flag.Set("test.parallel", strconv.Itoa(2*runtime.GOMAXPROCS(0)))
	}
	testenv.Main(m)
}

const (
	host    = "git-codecommit.us-east-1.amazonaws.com"
	repoURL = "https://" + host + "/v1/repos/"
	// scope is the configuration README.md tells users to write.
	scope = "credential.https://git-codecommit.*.amazonaws.com"
	// commandTimeout bounds every command, so that a hang fails the test
	// instead of stalling the suite. The SDK's own time-outs are shorter.
	commandTimeout = 2 * time.Minute
)

// world is one isolated machine: an empty home, git configured as README.md
// says (plus the fake's proxy and CA; newBareWorld leaves the helper out), a
// fake CodeCommit, and the registry of keys every fake shares.
type world struct {
	t     *testing.T
	home  string
	keys  *fakeaws.Keys
	cc    *fakecodecommit.Server
	env   []string // on top of testenv.Baseline, for every command
	unset []string // variables of testenv.Baseline to remove, for every command
}

// newWorld is a world whose git uses the helper, with helperArgs, as
// README.md says.
func newWorld(t *testing.T, helperArgs ...string) *world {
	t.Helper()
	w := newBareWorld(t)
	helper := strings.Join(append([]string{testenv.HelperBinary(t)}, helperArgs...), " ")
	w.git("config", "--global", scope+".helper", "")
	w.git("config", "--global", "--add", scope+".helper", helper)
	w.git("config", "--global", scope+".useHttpPath", "true")
	return w
}

// newBareWorld is a world whose git reaches the fake CodeCommit (its proxy
// and CA) and has a user, but has no credential helper configured.
func newBareWorld(t *testing.T) *world {
	t.Helper()
	keys := fakeaws.NewKeys()
	cc, err := fakecodecommit.Start(fakecodecommit.Options{Lookup: keys.Lookup})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cc.Close)
	w := &world{t: t, home: t.TempDir(), keys: keys, cc: cc}
	// Written at once rather than by eight git config runs: worlds are
	// many, and processes are most of the suite's time. Debian's curl
	// (GnuTLS) also reads every certificate of its default CA directory in
	// each git HTTPS process, about 50 ms of CPU each time: an empty
	// sslCAPath makes the test CA the only one trusted, and saves it. Git's
	// automatic maintenance after fetches and pushes is nothing under test.
	testenv.WriteFile(t, w.home, ".gitconfig", fmt.Sprintf(`[http]
	proxy = %s
	sslCAInfo = %s
	sslCAPath = %s
[user]
	name = E2E Test
	email = e2e@example.com
[init]
	defaultBranch = main
[maintenance]
	auto = false
[gc]
	auto = 0
`, gitValue(t, cc.ProxyURL), gitValue(t, cc.CAFile), gitValue(t, t.TempDir())))
	return w
}

// gitValue is s as a value in a git configuration file. The values a world
// writes are URLs and temporary paths, which need no quoting: it refuses
// the rest rather than spell them wrong.
func gitValue(t *testing.T, s string) string {
	if strings.ContainsAny(s, "\"\\#;\n") || strings.TrimSpace(s) != s {
		t.Fatalf("%q needs quoting in a git configuration file", s)
	}
	return s
}

func (w *world) setenv(kv ...string) { w.env = append(w.env, kv...) }

// unsetenv removes variables of the baseline from every command, as
// GIT_CONFIG_NOSYSTEM for a world with a system configuration.
func (w *world) unsetenv(names ...string) { w.unset = append(w.unset, names...) }

// write creates a file under home (0600; directories 0700).
func (w *world) write(name, body string) string {
	w.t.Helper()
	p := filepath.Join(w.home, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		w.t.Fatal(err)
	}
	return p
}

// run runs a command in the world and returns its output and exit code.
func (w *world) run(dir, stdin, name string, args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	stdout, stderr, code, err := w.start(dir, stdin, name, args...)
	if err != nil {
		w.t.Fatal(err)
	}
	return stdout, stderr, code
}

// start is run for any goroutine: it returns what went wrong instead of
// failing the test.
func (w *world) start(dir, stdin, name string, args ...string) (stdout, stderr string, code int, err error) {
	return w.startWatched(dir, stdin, nil, name, args...)
}

// startWatched is start that also writes the command's stderr, as it comes,
// to watch (when not nil).
func (w *world) startWatched(dir, stdin string, watch io.Writer, name string, args ...string) (stdout, stderr string, code int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := w.command(ctx, dir, stdin, name, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if watch != nil {
		cmd.Stderr = io.MultiWriter(&e, watch)
	}
	err = cmd.Run()
	if ctx.Err() != nil {
		return "", "", 0, fmt.Errorf("%s %s: still running after %s\nstderr:\n%s", name, strings.Join(args, " "), commandTimeout, e.String())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		return "", "", 0, fmt.Errorf("%s: %v", name, err)
	}
	return o.String(), e.String(), code, nil
}

// command is the command line name args in the world, in dir (home when
// empty), with stdin.
func (w *world) command(ctx context.Context, dir, stdin, name string, args ...string) *exec.Cmd {
	cmd := testenv.CommandContext(ctx, w.home, w.env, name, args...)
	cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains(w.unset, k)
	})
	if dir != "" {
		cmd.Dir = dir
	}
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// git runs git in home and fails the test if git fails.
func (w *world) git(args ...string) string {
	w.t.Helper()
	return w.gitIn("", args...)
}

func (w *world) gitIn(dir string, args ...string) string {
	w.t.Helper()
	out, errOut, code := w.run(dir, "", "git", args...)
	if code != 0 {
		w.t.Fatalf("git %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// get runs the helper's get for repo, as git would.
func (w *world) get(repo string, args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	return w.run("", "protocol=https\nhost="+host+"\npath=v1/repos/"+repo+"\n\n",
		testenv.HelperBinary(w.t), append(args, "get")...)
}

// roundTrip creates repo on the fake and, through the helper, clones it,
// commits, pushes, fetches and clones again.
func (w *world) roundTrip(repo string) {
	w.t.Helper()
	if err := w.cc.CreateRepo(repo); err != nil {
		w.t.Fatal(err)
	}
	w.roundTripURL(repoURL+repo, repo)
}

// roundTripURL clones the existing, empty repo from url, commits, pushes,
// fetches and clones again.
func (w *world) roundTripURL(url, repo string) {
	w.t.Helper()
	work := filepath.Join(w.home, repo+"-work")
	w.git("clone", url, work)
	if err := os.WriteFile(filepath.Join(work, "README"), []byte("hello from "+repo+"\n"), 0o644); err != nil {
		w.t.Fatal(err)
	}
	w.gitIn(work, "add", "README")
	w.gitIn(work, "commit", "-m", "first")
	w.gitIn(work, "push", "origin", "HEAD:main")
	w.gitIn(work, "fetch", "origin")
	again := filepath.Join(w.home, repo+"-again")
	w.git("clone", url, again)
	b, err := os.ReadFile(filepath.Join(again, "README"))
	if err != nil || string(b) != "hello from "+repo+"\n" {
		w.t.Fatalf("the second clone has README %q (%v)", b, err)
	}
}

// assertSignedBy checks that the fake CodeCommit accepted requests, refused
// none, and that every one was signed with a key for which want is true.
// Requests without credentials, answered 401, are how git learns it must ask
// its helper; they are skipped.
func (w *world) assertSignedBy(want func(accessKeyID string) bool) {
	w.t.Helper()
	w.assertSignedSince(0, want)
}

// assertSignedSince is assertSignedBy for the verdicts from the from'th on.
func (w *world) assertSignedSince(from int, want func(accessKeyID string) bool) {
	w.t.Helper()
	signed := 0
	for _, v := range w.cc.Verdicts()[from:] {
		if v.Status == 401 && v.AccessKeyID == "" {
			continue
		}
		signed++
		if v.Status >= 400 || !want(v.AccessKeyID) {
			w.t.Errorf("request %s %s by %s: status %d %s", v.Method, v.Path, v.AccessKeyID, v.Status, v.Reason)
		}
	}
	if signed == 0 {
		w.t.Fatal("the fake CodeCommit saw no signed request")
	}
}

func known(keys *fakeaws.Keys, id string) bool {
	_, _, ok := keys.Lookup(id)
	return ok
}

func is(id string) func(string) bool { return func(k string) bool { return k == id } }

// issuedBy reports whether an access key was issued by one of calls.
func issuedBy(calls func() []fakeaws.Call, action string) func(string) bool {
	return func(k string) bool {
		for _, c := range calls() {
			if c.Action == action && c.Issued == k {
				return true
			}
		}
		return false
	}
}

// oneLine checks the helper's answer to a failed get: nothing on stdout, exit
// status 1, and one line on stderr that holds every want.
func oneLine(t *testing.T, stdout, stderr string, code int, want ...string) {
	t.Helper()
	if stdout != "" || code != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "git-credential-codecommit: ") {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	for _, s := range want {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr %q lacks %q", stderr, s)
		}
	}
}

func TestEnvironmentKeysWithSessionToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.keys.Issue("ASIAENV", time.Now().Add(time.Hour))
	w.setenv("AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey, "AWS_SESSION_TOKEN="+c.SessionToken)
	w.roundTrip("env")
	w.assertSignedBy(is(c.AccessKeyID))
}

func TestStaticProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := fakeaws.Credentials{AccessKeyID: "AKIASTATICPROFILE001", SecretAccessKey: "static/secret+key0000000000000000000000"}
	w.keys.Add(c)
	w.write(".aws/credentials", "[default]\naws_access_key_id = "+c.AccessKeyID+"\naws_secret_access_key = "+c.SecretAccessKey+"\n")
	w.roundTrip("static")
	w.assertSignedBy(is(c.AccessKeyID))
}

// startSTS starts the STS fake and points the world's SDK at it.
func (w *world) startSTS() *fakeaws.STS {
	w.t.Helper()
	sts, err := fakeaws.StartSTS(w.keys)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(sts.Close)
	w.setenv("AWS_ENDPOINT_URL_STS=" + sts.URL)
	return sts
}

const roleARN = "arn:aws:iam::111122223333:role/Deploy"

// assumeRoleProfile writes a "deploy" profile that assumes roleARN from the
// static keys of a "base" profile, and returns those keys.
func (w *world) assumeRoleProfile() fakeaws.Credentials {
	base := fakeaws.Credentials{AccessKeyID: "AKIABASEPROFILE00001", SecretAccessKey: "base/secret+key00000000000000000000000000"}
	w.keys.Add(base)
	w.write(".aws/credentials", "[base]\naws_access_key_id = "+base.AccessKeyID+"\naws_secret_access_key = "+base.SecretAccessKey+"\n")
	w.write(".aws/config", "[profile deploy]\nrole_arn = "+roleARN+"\nsource_profile = base\nrole_session_name = e2e\n")
	return base
}

func TestAssumeRoleProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sts := w.startSTS()
	base := w.assumeRoleProfile()
	w.setenv("AWS_PROFILE=deploy")
	w.roundTrip("assume")
	w.assertSignedBy(issuedBy(sts.Callers, "AssumeRole"))
	for _, c := range sts.Callers() {
		if c.AccessKeyID != base.AccessKeyID || c.RoleARN != roleARN {
			t.Errorf("STS call %+v: want the base key assuming %s", c, roleARN)
		}
	}
}

func TestWebIdentity(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sts := w.startSTS()
	sts.SetWebIdentityToken("eyJhbGciOiJSUzI1NiJ9.e2e.signature")
	tokenFile := w.write("token", "eyJhbGciOiJSUzI1NiJ9.e2e.signature")
	w.setenv("AWS_WEB_IDENTITY_TOKEN_FILE="+tokenFile, "AWS_ROLE_ARN="+roleARN, "AWS_ROLE_SESSION_NAME=e2e")
	w.roundTrip("webid")
	w.assertSignedBy(issuedBy(sts.Callers, "AssumeRoleWithWebIdentity"))
}

func TestContainerCredentials(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ct, err := fakeaws.StartContainer(w.keys, "container-auth-token")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ct.Close)
	tokenFile := w.write("container-token", "container-auth-token") // no newline: the SDK rejects one
	w.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI="+ct.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="+tokenFile)
	w.roundTrip("container")
	w.assertSignedBy(func(k string) bool { return strings.HasPrefix(k, "ASIACONT") && known(w.keys, k) })
	if ct.Requests() == 0 {
		t.Fatal("the container endpoint was never asked")
	}
}

// startIMDS starts the instance metadata fake and enables IMDS for the world.
func (w *world) startIMDS() *fakeaws.IMDS {
	w.t.Helper()
	imds, err := fakeaws.StartIMDS(w.keys, "build-role")
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(imds.Close)
	w.setenv("AWS_EC2_METADATA_DISABLED=false", "AWS_EC2_METADATA_SERVICE_ENDPOINT="+imds.URL)
	return imds
}

func TestInstanceMetadata(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	imds := w.startIMDS()
	w.roundTrip("imds")
	w.assertSignedBy(is(imds.Issued().AccessKeyID))
	if imds.CredentialFetches() == 0 {
		t.Fatal("the role's credentials were never fetched from IMDS")
	}
}

// ssoWorld is a world with a "dev" profile on IAM Identity Center.
func ssoWorld(t *testing.T) (*world, *fakeaws.IdentityCenter) {
	w := newWorld(t)
	ic, err := fakeaws.StartIdentityCenter(w.keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ic.Close)
	ic.AllowRole("111122223333", "Developer")
	w.write(".aws/config", `[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = us-east-1
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`)
	w.setenv("AWS_ENDPOINT_URL_SSO="+ic.URL, "AWS_ENDPOINT_URL_SSO_OIDC="+ic.URL, "AWS_PROFILE=dev")
	return w, ic
}

// ssoCache is the SDK's token cache file for the "corp" session:
// ~/.aws/sso/cache/ + hex(sha1("corp")) + ".json".
const ssoCache = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"

func ssoIssued(k string) bool { return strings.HasPrefix(k, "ASIASSO") }

func TestSSOValidToken(t *testing.T) {
	t.Parallel()
	w, ic := ssoWorld(t)
	access, _ := ic.IssueToken()
	w.write(ssoCache, fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q, "region": "us-east-1", "startUrl": "https://corp.awsapps.com/start"}`,
		access, time.Now().Add(8*time.Hour).UTC().Format(time.RFC3339)))
	w.roundTrip("sso")
	w.assertSignedBy(func(k string) bool { return ssoIssued(k) && known(w.keys, k) })
	if ic.Calls("CreateToken") != 0 {
		t.Errorf("a valid token was refreshed %d times", ic.Calls("CreateToken"))
	}
}

func TestSSORefresh(t *testing.T) {
	t.Parallel()
	w, ic := ssoWorld(t)
	id, secret := ic.RegisterClient()
	access, refresh := ic.IssueToken()
	w.write(ssoCache, fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q, "refreshToken": %q, "clientId": %q, "clientSecret": %q, "registrationExpiresAt": %q, "region": "us-east-1", "startUrl": "https://corp.awsapps.com/start"}`,
		access, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), refresh, id, secret, time.Now().Add(30*24*time.Hour).UTC().Format(time.RFC3339)))
	w.roundTrip("sso-refresh")
	w.assertSignedBy(func(k string) bool { return ssoIssued(k) && known(w.keys, k) })
	if ic.Calls("CreateToken") == 0 {
		t.Error("the expired token was not refreshed through SSO-OIDC")
	}
}

func TestSSOExpiredNoRefresh(t *testing.T) {
	t.Parallel()
	w, ic := ssoWorld(t)
	access, _ := ic.IssueToken()
	w.write(ssoCache, fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q}`, access, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)))
	stdout, stderr, code := w.get("sso")
	oneLine(t, stdout, stderr, code, `profile "dev" has expired or is missing`, "run: git-credential-codecommit login --profile dev")

	// Through git, the same line reaches the user and the clone fails.
	if err := w.cc.CreateRepo("sso"); err != nil {
		t.Fatal(err)
	}
	_, gitErr, gitCode := w.run("", "", "git", "clone", repoURL+"sso", filepath.Join(w.home, "sso"))
	if gitCode == 0 || !strings.Contains(gitErr, "run: git-credential-codecommit login --profile dev") {
		t.Fatalf("git clone: exit %d\n%s", gitCode, gitErr)
	}
	if ic.Calls("GetRoleCredentials") != 0 {
		t.Error("role credentials were asked for with an expired token")
	}
}

func TestCredentialProcess(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.keys.Issue("ASIAPROC", time.Now().Add(time.Hour))
	script := w.write("creds.sh", fmt.Sprintf("cat <<'EOF'\n"+`{"Version": 1, "AccessKeyId": %q, "SecretAccessKey": %q, "SessionToken": %q, "Expiration": %q}`+"\nEOF\n",
		c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expiration.UTC().Format(time.RFC3339)))
	w.write(".aws/config", "[profile proc]\ncredential_process = /bin/sh "+script+"\n")
	w.setenv("AWS_PROFILE=proc")
	w.roundTrip("process")
	w.assertSignedBy(is(c.AccessKeyID))
}

// Faults: each gives one line that says what to do, prints no credentials,
// and ends within the SDK's own time-outs.

func TestSTSRetriesAfter500(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sts := w.startSTS()
	w.assumeRoleProfile()
	sts.FailNext(fakeaws.Fault{Status: 500, Code: "InternalFailure", Message: "try again"})
	stdout, stderr, code := w.get("r", "--profile", "deploy")
	if code != 0 || !strings.HasPrefix(stdout, "username=ASIASTS") {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if n := sts.Calls("AssumeRole"); n != 2 {
		t.Errorf("%d AssumeRole calls, want 2 (one failure, one retry)", n)
	}
}

func TestSTSRefuses(t *testing.T) {
	t.Parallel()
	for _, f := range []fakeaws.Fault{
		{Status: 400, Code: "ExpiredTokenException", Message: "The security token included in the request is expired"},
		{Status: 403, Code: "AccessDenied", Message: "User is not authorized to perform: sts:AssumeRole"},
	} {
		t.Run(f.Code, func(t *testing.T) {
			w := newWorld(t)
			sts := w.startSTS()
			base := w.assumeRoleProfile()
			sts.FailNext(f)
			stdout, stderr, code := w.get("r", "--profile", "deploy")
			oneLine(t, stdout, stderr, code, `assuming the role of profile "deploy" failed`, f.Code, "check role_arn")
			if strings.Contains(stderr, base.SecretAccessKey) {
				t.Errorf("stderr holds the source's secret key: %s", stderr)
			}
			if n := sts.Calls("AssumeRole"); n != 1 {
				t.Errorf("%d AssumeRole calls, want 1: %s is not worth a retry", n, f.Code)
			}
		})
	}
}

func TestContainerEndpointRefuses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ct, err := fakeaws.StartContainer(w.keys, "the-right-token")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ct.Close)
	w.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI="+ct.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN=a-wrong-token")
	stdout, stderr, code := w.get("r")
	oneLine(t, stdout, stderr, code, "no credentials from the container endpoint", "AccessDeniedException", "its token")
	if strings.Contains(stderr, "a-wrong-token") || strings.Contains(stderr, "the-right-token") {
		t.Errorf("stderr holds the authorization token: %s", stderr)
	}
}

func TestMalformedCredentialsFile(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"unclosed section": "[default\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\n",
		"no section":       "aws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\n",
		"half a key pair":  "[default]\naws_access_key_id = AKIAEXAMPLE\n",
		"binary":           "\x00\x01\x02[\xff\xfe",
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.write(".aws/credentials", body)
			stdout, stderr, code := w.get("r")
			oneLine(t, stdout, stderr, code, `profile "default"`)
			if strings.Contains(stderr, "c2VjcmV0") {
				t.Errorf("stderr holds the secret key: %s", stderr)
			}
		})
	}
}
