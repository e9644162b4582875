package cli

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclivectors"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The credentials and time of the first AWS CLI v2 vector
// (internal/awsclivectors); answer is what the AWS CLI printed
// for it, followed by our password_expiry_utc line (time + 14 minutes).
const (
	keyID  = "AKIA4AQIBOY1E7Q156WL"
	secret = "OVbsUKNpB/XxSWYbWuNCDTjAmCN7V/tehR51ILu/"
	answer = "username=AKIA4AQIBOY1E7Q156WL\n" +
		"password=20101008T000000Z859ee2578965e9d3c41822f0bbc04164e52b29278e54813d946f412d137a90b5\n" +
		"password_expiry_utc=1286496840\n"
	get1 = "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/myrepo\n"
)

var vectorTime = time.Date(2010, 10, 8, 0, 0, 0, 0, time.UTC)

// protoCase is one literal exchange: arguments, environment and files under
// HOME in; stdout, stderr and exit code out. "$HOME" in stderr stands for
// the test's home directory.
type protoCase struct {
	name   string
	args   []string
	env    map[string]string
	files  map[string]string
	stdin  string
	stdout string
	stderr string
	code   int
}

// envKeys are vector 1's keys in the environment.
var envKeys = map[string]string{"AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret}

func (tc protoCase) run(t *testing.T) {
	t.Helper()
	home := isolate(t)
	for k, v := range tc.env {
		t.Setenv(k, strings.ReplaceAll(v, "$HOME", home))
	}
	for name, body := range tc.files {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(body, "$HOME", home)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	c := testCLI(strings.NewReader(tc.stdin), &stdout, &stderr, func() time.Time { return vectorTime })
	code := c.run(tc.args)
	errText := strings.ReplaceAll(stderr.String(), home, "$HOME")
	if stdout.String() != tc.stdout || errText != tc.stderr || code != tc.code {
		t.Errorf("%s\nstdin:\n%s\ngot  exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d\nstdout:\n%s\nstderr:\n%s",
			tc.name, tc.stdin, code, stdout.String(), errText, tc.code, tc.stdout, tc.stderr)
	}
}

func TestProtocol(t *testing.T) {
	const missingPath = "git-credential-codecommit: git sent no repository path, which the password signs; run: git config --global credential.https://git-codecommit.us-east-1.amazonaws.com.useHttpPath true\n"
	for _, tc := range []protoCase{
		{name: "get", args: []string{"get"}, env: envKeys, stdin: get1, stdout: answer},
		{name: "port", args: []string{"get"}, env: envKeys,
			stdin:  "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com:443\npath=v1/repos/myrepo\n",
			stdout: answer},
		{name: "crlf", args: []string{"get"}, env: envKeys,
			stdin:  "protocol=https\r\nhost=git-codecommit.us-east-1.amazonaws.com\r\npath=v1/repos/myrepo\r\n\r\n",
			stdout: answer},
		{name: "url", args: []string{"get"}, env: envKeys,
			stdin:  "url=https://git-codecommit.us-east-1.amazonaws.com/v1/repos/myrepo\n",
			stdout: answer},
		{name: "url with port", args: []string{"get"}, env: envKeys,
			stdin:  "url=https://git-codecommit.us-east-1.amazonaws.com:443/v1/repos/myrepo/\n",
			stdout: answer},
		{name: "unknown keys", args: []string{"get"}, env: envKeys,
			stdin:  "capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\nwwwauth[]=Basic realm=\"CodeCommit\"\nusername=someone\npassword=stale\nfuture=yes\npath=v1/repos/myrepo\n",
			stdout: answer},
		{name: "blank line ends input", args: []string{"get"}, env: envKeys,
			stdin: get1 + "\nhost=evil.example\n", stdout: answer},
		{name: "flags after the operation", args: []string{"get", "--region", "eu-west-1"}, env: envKeys,
			stdin: get1, stdout: answer},
		{name: "static profile", args: []string{"--profile", "dev", "get"},
			files: map[string]string{".aws/credentials": "[dev]\naws_access_key_id = " + keyID + "\naws_secret_access_key = " + secret + "\n"},
			stdin: get1, stdout: answer},
		{name: "AWS_PROFILE", args: []string{"get"}, env: map[string]string{"AWS_PROFILE": "dev"},
			files: map[string]string{".aws/credentials": "[dev]\naws_access_key_id = " + keyID + "\naws_secret_access_key = " + secret + "\n"},
			stdin: get1, stdout: answer},
		{name: "--profile beats keys in the environment", args: []string{"--profile", "dev", "get"},
			env:   map[string]string{"AWS_ACCESS_KEY_ID": "AKIAOTHER", "AWS_SECRET_ACCESS_KEY": "other"},
			files: map[string]string{".aws/credentials": "[dev]\naws_access_key_id = " + keyID + "\naws_secret_access_key = " + secret + "\n"},
			stdin: get1, stdout: answer},
		{name: "environment keys need neither config files nor a CA bundle", args: []string{"get"},
			env: map[string]string{"AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "eu-west-1",
				"AWS_CA_BUNDLE": "/nonexistent/ca.pem", "AWS_CONFIG_FILE": "/nonexistent/config"},
			stdin: get1, stdout: answer},
		{name: "environment keys and a missing AWS_PROFILE", args: []string{"get"},
			env:    map[string]string{"AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "eu-west-1", "AWS_PROFILE": "nope"},
			stdin:  get1,
			stderr: `git-credential-codecommit: AWS profile "nope" does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile nope` + "\n", code: 1},
		{name: "missing path", args: []string{"get"}, env: envKeys,
			stdin:  "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\n",
			stderr: missingPath, code: 1},
		{name: "empty path", args: []string{"get"}, env: envKeys,
			stdin:  "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=\n",
			stderr: missingPath, code: 1},
		{name: "missing path with port", args: []string{"get"}, env: envKeys,
			stdin:  "url=https://git-codecommit.us-east-1.amazonaws.com:8443\n",
			stderr: "git-credential-codecommit: git sent no repository path, which the password signs; run: git config --global credential.https://git-codecommit.us-east-1.amazonaws.com:8443.useHttpPath true\n", code: 1},
		{name: "http", args: []string{"get"}, env: envKeys,
			stdin: "protocol=http\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/myrepo\n"},
		{name: "no protocol", args: []string{"get"}, env: envKeys,
			stdin: "host=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/myrepo\n"},
		{name: "http with --ignore-host-check", args: []string{"--ignore-host-check", "--region", "us-east-1", "get"}, env: envKeys,
			stdin: "protocol=http\nhost=example.com\npath=v1/repos/myrepo\n"},
		{name: "other host", args: []string{"get"}, env: envKeys,
			stdin: "protocol=https\nhost=github.com\npath=owner/repo\n"},
		{name: "oversized", args: []string{"get"}, env: envKeys,
			stdin:  get1 + "x=" + strings.Repeat("a", 1<<20) + "\n",
			stderr: "git-credential-codecommit: credential request is larger than 1048576 bytes; send git's credential format: see git help credential\n", code: 1},
		{name: "not key=value", args: []string{"get"}, env: envKeys,
			stdin:  "protocol=https\nhost git-codecommit.us-east-1.amazonaws.com\n",
			stderr: "git-credential-codecommit: credential request line 2 is not key=value; send git's credential format: see git help credential\n", code: 1},

		// --ignore-host-check: answers produced by aws-cli/1.45.11 under
		// faketime with the same keys, host and flags.
		{name: "ignore host check", args: []string{"--ignore-host-check", "--region", "us-east-1", "get"}, env: envKeys,
			stdin: "protocol=https\nhost=example.com\npath=v1/repos/myrepo\n",
			stdout: "username=AKIA4AQIBOY1E7Q156WL\n" +
				"password=20101008T000000Z0659de2f0f5c2873772dd2b7f928c09e25af4eef4bbe7041c4419db2917adae8\n" +
				"password_expiry_utc=1286496840\n"},
		{name: "ignore host check, region from AWS_REGION", args: []string{"get", "--ignore-host-check"},
			env:   map[string]string{"AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1"},
			stdin: "protocol=https\nhost=example.com\npath=v1/repos/myrepo\n",
			stdout: "username=AKIA4AQIBOY1E7Q156WL\n" +
				"password=20101008T000000Z0659de2f0f5c2873772dd2b7f928c09e25af4eef4bbe7041c4419db2917adae8\n" +
				"password_expiry_utc=1286496840\n"},
		{name: "ignore host check, region from profile", args: []string{"get", "--ignore-host-check"},
			env:   envKeys,
			files: map[string]string{".aws/config": "[default]\nregion = us-east-1\n"},
			stdin: "protocol=https\nhost=example.com\npath=v1/repos/myrepo\n",
			stdout: "username=AKIA4AQIBOY1E7Q156WL\n" +
				"password=20101008T000000Z0659de2f0f5c2873772dd2b7f928c09e25af4eef4bbe7041c4419db2917adae8\n" +
				"password_expiry_utc=1286496840\n"},
		{name: "host region beats --region", args: []string{"--ignore-host-check", "--region", "eu-west-1", "get"}, env: envKeys,
			stdin: get1, stdout: answer},
		{name: "ignore host check without region", args: []string{"--ignore-host-check", "get"}, env: envKeys,
			stdin:  "protocol=https\nhost=example.com\npath=v1/repos/myrepo\n",
			stderr: "git-credential-codecommit: no AWS region is set for profile \"default\"; set AWS_REGION, or region in the profile, or pass --region\n", code: 1},

		// Operations other than get.
		{name: "store", args: []string{"store"}, env: envKeys, stdin: get1 + "username=x\npassword=y\n"},
		{name: "erase", args: []string{"erase"}, env: envKeys, stdin: get1},
		{name: "unknown operation", args: []string{"frobnicate"}, env: envKeys, stdin: get1},
		{name: "capability", args: []string{"capability"}, stdout: "version 0\n"},
		// The report's text is versionText's, tested in buildinfo_test.go.
		{name: "version", args: []string{"version"}, stdout: versionReport(Build{})},
		{name: "--version", args: []string{"--version"}, stdout: versionReport(Build{})},
		{name: "help", args: []string{"--help"}, stdout: usageText()},
		{name: "no operation", args: nil, stderr: "git-credential-codecommit: no command given; see git-credential-codecommit --help\n", code: 2},
		{name: "bad flag", args: []string{"--profle", "dev", "get"}, stdin: get1,
			stderr: "git-credential-codecommit: flag provided but not defined: -profle; see git-credential-codecommit --help\n", code: 2},
	} {
		t.Run(tc.name, tc.run)
	}
}

// TestLookAlikeHosts feeds hosts that only resemble CodeCommit's: the helper
// must print nothing and exit 0 so that git asks its next helper. The AWS
// CLI signs for all but the last two.
func TestLookAlikeHosts(t *testing.T) {
	for _, host := range []string{
		"git-codecommit.us-east-1.amazonaws.com.evil.example",
		"git-codecommit.us-east-1.amazonaws.com.evil.example:443",
		"evilgit-codecommit.us-east-1.amazonaws.com",
		"git-codecommit.us-east-1.amazonaws.com.cn.evil.example",
		"git-codecommit.evil.example.amazonaws.com",
		"s3.amazonaws.com",
		"amazon.com",
		"git-codecommit.us-east-1.amazonaws.co",
		"example.com",
	} {
		protoCase{name: host, args: []string{"get"}, env: envKeys,
			stdin: "protocol=https\nhost=" + host + "\npath=v1/repos/myrepo\n"}.run(t)
	}
}

// TestAWSCLIVectorsThroughRun runs every AWS CLI vector through the whole
// program: each host form, with and without session token and port.
func TestAWSCLIVectorsThroughRun(t *testing.T) {
	for _, v := range awsclivectors.Load(t) {
		env := map[string]string{"AWS_ACCESS_KEY_ID": v.AccessKeyID, "AWS_SECRET_ACCESS_KEY": v.SecretAccessKey}
		if v.SessionToken != "" {
			env["AWS_SESSION_TOKEN"] = v.SessionToken
		}
		host, _, _ := strings.Cut(v.Host, ":")
		for _, in := range []string{
			fmt.Sprintf("protocol=https\nhost=%s\npath=%s\n", v.Host, v.Path),
			fmt.Sprintf("url=%s\n", v.URL()),
			// The port is not signed: every host form with and without one.
			fmt.Sprintf("protocol=https\nhost=%s\npath=%s\n", host, v.Path),
			fmt.Sprintf("protocol=https\nhost=%s:8443\npath=%s\n", host, v.Path),
		} {
			home := isolate(t)
			for k, val := range env {
				t.Setenv(k, val)
			}
			var stdout, stderr bytes.Buffer
			code := (testCLI(strings.NewReader(in), &stdout, &stderr, func() time.Time { return v.Time })).run([]string{"get"})
			want := fmt.Sprintf("username=%s\npassword=%s\npassword_expiry_utc=%d\n", v.Username, v.Password, v.Time.Unix()+14*60)
			if code != 0 || stdout.String() != want || stderr.Len() != 0 {
				t.Errorf("%s %s (home %s): exit %d\nstdout %q\nstderr %q\nwant %q", v.Time, v.Host, home, code, stdout.String(), stderr.String(), want)
			}
		}
		t.Setenv("AWS_SESSION_TOKEN", "")
	}
}

// TestNoNetworkWithEnvironmentCredentials points every network credential
// source at a loopback server and checks that none is asked when the
// environment holds keys.
func TestNoNetworkWithEnvironmentCredentials(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer srv.Close()
	protoCase{name: "env keys", args: []string{"get"},
		env: map[string]string{
			"AWS_ACCESS_KEY_ID":                  keyID,
			"AWS_SECRET_ACCESS_KEY":              secret,
			"AWS_EC2_METADATA_DISABLED":          "false",
			"AWS_EC2_METADATA_SERVICE_ENDPOINT":  srv.URL,
			"AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.URL + "/creds",
			"AWS_CONTAINER_AUTHORIZATION_TOKEN":  "token",
			"AWS_ENDPOINT_URL_STS":               srv.URL,
			"AWS_ENDPOINT_URL_SSO":               srv.URL,
			"AWS_ENDPOINT_URL_SSO_OIDC":          srv.URL,
		},
		stdin: get1, stdout: answer}.run(t)
	if n := hits.Load(); n != 0 {
		t.Fatalf("the helper made %d requests with credentials in the environment", n)
	}
}

// TestDebug checks the debug output line by line, and that no secret, token
// or signature is in it.
func TestDebug(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6"
	env := map[string]string{"AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token,
		"GIT_CREDENTIAL_CODECOMMIT_DEBUG": "1"}
	var stdout, stderr bytes.Buffer
	isolate(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	c := testCLI(strings.NewReader(get1), &stdout, &stderr, func() time.Time { return vectorTime })
	code := c.run([]string{"get"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := `git-credential-codecommit: debug: region us-east-1
git-credential-codecommit: debug: credential source EnvConfigCredentials, profile "default"
git-credential-codecommit: debug: access key id AKIA4AQIBOY1E7Q156WL
git-credential-codecommit: debug: canonical request:
    GIT
    /v1/repos/myrepo
    
    host:git-codecommit.us-east-1.amazonaws.com
    
    host
git-credential-codecommit: debug: string to sign:
    AWS4-HMAC-SHA256
    20101008T000000
    20101008/us-east-1/codecommit/aws4_request
    0f169102508b7893b784d846c6ae766f16405ea908fa7d6815b1b895b11ac8ad
git-credential-codecommit: debug: password_expiry_utc 2010-10-08T00:14:00Z
`
	if stderr.String() != want {
		t.Errorf("debug output:\n%s\nwant:\n%s", stderr.String(), want)
	}
	password := strings.TrimPrefix(strings.Split(stdout.String(), "\n")[1], "password=")
	for name, s := range map[string]string{"secret key": secret, "session token": token, "password": password, "signature": password[16:]} {
		if strings.Contains(stderr.String(), s) {
			t.Errorf("debug output holds the %s", name)
		}
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestCredentialErrors checks that each way of having no usable credentials
// gives one line that says what to do, and nothing on stdout.
func TestCredentialErrors(t *testing.T) {
	const ssoConfig = `[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = us-east-1
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Developer
`
	// sha1("corp") and sha1("https://legacy.awsapps.com/start"): the SDK's
	// token cache file names.
	const (
		corpToken   = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
		legacyToken = ".aws/sso/cache/79e435d7a515078e81c9dffc35f38d5687ebd3a7.json"
		expired     = `{"accessToken": "aoaAAAAAGexpiredTOKEN1234567890abcdefghijklmnop", "expiresAt": "2020-01-01T00:00:00Z"}`
	)
	process := func(json string) map[string]string {
		return map[string]string{
			".aws/config": "[profile proc]\ncredential_process = /bin/sh $HOME/proc.sh\n",
			"proc.sh":     "cat <<'EOF'\n" + json + "\nEOF\n",
		}
	}
	addr := closedAddr(t)
	for _, tc := range []protoCase{
		{name: "nothing configured",
			stderr: `git-credential-codecommit: no AWS credentials (not in the environment or profile "default"; EC2 metadata: disabled); run: aws configure, or git-credential-codecommit login` + "\n"},
		{name: "--profile does not exist", args: []string{"--profile", "nope"},
			files:  map[string]string{".aws/config": "[profile other]\nregion = us-east-1\n"},
			stderr: `git-credential-codecommit: AWS profile "nope" does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile nope` + "\n"},
		{name: "the missing profile names the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name",
			args:   []string{"--profile", "nope"},
			env:    map[string]string{"AWS_CONFIG_FILE": "$HOME/cfg/config", "AWS_SHARED_CREDENTIALS_FILE": "$HOME/cfg/creds"},
			files:  map[string]string{"cfg/config": "[profile other]\nregion = us-east-1\n"},
			stderr: `git-credential-codecommit: AWS profile "nope" does not exist in $HOME/cfg/config or $HOME/cfg/creds; check its name, or create it: aws configure --profile nope` + "\n"},
		{name: "AWS_PROFILE does not exist", env: map[string]string{"AWS_PROFILE": "nope"},
			stderr: `git-credential-codecommit: AWS profile "nope" does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile nope` + "\n"},
		{name: "SSO token missing", args: []string{"--profile", "dev"},
			files:  map[string]string{".aws/config": ssoConfig},
			stderr: `git-credential-codecommit: the SSO session of profile "dev" has expired or is missing (no cached token: not signed in on this machine); run: git-credential-codecommit login --profile dev` + "\n"},
		{name: "SSO token expired, no refresh token", env: map[string]string{"AWS_PROFILE": "dev"},
			files:  map[string]string{".aws/config": ssoConfig, corpToken: expired},
			stderr: `git-credential-codecommit: the SSO session of profile "dev" has expired or is missing (the cached token has expired, and cannot be refreshed); run: git-credential-codecommit login --profile dev` + "\n"},
		{name: "legacy SSO token expired", args: []string{"--profile", "legacy"},
			files:  map[string]string{".aws/config": ssoConfig, legacyToken: expired},
			stderr: `git-credential-codecommit: the SSO session of profile "legacy" has expired or is missing (the cached token has expired); run: git-credential-codecommit login --profile legacy` + "\n"},
		{name: "container endpoint unreachable",
			env:    map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://" + addr + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t0ken"},
			stderr: fmt.Sprintf(`git-credential-codecommit: no credentials from the container endpoint (%s: connection refused); check AWS_CONTAINER_CREDENTIALS_*_URI, its token and the task's role`, addr) + "\n"},
		{name: "instance metadata unreachable",
			env:    map[string]string{"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://" + addr},
			stderr: `git-credential-codecommit: no AWS credentials (not in the environment or profile "default"; EC2 metadata: connection refused); run: aws configure, or git-credential-codecommit login` + "\n"},
		{name: "credential_process prints a secret in broken JSON", args: []string{"--profile", "proc"},
			files:  process(`{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",`),
			stderr: `git-credential-codecommit: credential_process of profile "proc" failed (its output is not the JSON credential_process must print); run it by hand to see why` + "\n"},
		{name: "credentials already expired", args: []string{"--profile", "proc"},
			files:  process(`{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2010-10-07T23:59:59Z"}`),
			stderr: "git-credential-codecommit: the AWS credentials from ProcessProvider expired at 2010-10-07T23:59:59Z; refresh them and retry\n"},
		{name: "newline in a credential", args: []string{"--profile", "proc"},
			files:  process(`{"Version": 1, "AccessKeyId": "AKIAPROC\npassword=injected", "SecretAccessKey": "s"}`),
			stderr: "git-credential-codecommit: the AWS credentials from ProcessProvider hold a newline or NUL byte (git's credential protocol cannot carry them); fix their source\n"},
	} {
		tc.args = append(tc.args, "get")
		tc.stdin, tc.code = get1, 1
		t.Run(tc.name, tc.run)
	}
}

// TestExpiryCappedByCredentials checks that password_expiry_utc is never
// later than the credentials' own expiry.
func TestExpiryCappedByCredentials(t *testing.T) {
	protoCase{name: "short-lived credentials", args: []string{"--profile", "proc", "get"},
		files: map[string]string{
			".aws/config": "[profile proc]\ncredential_process = /bin/sh $HOME/proc.sh\n",
			"proc.sh":     "cat <<'EOF'\n" + `{"Version": 1, "AccessKeyId": "` + keyID + `", "SecretAccessKey": "` + secret + `", "Expiration": "2010-10-08T00:05:00Z"}` + "\nEOF\n",
		},
		stdin:  get1,
		stdout: strings.Replace(answer, "1286496840", "1286496300", 1),
	}.run(t)
}

// usageText is the program's help.
func usageText() string {
	var b strings.Builder
	new(cli).usage(&b)
	return b.String()
}

// TestHelp checks that every command prints its own help on stdout and
// exits 0 for -h, --help and help COMMAND, and that the program's help
// lists every command with its short line.
func TestHelp(t *testing.T) {
	usage := usageText()
	if !strings.HasPrefix(usage, "usage: git-credential-codecommit [flags] <command> [flags]\n") {
		t.Errorf("the help starts:\n%s", usage)
	}
	for _, cmd := range commands {
		if !strings.Contains(usage, fmt.Sprintf("\n  %-11s %s\n", cmd.name, cmd.short)) {
			t.Errorf("the help does not list %s", cmd.name)
		}
		for _, args := range [][]string{{cmd.name, "-h"}, {cmd.name, "--help"}, {"help", cmd.name}, {"--profile", "dev", cmd.name, "-help"}} {
			var stdout, stderr bytes.Buffer
			c := testCLI(strings.NewReader(""), &stdout, &stderr, time.Now)
			code := c.run(args)
			out := stdout.String()
			if code != 0 || stderr.Len() != 0 || !strings.HasPrefix(out, "usage: git-credential-codecommit "+cmd.name) ||
				!strings.Contains(out, "\n\n"+strings.TrimSpace(cmd.long)+"\n") {
				t.Errorf("%q: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, stderr.String())
			}
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"install", "--globl"}, "git-credential-codecommit: flag provided but not defined: -globl; see git-credential-codecommit install -h\n"},
		{[]string{"doctor", "--jsno"}, "git-credential-codecommit: flag provided but not defined: -jsno; see git-credential-codecommit doctor -h\n"},
		{[]string{"get", "--profle", "x"}, "git-credential-codecommit: flag provided but not defined: -profle; see git-credential-codecommit get -h\n"},
		{[]string{"login", "extra"}, "git-credential-codecommit: login takes no arguments, got \"extra\"; see git-credential-codecommit login -h\n"},
		{[]string{"help", "nothing"}, "git-credential-codecommit: no command \"nothing\"; see git-credential-codecommit --help\n"},
	} {
		var stdout, stderr bytes.Buffer
		c := testCLI(strings.NewReader(""), &stdout, &stderr, time.Now)
		if code := c.run(tc.args); code != 2 || stdout.Len() != 0 || stderr.String() != tc.want {
			t.Errorf("%q: exit %d\nstdout %q\nstderr %q\nwant exit 2 and %q", tc.args, code, stdout.String(), stderr.String(), tc.want)
		}
	}
}

// TestDebugShowsTheSDKsWords checks that a short error line keeps the
// SDK's whole reason for --debug.
func TestDebugShowsTheSDKsWords(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	var stdout, stderr bytes.Buffer
	c := testCLI(strings.NewReader(get1), &stdout, &stderr, time.Now)
	if code := c.run([]string{"--debug", "get"}); code != 1 || stdout.Len() != 0 {
		t.Fatalf("exit %d, stdout %q", code, stdout.String())
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	want := "git-credential-codecommit: debug: in full: no EC2 IMDS role found, operation error ec2imds: GetMetadata, access disabled to EC2 IMDS via client option, or \"AWS_EC2_METADATA_DISABLED\" environment variable"
	if len(lines) < 2 || !slices.Contains(lines, want) || !strings.HasPrefix(lines[len(lines)-1], "git-credential-codecommit: no AWS credentials (") {
		t.Errorf("stderr:\n%s\nwant a debug line %q and then the error", stderr.String(), want)
	}
}

// testCLI is a run of the program with the given streams and clock.
func testCLI(stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) *cli {
	c := newCLI(Build{}, stdin, stdout, stderr)
	c.now = now
	return c
}

// isolate is testenv.Isolate with a home whose path is as short as a
// user's (/tmp/hNNNN): the lines that name files under it are then as long
// as a user sees them.
func isolate(t *testing.T) string {
	t.Helper()
	testenv.Isolate(t)
	home, err := os.MkdirTemp("", "h")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	for _, kv := range testenv.Baseline(home) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return home
}
