package doctor

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

func TestClassifyHelper(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
		{Name: "sso", Status: Skip, Detail: "not a profile on IAM Identity Center"}, // left out of the text
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
