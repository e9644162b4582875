package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
)

// TestEscapedErrors feeds hosts, URLs and profile names with newlines,
// terminal escapes and bidi overrides: each error stays one line, with
// those characters shown escaped.
func TestEscapedErrors(t *testing.T) {
	const notExist = ` does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile `
	for _, tc := range []protoCase{
		{name: "host under --ignore-host-check", args: []string{"--ignore-host-check", "--region", "us-east-1", "get"}, env: envKeys,
			stdin:  "protocol=https\nhost=evil\x1b[31m.example\u202e\n",
			stderr: `git-credential-codecommit: git sent no repository path, which the password signs; run: git config --global credential.https://evil\x1b[31m.example\u202e.useHttpPath true` + "\n", code: 1},
		{name: "newline in --profile", args: []string{"--profile", "de\nv", "get"},
			stdin:  get1,
			stderr: `git-credential-codecommit: AWS profile "de\nv"` + notExist + `de\nv` + "\n", code: 1},
		// (Files of short names keep the line whole: see TestFailureLines
		// for the shortening of long ones.)
		{name: "escape in AWS_PROFILE", args: []string{"get"},
			env:    map[string]string{"AWS_PROFILE": "a\x1b[K\u0085", "AWS_CONFIG_FILE": "$HOME/c", "AWS_SHARED_CREDENTIALS_FILE": "$HOME/k"},
			stdin:  get1,
			stderr: `git-credential-codecommit: AWS profile "a\x1b[K\u0085" does not exist in $HOME/c or $HOME/k; check its name, or create it: aws configure --profile a\x1b[K\u0085` + "\n", code: 1},
		{name: "encoded newline in url=", args: []string{"get"}, env: envKeys,
			stdin:  "url=https://git-codecommit.us-east-1.amazonaws.com/v1/repos/a%0Ab\n",
			stderr: "git-credential-codecommit: credential request line 1: url= holds an escaped line break or NUL byte; check the repository's URL\n", code: 1},
		{name: "newline in a command's argument", args: []string{"login", "x\ny"},
			stderr: `git-credential-codecommit: login takes no arguments, got "x\ny"; see git-credential-codecommit login -h` + "\n", code: 2},
	} {
		t.Run(tc.name, tc.run)
	}
}

// TestDebugEscaped checks that --debug escapes the host and path inside the
// canonical request, and keeps its layout.
func TestDebugEscaped(t *testing.T) {
	isolate(t)
	for k, v := range envKeys {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	c := testCLI(strings.NewReader("protocol=https\nhost=ex\x1b[2Jample.com\npath=v1/repos/r\u202e\u009b\x9b\n"),
		&stdout, &stderr, func() time.Time { return vectorTime })
	if code := c.run([]string{"--debug", "--ignore-host-check", "--region", "us-east-1", "get"}); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := `git-credential-codecommit: debug: canonical request:
    GIT
    /v1/repos/r\u202e\u009b\x9b
    
    host:ex\x1b[2Jample.com
    
    host
`
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("debug output:\n%s\nlacks:\n%s", stderr.String(), want)
	}
	// Everything printed is printable ASCII: each of those characters came
	// out escaped.
	for _, b := range stderr.Bytes() {
		if b != '\n' && (b < 0x20 || b >= 0x7f) {
			t.Fatalf("debug output holds the byte %#x: %q", b, stderr.String())
		}
	}
}

// TestRedactedServiceError has STS refuse AssumeRole with a message that
// quotes the source profile's secret key (no digits, under 32 characters,
// which the old pattern missed) and its access key id: the secret is
// redacted, the access key id is not.
func TestRedactedServiceError(t *testing.T) {
	const (
		baseID     = "AKIABASEPROFILE00001"
		baseSecret = "NoDigitsSecretKey/Value+"
	)
	keys := fakeaws.NewKeys()
	keys.Add(fakeaws.Credentials{AccessKeyID: baseID, SecretAccessKey: baseSecret})
	sts, err := fakeaws.StartSTS(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	sts.FailNext(fakeaws.Fault{Status: 403, Code: "AccessDenied", Message: "no: " + baseID + " " + baseSecret})
	protoCase{name: "STS quotes the secret", args: []string{"--profile", "deploy", "get"},
		env: map[string]string{"AWS_ENDPOINT_URL_STS": sts.URL},
		files: map[string]string{
			".aws/credentials": "[base]\naws_access_key_id = " + baseID + "\naws_secret_access_key = " + baseSecret + "\n",
			".aws/config":      "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = base\n",
		},
		stdin:  get1,
		stderr: `git-credential-codecommit: assuming the role of profile "deploy" failed (AccessDenied: no: ` + baseID + ` [redacted]); check role_arn and that the source credentials may assume it` + "\n",
		code:   1,
	}.run(t)
}
