// Package awsclivectors is, for tests, the usernames and passwords the AWS
// CLI v2's credential helper printed with its clock frozen
// (awscli-v2-vectors.tsv, a copy of the project's shared test data): one
// reader for every test that checks against them.
package awsclivectors

import (
	_ "embed"
	"strings"
	"testing"
	"time"
)

//go:embed awscli-v2-vectors.tsv
var file string

// Count is how many vectors the file holds; Load fails a test that finds
// another number.
const Count = 16

// Vector is one row: what the AWS CLI was given, and what it printed.
type Vector struct {
	Time                                       time.Time
	Host                                       string // as git sends it, with ":port" when the URL has one
	Path                                       string // without the leading slash
	AccessKeyID, SecretAccessKey, SessionToken string // SessionToken "" for long-term keys
	Username, Password                         string
}

// URL is the repository URL the vector's request is for.
func (v Vector) URL() string { return "https://" + v.Host + "/" + v.Path }

// Load returns the vectors, failing t if the file is not what it should be.
func Load(t testing.TB) []Vector {
	t.Helper()
	var vs []Vector
	for line := range strings.SplitSeq(file, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 8 {
			t.Fatalf("awscli-v2-vectors.tsv: row %q has %d columns, want 8", line, len(c))
		}
		when, err := time.Parse(time.RFC3339, c[0])
		if err != nil {
			t.Fatalf("awscli-v2-vectors.tsv: %v", err)
		}
		token := c[5]
		if token == "-" {
			token = ""
		}
		vs = append(vs, Vector{Time: when, Host: c[1], Path: c[2], AccessKeyID: c[3], SecretAccessKey: c[4],
			SessionToken: token, Username: c[6], Password: c[7]})
	}
	if len(vs) != Count {
		t.Fatalf("awscli-v2-vectors.tsv holds %d vectors, want %d", len(vs), Count)
	}
	return vs
}
