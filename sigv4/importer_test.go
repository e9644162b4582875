package sigv4_test

import (
	"fmt"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclivectors"
)

// TestImporterKeepsItsGoLine builds, offline, an outside module whose go
// line is this module's (the oldest Go the code needs) and that signs an AWS
// CLI vector's URL with sigv4.SignURL, this checkout standing in for the
// module through a replace directive. go mod tidy must leave its go line
// alone and add no toolchain line, the program must link nothing outside
// the standard library but sigv4, and it must print the AWS CLI's password.
func TestImporterKeepsItsGoLine(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("go is not on PATH")
		}
		t.Skip("go is not on PATH")
	}
	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	gomod := goEnv("GOMOD")
	ours, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go [0-9.]+$`)
	module := regexp.MustCompile(`(?m)^module (\S+)$`).FindSubmatch(ours)
	line := goLine.Find(ours)
	if module == nil || line == nil {
		t.Fatalf("%s has no module or go line", gomod)
	}
	// The go line is below the toolchain line, or importers would be
	// raised to the Go this module is built with.
	if tc := regexp.MustCompile(`(?m)^toolchain (go\S+)$`).FindSubmatch(ours); tc == nil ||
		version.Compare("go"+strings.TrimPrefix(string(line), "go "), string(tc[1])) >= 0 {
		t.Errorf("%s: %s is not below its toolchain line (%s)", gomod, line, tc)
	}
	root := filepath.Dir(gomod)
	v := awsclivectors.Load(t)[10] // China
	if !strings.HasSuffix(v.Host, ".amazonaws.com.cn") {
		t.Fatalf("vector 11 is for %s, not China", v.Host)
	}

	dir := t.TempDir()
	mod := fmt.Sprintf("module example.com/importer\n\n%s\n\nrequire %s v0.0.0\n\nreplace %[2]s => %s\n", line, module[1], root)
	prog := fmt.Sprintf(`package main

import (
	"fmt"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

func main() {
	at, _ := time.Parse(time.RFC3339, %q)
	p, err := sigv4.SignURL(%q, sigv4.Credentials{AccessKeyID: %q, SecretAccessKey: %q, SessionToken: %q}, at)
	fmt.Println(p.Username, p.Password, err)
}
`, v.Time.Format("2006-01-02T15:04:05Z07:00"), v.URL(), v.AccessKeyID, v.SecretAccessKey, v.SessionToken)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum")) // so that no checksum is looked up
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"go.mod": mod, "main.go": prog, "go.sum": string(sum)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local", "GOWORK=off",
		"GOMODCACHE="+goEnv("GOMODCACHE"), "GOCACHE="+goEnv("GOCACHE"))
	run := func(args ...string) string {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("mod", "tidy")
	after, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if got := goLine.Find(after); string(got) != string(line) || strings.Contains(string(after), "\ntoolchain ") {
		t.Errorf("go mod tidy changed the importer's go.mod from %s to:\n%s", line, after)
	}
	// sigv4 is standard library only: the program links nothing else.
	deps := strings.Fields(run("list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "."))
	if want := []string{string(module[1]) + "/sigv4/endpoint", string(module[1]) + "/sigv4", "example.com/importer"}; !slices.Equal(deps, want) {
		t.Errorf("the importer's packages beyond the standard library: %q; want %q", deps, want)
	}
	if got, want := run("run", "."), v.Username+" "+v.Password+" <nil>\n"; got != want {
		t.Errorf("the importer printed %q, want the AWS CLI's %q", got, want)
	}
}
