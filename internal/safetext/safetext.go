// Package safetext renders text that came from outside the program (a
// host, a URL, a profile name, a file path, a message from AWS) so that it
// prints as one line on a terminal and cannot drive it: control characters
// are shown as escapes, and secrets are redacted (internal/redact).
//
// The program's writers of messages (the command's error line, the remote
// helper's, --debug, login's prompt, doctor's report) pass everything they
// print through here, so that no path to the terminal can forget it.
package safetext

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

// Line returns s with every character that could move the cursor, end the
// line, or reorder or hide the text around it written as a visible escape:
// C0 controls and DEL (\n, \r, \t, \x1b, \x7f), C1 controls (\u009b), the
// Unicode line and paragraph separators (\u2028, \u2029), and the bidi
// marks, embeddings, overrides and isolates (\u202e, ...). A byte that is
// not UTF-8 is written \xHH: some terminals read one as a C1 control.
// Everything else, backslashes included, is left as it is.
func Line(s string) string {
	if plain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case escaped(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// plain reports whether s is printable ASCII only, the common case, which
// Line returns as it is.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// escaped reports whether Line escapes the non-ASCII rune r.
func escaped(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c: // LRM, RLM, ALM
		return true
	}
	return false
}

// Clean is s as the program prints it: the secrets of secrets redacted,
// then Line.
func Clean(secrets *redact.Set, s string) string {
	return Line(secrets.String(s))
}

// Fprintf writes to w what fmt.Fprintf would, with every string, error
// and fmt.Stringer argument passed through Clean first. The format is the
// program's own and keeps its newlines: it suits messages of several lines
// that quote values, such as login's prompt. A %q argument is quoted as
// %q quotes it, which escapes control characters itself.
func Fprintf(w io.Writer, secrets *redact.Set, format string, args ...any) (int, error) {
	safe := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			safe[i] = value{v, secrets}
		case error:
			safe[i] = value{v.Error(), secrets}
		case fmt.Stringer:
			safe[i] = value{v.String(), secrets}
		default:
			safe[i] = a
		}
	}
	return fmt.Fprintf(w, format, safe...)
}

// value is an argument of Fprintf, with the secrets to redact from it.
type value struct {
	s       string
	secrets *redact.Set
}

// Format writes v redacted, then quoted for %q and escaped by Line for
// the other verbs.
func (v value) Format(f fmt.State, verb rune) {
	s := v.secrets.String(v.s)
	if verb == 'q' {
		if f.Flag('+') {
			s = strconv.QuoteToASCII(s)
		} else {
			s = strconv.Quote(s)
		}
		io.WriteString(f, s)
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), Line(s))
}
