package doctor

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestDoctorProjects runs doctor in projects of each kind that needs more
// than install: each finding fails with its fix, and with the fix in place
// doctor passes.
func TestDoctorProjects(t *testing.T) {
	const (
		lib      = "git-codecommit.us-east-1.amazonaws.com/v1/repos/lib"
		httpsLib = "https://" + lib
		sshLib   = "ssh://" + lib
	)
	for _, tc := range []struct {
		name string
		// files are the project's; fixed are written over them for the
		// second run, env set for it.
		files, fixed map[string]string
		env          map[string]string
		before       map[string]string // environment for both runs
		install      []string          // install's flags for the second run
		check        string
		detail, fix  string
	}{{
		name:  "go without GOPRIVATE",
		files: map[string]string{"go.mod": "module example.com/app\n\ngo 1.21\n\nrequire " + lib + ".git v1.0.0\n"},
		env:   map[string]string{"GOPRIVATE": "git-codecommit.*.amazonaws.com"},
		check: "go", detail: "which GOPRIVATE does not cover", fix: "go env -w GOPRIVATE=git-codecommit.*.amazonaws.com",
	}, {
		name:   "go without the .git qualifier",
		files:  map[string]string{"go.mod": "module example.com/app\n\ngo 1.21\n\nrequire (\n\t" + lib + " v1.0.0 // indirect\n)\n"},
		fixed:  map[string]string{"go.mod": "module example.com/app\n\ngo 1.21\n\nrequire (\n\t" + lib + ".git v1.0.0 // indirect\n)\n"},
		before: map[string]string{"GOPRIVATE": "example.com,git-codecommit.*.amazonaws.com"},
		check:  "go", detail: "whose path does not end in .git", fix: "/v1/repos/NAME.git",
	}, {
		name:  "cargo without git-fetch-with-cli",
		files: map[string]string{"Cargo.toml": "[package]\nname = \"app\"\n\n[dependencies]\nlib = { git = \"" + httpsLib + "\", branch = \"main\" }\n"},
		fixed: map[string]string{".cargo/config.toml": "[net]\ngit-fetch-with-cli = true # for CodeCommit\n"},
		check: "cargo", detail: "its own git library", fix: "git-fetch-with-cli = true",
	}, {
		name:  "cargo, fixed in the environment",
		files: map[string]string{"Cargo.toml": "[dependencies.lib]\ngit = '" + httpsLib + "'\n"},
		env:   map[string]string{"CARGO_NET_GIT_FETCH_WITH_CLI": "true"},
		check: "cargo", detail: "its own git library", fix: "CARGO_NET_GIT_FETCH_WITH_CLI=true",
	}, {
		name: "yarn 4 with git+https",
		files: map[string]string{".yarnrc.yml": "nodeLinker: node-modules\n",
			"package.json": `{"dependencies": {"lib": "git+` + httpsLib + `#main"}}`},
		fixed: map[string]string{"package.json": `{"dependencies": {"lib": "git+` + sshLib + `#main"}}`,
			".yarnrc.yml": "nodeLinker: node-modules\napprovedGitRepositories:\n  - \"ssh://git-codecommit.*.amazonaws.com/v1/repos/*\"\n"},
		install: []string{"--rewrite-ssh", "--region", "us-east-1"},
		check:   "yarn", detail: "downloads the code itself, without credentials", fix: "install --rewrite-ssh",
	}, {
		name:  "yarn 4 by packageManager, no .yarnrc.yml",
		files: map[string]string{"package.json": `{"packageManager": "yarn@4.18.1", "dependencies": {"lib": "git+` + httpsLib + `"}}`},
		fixed: map[string]string{"package.json": `{"packageManager": "yarn@4.18.1", "dependencies": {"lib": "git+` + sshLib + `"}}`,
			".yarnrc.yml": `approvedGitRepositories: ["ssh://git-codecommit.*.amazonaws.com/v1/repos/*"]` + "\n"},
		install: []string{"--rewrite-ssh", "--region", "us-east-1"},
		check:   "yarn", detail: `("packageManager": "yarn@4.18.1")`, fix: "approvedGitRepositories",
	}, {
		name:  "yarn 4, SSH URLs not approved",
		files: map[string]string{".yarnrc.yml": "nodeLinker: node-modules\n", "package.json": `{"dependencies": {"lib": "git+` + sshLib + `"}}`},
		fixed: map[string]string{".yarnrc.yml": `approvedGitRepositories: ["ssh://git-codecommit.*.amazonaws.com/v1/repos/*"]` + "\n"},
		before: map[string]string{"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "url.https://git-codecommit.us-east-1.amazonaws.com/.insteadOf",
			"GIT_CONFIG_VALUE_0": "ssh://git-codecommit.us-east-1.amazonaws.com/"},
		check: "yarn", detail: "YN0080", fix: `add to .yarnrc.yml: approvedGitRepositories: ["ssh://git-codecommit.*.amazonaws.com/v1/repos/*"]`,
	}, {
		name:    "SSH dependencies in a lockfile",
		files:   map[string]string{"package-lock.json": `{"packages": {"node_modules/lib": {"resolved": "git+` + sshLib + `#0123abc"}}}`},
		install: []string{"--rewrite-ssh", "--region", "us-east-1"},
		check:   "ssh-deps", detail: "over SSH, which git does not rewrite", fix: "install --rewrite-ssh",
	}, {
		name:    "a Terraform module over SSH",
		files:   map[string]string{"main.tf": "module \"network\" {\n  source = \"git::" + sshLib + "?ref=v1.2.0\"\n}\n"},
		install: []string{"--rewrite-ssh", "--region", "us-east-1"},
		check:   "ssh-deps", detail: "depends on " + sshLib + " over SSH", fix: "install --rewrite-ssh",
	}, {
		name:    "a Gemfile and requirements.txt over SSH",
		files:   map[string]string{"Gemfile": "gem \"lib\", git: \"" + sshLib + "\"\n", "requirements-dev.txt": "lib @ git+" + sshLib + "@v1\n"},
		install: []string{"--rewrite-ssh", "--region", "us-east-1"},
		check:   "ssh-deps", detail: "depends on " + sshLib + " over SSH", fix: "install --rewrite-ssh",
	}, {
		name:  "an SSH key id as user name, after install --rewrite-ssh",
		files: map[string]string{"requirements.txt": "lib @ git+ssh://APKAEIBAERJR2EXAMPLE@" + lib + "\n"},
		fixed: map[string]string{"requirements.txt": "lib @ git+" + sshLib + "\n"},
		before: map[string]string{"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "url.https://git-codecommit.us-east-1.amazonaws.com/.insteadOf",
			"GIT_CONFIG_VALUE_0": "ssh://git-codecommit.us-east-1.amazonaws.com/"},
		check: "ssh-deps", detail: "with a user name", fix: "remove the user name (NAME@) from those URLs",
	}, {
		name: "a cargo workspace member, CARGO_HOME elsewhere",
		files: map[string]string{"Cargo.toml": "[workspace]\nmembers = [\"crates/*\"] # all\n",
			"crates/a/Cargo.toml": "[package]\nname = \"a\"\n\n[dependencies]\nlib = { git = \"" + httpsLib + "\" }\n"},
		fixed:  map[string]string{"../opt/cargo/config.toml": "[http]\ntimeout = 30\n[net]\ngit-fetch-with-cli = true\n"},
		before: map[string]string{"CARGO_HOME": "$HOME/opt/cargo"},
		check:  "cargo", detail: "depends on " + httpsLib, fix: "/opt/cargo/config.toml: net.git-fetch-with-cli = true (or export CARGO_NET_GIT_FETCH_WITH_CLI=true)",
	}, {
		name:  "cargo's inline net table",
		files: map[string]string{"Cargo.toml": "[dependencies]\nlib = { git = \"" + httpsLib + "\" }\n"},
		fixed: map[string]string{".cargo/config.toml": "net = { retry = 2, git-fetch-with-cli = true }\n"},
		check: "cargo", detail: "its own git library", fix: ".cargo/config.toml: net.git-fetch-with-cli = true",
	}, {
		name: "a new Go project, before its first go get",
		files: map[string]string{"go.mod": "module example.com/app\n\ngo 1.21\n",
			"main.go": "package main\n\nimport _ \"" + lib + ".git/sub\"\n"},
		env:   map[string]string{"GOPRIVATE": "git-codecommit.*.amazonaws.com"},
		check: "go", detail: "needs " + lib + ".git, which GOPRIVATE does not cover", fix: "go env -w GOPRIVATE=git-codecommit.*.amazonaws.com",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newDoctorWorld(t)
			w.install()
			for k, v := range tc.before {
				w.env = append(w.env, k+"="+strings.ReplaceAll(v, "$HOME", w.home))
			}
			for name, body := range tc.files {
				w.write(filepath.Join("project", name), body)
			}
			dir := filepath.Join(w.home, "project")
			r := w.doctor(Options{URL: testURL, Dir: dir})
			cs := find(r, tc.check, Fail)
			if r.OK || len(cs) != 1 || !strings.Contains(cs[0].Detail, tc.detail) || !strings.Contains(cs[0].Fix, tc.fix) {
				t.Fatalf("checks %+v\nwant one failing %s check holding %q, with a fix holding %q", r.Checks, tc.check, tc.detail, tc.fix)
			}
			var text bytes.Buffer
			r.WriteText(&text)
			if want := "a clone of " + testURL + " should work, but this project's package manager would not fetch its CodeCommit dependencies: 1 problem\n"; !strings.HasSuffix(text.String(), want) {
				t.Errorf("the verdict is not the project's:\n%s", text.String())
			}
			for name, body := range tc.fixed {
				w.write(filepath.Join("project", name), body)
			}
			for k, v := range tc.env {
				w.env = append(w.env, k+"="+v)
			}
			if tc.install != nil {
				w.install(tc.install...)
			}
			r = w.doctor(Options{URL: testURL, Dir: dir})
			if !r.OK || len(find(r, tc.check, OK)) == 0 && tc.check != "yarn" {
				t.Errorf("after the fix: failed %v, checks %+v", failed(r), r.Checks)
			}
		})
	}
}

// TestDoctorPlainProject: a project without CodeCommit dependencies gets
// every project check skipped, each saying why.
func TestDoctorPlainProject(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	w.install()
	w.write("plain/go.mod", "module example.com/plain\n\ngo 1.21\n\nrequire golang.org/x/mod v0.20.0\n")
	w.write("plain/package.json", `{"dependencies": {"left-pad": "1.3.0", "x": "git+https://github.com/a/b"}}`)
	r := w.doctor(Options{URL: testURL, Dir: filepath.Join(w.home, "plain")})
	var got []string
	for _, c := range r.Checks {
		if slices.Contains([]string{"go", "cargo", "yarn", "ssh-deps"}, c.Name) {
			if c.Status != Skip || c.Detail == "" {
				t.Errorf("check %+v; want it skipped, saying why", c)
			}
			got = append(got, c.Name)
		}
	}
	if want := []string{"go", "cargo", "yarn", "ssh-deps"}; !slices.Equal(got, want) {
		t.Errorf("project checks %q, want %q, in that order", got, want)
	}
}

// TestDoctorKnowsItselfRenamed installs a copy of the helper under the
// name a release archive gives it, and runs that copy's doctor: it must
// recognise itself in git's configuration and pass.
func TestDoctorKnowsItselfRenamed(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"git-credential-codecommit_linux_amd64", "git-credential-codecommit-v2"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newDoctorWorld(t)
			// A hard link is the same program under another name, without
			// copying its megabytes; a copy where links do not work.
			bin := filepath.Join(w.home, "bin", name)
			if err := os.MkdirAll(filepath.Dir(bin), 0o700); err != nil {
				t.Fatal(err)
			}
			if os.Link(w.bin, bin) != nil {
				b, err := os.ReadFile(w.bin)
				if err != nil {
					t.Fatal(err)
				}
				w.write(filepath.Join("bin", name), string(b))
				if err := os.Chmod(bin, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			c := envCreds
			env := []string{"AWS_ACCESS_KEY_ID=" + c.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey, "AWS_SESSION_TOKEN=" + c.SessionToken}
			for _, args := range [][]string{{"install"}, {"doctor", testURL}} {
				cmd := testenv.Command(w.home, env, bin, args...)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Run(); err != nil {
					t.Fatalf("%s %s: %v\n%s", name, args[0], err, out.String())
				}
				if args[0] == "doctor" && !strings.Contains(out.String(), "ok    helper      git asks git-credential-codecommit first") {
					t.Errorf("%s doctor:\n%s", name, out.String())
				}
			}
			if err := testenv.Command(w.home, nil, bin, "uninstall").Run(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFIPSCheck(t *testing.T) {
	t.Parallel()
	const fips = "https://git-codecommit-fips.us-east-1.amazonaws.com/v1/repos/r"
	const plain = "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r"
	for _, tc := range []struct {
		url    string
		fipsOn bool
		status Status
		fix    string
		module string
	}{
		{fips, false, Warn, "install the _fips release (or build with GOFIPS140=v1.0.0)", "latest"},
		{fips, true, OK, "", "v1.0.0"},
		// GODEBUG=fips140=only on the plain build: FIPS mode, the wrong module.
		{fips, true, Warn, "install the _fips release (or build with GOFIPS140=v1.0.0)", "latest"},
		{plain, true, Warn, "use " + fips, "v1.0.0"},
		{plain, false, Skip, "", "v1.0.0"},
		{"https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r", true, Skip, "", "v1.0.0"}, // no FIPS endpoint there
		{"https://example.com/r", true, Skip, "", "v1.0.0"},
		{"", false, Skip, "", "v1.0.0"}, // no CodeCommit URL
	} {
		c := fipsCheck(tc.url, tc.fipsOn, tc.module)
		if c.Name != "fips" || c.Status != tc.status || c.Fix != tc.fix || c.Detail == "" {
			t.Errorf("fipsCheck(%s, %v) = %+v; want status %q, fix %q", tc.url, tc.fipsOn, c, tc.status, tc.fix)
		}
	}
}

// TestDoctorRemoteHelperURL: a codecommit:// URL is not an https one to
// fix. git runs git-remote-codecommit for it, which must be where git
// looks; that gives git this helper itself, so the helper checks do not
// apply.
func TestDoctorRemoteHelperURL(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	const u = "codecommit::us-east-1://app"
	r := w.doctor(Options{URL: u})
	cs := find(r, "url", Fail)
	if r.OK || len(cs) != 1 || !strings.Contains(cs[0].Detail, "git finds no git-remote-codecommit") || len(r.Changes()) != 1 || !r.Changes()[0].RemoteHelper {
		t.Fatalf("without git-remote-codecommit: %+v; changes %+v", r.Checks, r.Changes())
	}
	w.write("bin/git-remote-codecommit", "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(w.home, "bin", "git-remote-codecommit"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.env = append(w.env, "PATH="+filepath.Join(w.home, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	r = w.doctor(Options{URL: u})
	if !r.OK || len(find(r, "url", OK)) != 1 || len(find(r, "helper", Skip)) != 1 || len(find(r, "credentials", OK)) != 1 {
		t.Errorf("with git-remote-codecommit: %+v", r.Checks)
	}
}
