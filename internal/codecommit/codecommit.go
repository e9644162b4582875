// Package codecommit is everything this program knows about CodeCommit's git
// endpoints: the AWS partitions with their DNS suffixes, regions and FIPS
// endpoints, the host names CodeCommit serves git on, and the git URL scopes
// that cover them. Every other package asks here; none spells a suffix.
//
// The host forms are
//
//	git-codecommit.REGION.SUFFIX
//	git-codecommit-fips.REGION.SUFFIX
//	vpce-ID.git-codecommit[-fips].REGION.vpce.SUFFIX
//
// (https://docs.aws.amazon.com/codecommit/latest/userguide/regions.html).
package codecommit

import (
	"fmt"
	"slices"
	"strings"
)

// Partition is an AWS partition as aws-sdk-go-v2's partitions.json lists it,
// with the regions in which CodeCommit also has a FIPS endpoint. A test
// compares the table with the SDK's file.
type Partition struct {
	ID          string // the SDK's partition id: "aws", "aws-cn", …
	DNSSuffix   string
	Regions     []string
	FIPSRegions []string // regions with git-codecommit-fips.REGION.SUFFIX
}

// Partitions are the partitions the SDK knows. aws and aws-us-gov share a
// DNS suffix.
var Partitions = []Partition{
	{ID: "aws", DNSSuffix: "amazonaws.com", Regions: []string{
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
		"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"il-central-1", "me-central-1", "me-south-1", "me-west-1", "mx-central-1", "sa-east-1", "sa-west-1",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	}, FIPSRegions: []string{"ca-central-1", "ca-west-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"}},
	{ID: "aws-us-gov", DNSSuffix: "amazonaws.com", Regions: []string{"us-gov-east-1", "us-gov-west-1"},
		FIPSRegions: []string{"us-gov-east-1", "us-gov-west-1"}},
	{ID: "aws-cn", DNSSuffix: "amazonaws.com.cn", Regions: []string{"cn-north-1", "cn-northwest-1"}},
	{ID: "aws-eusc", DNSSuffix: "amazonaws.eu", Regions: []string{"eusc-de-east-1"}},
	{ID: "aws-iso", DNSSuffix: "c2s.ic.gov", Regions: []string{"us-iso-east-1", "us-iso-west-1"}},
	{ID: "aws-iso-b", DNSSuffix: "sc2s.sgov.gov", Regions: []string{"us-isob-east-1", "us-isob-west-1"}},
	{ID: "aws-iso-e", DNSSuffix: "cloud.adc-e.uk", Regions: []string{"eu-isoe-west-1"}},
	{ID: "aws-iso-f", DNSSuffix: "csp.hci.ic.gov", Regions: []string{"us-isof-east-1", "us-isof-south-1"}},
}

const (
	label     = "git-codecommit"
	fipsLabel = "git-codecommit-fips"
)

// partition returns the partition of region, and false for a region the SDK
// does not list.
func partition(region string) (Partition, bool) {
	for _, p := range Partitions {
		if slices.Contains(p.Regions, region) {
			return p, true
		}
	}
	return Partition{}, false
}

// KnownRegion reports whether the SDK lists region.
func KnownRegion(region string) bool {
	_, ok := partition(region)
	return ok
}

// HasFIPS reports whether CodeCommit has a FIPS endpoint in region.
func HasFIPS(region string) bool {
	p, _ := partition(region)
	return slices.Contains(p.FIPSRegions, region)
}

// Host returns the host name of CodeCommit's git endpoint in region, the
// FIPS one when fips is set, and false for a region the SDK does not list.
func Host(region string, fips bool) (string, bool) {
	p, ok := partition(region)
	if !ok {
		return "", false
	}
	if fips {
		return fipsLabel + "." + region + "." + p.DNSSuffix, true
	}
	return label + "." + region + "." + p.DNSSuffix, true
}

// ExampleHost and ExampleURL are how messages show CodeCommit's host name
// and a repository's URL.
const (
	ExampleHost = label + ".REGION.amazonaws.com"
	ExampleURL  = "https://" + ExampleHost + "/v1/repos/NAME"
)

// RepoURL is the https URL of repository repo on host.
func RepoURL(host, repo string) string {
	return "https://" + host + "/v1/repos/" + repo
}

// Endpoint is a CodeCommit git host name taken apart.
type Endpoint struct {
	Region string
	FIPS   bool
	VPC    bool // a VPC endpoint (vpce-ID.….vpce.SUFFIX)
}

// Parse reports whether host, with or without ":port", is a CodeCommit git
// endpoint, and if so what it is.
//
// The AWS CLI's helper signs for any host that merely contains
// "amazonaws.com", so git-codecommit.us-east-1.amazonaws.com.evil.example
// gets the access key id and session token. This test accepts only the
// exact forms above, in lower case (git sends the URL's spelling, and
// CodeCommit signs the lower-case name), for the partitions' suffixes: a
// VPC endpoint name has both the "vpce-" label and the ".vpce." label, or
// neither. It is plain string work rather than a regular expression, which
// every start of the program would pay to compile.
func Parse(host string) (Endpoint, bool) {
	name, port, hasPort := strings.Cut(host, ":")
	if hasPort && (len(port) < 1 || len(port) > 5 || strings.Trim(port, "0123456789") != "") {
		return Endpoint{}, false
	}
	for _, suffix := range dnsSuffixes() {
		if rest, ok := strings.CutSuffix(name, "."+suffix); ok {
			if e, ok := parseLabels(strings.Split(rest, ".")); ok {
				return e, true
			}
		}
	}
	return Endpoint{}, false
}

// parseLabels parses the labels of a host name before its DNS suffix.
func parseLabels(labels []string) (Endpoint, bool) {
	var e Endpoint
	switch {
	case len(labels) == 2:
	case len(labels) == 4 && labels[3] == "vpce" && isVPCEID(labels[0]):
		e.VPC, labels = true, labels[1:3]
	default:
		return Endpoint{}, false
	}
	switch labels[0] {
	case label:
	case fipsLabel:
		e.FIPS = true
	default:
		return Endpoint{}, false
	}
	if !LooksLikeRegion(labels[1]) {
		return Endpoint{}, false
	}
	e.Region = labels[1]
	return e, true
}

// Region returns the region of a CodeCommit git endpoint; see Parse.
func Region(host string) (string, bool) {
	e, ok := Parse(host)
	return e.Region, ok
}

// LooksLikeRegion reports whether s has the shape of a region name: lower
// case words and digits joined by '-', starting with a word and having at
// least two parts (us-east-1, eusc-de-east-1). Whether AWS lists it is
// KnownRegion's question.
func LooksLikeRegion(s string) bool {
	first, rest, ok := strings.Cut(s, "-")
	return ok && first != "" && isLower(first) && dashed(rest)
}

// isVPCEID reports whether s is a VPC endpoint's label: "vpce-" and
// lower-case alphanumeric words joined by '-'.
func isVPCEID(s string) bool {
	rest, ok := strings.CutPrefix(s, "vpce-")
	return ok && dashed(rest)
}

// dashed reports whether s is one or more non-empty runs of [a-z0-9]
// joined by single '-'.
func dashed(s string) bool {
	for part := range strings.SplitSeq(s, "-") {
		if part == "" || strings.Trim(part, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			return false
		}
	}
	return true
}

func isLower(s string) bool { return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") == "" }

// dnsSuffixes are the partitions' DNS suffixes, each once.
func dnsSuffixes() []string {
	var ss []string
	for _, p := range Partitions {
		if !slices.Contains(ss, p.DNSSuffix) {
			ss = append(ss, p.DNSSuffix)
		}
	}
	return ss
}

// URLScopes are git URL patterns (for credential.<url>.* sections) that
// between them match every CodeCommit git endpoint over https on the default
// port: for each DNS suffix, the standard and VPC endpoint forms, and their
// FIPS forms where the partition has FIPS endpoints. Git's '*' matches one
// DNS label (git 2.26+), so one pattern per suffix and form is needed.
func URLScopes() []string {
	var scopes []string
	for _, suffix := range dnsSuffixes() {
		forms := []string{label}
		if slices.ContainsFunc(Partitions, func(p Partition) bool { return p.DNSSuffix == suffix && len(p.FIPSRegions) > 0 }) {
			forms = append(forms, fipsLabel)
		}
		for _, f := range forms {
			scopes = append(scopes, "https://"+f+".*."+suffix, "https://*."+f+".*.vpce."+suffix)
		}
	}
	return scopes
}

// SSHHosts returns the host names CodeCommit serves git over SSH on in
// regions (every region the SDK lists when regions is empty): the standard
// host of each, and the FIPS one where there is one. SSH and https share
// the host names, and every one is matched by URLScopes.
func SSHHosts(regions []string) ([]string, error) {
	if len(regions) == 0 {
		for _, p := range Partitions {
			regions = append(regions, p.Regions...)
		}
	}
	var hosts []string
	for _, r := range regions {
		h, ok := Host(r, false)
		if !ok {
			return nil, fmt.Errorf("unknown region %q", r)
		}
		hosts = append(hosts, h)
		if HasFIPS(r) {
			h, _ := Host(r, true)
			hosts = append(hosts, h)
		}
	}
	return hosts, nil
}

// ValidRepoName reports whether name can be a CodeCommit repository's name:
// 1 to 100 letters, digits, '.', '_' and '-'.
func ValidRepoName(name string) bool {
	return len(name) >= 1 && len(name) <= 100 &&
		strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == ""
}
