package gitconfig

import (
	"runtime"
	"slices"
	"strings"
)

// HelperCommand renders a credential helper's command line (the program's
// absolute path, then its arguments) for credential.helper. Git runs a value
// that starts with a path as it is, split at spaces, and one that starts
// with "!" through the shell; a line that needs quoting is given in the
// second form. On Windows, git's shell wants forward slashes in the path.
func HelperCommand(args []string) string {
	return helperCommand(runtime.GOOS, args)
}

func helperCommand(goos string, args []string) string {
	args = slices.Clone(args)
	if goos == "windows" && len(args) > 0 {
		args[0] = strings.ReplaceAll(args[0], `\`, "/")
	}
	if !slices.ContainsFunc(args, needsQuote) {
		return strings.Join(args, " ")
	}
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return "!" + strings.Join(q, " ")
}

// needsQuote reports whether s holds anything but the characters the shell
// takes literally in a word.
func needsQuote(s string) bool {
	return s == "" || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-") != ""
}
