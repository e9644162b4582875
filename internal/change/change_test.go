package change

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCargoLine adds the line to cargo config files of each shape, and
// checks that a second Apply changes nothing.
func TestCargoLine(t *testing.T) {
	for _, tc := range []struct{ name, before, after, err string }{
		{"no file", "", "net.git-fetch-with-cli = true\n", ""},
		{"tables only", "[http]\ntimeout = 30\n", "net.git-fetch-with-cli = true\n[http]\ntimeout = 30\n", ""},
		{"a [net] table", "[http]\ntimeout = 30\n[net]\nretry = 2\n", "[http]\ntimeout = 30\n[net]\ngit-fetch-with-cli = true\nretry = 2\n", ""},
		{"set to false", "[net]\ngit-fetch-with-cli = false\n", "", "sets net.git-fetch-with-cli already"},
		{"an inline net table", "net = { retry = 2 }\n", "", "an inline net table"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "cargo", "config.toml")
			if tc.before != "" {
				if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f, []byte(tc.before), 0o640); err != nil {
					t.Fatal(err)
				}
			}
			c := Change{Kind: CargoCLI, File: f}
			changed, err := c.Apply(t.Context(), "", nil)
			if tc.err != "" {
				b, _ := os.ReadFile(f)
				if err == nil || !strings.Contains(err.Error(), tc.err) || string(b) != tc.before {
					t.Fatalf("Apply: %v, %v; the file holds %q", changed, err, b)
				}
				return
			}
			b, _ := os.ReadFile(f)
			if err != nil || !changed || string(b) != tc.after {
				t.Fatalf("Apply: %v, %v; the file holds %q, want %q", changed, err, b, tc.after)
			}
			if fi, _ := os.Stat(f); tc.before != "" && fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want the file's 0640", fi.Mode())
			}
			if changed, err := c.Apply(t.Context(), "", nil); err == nil || changed {
				// The line is there now: Apply refuses to add it twice.
				t.Errorf("a second Apply: %v, %v", changed, err)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	git := Change{Kind: GitGlobal, Key: "protocol.codecommit.allow", Value: "always"}
	cargo := Change{Kind: CargoCLI, File: "/c/config.toml"}
	got := Merge([]Change{{Kind: Install}, cargo, git, {Kind: Install, RewriteSSH: true}, git, {Kind: Install, RemoteHelper: true}})
	want := []Change{{Kind: Install, RewriteSSH: true, RemoteHelper: true}, cargo, git}
	if !slices.Equal(got, want) {
		t.Errorf("Merge = %+v, want %+v", got, want)
	}
	if s := want[0].String("prog"); s != "prog install --rewrite-ssh --remote-helper" {
		t.Errorf("String = %q", s)
	}
}

// TestGitGlobal sets a key in the global file git reads, then finds it set.
func TestGitGlobal(t *testing.T) {
	home := t.TempDir()
	env := []string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"), "PATH=" + os.Getenv("PATH")}
	c := Change{Kind: GitGlobal, Key: "protocol.codecommit.allow", Value: "always"}
	for i, want := range []bool{true, false} {
		if changed, err := c.Apply(t.Context(), home, env); err != nil || changed != want {
			t.Fatalf("Apply %d: %v, %v; want changed %v", i+1, changed, err, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(home, ".gitconfig")); !strings.Contains(string(b), "allow = always") {
		t.Errorf(".gitconfig: %s", b)
	}
}
