package e2e

import (
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// printed is the line the program prints for the error line want,
// "program: problem; fix" with no cause: want itself, or, past
// failure.MaxLine characters (a test's home directory is longer than a
// user's), want as failure.Line shortens it.
func printed(want string) string {
	program, rest, _ := strings.Cut(want, ": ")
	problem, fix := rest, ""
	if i := strings.LastIndex(rest, "; "); i >= 0 {
		problem, fix = rest[:i], rest[i+2:]
	}
	return failure.Line(program+": ", &failure.Error{Problem: problem, Fix: fix}, nil)
}
