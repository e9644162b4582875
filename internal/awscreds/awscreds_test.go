package awscreds

import (
	"errors"
	"testing"
)

func TestScrub(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"failed to refresh cached credentials, no EC2 IMDS role found", "no EC2 IMDS role found"},
		{"multi\n  line\terror", "multi line error"},
		// A secret access key and a session token go.
		{"bad key wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY here", "bad key [redacted] here"},
		{`token "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi=="`,
			`token "[redacted]"`},
		// Paths, hex digests, ARNs, URLs and key ids stay.
		{"open /home/Runner123/work/Project42/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json: no such file",
			"open /home/Runner123/work/Project42/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json: no such file"},
		{"role arn:aws:iam::111122223333:role/DeployRole for AKIAIOSFODNN7EXAMPLE",
			"role arn:aws:iam::111122223333:role/DeployRole for AKIAIOSFODNN7EXAMPLE"},
		{`Get "http://127.0.0.1:41234/latest/meta-data/iam/security-credentials/": refused`,
			`Get "http://127.0.0.1:41234/latest/meta-data/iam/security-credentials/": refused`},
	} {
		if got := scrub(errors.New(tc.in)); got != tc.want {
			t.Errorf("scrub(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
