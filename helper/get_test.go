package helper

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclivectors"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/steady"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

// TestGetFlow checks the get flow around the credentials, with Resolve
// standing in for the SDK: the region it signs for and asks the chain for,
// the expiry it gives git, and the credentials it refuses. The password is
// checked against the AWS CLI's vectors elsewhere; here only its shape.
func TestGetFlow(t *testing.T) {
	now := time.Date(2010, 10, 8, 0, 0, 0, 0, time.UTC)
	creds := func(region string, expires time.Time) Credentials {
		return Credentials{
			Credentials: aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", Source: "Test",
				CanExpire: !expires.IsZero(), Expires: expires},
			Region: region, Profile: "dev",
		}
	}
	const cc = "git-codecommit.eu-west-1.amazonaws.com"
	for _, tc := range []struct {
		name string
		g    Getter
		host string
		got  Credentials
		err  error
		// wantOpts is what Resolve must be asked; region the signed
		// region; expiry the password_expiry_utc; fail the error.
		wantOpts CredentialsQuery
		region   string
		expiry   time.Time
		fail     string
	}{
		{name: "the host names the region", host: cc, got: creds("us-east-1", time.Time{}),
			wantOpts: CredentialsQuery{DefaultRegion: "eu-west-1"}, region: "eu-west-1", expiry: now.Add(14 * time.Minute)},
		{name: "--region does not beat the host", g: Getter{Region: "ap-south-1", Profile: "p"}, host: cc, got: creds("ap-south-1", time.Time{}),
			wantOpts: CredentialsQuery{Profile: "p", Region: "ap-south-1", DefaultRegion: "eu-west-1"}, region: "eu-west-1", expiry: now.Add(14 * time.Minute)},
		{name: "another host takes the configured region", g: Getter{IgnoreHostCheck: true}, host: "proxy.example", got: creds("ca-central-1", time.Time{}),
			wantOpts: CredentialsQuery{}, region: "ca-central-1", expiry: now.Add(14 * time.Minute)},
		{name: "another host and no region", g: Getter{IgnoreHostCheck: true}, host: "proxy.example", got: creds("", time.Time{}),
			fail: `no AWS region is set for profile "dev"; set AWS_REGION, or region in the profile, or pass --region`},
		{name: "credentials expiring first cap the expiry", host: cc, got: creds("", now.Add(5*time.Minute)),
			wantOpts: CredentialsQuery{DefaultRegion: "eu-west-1"}, region: "eu-west-1", expiry: now.Add(5 * time.Minute)},
		{name: "credentials outliving the password", host: cc, got: creds("", now.Add(time.Hour)),
			wantOpts: CredentialsQuery{DefaultRegion: "eu-west-1"}, region: "eu-west-1", expiry: now.Add(14 * time.Minute)},
		{name: "expired credentials", host: cc, got: creds("", now),
			fail: "the AWS credentials from Test expired at 2010-10-08T00:00:00Z; refresh them and retry"},
		{name: "a newline in the token", host: cc, got: func() Credentials {
			c := creds("", time.Time{})
			c.SessionToken = "a\nusername=evil"
			return c
		}(), fail: "the AWS credentials from Test hold a newline or NUL byte (git's credential protocol cannot carry them); fix their source"},
		{name: "a NUL in the key id", host: cc, got: func() Credentials {
			c := creds("", time.Time{})
			c.AccessKeyID = "AKID\x00"
			return c
		}(), fail: "the AWS credentials from Test hold a newline or NUL byte (git's credential protocol cannot carry them); fix their source"},
		{name: "resolve fails", host: cc, err: errors.New("no way"), fail: "no way"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			type asking struct{ profile, region, defaultRegion string }
			var asked []asking
			g := tc.g
			g.Now = func() time.Time { return now }
			g.Resolve = func(_ context.Context, o CredentialsQuery) (Credentials, error) {
				asked = append(asked, asking{o.Profile, o.Region, o.DefaultRegion})
				return tc.got, tc.err
			}
			var out bytes.Buffer
			err := g.Get(context.Background(), Request{Protocol: "https", Host: tc.host, Path: "v1/repos/r"}, &out)
			if tc.fail != "" {
				if err == nil || err.Error() != tc.fail || out.Len() != 0 {
					t.Fatalf("error %v and stdout %q; want %q and nothing", err, out.String(), tc.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := asking{tc.wantOpts.Profile, tc.wantOpts.Region, tc.wantOpts.DefaultRegion}
			if !slices.Equal(asked, []asking{want}) {
				t.Errorf("Resolve was asked %+v, want %+v", asked, tc.wantOpts)
			}
			// The password is a signature for the region: compare it with
			// one the signer makes for that region.
			signed := sigv4.CodeCommit(sigv4.Credentials{AccessKeyID: tc.got.AccessKeyID, SecretAccessKey: tc.got.SecretAccessKey},
				tc.region, tc.host, "v1/repos/r", now)
			if answer := "username=" + signed.Username + "\npassword=" + signed.Password + "\npassword_expiry_utc=" +
				strconv.FormatInt(tc.expiry.Unix(), 10) + "\n"; out.String() != answer {
				t.Errorf("answer:\n%s\nwant:\n%s", out.String(), answer)
			}
		})
	}
}

// TestParseArgs reads helper command lines as the program reads its own:
// flags before and after the operation, with = or a separate value.
func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		profile string
		region  string
		op      string
		err     string
	}{
		{args: nil},
		{args: []string{"--profile", "dev", "--region", "eu-west-1"}, profile: "dev", region: "eu-west-1"},
		{args: []string{"-profile=dev", "--debug", "--region=us-west-2", "get"}, profile: "dev", region: "us-west-2", op: "get"},
		{args: []string{"get", "--profile", "late"}, profile: "late", op: "get"},
		{args: []string{"--ignore-host-check", "--profile"}, err: "flag needs an argument: -profile"},
		{args: []string{"--profle", "x"}, err: "flag provided but not defined: -profle"},
	} {
		g, op, err := ParseArgs(tc.args)
		if g.Profile != tc.profile || g.Region != tc.region || op != tc.op || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("ParseArgs(%q) = profile %q, region %q, op %q, %v; want %q, %q, %q, %q", tc.args, g.Profile, g.Region, op, err, tc.profile, tc.region, tc.op, tc.err)
		}
	}
}

// TestZeroGetter gets with a zero Getter, with debug on and no Stderr too:
// it signs with the SDK's chain (keys in the environment here) at the
// present time, and panics on nothing.
func TestZeroGetter(t *testing.T) {
	testenv.Isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	const u = "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r"
	for _, g := range []Getter{{}, {Debug: true}} {
		var out bytes.Buffer
		before := time.Now()
		if err := g.Get(context.Background(), Request{Protocol: "https", Host: "git-codecommit.eu-west-1.amazonaws.com", Path: "v1/repos/r"}, &out); err != nil {
			t.Fatal(err)
		}
		// The answer is the one sigv4 gives for the time in the password,
		// a time between before and now.
		_, pass, _ := strings.Cut(out.String(), "password=")
		signed, err := time.Parse("20060102T150405Z", pass[:16])
		if err != nil || signed.Before(before.Truncate(time.Second)) || signed.After(time.Now()) {
			t.Fatalf("password signed at %s (%v), not between %s and now", signed, err, before)
		}
		p, err := sigv4.SignURL(u, sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}, signed)
		if err != nil {
			t.Fatal(err)
		}
		if want := "username=AKIDEXAMPLE\npassword=" + p.Password + "\npassword_expiry_utc="; !strings.HasPrefix(out.String(), want) {
			t.Errorf("zero Getter %+v answered\n%s\nwant it to start\n%s", g, out.String(), want)
		}
	}
}

// TestFromProviderSignsLikeSignURL gets every AWS CLI vector through a
// Getter whose credentials come from an aws.CredentialsProvider, and checks
// the answer against sigv4.SignURL and the AWS CLI's own output: the helper
// and the library entry point sign alike.
func TestFromProviderSignsLikeSignURL(t *testing.T) {
	for _, v := range awsclivectors.Load(t) {
		expires := v.Time.Add(10 * time.Minute) // sooner than the password's 14 minutes
		provider := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.SessionToken,
				CanExpire: true, Expires: expires, Source: "test"}, nil
		})
		g := Getter{Resolve: FromProvider(provider, ""), Now: func() time.Time { return v.Time }}
		req, err := ReadRequest(strings.NewReader("url=" + v.URL() + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := g.Get(context.Background(), req, &out); err != nil {
			t.Fatalf("%s: %v", v.URL(), err)
		}
		p, err := sigv4.SignURL(v.URL(), sigv4.Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey,
			SessionToken: v.SessionToken, Expires: expires}, v.Time)
		if err != nil {
			t.Fatal(err)
		}
		lib := "username=" + p.Username + "\npassword=" + p.Password + "\npassword_expiry_utc=" + strconv.FormatInt(p.Expires.Unix(), 10) + "\n"
		cli := "username=" + v.Username + "\npassword=" + v.Password + "\npassword_expiry_utc=" + strconv.FormatInt(expires.Unix(), 10) + "\n"
		if out.String() != lib || lib != cli {
			t.Errorf("%s:\nhelper  %q\nSignURL %q\nAWS CLI %q", v.URL(), out.String(), lib, cli)
		}
	}
}

// TestFromProviderError checks that a provider's failure is one short line
// with a fix, its own words kept for --debug in its Detail.
func TestFromProviderError(t *testing.T) {
	g := Getter{Resolve: FromProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("no IMDS\nat all")
	}), "eu-west-1")}
	var out, stderr bytes.Buffer
	g.Debug, g.Stderr = true, &stderr
	err := g.Get(context.Background(), Request{Protocol: "https", Host: "git-codecommit.eu-west-1.amazonaws.com", Path: "v1/repos/r"}, &out)
	if want := "cannot get AWS credentials from the provider; check its configuration"; err == nil || err.Error() != want || out.Len() != 0 {
		t.Errorf("error %v, stdout %q; want %q and nothing", err, out.String(), want)
	}
	// The provider's words are the error's Detail, which the program's
	// error writer prints under --debug (internal/cli); Get prints nothing.
	if e := failure.As(err); e == nil || e.Detail() != "no IMDS at all" || stderr.Len() != 0 {
		t.Errorf("detail %v, debug %q; want %q and nothing", e, stderr.String(), "no IMDS at all")
	}
}

// BenchmarkGet100k makes 100,000 gets in one process through the Resolve
// seam, each for another repository, and compares the cost of the last
// 10,000 with the first (see internal/steady). Each get's secrets are
// redacted by a Set of its own, dropped with it: nothing grows.
func BenchmarkGet100k(b *testing.B) {
	provider := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
			SessionToken: "a-session-token-of-some-length", Source: "bench"}, nil
	})
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var i int
	g := Getter{Resolve: FromProvider(provider, ""), Now: func() time.Time { return now.Add(time.Duration(i) * time.Second) }}
	ctx := context.Background()
	steady.Bench(b, func(n int) {
		i = n
		req := Request{Protocol: "https", Host: "git-codecommit.us-east-1.amazonaws.com", Path: "v1/repos/r" + strconv.Itoa(n)}
		if err := g.Get(ctx, req, io.Discard); err != nil {
			b.Fatal(err)
		}
	})
}
