//go:build linux

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// localUser is a throw-away user of this machine.
type localUser struct {
	name     string
	uid, gid int
}

// addUser creates a system user for the test and removes it afterwards.
func addUser(t *testing.T, role string) localUser {
	t.Helper()
	b := make([]byte, 3)
	rand.Read(b)
	name := "gcc" + role + hex.EncodeToString(b)
	if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
		t.Fatalf("useradd %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", name).Run() })
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return localUser{name, uid, gid}
}

// as returns a command that runs as u, with env only.
func (u localUser) as(env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command("setpriv", append([]string{"--reuid=" + strconv.Itoa(u.uid), "--regid=" + strconv.Itoa(u.gid), "--clear-groups", "--", name}, args...)...)
	cmd.Env = env
	return cmd
}

// TestTwoUsersSharedCache: another user of the machine plants a cache
// entry holding their own keys where the victim's cache would be (a shared
// XDG_CACHE_HOME, 1777 like /tmp). The victim's helper ignores it, says why
// under --debug, and signs with the victim's own credentials; and where the
// victim's helper made the directory itself, the other user cannot write
// into it.
func TestTwoUsersSharedCache(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI runs as root, which this test needs to make users")
		}
		t.Skip("needs root to make two users")
	}
	for _, tool := range []string{"useradd", "userdel", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (Debian: passwd, util-linux)", tool)
		}
	}
	victim, attacker := addUser(t, "victim"), addUser(t, "attacker")

	// A directory both users can reach: the test's own temporary
	// directories are root's, 0700.
	base, err := os.MkdirTemp("", "gcc-two-users-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	mustChmod(t, base, 0o755)
	shared := filepath.Join(base, "shared")
	mustMkdir(t, shared, 0o777|os.ModeSticky)
	home := filepath.Join(base, "victim")
	mustMkdir(t, home, 0o700)
	v := newVictim(t, base, home, victim, "AKIAVICTIMBASE000001", "XDG_CACHE_HOME="+shared)
	mustChown(t, home, victim)
	bin, sts, keys, own, configFile, env := v.bin, v.sts, v.keys, v.own, v.config, v.env

	// The key the victim's helper computes, from the victim's settings.
	sc, err := config.LoadSharedConfigProfile(context.Background(), "deploy", func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{configFile}, []string{configFile}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL) // credcache.Key reads it, as the victim's helper does
	key := credcache.Key(&sc)

	// The attacker plants, as themself, a directory and an entry with keys
	// the fake STS knows as theirs.
	planted := keys.Issue("ASIAATTACKER", time.Now().Add(24*time.Hour))
	entry, _ := json.Marshal(map[string]any{"version": 1, "key": key, "accessKeyId": planted.AccessKeyID,
		"secretAccessKey": planted.SecretAccessKey, "sessionToken": planted.SessionToken,
		"obtained": time.Now().UTC(), "expiration": planted.Expiration.UTC()})
	dir := filepath.Join(shared, "git-credential-codecommit")
	plant := attacker.as(nil, "sh", "-c", `umask 0; mkdir "$1" && printf '%s' "$2" > "$1/$3.json" && chmod 600 "$1/$3.json"`, "sh", dir, string(entry), key)
	if out, err := plant.CombinedOutput(); err != nil {
		t.Fatalf("planting as %s: %v\n%s", attacker.name, err, out)
	}

	get := func() (stdout, stderr string) {
		t.Helper()
		cmd := victim.as(env, bin, "--debug", "get")
		cmd.Dir = home
		cmd.Stdin = strings.NewReader("protocol=https\nhost=" + host + "\npath=v1/repos/r\n\n")
		var o, e strings.Builder
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			t.Fatalf("the victim's get: %v\n%s", err, e.String())
		}
		return o.String(), e.String()
	}
	stdout, stderr := get()
	if strings.Contains(stdout, planted.AccessKeyID) || !strings.HasPrefix(stdout, "username=ASIASTS") {
		t.Fatalf("the victim signed with %q, not with credentials of its own role", strings.SplitN(stdout, "\n", 2)[0])
	}
	if want := dir + " is owned by uid " + strconv.Itoa(attacker.uid) + ", not by this user (uid " + strconv.Itoa(victim.uid) + ")"; !strings.Contains(stderr, want) {
		t.Errorf("--debug does not say why the cache is not used (%q):\n%s", want, stderr)
	}
	if calls := sts.Callers(); len(calls) != 1 || calls[0].AccessKeyID != own.AccessKeyID {
		t.Errorf("STS calls %+v, want one AssumeRole by the victim's base key", calls)
	}

	// Without the planted directory, the victim's helper makes its own,
	// which the attacker cannot write into.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	get()
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 || !ownedBy(fi, victim) {
		t.Fatalf("the victim's cache directory: %v, %v", fi, err)
	}
	if out, err := attacker.as(nil, "sh", "-c", `printf x > "$1/planted.json"`, "sh", dir).CombinedOutput(); err == nil {
		t.Errorf("the attacker wrote into the victim's cache directory\n%s", out)
	}
	stdout, _ = get()
	if n := sts.Calls("AssumeRole"); n != 2 || !strings.HasPrefix(stdout, "username=ASIASTS") {
		t.Errorf("%d AssumeRole calls, want 2: the second get answers from the victim's own entry", n)
	}
}

// victimSetup is what the two-user tests give the victim: the helper where
// the victim can run it (the test's build directory is root's, 0700), a
// fake STS, a config file whose profile "deploy" assumes a role with the
// victim's own keys, and the victim's environment for it.
type victimSetup struct {
	bin, config string
	sts         *fakeaws.STS
	keys        *fakeaws.Keys
	own         fakeaws.Credentials
	env         []string
}

// newVictim makes victim's set-up under base, with home as HOME, base keys
// of access key id id, and extra settings in the environment.
func newVictim(t *testing.T, base, home string, victim localUser, id string, extra ...string) victimSetup {
	t.Helper()
	v := victimSetup{bin: filepath.Join(base, "git-credential-codecommit"), config: filepath.Join(home, "config"), keys: fakeaws.NewKeys()}
	testenv.PlaceHelper(t, v.bin)
	var err error
	if v.sts, err = fakeaws.StartSTS(v.keys); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.sts.Close)
	v.own = fakeaws.Credentials{AccessKeyID: id, SecretAccessKey: "victim/base/secret+key/" + id}
	v.keys.Add(v.own)
	writeOwned(t, v.config, "[profile base]\naws_access_key_id = "+v.own.AccessKeyID+"\naws_secret_access_key = "+v.own.SecretAccessKey+"\n"+
		"[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = base\n", victim)
	v.env = append([]string{"PATH=" + os.Getenv("PATH")}, testenv.Baseline(home)...)
	v.env = append(v.env, "AWS_CONFIG_FILE="+v.config, "AWS_SHARED_CREDENTIALS_FILE="+v.config,
		"AWS_ENDPOINT_URL_STS="+v.sts.URL, "AWS_PROFILE=deploy")
	v.env = append(v.env, extra...)
	return v
}

func mustMkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	mustChmod(t, dir, mode)
}

func mustChmod(t *testing.T, name string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
}

func mustChown(t *testing.T, name string, u localUser) {
	t.Helper()
	if err := os.Chown(name, u.uid, u.gid); err != nil {
		t.Fatal(err)
	}
}

func writeOwned(t *testing.T, name, body string, u localUser) {
	t.Helper()
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	mustChown(t, name, u)
}
