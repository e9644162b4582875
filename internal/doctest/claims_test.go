package doctest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/cli"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// checks are the checks of marked claims, by name. Each compares the claim
// with what the program prints, or finds in it the numbers the code holds.
// None holds a message of its own: messages are the documents'.
var checks = map[string]func(t *testing.T, c claim){
	// README.md
	"build-needs": func(t *testing.T, c claim) {
		says(t, c, "Go "+goMinor(t), "git "+gitMinimum(t)+" or newer")
	},
	"go-version": func(t *testing.T, c claim) { says(t, c, "Go "+goMinor(t)) },
	"install-sections": func(t *testing.T, c claim) {
		p := newProgram(t)
		p.mustRun(t, "install")
		n := strings.Count(p.globalConfig(t), "\n[credential \"")
		says(t, c, fmt.Sprintf("(%d in all)", n))
	},
	"install-section": func(t *testing.T, c claim) {
		p := newProgram(t)
		out := p.mustRun(t, "install")
		var section []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "  [credential ") && section == nil || section != nil && strings.HasPrefix(l, "  \t") {
				section = append(section, strings.TrimPrefix(l, "  "))
			} else if section != nil {
				break
			}
		}
		binary := regexp.MustCompile(`/\S*/git-credential-codecommit\b`)
		got := binary.ReplaceAllString(strings.Join(section, "\n")+"\n", "BINARY")
		same(t, c, got, binary.ReplaceAllString(c.text, "BINARY"))
	},
	"install-flags": func(t *testing.T, c claim) {
		p := newProgram(t)
		sameSet(t, c, flagsIn(c.text), slices.Collect(maps.Keys(helpFlags(p.run(t, nil, "", "install", "-h").stdout))))
	},
	"helper-flags": func(t *testing.T, c claim) {
		p := newProgram(t)
		help := p.run(t, nil, "", "--help").stdout
		_, helperPart, _ := strings.Cut(help, "The credential helper's flags")
		var named []string
		for _, l := range strings.Split(c.text, "\n") {
			if m := regexp.MustCompile("^- `--([a-z-]+)").FindStringSubmatch(l); m != nil {
				named = append(named, m[1])
			}
		}
		sameSet(t, c, named, slices.Collect(maps.Keys(helpFlags(helperPart))))
	},
	"sso-config": func(t *testing.T, c claim) {
		p := newProgram(t)
		p.write(t, ".aws/config", c.text)
		r := p.run(t, nil, getRequest, "--profile", "dev", "get")
		if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "login --profile dev") {
			t.Errorf("%s: with this configuration and no sign-in, get does not ask for login: exit %d\nstdout: %s\nstderr: %s", c, r.code, r.stdout, r.stderr)
		}
	},
	"sso-create": func(t *testing.T, c claim) {
		// The command, run against the fake (a device code, which it
		// approves at once, stands in for the browser), writes the config
		// the sso-config claim shows.
		ic, err := fakeaws.StartIdentityCenter(fakeaws.NewKeys())
		if err != nil {
			t.Fatal(err)
		}
		defer ic.Close()
		ic.AllowRole("111122223333", "Developer")
		args := strings.Fields(strings.ReplaceAll(c.text, "\\\n", " "))
		if len(args) < 2 || args[0] != "git-credential-codecommit" || args[1] != "login" {
			t.Fatalf("%s: not a login command: %q", c, c.text)
		}
		p := newProgram(t)
		r := p.run(t, []string{"AWS_ENDPOINT_URL_SSO=" + ic.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + ic.URL}, "", append(args[1:], "--use-device-code", "--no-browser")...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s", c, r.code, r.stderr)
		}
		b, err := os.ReadFile(filepath.Join(p.home, ".aws", "config"))
		if err != nil {
			t.Fatal(err)
		}
		same(t, c, string(b), claimText(t, "sso-config"))
	},
	"sso-expired": func(t *testing.T, c claim) {
		p := newProgram(t)
		p.write(t, ".aws/config", claimText(t, "sso-config"))
		r := p.run(t, nil, getRequest, "--profile", "dev", "get")
		same(t, c, p.clean(r.stderr), c.text)
	},
	"cache-files": func(t *testing.T, c claim) {
		imds, err := fakeaws.StartIMDS(fakeaws.NewKeys(), "build-role")
		if err != nil {
			t.Fatal(err)
		}
		defer imds.Close()
		p := newProgram(t)
		r := p.run(t, []string{"AWS_EC2_METADATA_DISABLED=false", "AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.URL}, getRequest, "get")
		if r.code != 0 {
			t.Fatalf("get with instance metadata: exit %d\n%s", r.code, r.stderr)
		}
		var dir string
		var dirMode, fileMode os.FileMode
		filepath.WalkDir(p.home, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			switch {
			case d.IsDir() && d.Name() == "git-credential-codecommit":
				dir, dirMode = path, info.Mode().Perm()
			case dir != "" && filepath.Dir(path) == dir && info.Mode().IsRegular() && fileMode == 0:
				fileMode = info.Mode().Perm()
			}
			return nil
		})
		if dir == "" || fileMode == 0 {
			t.Fatalf("get with instance metadata cached nothing under %s", p.home)
		}
		says(t, c, "`"+p.clean(dir)+"`", fmt.Sprintf("a %04o file per role in a %04o directory", fileMode, dirMode))
		// Without a usable HOME: XDG_RUNTIME_DIR, which get uses, else the
		// uid's directory in /tmp, which doctor names (and creates nothing).
		run := filepath.Join(p.home, "run")
		if err := os.Mkdir(run, 0o700); err != nil {
			t.Fatal(err)
		}
		r = p.run(t, []string{"HOME=/nonexistent", "XDG_RUNTIME_DIR=" + run, "AWS_EC2_METADATA_DISABLED=false", "AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.URL}, getRequest, "get")
		if entries, _ := filepath.Glob(filepath.Join(run, "git-credential-codecommit", "*.json")); r.code != 0 || len(entries) != 1 {
			t.Errorf("get with HOME=/nonexistent: exit %d, entries %v\n%s", r.code, entries, r.stderr)
		}
		r = p.run(t, []string{"HOME=/nonexistent", "XDG_RUNTIME_DIR="}, "", "doctor", "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/app")
		tmp := fmt.Sprintf("/tmp/git-credential-codecommit-%d", os.Getuid())
		if !strings.Contains(r.stdout, "role credentials are shared between runs in "+tmp+";") {
			t.Errorf("doctor with neither HOME nor XDG_RUNTIME_DIR does not name %s:\n%s", tmp, r.stdout)
		}
		says(t, c, "`$XDG_RUNTIME_DIR/git-credential-codecommit`", "`/tmp/git-credential-codecommit-<uid>` (0700")
	},
	// The newcomer's commands: build and install this module's command and
	// run its install; or run the demonstration.
	"quick-start": func(t *testing.T, c claim) {
		commands(t, c, "go install (\\.[^\\s`]*)")
		if !strings.Contains(c.text, `/git-credential-codecommit" install`) {
			t.Errorf("%s: the quick start no longer runs install", c)
		}
	},
	"demo": func(t *testing.T, c claim) { commands(t, c, "go run (\\./[^\\s`]*)") },
	"test-command": func(t *testing.T, c claim) {
		cmd := strings.Fields(c.text)
		for _, l := range strings.Split(readFile(t, ".ci/run"), "\n") {
			if f := strings.Fields(l); slices.Contains(f, "go") && slices.Contains(f, "test") && slices.Contains(f, "./...") {
				if !slices.Equal(cmd, []string{"go", "test", "./..."}) {
					t.Errorf("%s: the test command is %q, CI runs %q", c, c.text, l)
				}
				return
			}
		}
		t.Errorf(".ci/run does not run %q", c.text)
	},
	"password-lifetime": func(t *testing.T, c claim) {
		says(t, c, "about "+dur(time.Duration(constOf(t, "sigv4", "PasswordLifetime"))))
	},
	"get-deadline": func(t *testing.T, c claim) {
		says(t, c, "within "+dur(time.Duration(constOf(t, "helper", "getTimeout"))))
	},

	"doctor-exit": func(t *testing.T, c claim) {
		r := newProgram(t).run(t, nil, "", "doctor", "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/app")
		says(t, c, fmt.Sprintf("exits %d on a failure", r.code)) // no helper is installed: a check fails
	},

	// docs/design.md
	"cli-exits": func(t *testing.T, c claim) {
		p := newProgram(t)
		help := p.run(t, nil, "", "get", "-h")
		bad := p.run(t, nil, "", "get", "--no-such-flag")
		if !strings.Contains(bad.stderr, "get -h") {
			t.Errorf("get --no-such-flag does not name get -h:\n%s", bad.stderr)
		}
		says(t, c, fmt.Sprintf("stdout and exits %d", help.code), fmt.Sprintf("unknown flag exits %d", bad.code))
	},
	"unknown-command": func(t *testing.T, c claim) {
		r := newProgram(t).run(t, nil, getRequest, "no-such-operation")
		if r.stdout != "" || r.stderr != "" {
			t.Errorf("an unknown command printed\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
		}
		says(t, c, fmt.Sprintf("does nothing and exits %d", r.code))
	},
	"capability": func(t *testing.T, c claim) {
		r := newProgram(t).run(t, nil, "", "capability")
		says(t, c, "answers `"+strings.TrimSpace(r.stdout)+"`")
	},
	"other-host": func(t *testing.T, c claim) {
		keys := []string{"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
		r := newProgram(t).run(t, keys, strings.Replace(getRequest, "amazonaws.com", "amazonaws.com.evil.example", 1), "get")
		if r.stdout != "" || r.stderr != "" {
			t.Errorf("get for a look-alike host printed\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
		}
		says(t, c, fmt.Sprintf("prints nothing and exits %d", r.code))
	},
	"git-minimum": func(t *testing.T, c claim) {
		v := gitMinimum(t)
		says(t, c, "older than "+v)
	},
	"rewrite-ssh": func(t *testing.T, c claim) {
		p := newProgram(t)
		p.mustRun(t, "install", "--rewrite-ssh", "--region", "eu-west-1")
		cfg := p.globalConfig(t)
		head, _, _ := strings.Cut(c.text, "\n")
		i := strings.Index(cfg, head+"\n")
		if i < 0 {
			t.Fatalf("%s: install --rewrite-ssh wrote no %s:\n%s", c, head, cfg)
		}
		section := cfg[i:]
		if j := strings.Index(section[1:], "\n["); j >= 0 {
			section = section[:j+2]
		}
		same(t, c, section, c.text)
	},
	"max-input": func(t *testing.T, c claim) {
		says(t, c, "over "+size(constOf(t, "helper", "MaxInput")))
	},
	"password-expiry": func(t *testing.T, c claim) {
		p := newProgram(t)
		r := p.run(t, []string{"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, getRequest, "get")
		answer := map[string]string{}
		for _, l := range strings.Split(r.stdout, "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				answer[k] = v
			}
		}
		signed, err1 := time.Parse("20060102T150405Z", answer["password"][:min(16, len(answer["password"]))])
		expiry, err2 := strconv.ParseInt(answer["password_expiry_utc"], 10, 64)
		if err := errors.Join(err1, err2); err != nil || r.code != 0 {
			t.Fatalf("get: exit %d, %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
		}
		says(t, c, "plus "+dur(time.Unix(expiry, 0).Sub(signed)),
			"about "+strings.TrimSuffix(dur(time.Duration(constOf(t, "sigv4", "PasswordLifetime"))), " minutes"))
	},
	"cache-rules": func(t *testing.T, c claim) {
		cc := func(name string) time.Duration { return time.Duration(constOf(t, "internal/credcache", name)) }
		says(t, c,
			dur(cc("clockSlack"))+" in the future",
			dur(cc("maxSession"))+" after that",
			"more than "+dur(cc("maxMargin"))+" left",
			"get's "+durAdj(time.Duration(constOf(t, "helper", "getTimeout")))+" deadline",
			"over "+dur(cc("DefaultPatience")),
			"for "+dur(cc("failFor")),
			"older than "+dur(cc("staleTmp")),
			"with more than "+dur(time.Duration(constOf(t, "internal/awsclicache", "Window")))+" left")
	},
	"process-bounds": func(t *testing.T, c claim) {
		pc := func(name string) int64 { return constOf(t, "internal/procprovider", name) }
		says(t, c, dur(time.Duration(pc("grace")))+" more", "at most "+size(pc("maxOutput")),
			"bounded by "+dur(time.Duration(pc("Timeout"))))
	},
	"safefile-cap": func(t *testing.T, c claim) {
		says(t, c, "at most "+size(constOf(t, "internal/safefile", "MaxSmallFile")))
	},
	"redact-min": func(t *testing.T, c claim) {
		says(t, c, fmt.Sprintf("under %d characters", constOf(t, "internal/redact", "MinLength")))
	},
	"login-timing": func(t *testing.T, c claim) {
		lc := func(name string) time.Duration { return time.Duration(constOf(t, "internal/login", name)) }
		says(t, c, "more than "+dur(lc("registrationMargin"))+" left", dur(lc("slowDownStep"))+" longer")
	},
	"doctor-json": func(t *testing.T, c claim) {
		p := newProgram(t)
		r := p.run(t, nil, "", "doctor", "--json", "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/app")
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		var keys []string
		var version any
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("doctor --json printed no object (%v):\n%s", err, r.stdout)
		}
		for dec.More() {
			k, _ := dec.Token()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if k == "version" {
				version = v
				continue
			}
			if k == "ok" && v != false {
				t.Fatalf("doctor found nothing to fail in an empty home:\n%s", r.stdout)
			}
			keys = append(keys, strconv.Quote(k.(string)))
		}
		// Installed, with keys in the environment, nothing fails.
		p.mustRun(t, "install")
		good := p.run(t, []string{"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, "",
			"doctor", "--json", "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/app")
		if !strings.Contains(good.stdout, `"ok": true`) {
			t.Fatalf("doctor of a good set-up found a failure:\n%s", good.stdout)
		}
		says(t, c, fmt.Sprintf(`{"version": %v, %s}`, version, strings.Join(keys, ", ")),
			fmt.Sprintf("exits %d when no check fails, else %d", good.code, r.code))
	},
	"doctor-budget": func(t *testing.T, c claim) {
		secs := time.Duration(constOf(t, "internal/doctor", "DefaultBudget")) / time.Second
		says(t, c, fmt.Sprintf("one %d s budget", secs), "is `skip`")
	},
	"doctor-checks": func(t *testing.T, c claim) {
		says(t, c, "warns "+dur(time.Duration(constOf(t, "internal/doctor", "ssoTokenWarn")))+" before")
		var listed []string // the check names the document lists, in order
		for _, m := range regexp.MustCompile("`([a-z][a-z-]*)`").FindAllStringSubmatch(c.text, -1) {
			listed = append(listed, m[1])
		}
		r := newProgram(t).run(t, nil, "", "doctor", "--json", "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/app")
		var report struct{ Checks []struct{ Name string } }
		if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
			t.Fatalf("doctor --json: %v\n%s", err, r.stdout)
		}
		i := 0
		for _, ch := range report.Checks {
			j := slices.Index(listed[i:], ch.Name)
			if j < 0 {
				t.Errorf("%s: doctor ran the check %q, which the document does not list in this place (it lists %q)", c, ch.Name, listed)
				continue
			}
			i += j
		}
	},
	"probe": func(t *testing.T, c claim) {
		m := regexp.MustCompile(`(GIT_CREDENTIAL_CODECOMMIT_[A-Z_]+)=1(?s:.*)exits (\d+)`).FindStringSubmatch(c.text)
		if m == nil {
			t.Fatalf("%s names no variable and exit status", c)
		}
		p := newProgram(t)
		r := p.run(t, []string{m[1] + "=1", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, getRequest, "get")
		if strconv.Itoa(r.code) != m[2] || r.stdout != "" {
			t.Errorf("%s: get under %s=1: exit %d, stdout %q; the document says it exits %s and answers nothing", c, m[1], r.code, r.stdout, m[2])
		}
	},
	"doctor-store": func(t *testing.T, c claim) {
		p := newProgram(t)
		bin := filepath.Join(p.home, "bin", "git-credential-codecommit")
		b, err := os.ReadFile(p.bin)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(bin), 0o755)
		}
		if err == nil {
			err = os.WriteFile(bin, b, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
		p.bin = bin
		p.write(t, ".aws/credentials", "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
		p.mustRun(t, "install", "--profile", "dev")
		if out, err := testenv.Command(p.home, nil, "git", "config", "--global", "--add", "credential.helper", "store").CombinedOutput(); err != nil {
			t.Fatalf("git config: %v\n%s", err, out)
		}
		r := p.run(t, nil, "", "doctor", "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app")
		gitVersion := regexp.MustCompile(`(?m)^(ok    git +git )\S+$`)
		same(t, c, gitVersion.ReplaceAllString(p.clean(r.stdout), "${1}VERSION"), gitVersion.ReplaceAllString(c.text, "${1}VERSION"))
	},
	"remote-region": func(t *testing.T, c claim) {
		p := newProgram(t)
		link := filepath.Join(p.home, "git-remote-codecommit")
		if err := os.Symlink(p.bin, link); err != nil {
			t.Fatal(err)
		}
		p.bin = link
		r := p.run(t, nil, "", "origin", "us-east-9://app")
		same(t, c, r.stderr, c.text)
	},
	"error-line": func(t *testing.T, c claim) {
		max := constOf(t, "internal/failure", "MaxLine")
		says(t, c, fmt.Sprintf("at most %d characters", max))
		for _, other := range claims(t) {
			if !other.fenced {
				continue
			}
			for _, l := range strings.Split(other.text, "\n") {
				if (strings.HasPrefix(l, "git-credential-codecommit: ") || strings.HasPrefix(l, "git-remote-codecommit: ")) &&
					!strings.Contains(l, ": debug: ") && int64(utf8.RuneCountInString(l)) > max {
					t.Errorf("%s shows an error line of %d characters, more than %d:\n%s", other, utf8.RuneCountInString(l), max, l)
				}
			}
		}
	},
	"max-cause": func(t *testing.T, c claim) {
		n := constOf(t, "internal/awscreds", "maxCause")
		says(t, c, fmt.Sprintf("over %d characters", n), fmt.Sprintf("cut to %d", n))
	},
	"errors": func(t *testing.T, c claim) {
		p := newProgram(t)
		noPath := strings.Replace(getRequest, "path=v1/repos/MyRepo\n", "", 1)
		keys := []string{"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
		got := p.run(t, nil, getRequest, "--profile", "nope", "get").stderr +
			p.run(t, nil, getRequest, "get").stderr +
			p.run(t, keys, noPath, "get").stderr
		same(t, c, p.clean(got), c.text)
	},
	"errors-debug": func(t *testing.T, c claim) {
		p := newProgram(t)
		r := p.run(t, nil, getRequest, "--debug", "get")
		// The cache key hashes the settings, which differ from machine to machine.
		key := regexp.MustCompile(`cache: miss [0-9a-f]+,`)
		got := strings.Split(strings.TrimSuffix(key.ReplaceAllString(p.clean(r.stderr), "cache: miss KEY,"), "\n"), "\n")
		want := strings.Split(strings.TrimSuffix(key.ReplaceAllString(c.text, "cache: miss KEY,"), "\n"), "\n")
		i := 0
		for _, l := range got {
			if i < len(want) && l == want[i] {
				i++
			}
		}
		if i < len(want) || got[len(got)-1] != want[len(want)-1] {
			t.Errorf("%s: the document's lines are not, in order, lines of get --debug ending with its last:\ndocument:\n%s\nprogram:\n%s", c, c.text, strings.Join(got, "\n"))
		}
	},

	// docs/install.md
	"version": func(t *testing.T, c claim) {
		m := regexp.MustCompile(`^git-credential-codecommit (\S+)\ncommit: (\S+)\ndate: (\S+)\n`).FindStringSubmatch(c.text)
		if m == nil {
			t.Fatalf("%s: no version, commit and date in the block", c)
		}
		var out bytes.Buffer
		code := cli.Main(cli.Build{Version: m[1], Commit: m[2], Date: m[3]}, []string{"git-credential-codecommit", "--version"}, strings.NewReader(""), &out, &out)
		goLine := regexp.MustCompile(`(?m)^go: go\S+ \S+/\S+$`)
		if code != 0 {
			t.Errorf("--version: exit %d", code)
		}
		same(t, c, goLine.ReplaceAllString(out.String(), "go: GO"), goLine.ReplaceAllString(c.text, "go: GO"))
	},
	"fips-version": func(t *testing.T, c claim) {
		cfg, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		module := regexp.MustCompile(`(?m)^\s*- GOFIPS140=(\S+)$`).FindSubmatch(cfg)
		if module == nil {
			t.Fatal(".goreleaser.yaml builds no GOFIPS140 variant")
		}
		p := newProgram(t)
		r := p.run(t, []string{"GODEBUG=fips140=on"}, "", "--version")
		_, line, _ := strings.Cut(r.stdout, "fips140: ")
		line, _, _ = strings.Cut(line, "\n")
		line = regexp.MustCompile(`Module \S+\)`).ReplaceAllString(line, "Module "+string(module[1])+")")
		says(t, c, "GOFIPS140="+string(module[1]), "`fips140: "+line+"`")
	},

	// docs/development.md
	"packages": func(t *testing.T, c claim) {
		cmd := exec.Command("go", "list", "./...")
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		const module = "github.com/git-credential-codecommit/git-credential-codecommit"
		var have, named []string
		for _, p := range strings.Fields(string(out)) {
			have = append(have, cmp.Or(strings.TrimPrefix(strings.TrimPrefix(p, module), "/"), "."))
		}
		for _, l := range strings.Split(strings.TrimSpace(c.text), "\n") {
			named = append(named, strings.Fields(l)[0])
		}
		if !slices.Equal(named, have) {
			t.Errorf("%s: the document lists the packages\n%q\nbut go list ./... gives\n%q", c, named, have)
		}
	},

	"pipe-delay": func(t *testing.T, c claim) {
		says(t, c, fmt.Sprintf("%d seconds after it has exited (`testenv.PipeDelay`)", int(testenv.PipeDelay.Seconds())))
	},

	"ci-tools": func(t *testing.T, c claim) {
		// Each version of a tool CI pins that the claim names must be one CI
		// installs.
		pinned := map[string][]string{}
		for _, m := range regexp.MustCompile(`(?m)^npm_pin (\S+) (\S+) `).FindAllStringSubmatch(readFile(t, ".ci/run"), -1) {
			pinned[filepath.Base(m[1])] = append(pinned[filepath.Base(m[1])], m[2])
		}
		n := 0
		for tool, versions := range pinned {
			for _, m := range regexp.MustCompile(`\b`+tool+` (\d+\.\d+\.\d+)`).FindAllStringSubmatch(c.text, -1) {
				n++
				if !slices.Contains(versions, m[1]) {
					t.Errorf("%s: the document names %s %s, CI installs %s %q", c, tool, m[1], tool, versions)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: the claim names no version of %q", c, slices.Sorted(maps.Keys(pinned)))
		}
	},
	"release-go": func(t *testing.T, c claim) {
		// The release toolchain: tools/go.mod's go line, which the release
		// workflow installs.
		m := regexp.MustCompile(`(?m)^go (\d+\.\d+\.\d+)$`).FindStringSubmatch(readFile(t, "tools/go.mod"))
		if m == nil {
			t.Fatal("tools/go.mod has no go line with a patch version")
		}
		says(t, c, "go"+m[1])
		if !strings.Contains(readFile(t, ".github/workflows/release.yml"), `go-version: "`+m[1]+`"`) {
			t.Errorf("%s: .github/workflows/release.yml does not install go %s", c, m[1])
		}
	},
	"fuzz-times": func(t *testing.T, c claim) {
		run := readFile(t, ".ci/run")
		ms := regexp.MustCompile(`-fuzz (\w+) -fuzztime (\d+)s`).FindAllStringSubmatch(run, -1)
		if len(ms) == 0 {
			t.Fatal(".ci/run runs no fuzz target")
		}
		// What the document says of each target, up to the next one it names.
		said := map[string]string{}
		for _, part := range strings.Split(strings.Join(strings.Fields(c.text), " "), "`Fuzz")[1:] {
			name, rest, _ := strings.Cut(part, "`")
			said["Fuzz"+name] += rest
		}
		for _, m := range ms {
			if !strings.Contains(said[m[1]], m[2]+" s") {
				t.Errorf("%s: .ci/run fuzzes %s for %s s, which the document does not say", c, m[1], m[2])
			}
		}
	},
	"sigv4-suite": func(t *testing.T, c claim) {
		n := 0
		filepath.WalkDir(filepath.Join(root, "sigv4", "testdata", "aws4_testsuite"), func(path string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(path, ".req") {
				n++
			}
			return err
		})
		says(t, c, fmt.Sprintf("the %d cases of the AWS SigV4 test suite", n))
	},

	// docs/package-managers.md
	"project-files": func(t *testing.T, c claim) {
		n := constOf(t, "internal/project", "listed")
		says(t, c, "at most "+size(constOf(t, "internal/project", "maxFile")), fmt.Sprintf("longer than %d is cut to the first %d", n, n))
	},
	"doctor-project": func(t *testing.T, c claim) {
		stdout := projectReport(t)
		out := strings.Split(stdout, "\n")
		first, _, _ := strings.Cut(c.text, "\n")
		i := slices.IndexFunc(out, func(l string) bool { return strings.HasPrefix(l, first[:min(len(first), 12)]) })
		if i < 0 {
			t.Fatalf("%s: doctor printed no %q line:\n%s", c, first[:12], stdout)
		}
		var got []string
		for _, l := range out[i:] {
			if !regexp.MustCompile(`^(ok|warn|FAIL|skip)  |^      fix: `).MatchString(l) {
				break
			}
			got = append(got, l)
		}
		same(t, c, strings.Join(got, "\n")+"\n", c.text)
	},
	// The fix lines of README's package-manager table and of
	// docs/package-managers.md are doctor's: each the claim gives is in a
	// fix doctor prints, and each doctor prints is in the document's claims.
	"fix-lines": func(t *testing.T, c claim) {
		var fixes []string
		for _, l := range strings.Split(projectReport(t), "\n") {
			if f, ok := strings.CutPrefix(l, "      fix: "); ok {
				fixes = append(fixes, f)
			}
		}
		spans := strings.Split(c.text, "\n")
		if !c.fenced {
			spans = nil
			for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(c.text, -1) {
				spans = append(spans, m[1])
			}
		}
		for _, s := range spans {
			if fixLineRE.MatchString(s) && !slices.ContainsFunc(fixes, func(f string) bool { return strings.Contains(f, s) }) {
				t.Errorf("%s: the document gives the fix %q, which doctor does not print:\n%s", c, s, strings.Join(fixes, "\n"))
			}
		}
		var all strings.Builder // the file's fix-lines claims
		for _, o := range claims(t) {
			if o.file == c.file && o.name == c.name {
				all.WriteString(o.text + "\n")
			}
		}
		for _, f := range fixes {
			for _, line := range doctorFixRE.FindAllString(f, -1) {
				if !strings.Contains(all.String(), line) {
					t.Errorf("%s: doctor prints the fix %q, which the document's fix lines do not give", c, line)
				}
			}
		}
	},
}

var (
	// fixLineRE finds the fix lines a document gives for package managers.
	fixLineRE = regexp.MustCompile(`GOPRIVATE=|git-fetch-with-cli|GIT_FETCH_WITH_CLI|protocol\.codecommit\.allow|approvedGitRepositories|install --(rewrite-ssh|remote-helper)`)
	// doctorFixRE finds the lines of configuration in doctor's fixes.
	doctorFixRE = regexp.MustCompile(`go env -w GOPRIVATE=\S+|net\.git-fetch-with-cli = true|CARGO_NET_GIT_FETCH_WITH_CLI=true|git config --global protocol\.codecommit\.allow always|approvedGitRepositories: \[[^\]]*\]|install --(rewrite-ssh|remote-helper)`)
)

// projectReport is what doctor prints, home written "~", in a project
// with every kind of problem: one run for every claim that shows it.
func projectReport(t *testing.T) string {
	t.Helper()
	project.once.Do(func() {
		p := newProgram(t)
		cc := "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/"
		// doctor runs go env, whose telemetry would otherwise write under
		// the home while the test removes it.
		p.write(t, ".config/go/telemetry/mode", "off\n")
		p.write(t, "project/go.mod", "module example.com/app\n\ngo 1.22\n\nrequire git-codecommit.us-east-1.amazonaws.com/v1/repos/mylib v1.0.0\n")
		p.write(t, "project/Cargo.toml", "[package]\nname = \"app\"\n\n[dependencies]\nmylib = { git = \""+cc+"mylib\" }\n")
		p.write(t, "project/.yarnrc.yml", "nodeLinker: node-modules\n")
		p.write(t, "project/package.json", `{"dependencies": {"lib": "git+`+cc+`lib", "other": "git+ssh://git-codecommit.us-east-1.amazonaws.com/v1/repos/other"}}`+"\n")
		p.write(t, "project/.gitmodules", "[submodule \"lib\"]\n\tpath = lib\n\turl = codecommit://lib\n")
		cmd := testenv.Command(p.home, nil, p.bin, "doctor")
		cmd.Dir = filepath.Join(p.home, "project")
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		cmd.Run()
		project.report = p.clean(stdout.String())
	})
	if project.report == "" {
		t.Fatal("doctor printed nothing in the project")
	}
	return project.report
}

var project struct {
	once   sync.Once
	report string
}

// getRequest is git's request for a CodeCommit repository.
const getRequest = "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/MyRepo\n"

// claimText returns the text of the claim called name.
func claimText(t *testing.T, name string) string {
	t.Helper()
	for _, c := range claims(t) {
		if c.name == name {
			return c.text
		}
	}
	t.Fatalf("no document has the claim %s", name)
	return ""
}

// program is the built binary in a home of its own.
type program struct {
	bin, home string
}

func newProgram(t *testing.T) *program {
	t.Helper()
	// A short home, so that error lines quoting its paths are not
	// shortened (failure.Line) where the documents' "~" lines are not:
	// /tmp, shorter than the /dev/shm testenv may choose as TMPDIR.
	dir := ""
	if fi, err := os.Stat("/tmp"); err == nil && fi.IsDir() {
		dir = "/tmp"
	}
	home, err := os.MkdirTemp(dir, "doc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	return &program{bin: testenv.HelperBinary(t), home: home}
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs the program in its home with the test baseline and env.
func (p *program) run(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := testenv.Command(p.home, env, p.bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// mustRun runs the program, which must succeed, and returns its stdout.
func (p *program) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	r := p.run(t, nil, "", args...)
	if r.code != 0 {
		t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// write writes a file under home.
func (p *program) write(t *testing.T, name, body string) {
	t.Helper()
	f := filepath.Join(p.home, name)
	if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// globalConfig is the git configuration install writes by default.
func (p *program) globalConfig(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(p.home, ".gitconfig"))
	if err != nil {
		t.Fatal(err)
	}
	return "\n" + string(b)
}

// clean writes the home directory as the documents do: "~".
func (p *program) clean(s string) string { return strings.ReplaceAll(s, p.home, "~") }

// same fails the test unless the program printed what the claim shows.
func same(t *testing.T, c claim, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: the document shows\n%s\nbut the program prints\n%s", c, want, got)
	}
}

// says fails the test unless the claim says each phrase, line breaks
// counting as spaces.
func says(t *testing.T, c claim, phrases ...string) {
	t.Helper()
	text := strings.Join(strings.Fields(c.text), " ")
	for _, p := range phrases {
		if !strings.Contains(text, p) {
			t.Errorf("%s: the code says %q, which the document does not:\n%s", c, p, c.text)
		}
	}
}

// sameSet fails the test unless the document names the flags the program
// has, no more and no fewer.
func sameSet(t *testing.T, c claim, named, have []string) {
	t.Helper()
	slices.Sort(named)
	slices.Sort(have)
	if named, have = slices.Compact(named), slices.Compact(have); !slices.Equal(named, have) {
		t.Errorf("%s: the document names the flags %q, the program has %q", c, named, have)
	}
}

// flagsIn returns the long flags a text names.
func flagsIn(text string) []string {
	var flags []string
	for _, m := range flagRE.FindAllStringSubmatch(text, -1) {
		flags = append(flags, m[1])
	}
	return flags
}

// goMinor is the Go release a build needs, from go.mod: the toolchain line
// when there is one (the go command fetches it for older ones), else the go
// line, as "1.26".
func goMinor(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	v := ""
	for _, l := range strings.Split(string(b), "\n") {
		if g, ok := strings.CutPrefix(l, "go "); ok && v == "" {
			v = g
		}
		if tc, ok := strings.CutPrefix(l, "toolchain go"); ok {
			v = tc
		}
	}
	parts := strings.SplitN(strings.TrimSpace(v), ".", 3)
	if len(parts) < 2 {
		t.Fatalf("go.mod names no Go version: %q", v)
	}
	return parts[0] + "." + parts[1]
}

// gitMinimum is the oldest git install accepts, found by running it with a
// git that says it is far too old and reading which it asks for.
func gitMinimum(t *testing.T) string {
	t.Helper()
	const fakeVersion = "1.7.1"
	p := newProgram(t)
	fake := filepath.Join(p.home, "fakegit")
	if err := os.MkdirAll(fake, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fake, "git"), []byte("#!/bin/sh\necho 'git version "+fakeVersion+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := p.run(t, []string{"PATH=" + fake + string(os.PathListSeparator) + os.Getenv("PATH")}, "", "install")
	// The one version the refusal names besides the fake's own.
	var named []string
	for _, v := range regexp.MustCompile(`\b\d+\.\d+(?:\.\d+)?\b`).FindAllString(r.stderr, -1) {
		if !strings.HasPrefix(fakeVersion, v) && !slices.Contains(named, v) {
			named = append(named, v)
		}
	}
	if r.code == 0 || len(named) != 1 {
		t.Fatalf("install with git %s: exit %d, naming the versions %q:\n%s", fakeVersion, r.code, named, r.stderr)
	}
	return strings.TrimSuffix(named[0], ".0")
}

// readFile returns a file of the repository.
func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// commands checks that each package the claim's pattern finds is a command.
func commands(t *testing.T, c claim, pattern string) {
	t.Helper()
	ms := regexp.MustCompile(pattern).FindAllStringSubmatch(c.text, -1)
	if len(ms) == 0 {
		t.Errorf("%s: no %s", c, pattern)
	}
	for _, m := range ms {
		if !strings.Contains(readFile(t, filepath.Join(m[1], "main.go")), "\npackage main\n") {
			t.Errorf("%s: %s is no command", c, m[1])
		}
	}
}
