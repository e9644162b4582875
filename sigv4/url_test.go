package sigv4_test

import (
	"go/doc"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclivectors"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/steady"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4/endpoint"
)

// TestSignURLAWSCLIVectors signs the URL of every AWS CLI vector and
// compares the username and password with what the AWS CLI printed, and the
// expiry with the rule (14 minutes after signing).
func TestSignURLAWSCLIVectors(t *testing.T) {
	for _, v := range awsclivectors.Load(t) {
		c := sigv4.Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.SessionToken}
		p, err := sigv4.SignURL(v.URL(), c, v.Time)
		if err != nil {
			t.Errorf("%s: %v", v.URL(), err)
			continue
		}
		if p.Username != v.Username || p.Password != v.Password {
			t.Errorf("%s at %s:\n got %s %s\nwant %s %s", v.URL(), v.Time, p.Username, p.Password, v.Username, v.Password)
		}
		if want := v.Time.Add(14 * time.Minute); !p.Expires.Equal(want) {
			t.Errorf("%s: expires %s, want %s", v.URL(), p.Expires, want)
		}
	}
}

// TestExamplesAreAWSCLIVectors reads the examples' Output blocks and checks
// that every password they show is one the AWS CLI printed, and that
// ExampleSignURL shows a FIPS, a VPC endpoint, a China and a GovCloud URL.
func TestExamplesAreAWSCLIVectors(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "example_test.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	byPassword := map[string]awsclivectors.Vector{}
	for _, v := range awsclivectors.Load(t) {
		byPassword[v.Password] = v
	}
	password := regexp.MustCompile(`\b[0-9]{8}T[0-9]{6}Z[0-9a-f]{64}\b`)
	var names []string
	for _, ex := range doc.Examples(f) {
		names = append(names, ex.Name)
		shown := password.FindAllString(ex.Output, -1)
		if len(shown) == 0 {
			t.Errorf("Example%s shows no password", ex.Name)
		}
		forms := map[string]bool{}
		for _, p := range shown {
			v, ok := byPassword[p]
			if !ok {
				t.Errorf("Example%s shows %s, which no AWS CLI vector holds", ex.Name, p)
				continue
			}
			e, _ := endpoint.Parse(v.Host)
			forms["FIPS"] = forms["FIPS"] || e.FIPS
			forms["VPC"] = forms["VPC"] || e.VPC
			forms["China"] = forms["China"] || strings.HasPrefix(e.Region, "cn-")
			forms["GovCloud"] = forms["GovCloud"] || strings.HasPrefix(e.Region, "us-gov-")
		}
		if ex.Name == "SignURL" && !(forms["FIPS"] && forms["VPC"] && forms["China"] && forms["GovCloud"]) {
			t.Errorf("ExampleSignURL covers %v; want a FIPS, a VPC endpoint, a China and a GovCloud URL", forms)
		}
	}
	if !slices.Equal(names, []string{"", "SignURL"}) {
		t.Errorf("examples %q; want Example and ExampleSignURL", names)
	}
}

// TestSignURLExpiry checks that credentials expiring before the password
// cap its expiry, and that later ones do not.
func TestSignURLExpiry(t *testing.T) {
	const u = "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r"
	now := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	for _, tc := range []struct {
		creds, want time.Time
	}{
		{time.Time{}, now.Add(14 * time.Minute)},
		{now.Add(5 * time.Minute), now.Add(5 * time.Minute)},
		{now.Add(14 * time.Minute), now.Add(14 * time.Minute)},
		{now.Add(time.Hour), now.Add(14 * time.Minute)},
		{now.Add(-time.Minute), now.Add(-time.Minute)}, // expired: the caller sees it
	} {
		p, err := sigv4.SignURL(u, sigv4.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s", Expires: tc.creds}, now)
		if err != nil || !p.Expires.Equal(tc.want) {
			t.Errorf("credentials expiring %s: password expires %s, %v; want %s", tc.creds, p.Expires, err, tc.want)
		}
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want sigv4.Repo
		err  string
	}{
		{url: "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r",
			want: sigv4.Repo{Endpoint: endpoint.Endpoint{Region: "us-east-1"}, Host: "git-codecommit.us-east-1.amazonaws.com", Path: "v1/repos/r"}},
		{url: "https://git-codecommit-fips.us-gov-west-1.amazonaws.com:443/v1/repos/r/",
			want: sigv4.Repo{Endpoint: endpoint.Endpoint{Region: "us-gov-west-1", FIPS: true}, Host: "git-codecommit-fips.us-gov-west-1.amazonaws.com:443", Path: "v1/repos/r"}},
		{url: "https://user:hunter2@vpce-0a-b.git-codecommit.cn-north-1.vpce.amazonaws.com.cn/v1/repos/r.git?x=1#y",
			want: sigv4.Repo{Endpoint: endpoint.Endpoint{Region: "cn-north-1", VPC: true}, Host: "vpce-0a-b.git-codecommit.cn-north-1.vpce.amazonaws.com.cn", Path: "v1/repos/r.git"}},
		{url: "http://git-codecommit.us-east-1.amazonaws.com/v1/repos/r", err: `sigv4: CodeCommit signs https URLs only, not "http" ones; use the repository's https URL`},
		{url: "ssh://git-codecommit.us-east-1.amazonaws.com/v1/repos/r", err: `sigv4: CodeCommit signs https URLs only, not "ssh" ones; use the repository's https URL`},
		{url: "https://git-codecommit.us-east-1.amazonaws.com.evil.example/v1/repos/r", err: `sigv4: "git-codecommit.us-east-1.amazonaws.com.evil.example" is not a CodeCommit git host; give https://git-codecommit.REGION.amazonaws.com/v1/repos/NAME or another form CodeCommit serves`},
		{url: "https://git-codecommit.us-east-1.amazonaws.com", err: "sigv4: the repository URL has no path; give https://git-codecommit.us-east-1.amazonaws.com/v1/repos/NAME"},
		{url: "git-codecommit.us-east-1.amazonaws.com/v1/repos/r", err: "sigv4: the repository URL cannot be parsed; give https://git-codecommit.REGION.amazonaws.com/v1/repos/NAME"},
		{url: "https://user:hunter2@git-codecommit.us-east-1.amazonaws.com:x/v1/repos/r", err: "sigv4: the repository URL cannot be parsed; give https://git-codecommit.REGION.amazonaws.com/v1/repos/NAME"},
	} {
		got, err := sigv4.ParseURL(tc.url)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseURL(%q) = %+v, %v; want error %q", tc.url, got, err, tc.err)
			}
			if _, err := sigv4.SignURL(tc.url, sigv4.Credentials{}, time.Now()); err == nil || err.Error() != tc.err {
				t.Errorf("SignURL(%q): %v; want error %q", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}
}

// BenchmarkSignURL is one call of the library entry point.
func BenchmarkSignURL(b *testing.B) {
	c := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", SessionToken: "token"}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sigv4.SignURL("https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r", c, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignURL100k makes 100,000 calls of the entry point in one
// process, each for another repository and second, and compares the cost of
// the last 10,000 with the first (see internal/steady).
func BenchmarkSignURL100k(b *testing.B) {
	c := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", SessionToken: "token"}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	steady.Bench(b, func(i int) {
		u := "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r" + strconv.Itoa(i)
		if _, err := sigv4.SignURL(u, c, now.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
	})
}
