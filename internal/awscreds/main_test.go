package awscreds

import (
	"os"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

func TestMain(m *testing.M) {
	cleanup := testenv.Scrub()
	code := m.Run()
	cleanup()
	os.Exit(code)
}
