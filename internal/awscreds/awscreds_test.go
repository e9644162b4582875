package awscreds

import (
	"errors"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

func TestScrub(t *testing.T) {
	// Secrets are redacted by their exact values: this one has no digit and
	// is shorter than 32 characters, which the pattern scrub used to rely on
	// missed; an unregistered run that merely looks random stays.
	const secret = "NoDigitsSecretKey/Value+"
	const token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi=="
	secrets := new(redact.Set)
	secrets.Add(secret, token)
	for _, tc := range []struct{ in, want string }{
		{"failed to refresh cached credentials, no EC2 IMDS role found", "no EC2 IMDS role found"},
		{"multi\n  line\terror", "multi line error"},
		{"bad key " + secret + " here", "bad key [redacted] here"},
		{`token "` + token + `"`, `token "[redacted]"`},
		{"not known: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "not known: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
		// Paths, hex digests, ARNs, URLs and key ids stay.
		{"open /home/Runner123/work/Project42/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json: no such file",
			"open /home/Runner123/work/Project42/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json: no such file"},
		{"role arn:aws:iam::111122223333:role/DeployRole for AKIAIOSFODNN7EXAMPLE",
			"role arn:aws:iam::111122223333:role/DeployRole for AKIAIOSFODNN7EXAMPLE"},
		{`Get "http://127.0.0.1:41234/latest/meta-data/iam/security-credentials/": refused`,
			`Get "http://127.0.0.1:41234/latest/meta-data/iam/security-credentials/": refused`},
	} {
		if got := scrub(secrets, errors.New(tc.in)); got != tc.want {
			t.Errorf("scrub(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got := secrets.String(token); got != redact.Mark {
		t.Errorf("the session token is not kept: %q", got)
	}
}
