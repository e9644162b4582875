package login

import (
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestMain removes the machine's AWS settings from the process environment,
// which the AWS SDK reads, before any test runs.
func TestMain(m *testing.M) { testenv.Main(m) }
