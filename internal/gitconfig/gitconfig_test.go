package gitconfig

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestHelperCommand renders helper command lines for Linux, macOS and
// Windows: plain paths as they are, others quoted for git's shell.
func TestHelperCommand(t *testing.T) {
	for _, tc := range []struct {
		goos string
		args []string
		want string
	}{
		{"linux", []string{"/usr/local/bin/git-credential-codecommit"}, "/usr/local/bin/git-credential-codecommit"},
		{"linux", []string{"/usr/local/bin/git-credential-codecommit", "--profile", "dev", "--region", "eu-west-1"},
			"/usr/local/bin/git-credential-codecommit --profile dev --region eu-west-1"},
		{"darwin", []string{"/Users/Jo Smith/bin/git-credential-codecommit", "--profile", "dev"},
			"!'/Users/Jo Smith/bin/git-credential-codecommit' '--profile' 'dev'"},
		{"linux", []string{"/opt/bin/git-credential-codecommit", "--profile", "it's mine"},
			`!'/opt/bin/git-credential-codecommit' '--profile' 'it'\''s mine'`},
		{"linux", []string{"/opt/$HOME/git-credential-codecommit"}, "!'/opt/$HOME/git-credential-codecommit'"},
		{"linux", []string{"/opt/bin/git-credential-codecommit", "--profile", ""}, "!'/opt/bin/git-credential-codecommit' '--profile' ''"},
		// Windows: git's shell wants forward slashes; a path with a space
		// (Program Files) is quoted.
		{"windows", []string{`C:\tools\git-credential-codecommit.exe`}, "C:/tools/git-credential-codecommit.exe"},
		{"windows", []string{`C:\Program Files\cc\git-credential-codecommit.exe`, "--profile", "dev"},
			"!'C:/Program Files/cc/git-credential-codecommit.exe' '--profile' 'dev'"},
		// Elsewhere a backslash is a character of the name, and quoted.
		{"linux", []string{`/opt/back\slash/git-credential-codecommit`}, `!'/opt/back\slash/git-credential-codecommit'`},
	} {
		args := slices.Clone(tc.args)
		if got := helperCommand(tc.goos, args); got != tc.want {
			t.Errorf("helperCommand(%s, %q) = %q, want %q", tc.goos, tc.args, got, tc.want)
		}
		if !slices.Equal(args, tc.args) {
			t.Errorf("helperCommand(%s, %q) changed its argument to %q", tc.goos, tc.args, args)
		}
	}
}

func TestVersionAtLeast(t *testing.T) {
	for _, tc := range []struct {
		v, min Version
		want   bool
	}{
		{V(2, 39), Wildcards, true},
		{V(2, 26), Wildcards, true},
		{V(2, 25), Wildcards, false},
		{V(1, 99), Wildcards, false},
		{V(3, 0), PasswordExpiry, true},
		{V(2, 39), PasswordExpiry, false},
	} {
		if got := tc.v.AtLeast(tc.min); got != tc.want {
			t.Errorf("%s.AtLeast(%s) = %v, want %v", tc.v, tc.min, got, tc.want)
		}
	}
}

// TestFile writes and reads a file with real git: entries in file order,
// keys in lower case, only the sections asked for, not those of a
// subsection that extends the name, nothing for a missing section, and
// git's exit status 5 (nothing to unset) as ErrNotFound.
func TestFile(t *testing.T) {
	ctx := context.Background()
	home := testenv.Isolate(t)
	f := File{Scope: Path, Path: filepath.Join(home, "cfg")}
	v, line, err := f.Version(ctx)
	if err != nil || !v.AtLeast(Wildcards) || line == "" {
		t.Fatalf("Version: %v %q %v", v, line, err)
	}
	const name = "credential.https://git-codecommit.*.amazonaws.com/"
	want := []Entry{{"helper", ""}, {"helper", "/bin/x --profile a"}, {"usehttppath", "true"}}
	spell := func(k string) string {
		if k == "usehttppath" {
			return "useHttpPath"
		}
		return k
	}
	if err := f.Add(ctx, name, want, spell); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Config(ctx, "--add", name+".x.helper", "/bin/y"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Config(ctx, "--add", "core.pager", "less"); err != nil {
		t.Fatal(err)
	}
	snap, err := f.Read(ctx, "credential", "url")
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Section(name); !slices.Equal(got, want) {
		t.Errorf("Section = %q, want %q", got, want)
	}
	if got := snap.Section("credential.https://other/"); got != nil {
		t.Errorf("Section of a missing section = %q", got)
	}
	if n := len(snap); n != 4 {
		t.Errorf("Read %q: %d entries, want the 4 of credential sections", snap, n)
	}
	if snap, err := f.Read(ctx, "url"); snap != nil || err != nil {
		t.Errorf("Read of no entries = %q, %v", snap, err)
	}
	if _, err := f.Config(ctx, "--unset-all", name+".nothing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unsetting a missing key: %v, want ErrNotFound", err)
	}
	if _, err := f.Config(ctx, "--bad-option"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("a bad option: %v, want git's error", err)
	}
	if a := (File{Scope: System}).Args(); !slices.Equal(a, []string{"--system"}) {
		t.Errorf("System args %q", a)
	}
}
