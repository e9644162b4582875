package helper

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

// TestGetFlow checks the get flow around the credentials, with Resolve
// standing in for the SDK: the region it signs for and asks the chain for,
// the expiry it gives git, and the credentials it refuses. The password is
// checked against the AWS CLI's vectors elsewhere; here only its shape.
func TestGetFlow(t *testing.T) {
	now := time.Date(2010, 10, 8, 0, 0, 0, 0, time.UTC)
	creds := func(region string, expires time.Time) awscreds.Resolved {
		return awscreds.Resolved{
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
		got  awscreds.Resolved
		err  error
		// wantOpts is what Resolve must be asked; region the signed
		// region; expiry the password_expiry_utc; fail the error.
		wantOpts awscreds.Options
		region   string
		expiry   time.Time
		fail     string
	}{
		{name: "the host names the region", host: cc, got: creds("us-east-1", time.Time{}),
			wantOpts: awscreds.Options{DefaultRegion: "eu-west-1"}, region: "eu-west-1", expiry: now.Add(14 * time.Minute)},
		{name: "--region does not beat the host", g: Getter{Region: "ap-south-1", Profile: "p"}, host: cc, got: creds("ap-south-1", time.Time{}),
			wantOpts: awscreds.Options{Profile: "p", Region: "ap-south-1", DefaultRegion: "eu-west-1"}, region: "eu-west-1", expiry: now.Add(14 * time.Minute)},
		{name: "another host takes the configured region", g: Getter{IgnoreHostCheck: true}, host: "proxy.example", got: creds("ca-central-1", time.Time{}),
			wantOpts: awscreds.Options{}, region: "ca-central-1", expiry: now.Add(14 * time.Minute)},
		{name: "another host and no region", g: Getter{IgnoreHostCheck: true}, host: "proxy.example", got: creds("", time.Time{}),
			fail: `no AWS region is set for profile "dev"; set AWS_REGION, or region in the profile, or pass --region`},
		{name: "credentials expiring first cap the expiry", host: cc, got: creds("", now.Add(5*time.Minute)),
			wantOpts: awscreds.Options{DefaultRegion: "eu-west-1"}, region: "eu-west-1", expiry: now.Add(5 * time.Minute)},
		{name: "credentials outliving the password", host: cc, got: creds("", now.Add(time.Hour)),
			wantOpts: awscreds.Options{DefaultRegion: "eu-west-1"}, region: "eu-west-1", expiry: now.Add(14 * time.Minute)},
		{name: "expired credentials", host: cc, got: creds("", now),
			fail: "the AWS credentials from Test expired at 2010-10-08T00:00:00Z; refresh them and retry"},
		{name: "a newline in the token", host: cc, got: func() awscreds.Resolved {
			c := creds("", time.Time{})
			c.SessionToken = "a\nusername=evil"
			return c
		}(), fail: "the AWS credentials from Test hold a newline or NUL byte (git's credential protocol cannot carry them); fix their source"},
		{name: "a NUL in the key id", host: cc, got: func() awscreds.Resolved {
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
			g.Resolve = func(_ context.Context, o awscreds.Options) (awscreds.Resolved, error) {
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
