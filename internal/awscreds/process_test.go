package awscreds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestCredentialProcessBounded runs credential processes that misbehave
// and checks that Resolve always returns by its deadline: with the
// credentials when the process printed them and exited, whatever it left
// behind; with one line naming credential_process otherwise.
func TestCredentialProcessBounded(t *testing.T) {
	const creds = `{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "proc/secret", "SessionToken": "tok"}`
	for _, tc := range []struct {
		name, script string
		want         string // the access key id, or the error
	}{
		// The children write their process ids to $CHILDREN, for the test
		// to end them: they would otherwise hold the test's own output too.
		{"a child holds stdout", "cat <<'EOF'\n" + creds + "\nEOF\nsleep 300 &\necho $! >> \"$CHILDREN\"\n", "AKIAPROC"},
		{"a grandchild holds stdout", "cat <<'EOF'\n" + creds + "\nEOF\n(sleep 300 & echo $! >> \"$CHILDREN\")\n", "AKIAPROC"},
		{"it never exits", "cat <<'EOF'\n" + creds + "\nEOF\necho $$ >> \"$CHILDREN\"\nexec sleep 300\n",
			`credential_process of profile "proc" did not finish in time; run it by hand to see why`},
		{"it fails", "echo oops >&2; exit 3\n",
			`credential_process of profile "proc" failed (it exited with status 3); run it by hand to see why`},
		{"it prints nonsense", "echo '{\"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"leaked\"'\n",
			`credential_process of profile "proc" failed (its output is not the JSON credential_process must print); run it by hand to see why`},
		{"it prints no key", "echo '{\"Version\": 1}'\n",
			`credential_process of profile "proc" failed (its output has no AccessKeyId or no SecretAccessKey); run it by hand to see why`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := testenv.Isolate(t)
			script := filepath.Join(home, "proc.sh")
			if err := os.WriteFile(script, []byte(tc.script), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile proc]\ncredential_process = /bin/sh "+script+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			children := filepath.Join(home, "children")
			t.Setenv("CHILDREN", children)
			t.Cleanup(func() {
				b, _ := os.ReadFile(children)
				for _, f := range strings.Fields(string(b)) {
					if pid, err := strconv.Atoi(f); err == nil {
						syscall.Kill(pid, syscall.SIGKILL)
					}
				}
			})
			// The deadline ends only the process that never exits, which
			// fails however short it is; the others answer long before it.
			deadline := time.Minute
			if tc.name == "it never exits" {
				deadline = 300 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			r, err := Resolve(ctx, Options{Profile: "proc", DefaultRegion: "us-east-1", NoCache: true})
			if d := time.Since(start); d > deadline+20*time.Second {
				t.Fatalf("Resolve returned after %s, long past its %s deadline", d, deadline)
			}
			got := r.AccessKeyID
			if err != nil {
				got = err.Error()
				var e *Error
				if !errors.As(err, &e) || strings.Contains(got, "\n") || strings.Contains(got, "leaked") {
					t.Errorf("error %q is not one safe line", got)
				}
			}
			if got != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestProcessOutputNotShared checks that what a credential_process printed
// is not shared with other processes through the cache: a process that
// picks the identity from its environment gives each get its own.
func TestProcessOutputNotShared(t *testing.T) {
	home := testenv.Isolate(t)
	writeFile(t, filepath.Join(home, ".aws", "config"), "[profile who]\ncredential_process = /bin/sh "+filepath.Join(home, "who.sh")+"\n")
	expires := time.Now().Add(time.Hour).UTC().Format(time.RFC3339) // what the cache would keep
	writeFile(t, filepath.Join(home, "who.sh"), `printf '{"Version": 1, "AccessKeyId": "AKIA%s", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "`+expires+`"}' "$WHO"`+"\n")
	for _, who := range []string{"ALICE", "BOB"} {
		t.Setenv("WHO", who)
		r, err := Resolve(context.Background(), Options{Profile: "who", DefaultRegion: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		if r.AccessKeyID != "AKIA"+who {
			t.Errorf("WHO=%s got %s, want AKIA%s", who, r.AccessKeyID, who)
		}
	}
}

// TestChainedProcessBounded checks that a credential_process whose
// credentials a role is assumed with, one hop down or two, answers once
// it has exited, though a child it left holds its output: the SDK's own
// provider would wait for the child.
func TestChainedProcessBounded(t *testing.T) {
	keys := fakeaws.NewKeys()
	sts, err := fakeaws.StartSTS(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	base := keys.Issue("ASIAPROC", time.Now().Add(time.Hour))
	for _, profile := range []string{"deploy", "deploy2"} {
		t.Run(profile, func(t *testing.T) {
			home := testenv.Isolate(t)
			t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
			children := filepath.Join(home, "children")
			t.Cleanup(func() { killAll(children) })
			writeFile(t, filepath.Join(home, "proc.sh"), fmt.Sprintf("cat <<'EOF'\n"+`{"Version": 1, "AccessKeyId": %q, "SecretAccessKey": %q, "SessionToken": %q}`+"\nEOF\nsleep 300 &\necho $! >> %s\n",
				base.AccessKeyID, base.SecretAccessKey, base.SessionToken, children))
			writeFile(t, filepath.Join(home, ".aws", "config"), "[profile proc]\ncredential_process = /bin/sh "+filepath.Join(home, "proc.sh")+"\n"+
				"[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = proc\n"+
				"[profile deploy2]\nrole_arn = arn:aws:iam::111122223333:role/Deploy2\nsource_profile = deploy\n")
			before := len(sts.Callers())
			var (
				r   Resolved
				err error
			)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			testenv.Within(t, 30*time.Second, "Resolve", func() {
				r, err = Resolve(ctx, Options{Profile: profile, DefaultRegion: "us-east-1", NoCache: true})
			})
			if err != nil {
				t.Fatal(err)
			}
			calls := sts.Callers()[before:]
			if len(calls) == 0 || calls[0].AccessKeyID != base.AccessKeyID || r.AccessKeyID != calls[len(calls)-1].Issued {
				t.Errorf("got %s from STS calls %+v, want the last role's, assumed first with the process's %s", r.AccessKeyID, calls, base.AccessKeyID)
			}
		})
	}
}

// killAll kills the processes whose ids file holds.
func killAll(file string) {
	b, _ := os.ReadFile(file)
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
