package failure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestLine checks the line the program prints: its parts in order, a long
// cause cut first, then a long problem, and the fix always whole and last.
func TestLine(t *testing.T) {
	long := strings.Repeat("x", 300)
	path := "/home/jo/projects/very/deeply/nested/" + strings.Repeat("d/", 80) + "file.json"
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"whole", &Error{Problem: "p", Cause: "c", Fix: "run: f"}, "prog: p (c); run: f"},
		{"no cause", &Error{Problem: "p", Fix: "run: f"}, "prog: p; run: f"},
		{"no fix", &Error{Problem: "p", Cause: "c"}, "prog: p (c)"},
		{"plain error", errors.New("plain; text"), "prog: plain; text"},
		{"a wrapper's text is its own", fmt.Errorf("doing it: %w", &Error{Problem: "p", Fix: "f"}), "prog: doing it: p; f"},
		{"long cause cut", &Error{Problem: "p", Cause: long, Fix: "run: f"},
			"prog: p (" + strings.Repeat("x", 200-utf8.RuneCountInString("prog: p (…); run: f")) + "…); run: f"},
		{"cause too short to keep is dropped, problem cut at its end", &Error{Problem: strings.Repeat("word ", 60), Cause: "a short cause", Fix: "run: f"},
			"prog: " + strings.Repeat("word ", 36) + "word…; run: f"},
		{"only paths and URLs lose their middle", &Error{Problem: strings.Repeat("GODEBUG=fips140=only ", 10), Fix: "run: f"},
			"prog: " + strings.Repeat("GODEBUG=fips140=only ", 8) + "GODEBUG=fips140=o…; run: f"},
		{"never the fix", &Error{Problem: "p", Cause: "c", Fix: long}, "prog: p; " + long},
	} {
		got := Line("prog: ", tc.err, nil)
		if got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.name, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > MaxLine && tc.name != "never the fix" {
			t.Errorf("%s: %d characters", tc.name, n)
		}
	}
	// A long word loses its middle, two thirds of what is kept coming from
	// its end, and the cause stays.
	got := Line("prog: ", &Error{Problem: "the file " + path + " is a link", Cause: "a cause", Fix: "remove it"}, nil)
	keep := 200 - utf8.RuneCountInString("prog: the file  is a link (a cause); remove it")
	head := (keep - 1) / 3
	if want := "prog: the file " + path[:head] + "…" + path[len(path)-(keep-1-head):] + " is a link (a cause); remove it"; got != want {
		t.Errorf("a long word:\ngot  %q\nwant %q", got, want)
	}
	clean := func(s string) string { return strings.ReplaceAll(s, "secret", "[redacted]") }
	if got := Line("", &Error{Problem: "a secret", Cause: "secret", Fix: "no secret"}, clean); got != "a [redacted] ([redacted]); no [redacted]" {
		t.Errorf("clean: %q", got)
	}
}

// TestReason checks the few words a network failure is given: a refused
// connection's address and reason, a time-out, and the start of any other
// text.
func TestReason(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, dialErr := net.Dial("tcp", addr)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("operation error SSO OIDC: RegisterClient, request send failed: %w", dialErr), addr + ": connection refused"},
		{fmt.Errorf("operation error: %w", context.DeadlineExceeded), "timed out"},
		{&fs.PathError{Op: "open", Path: "/x/y", Err: fs.ErrPermission}, "permission denied"},
		{&os.LinkError{Op: "symlink", Old: "/a", New: "/b", Err: fs.ErrExist}, "file already exists"},
		{errors.New("short"), "short"},
		{errors.New(strings.Repeat("word ", 30)), strings.TrimSpace(strings.Repeat("word ", 12)) + "…"},
	} {
		if got := Reason(tc.err); got != tc.want {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
