package install

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4/endpoint"
)

func TestCredentialSections(t *testing.T) {
	const bin = "/usr/local/bin/git-credential-codecommit"
	for _, tc := range []struct {
		name  string
		o     Options
		names []string
		cmd   string
		err   string
	}{
		{name: "default", o: Options{Binary: bin},
			names: []string{
				"credential.https://git-codecommit.*.amazonaws.com/",
				"credential.https://*.git-codecommit.*.vpce.amazonaws.com/",
				"credential.https://git-codecommit-fips.*.amazonaws.com/",
				"credential.https://*.git-codecommit-fips.*.vpce.amazonaws.com/",
				"credential.https://git-codecommit.*.amazonaws.com.cn/",
				"credential.https://*.git-codecommit.*.vpce.amazonaws.com.cn/",
				"credential.https://git-codecommit.*.amazonaws.eu/",
				"credential.https://*.git-codecommit.*.vpce.amazonaws.eu/",
				"credential.https://git-codecommit.*.c2s.ic.gov/",
				"credential.https://*.git-codecommit.*.vpce.c2s.ic.gov/",
				"credential.https://git-codecommit.*.sc2s.sgov.gov/",
				"credential.https://*.git-codecommit.*.vpce.sc2s.sgov.gov/",
				"credential.https://git-codecommit.*.cloud.adc-e.uk/",
				"credential.https://*.git-codecommit.*.vpce.cloud.adc-e.uk/",
				"credential.https://git-codecommit.*.csp.hci.ic.gov/",
				"credential.https://*.git-codecommit.*.vpce.csp.hci.ic.gov/",
			}, cmd: bin},
		{name: "profile and region", o: Options{Binary: bin, Profile: "dev", Regions: []string{"eu-west-1"}},
			cmd: bin + " --profile dev --region eu-west-1"},
		{name: "url", o: Options{Binary: bin, Profile: "a", URL: "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/team-a"},
			names: []string{"credential.https://git-codecommit.us-east-1.amazonaws.com/v1/repos/team-a/"}, cmd: bin + " --profile a"},
		{name: "url with slash", o: Options{Binary: bin, URL: "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/"},
			names: []string{"credential.https://git-codecommit.us-east-1.amazonaws.com/v1/repos/"}, cmd: bin},
		{name: "http url", o: Options{Binary: bin, URL: "http://git-codecommit.us-east-1.amazonaws.com/v1/repos/x"},
			err: `--url "http://git-codecommit.us-east-1.amazonaws.com/v1/repos/x" is not an https URL prefix; give the https:// URL of a CodeCommit repository, or a prefix of one`},
		{name: "url with user", o: Options{Binary: bin, URL: "https://me@git-codecommit.us-east-1.amazonaws.com/v1/repos/x"},
			err: `--url "https://me@git-codecommit.us-east-1.amazonaws.com/v1/repos/x" is not an https URL prefix; give the https:// URL of a CodeCommit repository, or a prefix of one`},
		{name: "url not on CodeCommit", o: Options{Binary: bin, URL: "https://git-codecommit.us-east-1.amazonaws.com.evil.example/"},
			err: `--url "https://git-codecommit.us-east-1.amazonaws.com.evil.example/" is not on a CodeCommit host; give the https:// URL of a CodeCommit repository, or a prefix of one`},
		{name: "two regions", o: Options{Binary: bin, Regions: []string{"us-east-1", "eu-west-1"}},
			err: "--region can be given once, except with --rewrite-ssh; give one --region, or add --rewrite-ssh"},
		{name: "relative binary", o: Options{Binary: "git-credential-codecommit"},
			err: `the helper's path "git-credential-codecommit" is not absolute; give its absolute path`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss, err := tc.o.credentialSections()
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range ss {
				names = append(names, s.name)
				want := []entry{{Key: "helper", Value: ""}, {Key: "helper", Value: tc.cmd}, {Key: "usehttppath", Value: "true"}}
				if !slices.Equal(s.entries, want) {
					t.Errorf("%s: %q, want %q", s.name, s.entries, want)
				}
			}
			if tc.names != nil && !slices.Equal(names, tc.names) {
				t.Errorf("sections %q, want %q", names, tc.names)
			}
		})
	}
}

func TestRewriteSections(t *testing.T) {
	ss, err := Options{RewriteSSH: true, Regions: []string{"us-east-1", "cn-north-1", "eu-west-1"}}.rewriteSections()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range ss {
		for _, e := range s.entries {
			got = append(got, s.name+"."+e.Key+"="+e.Value)
		}
	}
	want := []string{
		"url.https://git-codecommit.us-east-1.amazonaws.com/.insteadof=ssh://git-codecommit.us-east-1.amazonaws.com/",
		"url.https://git-codecommit.us-east-1.amazonaws.com/.insteadof=git+ssh://git-codecommit.us-east-1.amazonaws.com/",
		"url.https://git-codecommit.us-east-1.amazonaws.com/.insteadof=git-codecommit.us-east-1.amazonaws.com:",
		"url.https://git-codecommit-fips.us-east-1.amazonaws.com/.insteadof=ssh://git-codecommit-fips.us-east-1.amazonaws.com/",
		"url.https://git-codecommit-fips.us-east-1.amazonaws.com/.insteadof=git+ssh://git-codecommit-fips.us-east-1.amazonaws.com/",
		"url.https://git-codecommit-fips.us-east-1.amazonaws.com/.insteadof=git-codecommit-fips.us-east-1.amazonaws.com:",
		"url.https://git-codecommit.cn-north-1.amazonaws.com.cn/.insteadof=ssh://git-codecommit.cn-north-1.amazonaws.com.cn/",
		"url.https://git-codecommit.cn-north-1.amazonaws.com.cn/.insteadof=git+ssh://git-codecommit.cn-north-1.amazonaws.com.cn/",
		"url.https://git-codecommit.cn-north-1.amazonaws.com.cn/.insteadof=git-codecommit.cn-north-1.amazonaws.com.cn:",
		"url.https://git-codecommit.eu-west-1.amazonaws.com/.insteadof=ssh://git-codecommit.eu-west-1.amazonaws.com/",
		"url.https://git-codecommit.eu-west-1.amazonaws.com/.insteadof=git+ssh://git-codecommit.eu-west-1.amazonaws.com/",
		"url.https://git-codecommit.eu-west-1.amazonaws.com/.insteadof=git-codecommit.eu-west-1.amazonaws.com:",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := (Options{RewriteSSH: true, Regions: []string{"mars-north-1"}}).rewriteSections(); err == nil || err.Error() != `--region: unknown region "mars-north-1"; check its spelling` {
		t.Errorf("unknown region: %v", err)
	}
}

// configFile returns the path of a git config file that does not exist
// yet, in a directory of the test's. The tests that write it name it
// (git config --file) and run git with the environment testenv.Main
// scrubbed, which they leave alone: they run in parallel.
func configFile(t *testing.T) string {
	return filepath.Join(t.TempDir(), "test.gitconfig")
}

func listing(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("git", "config", "--file", file, "--list").Output()
	if err != nil && !os.IsNotExist(err) {
		if _, statErr := os.Stat(file); statErr == nil {
			t.Fatalf("git config --list: %v", err)
		}
	}
	return string(out)
}

// TestScopesMatch installs into a file and asks git which helper it would
// use for examples of every host form: each must reach ours, which must also
// be a host the helper signs for; look-alikes must not.
func TestScopesMatch(t *testing.T) {
	t.Parallel()
	file := configFile(t)
	const bin = "/opt/bin/git-credential-codecommit"
	if err := Install(context.Background(), Options{Scope: Path, File: file, Binary: bin}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		ours bool
	}{
		{"git-codecommit.us-east-1.amazonaws.com", true},
		{"git-codecommit.us-gov-west-1.amazonaws.com", true},
		{"git-codecommit-fips.us-east-2.amazonaws.com", true},
		{"git-codecommit.cn-north-1.amazonaws.com.cn", true},
		{"vpce-0b47ea360adebf88a-jkl88hez.git-codecommit.us-east-1.vpce.amazonaws.com", true},
		{"vpce-0b47ea360adebf88a-jkl88hez.git-codecommit-fips.ca-central-1.vpce.amazonaws.com", true},
		{"vpce-1a2b.git-codecommit.cn-north-1.vpce.amazonaws.com.cn", true},
		{"git-codecommit.eusc-de-east-1.amazonaws.eu", true},
		{"vpce-1a2b.git-codecommit.us-isof-south-1.vpce.csp.hci.ic.gov", true},
		{"git-codecommit.us-east-1.amazonaws.com.evil.example", false},
		{"github.com", false},
	} {
		u := "https://" + tc.host + "/v1/repos/x"
		if got := urlmatch(t, file, "credential.helper", u); (got == bin) != tc.ours {
			t.Errorf("git picks helper %q for %s", got, u)
		}
		if _, ok := codecommit.Region(tc.host); ok != tc.ours {
			t.Errorf("the helper recognises %s: %v", tc.host, ok)
		}
		if got := urlmatch(t, file, "credential.useHttpPath", u); (got == "true") != tc.ours {
			t.Errorf("useHttpPath for %s: %q", u, got)
		}
	}
}

// TestRewriteTargetsReachTheHelper installs with every SSH rewrite rule and
// checks, partition by partition, that every URL a rule leads to gets this
// helper and useHttpPath from the sections install wrote: a rewrite to a
// host no helper answers would turn a working SSH clone into a failing one.
func TestRewriteTargetsReachTheHelper(t *testing.T) {
	t.Parallel()
	file := configFile(t)
	const bin = "/opt/bin/git-credential-codecommit"
	o := Options{Scope: Path, File: file, Binary: bin, RewriteSSH: true}
	if err := Install(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	rules, err := o.rewriteSections()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range endpoint.Partitions() {
		t.Run(p.ID, func(t *testing.T) {
			t.Parallel()
			n := 0
			for _, s := range rules {
				target := strings.TrimPrefix(s.name, "url.")
				e, ok := codecommit.Parse(strings.TrimSuffix(strings.TrimPrefix(target, "https://"), "/"))
				if !ok {
					t.Errorf("rule to %s, a host the helper does not sign for", target)
					continue
				}
				if !slices.Contains(p.Regions, e.Region) {
					continue
				}
				n++
				u := target + "v1/repos/x"
				if got := urlmatch(t, file, "credential.helper", u); got != bin {
					t.Errorf("git picks helper %q for %s", got, u)
				}
				if got := urlmatch(t, file, "credential.useHttpPath", u); got != "true" {
					t.Errorf("useHttpPath for %s: %q", u, got)
				}
			}
			if n < len(p.Regions) {
				t.Errorf("%d rewrite targets for %d regions", n, len(p.Regions))
			}
		})
	}
}

// urlmatch is what git config --get-urlmatch says of key for u in file.
func urlmatch(t *testing.T, file, key, u string) string {
	t.Helper()
	args := []string{"config", "--file", file, "--get-urlmatch", key, u}
	if strings.HasSuffix(key, "useHttpPath") {
		args = slices.Insert(args, 3, "--type=bool")
	}
	out, _ := exec.Command("git", args...).Output()
	return strings.TrimSpace(string(out))
}

// TestInstallIdempotentAndUninstallExact installs over a file that already
// holds the user's own sections with the same URLs (without the trailing
// slash) and rewrite rules, then uninstalls.
func TestInstallIdempotentAndUninstallExact(t *testing.T) {
	t.Parallel()
	file := configFile(t)
	user := `[credential]
	helper = store
[credential "https://git-codecommit.*.amazonaws.com"]
	helper =
	helper = codecommit
	useHttpPath = true
[url "https://git-codecommit.us-east-1.amazonaws.com/"]
	insteadOf = ssh://me@git-codecommit.us-east-1.amazonaws.com/
[user]
	name = Someone
`
	if err := os.WriteFile(file, []byte(user), 0o644); err != nil {
		t.Fatal(err)
	}
	before := listing(t, file)
	ctx := context.Background()
	o := Options{Scope: Path, File: file, Binary: "/opt/bin/git-credential-codecommit", Profile: "dev", RewriteSSH: true}
	if err := Install(ctx, o, io.Discard); err != nil {
		t.Fatal(err)
	}
	once, _ := os.ReadFile(file)
	var out strings.Builder
	if err := Install(ctx, o, &out); err != nil {
		t.Fatal(err)
	}
	twice, _ := os.ReadFile(file)
	if string(once) != string(twice) {
		t.Errorf("a second install changed the file:\n%s\n---\n%s", once, twice)
	}
	if want := "git-credential-codecommit is already installed (git config --file " + file + "); nothing changed\n"; out.String() != want {
		t.Errorf("second install printed %q, want %q", out.String(), want)
	}
	if !subsequence(strings.Split(before, "\n"), strings.Split(listing(t, file), "\n")) {
		t.Errorf("install changed or reordered what the user wrote:\n%s", once)
	}

	// Another profile replaces the helper line, and nothing else.
	o.Profile = "other"
	if err := Install(ctx, o, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := listing(t, file); strings.Count(got, "--profile other") != len(hostScopes()) || strings.Contains(got, "--profile dev") {
		t.Errorf("after a reinstall with another profile:\n%s", got)
	}

	if err := Uninstall(ctx, Options{Scope: Path, File: file}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if after := listing(t, file); after != before {
		t.Errorf("uninstall left\n%s\nwant\n%s", after, before)
	}
}

// TestURLSectionsStayLast checks that a URL-prefix section written before
// the host sections is moved after them, so that its empty helper resets the
// list the host section built. Install knows the sections by the form it
// writes, whatever the binary is called.
func TestURLSectionsStayLast(t *testing.T) {
	t.Parallel()
	for _, binary := range []string{"/opt/bin/git-credential-codecommit", "/usr/libexec/cc-helper"} {
		file := configFile(t)
		ctx := context.Background()
		prefix := Options{Scope: Path, File: file, Binary: binary, Profile: "a",
			URL: "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/team-a"}
		if err := Install(ctx, prefix, io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := Install(ctx, Options{Scope: Path, File: file, Binary: binary, Profile: "b"}, io.Discard); err != nil {
			t.Fatal(err)
		}
		get := func(u string) string {
			out, _ := exec.Command("git", "config", "--file", file, "--get-urlmatch", "credential.helper", u).Output()
			return strings.TrimSpace(string(out))
		}
		if got := get("https://git-codecommit.us-east-1.amazonaws.com/v1/repos/team-a"); got != binary+" --profile a" {
			t.Errorf("team-a gets %q", got)
		}
		if got := get("https://git-codecommit.us-east-1.amazonaws.com/v1/repos/other"); got != binary+" --profile b" {
			t.Errorf("other repositories get %q", got)
		}
		lines := strings.Split(listing(t, file), "\n")
		if last := lines[len(lines)-2]; !strings.HasPrefix(last, "credential.https://git-codecommit.us-east-1.amazonaws.com/v1/repos/team-a/.") {
			t.Errorf("%s: the URL section is not last:\n%s", binary, strings.Join(lines, "\n"))
		}
	}
}

// TestOldGitRefused puts a git that says it is 2.25 first on PATH.
func TestOldGitRefused(t *testing.T) {
	home := testenv.Isolate(t)
	bin := filepath.Join(home, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\necho 'git version 2.25.1'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	err := Install(context.Background(), Options{Binary: "/opt/bin/git-credential-codecommit"}, io.Discard)
	if want := "git 2.25 is too old (the URL wildcards CodeCommit needs work from git 2.26); upgrade git"; err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

// subsequence reports whether every line of a appears in b, in order.
func subsequence(a, b []string) bool {
	for _, l := range b {
		if len(a) > 0 && a[0] == l {
			a = a[1:]
		}
	}
	return len(a) == 0
}

// TestRemoteHelperLink installs, reinstalls and uninstalls the
// git-remote-codecommit link, and refuses to replace a file that is not it.
func TestRemoteHelperLink(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	bin := filepath.Join(home, "bin", "git-credential-codecommit")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := filepath.Join(home, "links")
	if err := os.Mkdir(links, 0o755); err != nil {
		t.Fatal(err)
	}
	o := Options{Scope: Path, File: filepath.Join(home, "cfg"), Binary: bin, RemoteHelper: true, RemoteHelperDir: links}
	ctx := context.Background()
	var out strings.Builder
	if err := Install(ctx, o, &out); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(links, "git-remote-codecommit")
	if !strings.HasPrefix(out.String(), "linked "+link+" to "+bin+": git now runs it for codecommit:// URLs\n") {
		t.Errorf("install printed:\n%s", out.String())
	}
	if target, err := os.Readlink(link); err != nil || target != bin {
		t.Fatalf("link %s -> %q, %v", link, target, err)
	}
	out.Reset()
	if err := Install(ctx, o, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), link+" already runs this binary\n") || !strings.Contains(out.String(), "nothing changed") {
		t.Errorf("a second install printed:\n%s", out.String())
	}
	if err := Uninstall(ctx, o, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Fatalf("uninstall left %s: %v", link, err)
	}
	// Someone else's git-remote-codecommit stays.
	if err := os.WriteFile(link, []byte("#!/bin/sh\n# the Python one\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := Install(ctx, o, io.Discard)
	if want := link + " exists and is not this binary; remove it first"; err == nil || err.Error() != want {
		t.Errorf("install over another file: %v, want %q", err, want)
	}
	if err := Uninstall(ctx, o, io.Discard); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(link); err != nil || !strings.Contains(string(b), "Python") {
		t.Errorf("uninstall touched another program's file: %q, %v", b, err)
	}
}

// TestScope checks that each public Scope names git config's option for
// it, and that a Scope outside them is refused before git runs.
func TestScope(t *testing.T) {
	testenv.Isolate(t)
	ctx := context.Background()
	for s, want := range map[Scope][]string{
		Global: {"--global"}, System: {"--system"}, Local: {"--local"}, Path: {"--file", "/x/cfg"},
	} {
		f, err := Options{Scope: s, File: "/x/cfg"}.file(ctx)
		if err != nil || !slices.Equal(f.Args(), want) {
			t.Errorf("scope %d: git config %q, %v; want %q", s, f.Args(), err, want)
		}
	}
	err := Install(ctx, Options{Scope: Path + 1, Binary: "/opt/bin/git-credential-codecommit"}, io.Discard)
	if want := "install: no configuration scope 4; use Global, System, Local or Path"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestZeroOptions runs Install and Uninstall with zero Options and no
// writer: Install asks for the helper's path, Uninstall removes nothing from
// the user's empty configuration, and neither panics.
func TestZeroOptions(t *testing.T) {
	testenv.Isolate(t)
	ctx := context.Background()
	if err := Install(ctx, Options{}, nil); err == nil || err.Error() != `the helper's path "" is not absolute; give its absolute path` {
		t.Errorf("Install with zero Options: %v", err)
	}
	if err := Uninstall(ctx, Options{}, nil); err != nil {
		t.Errorf("Uninstall with zero Options: %v", err)
	}
}
