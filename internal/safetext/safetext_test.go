package safetext

import (
	"bytes"
	"errors"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"git-codecommit.us-east-1.amazonaws.com", "git-codecommit.us-east-1.amazonaws.com"},
		{`C:\Users\dev\.aws\config`, `C:\Users\dev\.aws\config`},
		{"two\nlines", `two\nlines`},
		{"cr\r\ttab", `cr\r\ttab`},
		{"red \x1b[31mtext\x1b[0m", `red \x1b[31mtext\x1b[0m`},
		{"nul\x00 bell\x07 del\x7f", `nul\x00 bell\x07 del\x7f`},
		{"csi \u009b31m, nel \u0085", `csi \u009b31m, nel \u0085`},
		{"line\u2028para\u2029", `line\u2028para\u2029`},
		{"evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"\u2066isolate\u2069 \u200emark\u200f \u061c", `\u2066isolate\u2069 \u200emark\u200f \u061c`},
		{"raw byte \x9b and \xff", `raw byte \x9b and \xff`},
		{"café, 東京, emoji 🚀", "café, 東京, emoji 🚀"},
	} {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestFprintf(t *testing.T) {
	const secret = "SecretWithoutAnyDigits"
	secrets := new(redact.Set)
	secrets.Add(secret)
	var b bytes.Buffer
	Fprintf(&b, secrets, "page:\n\n    %s\n%q %v %d %-6s|\n", "https://x\x1b]8;;evil\x07/", "a\nb", errors.New("e\r"+secret), 42, "ab")
	want := "page:\n\n    https://x\\x1b]8;;evil\\x07/\n\"a\\nb\" e\\r[redacted] 42 ab    |\n"
	if b.String() != want {
		t.Errorf("Fprintf:\n got %q\nwant %q", b.String(), want)
	}
	if got := Clean(secrets, "key "+secret+"\n"); got != `key [redacted]\n` {
		t.Errorf("Clean: %q", got)
	}
}
