package cli

import (
	"bytes"
	"compress/gzip"
	"flag"
	"os"
	"runtime"
	"strings"
	"testing"
)

var updateMan = flag.Bool("update-man", false, "rewrite docs/git-credential-codecommit.1 and its .gz from the command table")

// The man page, git-credential-codecommit(1), is the help the program
// prints, set in roff: the --help text, then each command's -h text, each
// kept as printed (no-fill), so that the page and -h cannot drift.
// Releases ship it (.goreleaser.yaml); .ci/release checks it with groff
// -ww and lintian.
const (
	manPage   = "../../docs/git-credential-codecommit.1"
	manPageGz = manPage + ".gz"
)

// manPageText renders the page from what the program prints.
func manPageText(t *testing.T) string {
	t.Helper()
	help := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		if code := Main(Build{}, append([]string{name}, args...), strings.NewReader(""), &stdout, &stderr); code != 0 || stderr.Len() > 0 {
			t.Fatalf("%s %v: exit %d, stderr %q", name, args, code, stderr.String())
		}
		return stdout.String()
	}
	var b strings.Builder
	b.WriteString(`.\" Made by internal/cli's TestManPage from the program's help; do not edit.
.\" To remake it: go test ./internal/cli -run TestManPage -update-man
.TH GIT\-CREDENTIAL\-CODECOMMIT 1 "" "git\-credential\-codecommit" "User Commands"
.SH NAME
git\-credential\-codecommit \- git credential helper for AWS CodeCommit over HTTPS
.SH SYNOPSIS
.B git\-credential\-codecommit
[\fIflags\fR] \fIcommand\fR [\fIflags\fR]
.br
.B git\-remote\-codecommit
\fIremote\fR \fIurl\fR
.SH DESCRIPTION
`)
	usage, rest, _ := strings.Cut(help("--help"), "\n")
	if !strings.HasPrefix(usage, "usage: ") {
		t.Fatalf("--help starts with %q, not a usage line", usage)
	}
	b.WriteString(noFill(strings.TrimLeft(rest, "\n")))
	b.WriteString(`.PP
Started as \fBgit\-remote\-codecommit\fR (the link the packages install, or
\fBinstall \-\-remote\-helper\fR makes), it is git's remote helper for
\fBcodecommit://\fR URLs.
.SH COMMANDS
`)
	for _, cmd := range commands {
		b.WriteString(".SS " + roffEscape(cmd.name) + "\n")
		b.WriteString(noFill(help(cmd.name, "-h")))
	}
	b.WriteString(`.SH SEE ALSO
.BR gitcredentials (7),
.BR git\-credential (1),
.BR git\-config (1)
`)
	return b.String()
}

// noFill sets text as printed: no filling, no adjusting, roff's special
// characters escaped.
func noFill(text string) string {
	var b strings.Builder
	b.WriteString(".nf\n")
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		line = roffEscape(line)
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			line = `\&` + line
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(".fi\n")
	return b.String()
}

// roffEscape escapes the backslash, and hyphens so that they print as the
// ASCII minus a shell needs.
func roffEscape(s string) string {
	return strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
}

// gzipped is the page as the packages install it: gzip at its best
// compression, with no name and no time, so that every build makes the
// same bytes.
func gzipped(t *testing.T, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestManPage(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the man page is the Unix help")
	}
	text := manPageText(t)
	for path, want := range map[string][]byte{manPage: []byte(text), manPageGz: gzipped(t, text)} {
		if *updateMan {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not the program's help; run: go test ./internal/cli -run TestManPage -update-man", strings.TrimPrefix(path, "../../"))
		}
	}
}
