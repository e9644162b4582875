// Command demo shows git-credential-codecommit at work with no AWS account
// and nothing leaving the machine:
//
//	go run ./internal/demo
//
// It builds the helper, starts loopback fakes of CodeCommit and of EC2
// instance metadata, configures an isolated git exactly as README.md says,
// then clones, commits, pushes and clones again, and reports which
// credentials were used, how often git ran the helper, and what the fake
// CodeCommit decided about every request.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakecodecommit"
)

const (
	host    = "git-codecommit.us-east-1.amazonaws.com"
	repoURL = "https://" + host + "/v1/repos/demo"
	scope   = "credential.https://git-codecommit.*.amazonaws.com"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("demo: ")
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

type demo struct {
	home  string
	env   []string
	trace string // GIT_TRACE file: every command git runs, helpers included
}

func run() error {
	home, err := os.MkdirTemp("", "codecommit-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)

	fmt.Println("git-credential-codecommit demo: no AWS account; nothing leaves this machine.")
	fmt.Println()
	helper := filepath.Join(home, "bin", "git-credential-codecommit")
	build := exec.Command("go", "build", "-o", helper, "github.com/git-credential-codecommit/git-credential-codecommit")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the helper: %v", err)
	}

	keys := fakeaws.NewKeys()
	cc, err := fakecodecommit.Start(fakecodecommit.Options{Lookup: keys.Lookup})
	if err != nil {
		return err
	}
	defer cc.Close()
	imds, err := fakeaws.StartIMDS(keys, "demo-build-role")
	if err != nil {
		return err
	}
	defer imds.Close()
	if err := cc.CreateRepo("demo"); err != nil {
		return err
	}

	d := &demo{home: home, trace: filepath.Join(home, "git-trace")}
	d.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_TERMINAL_PROMPT=0",
		// As on an EC2 instance with a role, but the metadata service is a fake.
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.URL,
		// The helper explains itself on stderr; the demo reads one line of it.
		"GIT_CREDENTIAL_CODECOMMIT_DEBUG=1",
	}

	fmt.Printf("  CodeCommit   %s, a fake on %s reached through a CONNECT proxy\n", "https://"+host, cc.Addr)
	fmt.Printf("  credentials  EC2 instance metadata (IMDSv2), a fake at %s with role demo-build-role\n", imds.URL)
	fmt.Printf("  git config   as README.md says, in an empty home (%s):\n", home)
	for _, args := range [][]string{
		{"config", "--global", scope + ".helper", ""},
		{"config", "--global", "--add", scope + ".helper", helper},
		{"config", "--global", scope + ".useHttpPath", "true"},
	} {
		if _, err := d.git("", args...); err != nil {
			return err
		}
		fmt.Printf("      git %s\n", quoteArgs(args))
	}
	for _, kv := range [][2]string{
		{"http.proxy", cc.ProxyURL}, {"http.sslCAInfo", cc.CAFile},
		{"user.name", "Demo"}, {"user.email", "demo@example.com"}, {"init.defaultBranch", "main"},
	} {
		if _, err := d.git("", "config", "--global", kv[0], kv[1]); err != nil {
			return err
		}
	}
	fmt.Println("      (and, for the fakes only: http.proxy, http.sslCAInfo)")
	fmt.Println()

	work := filepath.Join(home, "demo")
	again := filepath.Join(home, "demo-again")
	var debug bytes.Buffer
	for _, step := range []struct {
		dir  string
		args []string
	}{
		{"", []string{"clone", repoURL, work}},
		{work, []string{"commit", "--allow-empty", "-m", "hello from the demo"}},
		{work, []string{"push", "origin", "HEAD:main"}},
		{"", []string{"clone", repoURL, again}},
	} {
		fmt.Printf("  $ git %s\n", strings.ReplaceAll(quoteArgs(step.args), home, "$HOME"))
		stderr, err := d.git(step.dir, step.args...)
		debug.WriteString(stderr)
		if err != nil {
			return fmt.Errorf("git %s: %v\n%s", step.args[0], err, stderr)
		}
	}
	subject, err := exec.Command("git", "-C", again, "log", "--format=%s", "-1").Output()
	if err != nil {
		return err
	}
	fmt.Printf("  the second clone has the pushed commit: %q\n\n", strings.TrimSpace(string(subject)))

	fmt.Println("What happened:")
	for _, l := range strings.Split(debug.String(), "\n") {
		if _, src, ok := strings.Cut(l, "debug: credential source "); ok {
			fmt.Printf("  credential source  %s (access key %s, issued by the fake IMDS)\n", src, imds.Issued().AccessKeyID)
			break
		}
	}
	gets, err := d.helperRuns(helper)
	if err != nil {
		return err
	}
	fmt.Printf("  git ran the helper %d times for a password (\"get\"); each run signed afresh\n", gets)
	fmt.Printf("  the fake IMDS was asked for the role's credentials %d times\n", imds.CredentialFetches())
	fmt.Println("  the fake CodeCommit checked every SigV4 password itself:")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	for _, v := range cc.Verdicts() {
		verdict := "accepted"
		switch {
		case v.Status == 401:
			verdict = "no password yet: git asks its helper"
		case v.Reason != "":
			verdict = "refused: " + v.Reason
		}
		fmt.Fprintf(w, "      %s\t%s\t%s\t%d %s\n", v.Method, v.Path, v.AccessKeyID, v.Status, verdict)
	}
	w.Flush()
	return nil
}

// git runs git in the demo's isolated environment, with its trace going to
// d.trace, and returns what it wrote on stderr.
func (d *demo) git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Env = append(slices.Clip(d.env), "GIT_TRACE="+d.trace)
	cmd.Dir = d.home
	if dir != "" {
		cmd.Dir = dir
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	return stderr.String(), err
}

// helperRuns counts the times git's trace shows it running the helper's get.
func (d *demo) helperRuns(helper string) (int, error) {
	b, err := os.ReadFile(d.trace)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "run_command:") && strings.Contains(l, helper) && strings.HasSuffix(strings.TrimSuffix(l, "'"), " get") {
			n++
		}
	}
	return n, nil
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " *'") {
			a = "'" + a + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
