// Package endpoint knows AWS CodeCommit's git endpoints: the AWS partitions
// with their DNS suffixes, regions and FIPS endpoints, and the host names
// CodeCommit serves git on. It is the one copy of that knowledge; the
// program's own packages build on it. Standard library only, no state.
//
// The host forms are
//
//	git-codecommit.REGION.SUFFIX
//	git-codecommit-fips.REGION.SUFFIX
//	vpce-ID.git-codecommit[-fips].REGION.vpce.SUFFIX
//
// (https://docs.aws.amazon.com/codecommit/latest/userguide/regions.html).
package endpoint

import (
	"slices"
	"strings"
)

// Partition is an AWS partition as aws-sdk-go-v2's partitions.json lists it,
// with the regions in which CodeCommit also has a FIPS endpoint.
type Partition struct {
	ID          string // the SDK's partition id: "aws", "aws-cn", …
	DNSSuffix   string
	Regions     []string
	FIPSRegions []string // regions with git-codecommit-fips.REGION.SUFFIX
}

// partitions are the partitions the SDK knows; a test compares them with
// the SDK's file. aws and aws-us-gov share a DNS suffix. Nothing writes to
// it: Partitions hands out copies.
var partitions = [...]Partition{
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

// Partitions returns the partitions the SDK knows, a fresh copy each call.
func Partitions() []Partition {
	ps := make([]Partition, len(partitions))
	for i, p := range partitions {
		p.Regions = slices.Clone(p.Regions)
		p.FIPSRegions = slices.Clone(p.FIPSRegions)
		ps[i] = p
	}
	return ps
}

// The first label of a CodeCommit git host name, plain and FIPS.
const (
	Label     = "git-codecommit"
	FIPSLabel = "git-codecommit-fips"
)

// partition returns the partition of region, and false for a region the SDK
// does not list.
func partition(region string) (*Partition, bool) {
	for i := range partitions {
		if slices.Contains(partitions[i].Regions, region) {
			return &partitions[i], true
		}
	}
	return nil, false
}

// KnownRegion reports whether the SDK lists region.
func KnownRegion(region string) bool {
	_, ok := partition(region)
	return ok
}

// HasFIPS reports whether CodeCommit has a FIPS endpoint in region.
func HasFIPS(region string) bool {
	p, ok := partition(region)
	return ok && slices.Contains(p.FIPSRegions, region)
}

// Host returns the host name of CodeCommit's git endpoint in region, the
// FIPS one when fips is set, and false for a region the SDK does not list.
func Host(region string, fips bool) (string, bool) {
	p, ok := partition(region)
	if !ok {
		return "", false
	}
	if fips {
		return FIPSLabel + "." + region + "." + p.DNSSuffix, true
	}
	return Label + "." + region + "." + p.DNSSuffix, true
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
// gets the access key id and session token. Parse accepts only the exact
// forms above, in lower case (git sends the URL's spelling, and CodeCommit
// signs the lower-case name), for the partitions' suffixes: a VPC endpoint
// name has both the "vpce-" label and the ".vpce." label, or neither. The
// region need only look like one (see LooksLikeRegion), so that a region
// AWS opens after this release works; whether the SDK lists it is
// KnownRegion's question. It is plain string work rather than a regular
// expression, which every start of a program would pay to compile.
func Parse(host string) (Endpoint, bool) {
	name, port, hasPort := strings.Cut(host, ":")
	if hasPort && (len(port) < 1 || len(port) > 5 || strings.Trim(port, "0123456789") != "") {
		return Endpoint{}, false
	}
	for i, p := range partitions {
		if slices.ContainsFunc(partitions[:i], func(q Partition) bool { return q.DNSSuffix == p.DNSSuffix }) {
			continue // tried already
		}
		if rest, ok := strings.CutSuffix(name, "."+p.DNSSuffix); ok {
			if e, ok := parseLabels(rest); ok {
				return e, true
			}
		}
	}
	return Endpoint{}, false
}

// parseLabels parses the labels of a host name before its DNS suffix.
func parseLabels(name string) (Endpoint, bool) {
	labels := strings.Split(name, ".")
	var e Endpoint
	switch {
	case len(labels) == 2:
	case len(labels) == 4 && labels[3] == "vpce" && isVPCEID(labels[0]):
		e.VPC, labels = true, labels[1:3]
	default:
		return Endpoint{}, false
	}
	switch labels[0] {
	case Label:
	case FIPSLabel:
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

// LooksLikeRegion reports whether s has the shape of a region name: lower
// case words and digits joined by '-', starting with a word and having at
// least two parts (us-east-1, eusc-de-east-1).
func LooksLikeRegion(s string) bool {
	first, rest, ok := strings.Cut(s, "-")
	return ok && first != "" && strings.Trim(first, "abcdefghijklmnopqrstuvwxyz") == "" && dashed(rest)
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
	for _, part := range strings.Split(s, "-") {
		if part == "" || strings.Trim(part, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			return false
		}
	}
	return true
}
