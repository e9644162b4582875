package cli

import (
	"crypto/fips140"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"os"
	"strings"
	"testing"
)

// fipsEnv names the variable with which .ci/release tells this test binary
// that it was built with GOFIPS140=v1.0.0 and runs under
// GODEBUG=fips140=only. Its name keeps clear of the AWS_ and GIT_ prefixes
// that testenv.Main scrubs.
const fipsEnv = "CODECOMMIT_TEST_FIPS140"

// TestFIPS140Only proves that this test binary runs the validated Go
// Cryptographic Module with strict enforcement, so that
// TestAWSCLIVectorsThroughRun, run in the same binary, signs through
// approved algorithms only: in this mode a non-approved algorithm (MD5,
// SHA-1, an HMAC key under 112 bits, HMAC over a non-SHA-2 hash) returns an
// error or panics, and the vectors would fail. It checks that enforcement
// really bites, so that the vectors passing means something.
//
// It runs only when CODECOMMIT_TEST_FIPS140=only; .ci/release runs
//
//	GOFIPS140=v1.0.0 go test -c -o fips.test ./internal/cli
//	CODECOMMIT_TEST_FIPS140=only GODEBUG=fips140=only ./fips.test -test.run '^(TestFIPS140Only|TestAWSCLIVectorsThroughRun)$'
func TestFIPS140Only(t *testing.T) {
	switch v := os.Getenv(fipsEnv); v {
	case "":
		t.Skipf("%s is not set: this binary was not built for the FIPS 140-3 check", fipsEnv)
	case "only":
	default:
		t.Fatalf("%s=%q; the only value is \"only\"", fipsEnv, v)
	}
	if !fips140.Enabled() {
		t.Fatal("FIPS 140-3 mode is off; run with GODEBUG=fips140=only")
	}
	if !fips140.Enforced() {
		t.Fatal("FIPS 140-3 mode is not enforced; run with GODEBUG=fips140=only")
	}
	if v := fipsModuleVersion(); v != "v1.0.0" {
		t.Fatalf("the Go Cryptographic Module is %q, not the validated v1.0.0; build with GOFIPS140=v1.0.0", v)
	}

	// Enforcement bites: MD5 fails, and so does an HMAC key of 7 bytes, as
	// "AWS4" + a 3-byte secret would be.
	if _, err := md5.New().Write([]byte("x")); err == nil {
		t.Error("MD5 worked under GODEBUG=fips140=only")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("HMAC with a 56-bit key worked under GODEBUG=fips140=only")
			}
		}()
		hmac.New(sha256.New, []byte("AWS4bar"))
	}()

	if got, want := versionReport(Build{}), "fips140: on (Go Cryptographic Module v1.0.0)\n"; !strings.HasSuffix(got, want) {
		t.Errorf("--version says\n%s\nwant its last line to be %q", got, want)
	}
}
