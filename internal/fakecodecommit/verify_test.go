package fakecodecommit

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclivectors"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

// Test keys. The secrets and the token are distinctive so that a leak into
// an error message would be seen.
var (
	longKey = sigv4.Credentials{AccessKeyID: "AKIAFAKELONGTERM0001", SecretAccessKey: "SECRETlongTermwJalrXUtnFEMIK7MDENG"}
	tempKey = sigv4.Credentials{AccessKeyID: "ASIAFAKETEMPORARY001", SecretAccessKey: "SECRETtemporarybPxRfiCYEXAMPLEKEY", SessionToken: "TOKENIQoJb3JpZ2luX2VjE/+=="}
)

// lookupOf returns a KeyLookup that knows keys.
func lookupOf(keys ...sigv4.Credentials) KeyLookup {
	return func(id string) (string, string, bool) {
		for _, k := range keys {
			if k.AccessKeyID == id {
				return k.SecretAccessKey, k.SessionToken, true
			}
		}
		return "", "", false
	}
}

// flipLast changes the last hex digit of s.
func flipLast(s string) string {
	if strings.HasSuffix(s, "0") {
		return s[:len(s)-1] + "1"
	}
	return s[:len(s)-1] + "0"
}

func TestVerify(t *testing.T) {
	lookup := lookupOf(longKey, tempKey)
	now := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	const path = "v1/repos/demo" // as git sends it
	const repo = "/v1/repos/demo"

	accepted := []struct {
		name, region, host string
		key                sigv4.Credentials
	}{
		{"standard", "us-east-1", "git-codecommit.us-east-1.amazonaws.com", longKey},
		{"standard token", "us-east-1", "git-codecommit.us-east-1.amazonaws.com", tempKey},
		{"port 443", "us-east-1", "git-codecommit.us-east-1.amazonaws.com:443", longKey},
		{"other port token", "eu-west-1", "git-codecommit.eu-west-1.amazonaws.com:8443", tempKey},
		{"fips", "us-west-2", "git-codecommit-fips.us-west-2.amazonaws.com", longKey},
		{"fips token port", "us-west-2", "git-codecommit-fips.us-west-2.amazonaws.com:443", tempKey},
		{"vpce", "us-east-1", "vpce-0123456789abcdef0-abcdefgh.git-codecommit.us-east-1.vpce.amazonaws.com", longKey},
		{"vpce fips token", "ca-central-1", "vpce-0b47ea360adebf88a-jkl88hez.git-codecommit-fips.ca-central-1.vpce.amazonaws.com", tempKey},
		{"china", "cn-north-1", "git-codecommit.cn-north-1.amazonaws.com.cn", longKey},
		{"china token port", "cn-north-1", "git-codecommit.cn-north-1.amazonaws.com.cn:443", tempKey},
	}
	for _, c := range accepted {
		t.Run("accept "+c.name, func(t *testing.T) {
			p := sigv4.CodeCommit(c.key, c.region, c.host, path, now)
			id, err := Verify(p.Username, p.Password, c.host, repo, lookup, now)
			if err != nil || id != c.key.AccessKeyID {
				t.Fatalf("Verify = %q, %v; want %q, nil", id, err, c.key.AccessKeyID)
			}
		})
	}

	const host = "git-codecommit.us-east-1.amazonaws.com"
	good := sigv4.CodeCommit(longKey, "us-east-1", host, path, now)
	goodTemp := sigv4.CodeCommit(tempKey, "us-east-1", host, path, now)
	at := func(d time.Duration) sigv4.Password {
		return sigv4.CodeCommit(longKey, "us-east-1", host, path, now.Add(d))
	}
	refused := []struct {
		name, user, pass, host, repo string
		want                         error
	}{
		{"wrong signature byte", good.Username, flipLast(good.Password), host, repo, ErrSignature},
		{"wrong region", good.Username, sigv4.CodeCommit(longKey, "us-west-2", host, path, now).Password, host, repo, ErrSignature},
		{"signed for another host's region", good.Username, good.Password, "git-codecommit.us-west-2.amazonaws.com", repo, ErrSignature},
		{"wrong path", good.Username, good.Password, host, "/v1/repos/other", ErrSignature},
		{"wrong secret", good.Username, sigv4.CodeCommit(sigv4.Credentials{AccessKeyID: longKey.AccessKeyID, SecretAccessKey: "other"}, "us-east-1", host, path, now).Password, host, repo, ErrSignature},
		{"20 minutes old", good.Username, at(-20 * time.Minute).Password, host, repo, ErrExpired},
		{"20 minutes ahead", good.Username, at(20 * time.Minute).Password, host, repo, ErrExpired},
		{"just over 15 minutes old", good.Username, at(-PasswordLifetime - time.Second).Password, host, repo, ErrExpired},
		{"unknown key", "AKIAUNKNOWN000000000", good.Password, host, repo, ErrUnknownKey},
		{"empty username", "", good.Password, host, repo, ErrUnknownKey},
		{"wrong session token", tempKey.AccessKeyID + "%TOKENother", goodTemp.Password, host, repo, ErrSessionToken},
		{"missing session token", tempKey.AccessKeyID, goodTemp.Password, host, repo, ErrSessionToken},
		{"token for a long-term key", longKey.AccessKeyID + "%" + tempKey.SessionToken, good.Password, host, repo, ErrSessionToken},
		{"malformed: empty", good.Username, "", host, repo, ErrMalformedPassword},
		{"malformed: no Z", good.Username, strings.Replace(good.Password, "Z", "", 1), host, repo, ErrMalformedPassword},
		{"malformed: upper hex", good.Username, good.Password[:16] + strings.ToUpper(good.Password[16:]), host, repo, ErrMalformedPassword},
		{"malformed: short", good.Username, good.Password[:79], host, repo, ErrMalformedPassword},
		{"malformed: long", good.Username, good.Password + "0", host, repo, ErrMalformedPassword},
		{"malformed: bad date", good.Username, "20261399T150926Z" + good.Password[16:], host, repo, ErrMalformedPassword},
		{"malformed: bad hour", good.Username, "20260314T2x0926Z" + good.Password[16:], host, repo, ErrMalformedPassword},
		{"host without region", good.Username, good.Password, "127.0.0.1:443", repo, ErrNoRegion},
		{"lookalike host", good.Username, good.Password, "codecommit.us-east-1.amazonaws.com", repo, ErrNoRegion},
		{"vpce without vpce label", good.Username, good.Password, "vpce-1.git-codecommit.us-east-1.amazonaws.com", repo, ErrNoRegion},
		{"no suffix", good.Username, good.Password, "git-codecommit.us-east-1", repo, ErrNoRegion},
	}
	for _, c := range refused {
		t.Run("refuse "+c.name, func(t *testing.T) {
			id, err := Verify(c.user, c.pass, c.host, c.repo, lookup, now)
			if !errors.Is(err, c.want) || id != "" {
				t.Fatalf("Verify = %q, %v; want \"\", %v", id, err, c.want)
			}
			for _, secret := range []string{longKey.SecretAccessKey, tempKey.SecretAccessKey, tempKey.SessionToken, "TOKENother", c.pass[min(16, len(c.pass)):]} {
				if secret != "" && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q holds a secret", err)
				}
			}
		})
	}

	t.Run("window edges", func(t *testing.T) {
		for _, d := range []time.Duration{-PasswordLifetime, PasswordLifetime} {
			p := at(d)
			if _, err := Verify(p.Username, p.Password, host, repo, lookup, now); err != nil {
				t.Errorf("signed %v from now: %v", d, err)
			}
		}
	})
	t.Run("nil lookup", func(t *testing.T) {
		if _, err := Verify(good.Username, good.Password, host, repo, nil, now); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("err = %v, want %v", err, ErrUnknownKey)
		}
	})
}

// TestVerifyAWSCLIUnitVectors checks the AWS CLI's own unit-test vectors,
// whose path is sent with a leading slash and so signed with two.
func TestVerifyAWSCLIUnitVectors(t *testing.T) {
	lookup := lookupOf(sigv4.Credentials{AccessKeyID: "foo", SecretAccessKey: "bar"})
	now := time.Date(2010, 10, 8, 0, 0, 0, 0, time.UTC)
	for host, pass := range map[string]string{
		"git-codecommit.us-east-1.amazonaws.com":                                      "20101008T000000Z7dc259e2d505af354a1219b9bcd784bd384dc706efa0d9aefc571f214be4c89c",
		"git-codecommit-fips.us-east-1.amazonaws.com":                                 "20101008T000000Z500037cb3514b3fe01ebcda7c80973f5b4c0d8199a7a6563b85fd6edf272d460",
		"vpce-0b47ea360adebf88a-jkl88hez.git-codecommit.us-east-1.vpce.amazonaws.com": "20101008T000000Z9ed987cc6336c3de2d9f06b9236c7a9fd76b660b080db15983290e636dbfbd6b",
	} {
		if id, err := Verify("foo", pass, host, "//v1/repos/myrepo", lookup, now); err != nil || id != "foo" {
			t.Errorf("%s: Verify = %q, %v; want \"foo\", nil", host, id, err)
		}
	}
}

// TestVerifyAWSCLIv2Vectors checks the vectors the AWS CLI v2 produced with
// its clock frozen (kept with the sigv4 package's test data).
func TestVerifyAWSCLIv2Vectors(t *testing.T) {
	for _, v := range awsclivectors.Load(t) {
		lookup := lookupOf(sigv4.Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.SessionToken})
		if id, err := Verify(v.Username, v.Password, v.Host, "/"+v.Path, lookup, v.Time); err != nil || id != v.AccessKeyID {
			t.Errorf("%s: Verify = %q, %v", v.URL(), id, err)
		}
	}
}
