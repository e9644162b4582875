package helper

import (
	"regexp"
	"strings"
)

// PartitionDNSSuffixes are the DNS suffixes of the AWS partitions that
// aws-sdk-go-v2 knows (dnsSuffix in its partitions.json): aws and aws-us-gov,
// aws-cn, aws-eusc, and the ISO partitions. A test compares this list with the
// SDK's file, so a new partition cannot be missed silently.
var PartitionDNSSuffixes = []string{
	"amazonaws.com",
	"amazonaws.com.cn",
	"amazonaws.eu",
	"c2s.ic.gov",
	"sc2s.sgov.gov",
	"cloud.adc-e.uk",
	"csp.hci.ic.gov",
}

// codeCommitHost matches the host names of CodeCommit's git endpoints,
// anchored at both ends, with an optional port:
//
//	git-codecommit.REGION.SUFFIX
//	git-codecommit-fips.REGION.SUFFIX
//	vpce-ID.git-codecommit[-fips].REGION.vpce.SUFFIX
//
// A VPC endpoint name has both the "vpce-" label and the ".vpce." label, or
// neither. Region and endpoint id are lowercase DNS labels.
var codeCommitHost = regexp.MustCompile(`^(?:` +
	`git-codecommit(?:-fips)?\.([a-z]+(?:-[a-z0-9]+)+)\.` +
	`|vpce-[a-z0-9]+(?:-[a-z0-9]+)*\.git-codecommit(?:-fips)?\.([a-z]+(?:-[a-z0-9]+)+)\.vpce\.` +
	`)(?:` + suffixPattern() + `)(?::[0-9]{1,5})?$`)

func suffixPattern() string {
	q := make([]string, len(PartitionDNSSuffixes))
	for i, s := range PartitionDNSSuffixes {
		q[i] = regexp.QuoteMeta(s)
	}
	return strings.Join(q, "|")
}

// CodeCommitRegion reports whether host (with or without ":port") is a
// CodeCommit git endpoint, and if so which region it serves.
//
// The AWS CLI's helper signs for any host that merely contains
// "amazonaws.com", so git-codecommit.us-east-1.amazonaws.com.evil.example
// gets the access key id and session token. This test is anchored at both
// ends and accepts only the names CodeCommit uses.
func CodeCommitRegion(host string) (region string, ok bool) {
	m := codeCommitHost.FindStringSubmatch(host)
	if m == nil {
		return "", false
	}
	return m[1] + m[2], true
}
