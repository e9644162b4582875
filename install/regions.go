package install

import "strings"

// partitionRegions lists, per partition DNS suffix, the regions of
// aws-sdk-go-v2's partitions.json. install --rewrite-ssh writes rules for all
// of them when no --region is given; a test compares this list with the
// SDK's file.
var partitionRegions = []struct {
	suffix  string
	regions []string
}{
	{"amazonaws.com", []string{
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
		"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"il-central-1", "me-central-1", "me-south-1", "me-west-1", "mx-central-1", "sa-east-1", "sa-west-1",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2",
		"us-gov-east-1", "us-gov-west-1",
	}},
	{"amazonaws.com.cn", []string{"cn-north-1", "cn-northwest-1"}},
	{"amazonaws.eu", []string{"eusc-de-east-1"}},
	{"c2s.ic.gov", []string{"us-iso-east-1", "us-iso-west-1"}},
	{"sc2s.sgov.gov", []string{"us-isob-east-1", "us-isob-west-1"}},
	{"cloud.adc-e.uk", []string{"eu-isoe-west-1"}},
	{"csp.hci.ic.gov", []string{"us-isof-east-1", "us-isof-south-1"}},
}

// dnsSuffix returns the DNS suffix of region's partition, and false for a
// region the SDK does not know.
func dnsSuffix(region string) (string, bool) {
	for _, p := range partitionRegions {
		for _, r := range p.regions {
			if r == region {
				return p.suffix, true
			}
		}
	}
	return "", false
}

// hasFIPS reports whether CodeCommit offers a FIPS endpoint
// (git-codecommit-fips.REGION) in region: the US and Canadian regions,
// GovCloud included.
func hasFIPS(region string) bool {
	return (strings.HasPrefix(region, "us-") || strings.HasPrefix(region, "ca-")) && !strings.HasPrefix(region, "us-iso")
}

// CodeCommitHost returns the host name of CodeCommit's git endpoint in
// region, the FIPS one when fips is set, and false for a region the SDK
// does not know.
func CodeCommitHost(region string, fips bool) (string, bool) {
	suffix, ok := dnsSuffix(region)
	if !ok {
		return "", false
	}
	if fips {
		return "git-codecommit-fips." + region + "." + suffix, true
	}
	return "git-codecommit." + region + "." + suffix, true
}
