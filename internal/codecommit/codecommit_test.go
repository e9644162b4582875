package codecommit

import (
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		host, region string // region "" means not recognised
	}{
		{"git-codecommit.us-east-1.amazonaws.com", "us-east-1"},
		{"git-codecommit.us-east-1.amazonaws.com:443", "us-east-1"},
		{"git-codecommit.us-west-2.amazonaws.com:8443", "us-west-2"},
		{"git-codecommit-fips.us-east-2.amazonaws.com", "us-east-2"},
		{"git-codecommit-fips.us-gov-west-1.amazonaws.com:443", "us-gov-west-1"},
		{"git-codecommit.il-central-1.amazonaws.com", "il-central-1"},
		{"vpce-0b47ea360adebf88a-jkl88hez.git-codecommit.us-east-1.vpce.amazonaws.com", "us-east-1"},
		{"vpce-0b47ea360adebf88a-jkl88hez-us-east-1a.git-codecommit.us-east-1.vpce.amazonaws.com:443", "us-east-1"},
		{"vpce-0b47ea360adebf88a-jkl88hez.git-codecommit-fips.ca-central-1.vpce.amazonaws.com", "ca-central-1"},
		{"git-codecommit.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{"git-codecommit.cn-northwest-1.amazonaws.com.cn:443", "cn-northwest-1"},
		{"vpce-1.git-codecommit.cn-north-1.vpce.amazonaws.com.cn", "cn-north-1"},
		{"git-codecommit.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1"},
		{"git-codecommit.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
		{"git-codecommit.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"},
		{"git-codecommit.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1"},
		{"git-codecommit.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"},

		// Look-alikes and other hosts.
		{"git-codecommit.us-east-1.amazonaws.com.evil.example", ""},
		{"git-codecommit.us-east-1.amazonaws.com.evil.example:443", ""},
		{"git-codecommit.us-east-1.amazonaws.com.", ""},
		{"evil.example/git-codecommit.us-east-1.amazonaws.com", ""},
		{"evilgit-codecommit.us-east-1.amazonaws.com", ""},
		{"x.git-codecommit.us-east-1.amazonaws.com", ""},
		{"git-codecommit.us-east-1.amazonaws.co", ""},
		{"git-codecommit.us-east-1.amazonaws.com.cn.evil.example", ""},
		{"git-codecommit.us-east-1.evil-amazonaws.com", ""},
		{"git-codecommit.us-east-1.notamazonaws.com", ""},
		{"git-codecommit.us-east-1.amazon.com", ""},
		{"git-codecommit.evil.example.amazonaws.com", ""},
		{"git-codecommit..amazonaws.com", ""},
		{"git-codecommit.amazonaws.com", ""},
		{"git-codecommit.useast1.amazonaws.com", ""},
		{"git-codecommit.us_east_1.amazonaws.com", ""},
		{"git-codecommit-fips-x.us-east-1.amazonaws.com", ""},
		{"git-codecommit.us-east-1.vpce.amazonaws.com", ""},          // vpce label without vpce- name
		{"vpce-1.git-codecommit.us-east-1.amazonaws.com", ""},        // vpce- name without vpce label
		{"vpce-.git-codecommit.us-east-1.vpce.amazonaws.com", ""},    // empty endpoint id
		{"vpce-a.b.git-codecommit.us-east-1.vpce.amazonaws.com", ""}, // two labels
		{"GIT-CODECOMMIT.US-EAST-1.AMAZONAWS.COM", ""},               // git sends the URL's spelling; we sign only what CodeCommit names
		{"git-codecommit.us-east-1.amazonaws.com:", ""},
		{"git-codecommit.us-east-1.amazonaws.com:https", ""},
		{"git-codecommit.us-east-1.amazonaws.com:443:443", ""},
		{"git-codecommit.us-east-1.amazonaws.com:123456", ""},
		{"user@git-codecommit.us-east-1.amazonaws.com", ""},
		{"git-codecommit.us-east-1.amazonaws.com\n", ""},
		{"git-codecommit.us-east-1.amazonaws.com%00", ""},
		{"github.com", ""},
		{"", ""},
	} {
		region, ok := Region(tc.host)
		if region != tc.region || ok != (tc.region != "") {
			t.Errorf("Region(%q) = %q, %v; want %q", tc.host, region, ok, tc.region)
		}
	}
}

func TestParseForms(t *testing.T) {
	for _, tc := range []struct {
		host string
		want Endpoint
	}{
		{"git-codecommit.us-east-1.amazonaws.com", Endpoint{Region: "us-east-1"}},
		{"git-codecommit-fips.us-gov-west-1.amazonaws.com:443", Endpoint{Region: "us-gov-west-1", FIPS: true}},
		{"vpce-1a-b.git-codecommit.eu-west-1.vpce.amazonaws.com", Endpoint{Region: "eu-west-1", VPC: true}},
		{"vpce-1.git-codecommit-fips.ca-central-1.vpce.amazonaws.com", Endpoint{Region: "ca-central-1", FIPS: true, VPC: true}},
	} {
		if got, ok := Parse(tc.host); !ok || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.host, got, ok, tc.want)
		}
	}
}

// oracle is the anchored regular expression this package's host test
// replaced (it cost a compile at every start). Parse must accept exactly
// what it accepts.
var oracle = regexp.MustCompile(`^(?:` +
	`git-codecommit(?:-fips)?\.([a-z]+(?:-[a-z0-9]+)+)\.` +
	`|vpce-[a-z0-9]+(?:-[a-z0-9]+)*\.git-codecommit(?:-fips)?\.([a-z]+(?:-[a-z0-9]+)+)\.vpce\.` +
	`)(?:amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)(?::[0-9]{1,5})?$`)

func FuzzParseMatchesOracle(f *testing.F) {
	for _, s := range []string{
		"git-codecommit.us-east-1.amazonaws.com", "vpce-0b4-x.git-codecommit-fips.us-east-1.vpce.amazonaws.com.cn:443",
		"git-codecommit.a-1.csp.hci.ic.gov", "git-codecommit.us-east-1.amazonaws.com:", "vpce-.git-codecommit.a-b.vpce.amazonaws.eu",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		m := oracle.FindStringSubmatch(host)
		region, ok := Region(host)
		if ok != (m != nil) || ok && region != m[1]+m[2] {
			t.Fatalf("Region(%q) = %q, %v; the regular expression says %q", host, region, ok, m)
		}
	})
}

// sdkPartition is a partition of the SDK's partitions.json.
type sdkPartition struct {
	ID      string `json:"id"`
	Outputs struct {
		DNSSuffix string `json:"dnsSuffix"`
	} `json:"outputs"`
	Regions map[string]any `json:"regions"`
}

// sdkPartitions reads partitions.json from the aws-sdk-go-v2 module this
// build uses.
func sdkPartitions(t *testing.T) []sdkPartition {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-json", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go list gave no module directory (%v): %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(mod.Dir, "internal/endpoints/awsrulesfn/partitions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Partitions []sdkPartition }
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Partitions) < 2 {
		t.Fatalf("partitions.json lists %d partitions", len(file.Partitions))
	}
	return file.Partitions
}

// TestPartitionsMatchSDK compares Partitions with the SDK's file, so that a
// partition or region the SDK learns is noticed here.
func TestPartitionsMatchSDK(t *testing.T) {
	sdk := sdkPartitions(t)
	if len(sdk) != len(Partitions) {
		t.Errorf("the SDK lists %d partitions, Partitions %d", len(sdk), len(Partitions))
	}
	for _, sp := range sdk {
		i := slices.IndexFunc(Partitions, func(p Partition) bool { return p.ID == sp.ID })
		if i < 0 {
			t.Errorf("partition %s (%s) is not in Partitions", sp.ID, sp.Outputs.DNSSuffix)
			continue
		}
		p := Partitions[i]
		var regions []string
		for r := range sp.Regions {
			if !strings.HasPrefix(r, "aws-") { // aws-global and the like are not places
				regions = append(regions, r)
			}
		}
		slices.Sort(regions)
		if p.DNSSuffix != sp.Outputs.DNSSuffix || !slices.Equal(regions, slices.Sorted(slices.Values(p.Regions))) {
			t.Errorf("partition %s: SDK %s %q; ours %s %q", sp.ID, sp.Outputs.DNSSuffix, regions, p.DNSSuffix, p.Regions)
		}
		for _, r := range p.FIPSRegions {
			if !slices.Contains(p.Regions, r) {
				t.Errorf("partition %s: FIPS region %s is not one of its regions", p.ID, r)
			}
		}
	}
}

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

func TestHost(t *testing.T) {
	for _, tc := range []struct {
		region string
		fips   bool
		want   string
	}{
		{"us-east-1", false, "git-codecommit.us-east-1.amazonaws.com"},
		{"us-east-1", true, "git-codecommit-fips.us-east-1.amazonaws.com"},
		{"cn-north-1", false, "git-codecommit.cn-north-1.amazonaws.com.cn"},
		{"eusc-de-east-1", false, "git-codecommit.eusc-de-east-1.amazonaws.eu"},
		{"us-gov-west-1", true, "git-codecommit-fips.us-gov-west-1.amazonaws.com"},
		{"us-east-9", false, ""},
	} {
		got, ok := Host(tc.region, tc.fips)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Host(%q, %v) = %q, %v; want %q", tc.region, tc.fips, got, ok, tc.want)
		}
	}
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
