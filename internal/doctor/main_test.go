package doctor

import (
	"os"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// envKeys are the keys the fake AWS services of these tests know, and
// envCreds temporary credentials of theirs that the process environment
// holds for every test: the AWS SDK reads credentials from the process
// environment, not from Options.Env, so tests that run in parallel share
// them. A test that needs other AWS settings sets them with t.Setenv, and
// so does not run in parallel.
var (
	envKeys  = fakeaws.NewKeys()
	envCreds fakeaws.Credentials
)

func TestMain(m *testing.M) {
	cleanup := testenv.Scrub()
	envCreds = envKeys.Issue("ASIAENV", time.Now().Add(24*time.Hour))
	os.Setenv("AWS_ACCESS_KEY_ID", envCreds.AccessKeyID)
	os.Setenv("AWS_SECRET_ACCESS_KEY", envCreds.SecretAccessKey)
	os.Setenv("AWS_SESSION_TOKEN", envCreds.SessionToken)
	code := m.Run()
	cleanup()
	os.Exit(code)
}
