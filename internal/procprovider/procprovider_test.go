package procprovider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const creds = `{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "proc/secret"}`

// script writes body to a script in a temporary directory, and returns the
// command that runs it. Its children write their process ids to $CHILDREN
// for the test to end them.
func script(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "proc.sh")
	if err := os.WriteFile(p, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	children := filepath.Join(dir, "children")
	t.Setenv("CHILDREN", children)
	t.Cleanup(func() {
		b, _ := os.ReadFile(children)
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return "/bin/sh " + p
}

// TestStreams checks that the process reads no stdin of the host's, even
// one that holds data and stays open, and that its stderr goes to the
// caller's writer, whole, by the time Retrieve returns, or nowhere.
func TestStreams(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := w.WriteString("host-input\n"); err != nil {
		t.Fatal(err)
	}
	stdin := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = stdin }()

	cmd := script(t, "read -r line; echo \"stdin:$line\" >&2\necho 'MFA code?' >&2\ncat <<'EOF'\n"+creds+"\nEOF\n")
	var stderr bytes.Buffer
	got, err := Provider{Command: cmd, Stderr: &stderr}.Retrieve(context.Background())
	if err != nil || got.AccessKeyID != "AKIAPROC" {
		t.Fatalf("Retrieve: %+v, %v", got, err)
	}
	if stderr.String() != "stdin:\nMFA code?\n" {
		t.Errorf("stderr %q, want the process's two lines, with nothing read from stdin", stderr.String())
	}
	if got, err := (Provider{Command: cmd}).Retrieve(context.Background()); err != nil || got.AccessKeyID != "AKIAPROC" {
		t.Errorf("with no Stderr: %+v, %v", got, err)
	}
}

// TestStderrHeld checks that a child holding the caller's stderr, as one
// holding stdout, does not keep Retrieve waiting.
func TestStderrHeld(t *testing.T) {
	cmd := script(t, "cat <<'EOF'\n"+creds+"\nEOF\n(sleep 300 & echo $! >> \"$CHILDREN\")\n")
	var stderr bytes.Buffer
	var err error
	testenv.Within(t, 20*time.Second, "Retrieve", func() {
		_, err = Provider{Command: cmd, Stderr: &stderr}.Retrieve(context.Background())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTooMuchOutput checks that a process that prints more than is read
// fails at once as having printed too much, whether it would go on
// printing forever or end after: it is never left blocked on the full pipe
// until the deadline.
func TestTooMuchOutput(t *testing.T) {
	for _, body := range []string{
		"yes\n",
		"head -c 100000 /dev/zero | tr '\\0' a\necho $$ >> \"$CHILDREN\"\nexec sleep 300\n",
	} {
		cmd := script(t, body)
		var err error
		testenv.Within(t, 20*time.Second, "Retrieve", func() {
			_, err = Provider{Command: cmd}.Retrieve(context.Background())
		})
		if err == nil || err.Error() != "it printed more than 64 KiB" {
			t.Errorf("%q: got %v, want: it printed more than 64 KiB", body, err)
		}
	}
}

func TestProcessPlatform(t *testing.T) {
	if got := shell("linux", "/bin/creds --p"); !slices.Equal(got, []string{"sh", "-c", "/bin/creds --p"}) {
		t.Errorf("linux: %q", got)
	}
	if got := shell("windows", `C:\creds.exe --p`); !slices.Equal(got, []string{"cmd.exe", "/C", `C:\creds.exe --p`}) {
		t.Errorf("windows: %q", got)
	}
	out := []byte(`{\"Version\": 1}`)
	if got := string(output("windows", out)); got != `{"Version": 1}` {
		t.Errorf("windows output: %s", got)
	}
	if got := string(output("linux", out)); got != string(out) {
		t.Errorf("linux output: %s", got)
	}
}
