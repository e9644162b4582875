package codecommit

import (
	"path"
	"slices"
	"strings"
	"testing"
)

// urlMatch reports whether git would apply the credential section of
// pattern to https URL u: the scheme and port equal, and the host with as
// many labels, '*' matching any one label (git's urlmatch.c).
func urlMatch(pattern, u string) bool {
	ps, ok1 := strings.CutPrefix(pattern, "https://")
	us, ok2 := strings.CutPrefix(u, "https://")
	if !ok1 || !ok2 {
		return false
	}
	us, _, _ = strings.Cut(us, "/")
	pl, ul := strings.Split(ps, "."), strings.Split(us, ".")
	if len(pl) != len(ul) {
		return false
	}
	for i := range pl {
		if ok, _ := path.Match(pl[i], ul[i]); !ok {
			return false
		}
	}
	return true
}

// TestScopesCoverEveryHost checks that every host the SSH rewrite list
// holds, and the VPC endpoint forms of them, fall under a URL scope, and that
// every URL scope is needed.
func TestScopesCoverEveryHost(t *testing.T) {
	hosts, err := SSHHosts(nil)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, h := range hosts {
		e, ok := Parse(h)
		if !ok {
			t.Errorf("SSHHosts lists %s, which Parse does not accept", h)
		}
		vpce := "vpce-0abc-de." + strings.Replace(h, "."+e.Region+".", "."+e.Region+".vpce.", 1)
		if _, ok := Parse(vpce); !ok {
			t.Errorf("Parse does not accept %s", vpce)
		}
		for _, u := range []string{"https://" + h + "/v1/repos/r", "https://" + vpce + "/v1/repos/r"} {
			i := slices.IndexFunc(URLScopes(), func(s string) bool { return urlMatch(s, u) })
			if i < 0 {
				t.Errorf("no URL scope matches %s", u)
				continue
			}
			used[URLScopes()[i]] = true
		}
	}
	for _, s := range URLScopes() {
		if !used[s] {
			t.Errorf("URL scope %s matches no host", s)
		}
	}
	if n := len(hosts); n < 50 {
		t.Errorf("SSHHosts(nil) lists only %d hosts", n)
	}
}

func TestSSHHostsUnknownRegion(t *testing.T) {
	if _, err := SSHHosts([]string{"us-east-1", "nowhere-1"}); err == nil || err.Error() != `unknown region "nowhere-1"` {
		t.Errorf("SSHHosts with an unknown region: %v", err)
	}
}

func TestValidRepoName(t *testing.T) {
	for name, want := range map[string]bool{
		"app": true, "my-app_2.0": true, strings.Repeat("a", 100): true,
		"": false, strings.Repeat("a", 101): false, "a/b": false, "a b": false, "é": false, "a@b": false,
	} {
		if got := ValidRepoName(name); got != want {
			t.Errorf("ValidRepoName(%q) = %v, want %v", name, got, want)
		}
	}
}
