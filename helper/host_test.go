package helper

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

func TestCodeCommitRegion(t *testing.T) {
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
		region, ok := CodeCommitRegion(tc.host)
		if region != tc.region || ok != (tc.region != "") {
			t.Errorf("CodeCommitRegion(%q) = %q, %v; want %q", tc.host, region, ok, tc.region)
		}
	}
}

// TestPartitionDNSSuffixes compares PartitionDNSSuffixes with the partitions
// file of the aws-sdk-go-v2 module this build uses, so that a partition the
// SDK learns is noticed here.
func TestPartitionDNSSuffixes(t *testing.T) {
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
	var file struct {
		Partitions []struct {
			Outputs struct{ DNSSuffix string } `json:"outputs"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	var sdk []string
	for _, p := range file.Partitions {
		if !slices.Contains(sdk, p.Outputs.DNSSuffix) {
			sdk = append(sdk, p.Outputs.DNSSuffix)
		}
	}
	ours := slices.Clone(PartitionDNSSuffixes)
	slices.Sort(sdk)
	slices.Sort(ours)
	if len(sdk) < 2 || !slices.Equal(sdk, ours) {
		t.Fatalf("the SDK's partition DNS suffixes are %q; PartitionDNSSuffixes has %q", sdk, ours)
	}
}
