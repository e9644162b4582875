// Package codecommit is what this program adds to the public table of
// CodeCommit's git endpoints (sigv4/endpoint): the git URL scopes that cover
// them, the SSH host list, how messages spell hosts and URLs, and repository
// names. The endpoint facts themselves (partitions, suffixes, regions, FIPS,
// the host forms) live only there; Parse, Region, Host and the rest below
// hand over to it, so the program and the public parser cannot disagree.
package codecommit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4/endpoint"
)

// Endpoint is a CodeCommit git host name taken apart.
type Endpoint = endpoint.Endpoint

// Parse reports whether host, with or without ":port", is a CodeCommit git
// endpoint, and if so what it is; see endpoint.Parse.
func Parse(host string) (Endpoint, bool) { return endpoint.Parse(host) }

// Region returns the region of a CodeCommit git endpoint; see Parse.
func Region(host string) (string, bool) {
	e, ok := endpoint.Parse(host)
	return e.Region, ok
}

// KnownRegion reports whether the SDK lists region.
func KnownRegion(region string) bool { return endpoint.KnownRegion(region) }

// HasFIPS reports whether CodeCommit has a FIPS endpoint in region.
func HasFIPS(region string) bool { return endpoint.HasFIPS(region) }

// Host returns the host name of CodeCommit's git endpoint in region, the
// FIPS one when fips is set, and false for a region the SDK does not list.
func Host(region string, fips bool) (string, bool) { return endpoint.Host(region, fips) }

// LooksLikeRegion reports whether s has the shape of a region name; see
// endpoint.LooksLikeRegion.
func LooksLikeRegion(s string) bool { return endpoint.LooksLikeRegion(s) }

const label = endpoint.Label

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

// dnsSuffixes are the partitions' DNS suffixes, each once.
func dnsSuffixes() []string {
	var ss []string
	for _, p := range endpoint.Partitions() {
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
		if slices.ContainsFunc(endpoint.Partitions(), func(p endpoint.Partition) bool { return p.DNSSuffix == suffix && len(p.FIPSRegions) > 0 }) {
			forms = append(forms, endpoint.FIPSLabel)
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
		for _, p := range endpoint.Partitions() {
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
