package endpoint

import (
	"encoding/json"
	"os"
	"os/exec"
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
		e, ok := Parse(tc.host)
		region := e.Region
		if region != tc.region || ok != (tc.region != "") {
			t.Errorf("Parse(%q) = %q, %v; want %q", tc.host, region, ok, tc.region)
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
		e, ok := Parse(host)
		region := e.Region
		if ok != (m != nil) || ok && region != m[1]+m[2] {
			t.Fatalf("Parse(%q) = %q, %v; the regular expression says %q", host, region, ok, m)
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
	Partitions := Partitions()
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
}

// TestPartitionsIsACopy changes what Partitions returns and checks that
// neither the next call nor Parse sees the change.
func TestPartitionsIsACopy(t *testing.T) {
	ps := Partitions()
	ps[0].DNSSuffix = "evil.example"
	ps[0].Regions[0] = "evil-1"
	ps[1].FIPSRegions[0] = "evil-2"
	again := Partitions()
	if again[0].DNSSuffix != "amazonaws.com" || again[0].Regions[0] != "af-south-1" || again[1].FIPSRegions[0] != "us-gov-east-1" {
		t.Errorf("a change to Partitions' result reached the table: %+v", again[:2])
	}
	if _, ok := Parse("git-codecommit.evil-1.evil.example"); ok {
		t.Error("Parse accepts a suffix written into a copy of the table")
	}
}
