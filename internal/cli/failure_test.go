package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// failureRow is one way a command fails, run through Main: its command
// line, environment and files under HOME, and the one line it must print
// on stderr. In args, env, files and want, "$HOME" stands for the home
// directory and "$ADDR" for a loopback address that refuses connections.
type failureRow struct {
	name  string
	argv0 string // the program's path; the installed helper's when empty
	args  []string
	env   map[string]string
	files map[string]string
	stdin string
	dir   string // the working directory, when not the package's
	code  int
	// want is the line on stderr. When cut is set instead, the line is
	// one that failure.Line shortened: exactly MaxLine characters, with
	// cut[0] at its start, an ellipsis, and cut[1] at its end.
	want string
	cut  [2]string
	// debug, with --debug given, is the start of the debug line that comes
	// before the error line: the wrapped error, whole.
	debug  string
	stdout bool // the command prints a report on stdout
}

// fixVerbs are the words a fix starts with: what the user does next.
var fixVerbs = []string{"add", "check", "fix", "give", "install", "let", "make", "refresh", "remove", "retry", "run",
	"run:", "see", "send", "set", "unset", "upgrade", "use"}

// TestFailureLines drives every command's failure paths through Main and
// checks, at the boundary, the rule for what the program prints when it
// fails: one line on stderr, at most failure.MaxLine characters, "what
// failed (why); fix" with the fix last (the text after the last "; "
// starts with one of fixVerbs), nothing on stdout, and the exit status.
func TestFailureLines(t *testing.T) {
	const (
		ssoConfig = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = us-east-1\n" +
			"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n" +
			"[profile plain]\nregion = us-east-1\n"
		corpToken = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json" // sha1("corp")
		self      = "$HOME/bin/git-credential-codecommit"
		remote    = "/usr/local/bin/git-remote-codecommit"
		forms     = "use codecommit://[PROFILE@]REPOSITORY or codecommit::REGION://[PROFILE@]REPOSITORY"
		notExist  = `does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile`
		usage     = "; see git-credential-codecommit "
	)
	long := strings.Repeat("a-long-directory-name/", 12)
	process := func(json string) map[string]string {
		return map[string]string{
			".aws/config": "[profile proc]\ncredential_process = /bin/sh $HOME/proc.sh\n",
			"proc.sh":     "cat <<'EOF'\n" + json + "\nEOF\n",
		}
	}
	installed := map[string]string{"bin/git-credential-codecommit": "#!/bin/sh\n"}
	rows := []failureRow{
		// Usage.
		{name: "no command", code: 2, want: "git-credential-codecommit: no command given" + usage + "--help"},
		{name: "bad flag", args: []string{"--profle", "dev", "get"}, code: 2,
			want: "git-credential-codecommit: flag provided but not defined: -profle" + usage + "--help"},
		{name: "help for no command", args: []string{"help", "nothing"}, code: 2,
			want: `git-credential-codecommit: no command "nothing"` + usage + "--help"},

		// get.
		{name: "get: not key=value", args: []string{"get"}, stdin: "protocol=https\nhost x\n", code: 1,
			want: "git-credential-codecommit: credential request line 2 is not key=value; send git's credential format: see git help credential"},
		{name: "get: escaped newline in url=", args: []string{"get"}, stdin: "url=https://git-codecommit.us-east-1.amazonaws.com/v1/repos/a%0Ab\n", code: 1,
			want: "git-credential-codecommit: credential request line 1: url= holds an escaped line break or NUL byte; check the repository's URL"},
		{name: "get: no path", args: []string{"get"}, env: envKeys, stdin: "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\n", code: 1,
			want: "git-credential-codecommit: git sent no repository path, which the password signs; run: git config --global credential.https://git-codecommit.us-east-1.amazonaws.com.useHttpPath true"},
		{name: "get: no credentials", args: []string{"get"}, stdin: get1, code: 1,
			want: `git-credential-codecommit: no AWS credentials (not in the environment or profile "default"; EC2 metadata: disabled); run: aws configure, or git-credential-codecommit login`},
		{name: "get: no credentials, --debug", args: []string{"--debug", "get"}, stdin: get1, code: 1,
			debug: "git-credential-codecommit: debug: in full: no EC2 IMDS role found, operation error ec2imds: GetMetadata, access disabled to EC2 IMDS",
			want:  `git-credential-codecommit: no AWS credentials (not in the environment or profile "default"; EC2 metadata: disabled); run: aws configure, or git-credential-codecommit login`},
		{name: "get: no credentials, instance metadata refuses", args: []string{"get"}, stdin: get1, code: 1,
			env:  map[string]string{"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://$ADDR"},
			want: `git-credential-codecommit: no AWS credentials (not in the environment or profile "default"; EC2 metadata: connection refused); run: aws configure, or git-credential-codecommit login`},
		{name: "get: no credentials in CI", args: []string{"get"}, stdin: get1, code: 1,
			env:  map[string]string{"CI": "true", "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://$ADDR"},
			want: `git-credential-codecommit: no AWS credentials (not in the environment or profile "default"; EC2 metadata: connection refused); use a role: web identity or the container/instance role`},
		{name: "get: no credentials in CI, by its own name", args: []string{"get"}, stdin: get1, code: 1,
			env:  map[string]string{"CI": "woodpecker"},
			want: `git-credential-codecommit: no AWS credentials (not in the environment or profile "default"; EC2 metadata: disabled); use a role: web identity or the container/instance role`},
		{name: "get: no such profile", args: []string{"--profile", "nope", "get"}, stdin: get1, code: 1,
			want: `git-credential-codecommit: AWS profile "nope" ` + notExist + ` nope`},
		{name: "get: a long path is cut in its middle, the fix kept", args: []string{"--profile", "nope", "get"}, stdin: get1, code: 1,
			env: map[string]string{"AWS_CONFIG_FILE": "$HOME/" + long + "config"},
			cut: [2]string{`git-credential-codecommit: AWS profile "nope" does not exist in /`,
				`-directory-name/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile nope`}},
		{name: "get: no region", args: []string{"--ignore-host-check", "get"}, env: envKeys, stdin: "protocol=https\nhost=example.com\npath=r\n", code: 1,
			want: `git-credential-codecommit: no AWS region is set for profile "default"; set AWS_REGION, or region in the profile, or pass --region`},
		{name: "get: SSO token missing", args: []string{"--profile", "dev", "get"}, files: map[string]string{".aws/config": ssoConfig}, stdin: get1, code: 1,
			want: `git-credential-codecommit: the SSO session of profile "dev" has expired or is missing (no cached token: not signed in on this machine); run: git-credential-codecommit login --profile dev`},
		{name: "get: SSO token expired", args: []string{"--profile", "dev", "get"}, stdin: get1, code: 1,
			files: map[string]string{".aws/config": ssoConfig, corpToken: `{"accessToken": "aoaAAAAAGexpiredTOKEN1234567890", "expiresAt": "2020-01-01T00:00:00Z"}`},
			want:  `git-credential-codecommit: the SSO session of profile "dev" has expired or is missing (the cached token has expired, and cannot be refreshed); run: git-credential-codecommit login --profile dev`},
		{name: "get: credentials expired", args: []string{"--profile", "proc", "get"}, stdin: get1, code: 1,
			files: process(`{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2010-10-07T23:59:59Z"}`),
			want:  "git-credential-codecommit: the AWS credentials from ProcessProvider expired at 2010-10-07T23:59:59Z; refresh them and retry"},
		{name: "get: credential_process prints broken JSON", args: []string{"--profile", "proc", "get"}, stdin: get1, code: 1,
			files: process(`{"Version": 1, "AccessKeyId": "AKIAPROC",`),
			want:  `git-credential-codecommit: credential_process of profile "proc" failed (its output is not the JSON credential_process must print); run it by hand to see why`},
		{name: "get: credential_process prints more than 64 KiB", args: []string{"--profile", "proc", "get"}, stdin: get1, code: 1,
			files: map[string]string{".aws/config": "[profile proc]\ncredential_process = /bin/sh $HOME/proc.sh\n", "proc.sh": "yes\n"},
			want:  `git-credential-codecommit: credential_process of profile "proc" failed (it printed more than 64 KiB); run it by hand to see why`},
		{name: "get: container endpoint refuses", args: []string{"get"}, stdin: get1, code: 1,
			env:  map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://$ADDR/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "t0ken"},
			want: `git-credential-codecommit: no credentials from the container endpoint ($ADDR: connection refused); check AWS_CONTAINER_CREDENTIALS_*_URI, its token and the task's role`},

		// install and uninstall.
		{name: "install from go run", argv0: "/tmp/go-build123/b001/exe/git-credential-codecommit", args: []string{"install"}, code: 1,
			want: "git-credential-codecommit: this program runs from go run's temporary directory, which will be gone (/tmp/go-build123/b001/exe); install it first (go install .) and run that copy"},
		{name: "install: git cannot write the file", argv0: self, files: installed, args: []string{"install", "--file", "$HOME/nope/config"}, code: 1,
			want: "git-credential-codecommit: git config failed (could not lock config file $HOME/nope/config: No such file or directory); fix what git says, then try again"},
		{name: "install: two scopes", argv0: self, files: installed, args: []string{"install", "--global", "--local"}, code: 2,
			want: "git-credential-codecommit: give one of --global, --system, --local and --file" + usage + "install -h"},
		{name: "install: an argument", argv0: self, files: installed, args: []string{"install", "now"}, code: 2,
			want: `git-credential-codecommit: install takes no arguments, got "now"` + usage + "install -h"},
		{name: "install: --url not https", argv0: self, files: installed, args: []string{"install", "--file", "$HOME/c", "--url", "http://git-codecommit.us-east-1.amazonaws.com/v1/repos/r"}, code: 1,
			want: `git-credential-codecommit: --url "http://git-codecommit.us-east-1.amazonaws.com/v1/repos/r" is not an https URL prefix; give the https:// URL of a CodeCommit repository, or a prefix of one`},
		{name: "install: two regions", argv0: self, files: installed, args: []string{"install", "--file", "$HOME/c", "--region", "us-east-1", "--region", "eu-west-1"}, code: 1,
			want: "git-credential-codecommit: --region can be given once, except with --rewrite-ssh; give one --region, or add --rewrite-ssh"},
		{name: "install: unknown region", argv0: self, files: installed, args: []string{"install", "--file", "$HOME/c", "--rewrite-ssh", "--region", "mars-north-1"}, code: 1,
			want: `git-credential-codecommit: --region: unknown region "mars-north-1"; check its spelling`},
		{name: "install: another git-remote-codecommit", argv0: self, args: []string{"install", "--file", "$HOME/c", "--remote-helper"}, code: 1,
			files: map[string]string{"bin/git-credential-codecommit": "#!/bin/sh\n", "bin/git-remote-codecommit": "#!/bin/sh\n"},
			want:  "git-credential-codecommit: $HOME/bin/git-remote-codecommit exists and is not this binary; remove it first"},
		{name: "uninstall: --url on another host", argv0: self, files: installed, args: []string{"uninstall", "--file", "$HOME/c", "--url", "https://example.com/"}, code: 1,
			want: `git-credential-codecommit: --url "https://example.com/" is not on a CodeCommit host; give the https:// URL of a CodeCommit repository, or a prefix of one`},

		// doctor: its findings are a report on stdout; only its command
		// line fails on stderr.
		{name: "doctor: an argument too many", args: []string{"doctor", "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r", "extra"}, code: 2,
			want: `git-credential-codecommit: unexpected argument "extra"` + usage + "doctor -h"},
		{name: "doctor: a clone would fail", args: []string{"doctor", "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r"}, code: 1, stdout: true},
		{name: "doctor: --fix and --json", args: []string{"doctor", "--fix", "--json"}, code: 2,
			want: "git-credential-codecommit: --fix and --json do not go together" + usage + "doctor -h"},
		{name: "doctor: --yes alone", args: []string{"doctor", "--yes"}, code: 2,
			want: "git-credential-codecommit: --yes goes with --fix" + usage + "doctor -h"},
		{name: "doctor --fix: a change it cannot make", argv0: self, args: []string{"doctor", "--fix", "--yes"}, code: 1, stdout: true, dir: "$HOME/app",
			env: map[string]string{"CARGO_HOME": "$HOME/c"},
			files: map[string]string{"bin/git-credential-codecommit": "#!/bin/sh\n", "c/config.toml/x": "",
				"app/Cargo.toml": "[dependencies]\nlib = { git = \"https://git-codecommit.us-east-1.amazonaws.com/v1/repos/lib\" }\n"},
			want: "git-credential-codecommit: doctor --fix could not make the change add to $HOME/c/config.toml: net.git-fetch-with-cli = true (is a directory); make it yourself, then run doctor again"},

		// login and logout.
		{name: "login: IAM Identity Center unreachable", args: []string{"login", "--profile", "dev", "--no-browser"}, code: 1,
			env:   map[string]string{"AWS_ENDPOINT_URL_SSO_OIDC": "http://$ADDR"},
			files: map[string]string{".aws/config": ssoConfig},
			want:  "git-credential-codecommit: cannot reach IAM Identity Center in us-east-1 ($ADDR: connection refused); check the network path to AWS and sso_region, then retry"},
		{name: "login: IAM Identity Center unreachable, --debug", args: []string{"--debug", "login", "--profile", "dev", "--no-browser"}, code: 1,
			env:   map[string]string{"AWS_ENDPOINT_URL_SSO_OIDC": "http://$ADDR"},
			files: map[string]string{".aws/config": ssoConfig},
			debug: "git-credential-codecommit: debug: in full: operation error SSO OIDC: RegisterClient, ",
			want:  "git-credential-codecommit: cannot reach IAM Identity Center in us-east-1 ($ADDR: connection refused); check the network path to AWS and sso_region, then retry"},
		{name: "login: a profile without IAM Identity Center", args: []string{"login", "--profile", "plain"}, code: 1,
			files: map[string]string{".aws/config": ssoConfig},
			want:  `git-credential-codecommit: AWS profile "plain" has no IAM Identity Center settings in $HOME/.aws/config; give it sso_session (see the README), or use --sso-session NAME`},
		{name: "login: no such session", args: []string{"login", "--sso-session", "nope"}, code: 1,
			files: map[string]string{".aws/config": ssoConfig},
			want:  "git-credential-codecommit: $HOME/.aws/config has no [sso-session nope] section; check --sso-session, or add the section (see the README)"},
		{name: "login: no such profile", args: []string{"login", "--profile", "nope"}, code: 1,
			want: `git-credential-codecommit: AWS profile "nope" ` + notExist + ` nope`},
		{name: "login: an argument", args: []string{"login", "now"}, code: 2,
			want: `git-credential-codecommit: login takes no arguments, got "now"` + usage + "login -h"},
		{name: "login: --start-url without --sso-region", args: []string{"login", "--profile", "dev", "--start-url", "https://corp.awsapps.com/start"}, code: 1,
			want: "git-credential-codecommit: creating a profile needs both --start-url and --sso-region; give both: git-credential-codecommit login --profile dev --start-url URL --sso-region REGION"},
		{name: "login: --start-url not https", args: []string{"login", "--start-url", "http://corp.awsapps.com/start", "--sso-region", "us-east-1"}, code: 1,
			want: `git-credential-codecommit: --start-url "http://corp.awsapps.com/start" is not an https:// URL; give the AWS access portal URL, e.g. https://d-1234567890.awsapps.com/start`},
		{name: "login: --account-id not an account", args: []string{"login", "--start-url", "https://corp.awsapps.com/start", "--sso-region", "us-east-1", "--account-id", "12"}, code: 1,
			want: `git-credential-codecommit: --account-id "12" is not an AWS account id; give its 12 digits`},
		{name: "login: creating a profile, IAM Identity Center unreachable", args: []string{"login", "--profile", "new", "--start-url", "https://corp.awsapps.com/start", "--sso-region", "us-east-1"}, code: 1,
			env:  map[string]string{"AWS_ENDPOINT_URL_SSO_OIDC": "http://$ADDR", "AWS_PROFILE": "new"},
			want: "git-credential-codecommit: cannot reach IAM Identity Center in us-east-1 ($ADDR: connection refused); check the network path to AWS and sso_region, then retry"},
		{name: "logout: the token cannot be removed", args: []string{"logout", "--profile", "dev"}, code: 1,
			files: map[string]string{".aws/config": ssoConfig, corpToken + "/x": ""},
			want:  `git-credential-codecommit: cannot remove the token of SSO session "corp" (directory not empty); check the permissions of $HOME/.aws/sso/cache`},
		{name: "logout: a profile without IAM Identity Center", args: []string{"logout", "--profile", "plain"}, code: 1,
			files: map[string]string{".aws/config": ssoConfig},
			want:  `git-credential-codecommit: AWS profile "plain" has no IAM Identity Center settings in $HOME/.aws/config; give it sso_session (see the README), or use --sso-session NAME`},

		{name: "login --console: a profile with other credentials", args: []string{"login", "--console", "--profile", "dev", "--region", "us-east-1"}, code: 1,
			files: map[string]string{".aws/config": ssoConfig},
			want:  `git-credential-codecommit: profile "dev" already has IAM Identity Center credentials, which the AWS SDK would use instead; give --profile a new name, or remove them from the profile`},
		{name: "login --console: no region", args: []string{"login", "--console", "--profile", "new"}, code: 1,
			want: `git-credential-codecommit: no AWS region for profile "new" (AWS Sign-In is regional); give --region REGION (it is written into the profile)`},
		{name: "login --console: not a region", args: []string{"login", "--console", "--region", "us east"}, code: 1,
			want: `git-credential-codecommit: "us east" is not an AWS region; give --region REGION, as us-east-1`},
		{name: "login: --remote without --console", args: []string{"login", "--remote"}, code: 2,
			want: "git-credential-codecommit: --remote and --region go with --console" + usage + "login -h"},
		{name: "login --console: an sso-session", args: []string{"login", "--console", "--sso-session", "corp"}, code: 2,
			want: "git-credential-codecommit: login --console takes a profile, not an argument or an sso-session" + usage + "login -h"},

		// The remote helper.
		{name: "remote helper: malformed URL", argv0: remote, args: []string{"origin", "codecommit://"}, code: 1,
			want: "git-remote-codecommit: the URL codecommit:// is malformed; " + forms},
		{name: "remote helper: no repository", argv0: remote, args: []string{"origin", "codecommit://dev@"}, code: 1,
			want: "git-remote-codecommit: the URL codecommit://dev@ names no repository; " + forms},
		{name: "remote helper: unknown region", argv0: remote, args: []string{"origin", "us-east-9://app"}, code: 1,
			want: "git-remote-codecommit: the URL codecommit::us-east-9://app names the region us-east-9, which AWS does not list; check its spelling"},
		{name: "remote helper: escapes in the URL", argv0: remote, args: []string{"origin", "codecommit://dev@re\npo\x1b[2J"}, code: 1,
			want: `git-remote-codecommit: the URL codecommit://dev@re\npo\x1b[2J names "re\npo\x1b[2J", which is not a CodeCommit repository name; use letters, digits, '.', '_' and '-', at most 100`},
		{name: "remote helper: no such profile", argv0: remote, args: []string{"origin", "codecommit://nope@repo"}, code: 1,
			want: `git-remote-codecommit: AWS profile "nope" ` + notExist + ` nope`},
		{name: "remote helper: no region", argv0: remote, args: []string{"origin", "codecommit://repo"}, code: 1,
			want: `git-remote-codecommit: no AWS region is set for profile "default"; set AWS_REGION, or region in the profile, or name it in the URL: codecommit::REGION://repo`},
		{name: "remote helper: three arguments", argv0: remote, args: []string{"a", "b", "c"}, code: 1,
			want: "git-remote-codecommit: git-remote-codecommit takes REMOTE URL, not 3 arguments; let git run it, for a codecommit:// remote"},
	}
	addr := closedAddr(t)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) { row.run(t, addr) })
	}
}

func (row failureRow) run(t *testing.T, addr string) {
	home := isolate(t)
	expand := func(s string) string { return strings.NewReplacer("$HOME", home, "$ADDR", addr).Replace(s) }
	for k, v := range row.env {
		t.Setenv(k, expand(v))
	}
	for name, body := range row.files {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(expand(body)), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if row.dir != "" {
		t.Chdir(expand(row.dir))
	}
	argv := []string{expand(row.argv0)}
	if argv[0] == "" {
		argv[0] = "/usr/local/bin/git-credential-codecommit"
	}
	for _, a := range row.args {
		argv = append(argv, expand(a))
	}
	var stdout, stderr bytes.Buffer
	code := Main(Build{}, argv, strings.NewReader(row.stdin), &stdout, &stderr)
	if code != row.code || stdout.Len() > 0 && !row.stdout || row.stdout && stdout.Len() == 0 {
		t.Errorf("exit %d, want %d; stdout %q", code, row.code, stdout.String())
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if stderr.Len() == 0 {
		lines = nil
	}
	if row.debug != "" {
		// --debug lines come first; the one before the error line is the
		// error in full.
		debug := slices.IndexFunc(lines, func(l string) bool { return !strings.Contains(l, ": debug: ") })
		if debug < 1 || !strings.HasPrefix(lines[debug-1], expand(row.debug)) {
			t.Errorf("stderr:\n%s\nwant, before the error line, a debug line that starts %q", stderr.String(), expand(row.debug))
			return
		}
		lines = lines[debug:]
	}
	want := expand(row.want)
	switch {
	case want == "" && row.cut == [2]string{} && len(lines) == 0:
		return
	case len(lines) != 1:
		t.Errorf("stderr is not one line:\n%s", stderr.String())
		return
	}
	line := lines[0]
	if n := utf8.RuneCountInString(line); n > failure.MaxLine {
		t.Errorf("the line has %d characters, more than %d:\n%s", n, failure.MaxLine, line)
	}
	_, fix, _ := cutLast(line, "; ")
	if verb, _, _ := strings.Cut(fix, " "); !slices.Contains(fixVerbs, verb) {
		t.Errorf("the line does not end with a fix (%q):\n%s", fix, line)
	}
	if row.cut != [2]string{} {
		start, end := expand(row.cut[0]), expand(row.cut[1])
		if utf8.RuneCountInString(line) != failure.MaxLine || !strings.HasPrefix(line, start) || !strings.HasSuffix(line, end) ||
			!strings.Contains(strings.TrimSuffix(strings.TrimPrefix(line, start), end), "…") {
			t.Errorf("line\n%s\nwant %d characters: %s…%s", line, failure.MaxLine, start, end)
		}
		return
	}
	if line != want {
		t.Errorf("line\n%s\nwant\n%s", line, want)
	}
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
