// Package failure is the program's one error type: what failed, why in a
// few words, and what to do, with the underlying error kept for --debug.
// Every package that reports to the user returns an *Error, and readers
// such as doctor use its fields, never its text.
package failure

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"strings"
	"unicode/utf8"
)

// Error is a failure in three parts that callers read as fields. Its
// message is one line, "problem (cause); fix", with nothing secret in it.
type Error struct {
	Problem string // what failed
	Cause   string // why, in a few words; may be empty
	Fix     string // what to do; may be empty
	// Err is the underlying error, for --debug; Detail renders it on one
	// line. It may quote what the user or AWS wrote: print it redacted
	// and escaped, as every message.
	Err error
}

func (e *Error) Error() string {
	s := e.Finding()
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

// Finding is the problem and its cause, without the fix.
func (e *Error) Finding() string {
	if e.Cause == "" {
		return e.Problem
	}
	return e.Problem + " (" + e.Cause + ")"
}

func (e *Error) Unwrap() error { return e.Err }

// Detail is the underlying error on one line, for --debug; "" when there
// is none.
func (e *Error) Detail() string {
	if e.Err == nil {
		return ""
	}
	return OneLine(e.Err)
}

// As returns err's *Error, or nil when err has none.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// OneLine renders err's text on one line, its runs of white space folded
// to one space.
func OneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// MaxLine bounds a line the program prints on failure, its prefix
// included.
const MaxLine = 200

// Line renders err as the one line the program prints for it: prefix,
// then "problem (cause); fix", each part passed through clean (which
// redacts and escapes it; nil leaves it as it is). An error that is not an
// *Error is all problem. A line longer than MaxLine loses first the middle
// of the problem's longest words (a path, a URL), then the end of its
// cause, then the end of its problem; its fix is never shortened, so the
// line always ends with what to do.
func Line(prefix string, err error, clean func(string) string) string {
	if clean == nil {
		clean = func(s string) string { return s }
	}
	e := As(err)
	if e == nil || e.Error() != err.Error() { // a wrapper's text is its own
		e = &Error{Problem: err.Error()}
	}
	l := Error{Problem: clean(e.Problem), Cause: clean(e.Cause), Fix: clean(e.Fix)}
	over := func() int { return runes(prefix+l.Error()) - MaxLine }
	if n := over(); n > 0 {
		l.Problem = shortenWords(l.Problem, n)
	}
	if n := over(); n > 0 && l.Cause != "" {
		l.Cause = shorten(l.Cause, runes(l.Cause)-n)
	}
	if n := over(); n > 0 {
		l.Problem = shorten(l.Problem, max(runes(l.Problem)-n, minKept))
	}
	return prefix + l.Error()
}

// minWord is the fewest characters shortenWords leaves of a word.
const minWord = 16

// shortenWords takes up to n characters out of the longest paths and URLs
// in s, from their middle, so that the sentence around them stays whole:
// "/home/jo/.aws/sso/cache/ee0b….json is a symbolic link". Other words
// stay as they are: half a word of another kind reads as another word.
func shortenWords(s string, n int) string {
	words := strings.Split(s, " ")
	for n > 0 {
		i := -1
		for j, w := range words {
			if strings.ContainsAny(w, `/\`) && (i < 0 || runes(w) > runes(words[i])) {
				i = j
			}
		}
		if i < 0 {
			break
		}
		r := []rune(words[i])
		keep := max(len(r)-n, minWord) // "…" included
		if keep >= len(r) {
			break
		}
		head := (keep - 1) / 3 // the end of a path, its file, says more
		words[i] = string(r[:head]) + "…" + string(r[len(r)-(keep-1-head):])
		n -= len(r) - keep
	}
	return strings.Join(words, " ")
}

// minKept is the fewest characters of a problem that shortening keeps, and
// of a cause: a cause cut shorter than that is dropped.
const minKept = 20

// shorten cuts s to n characters, the last of them "…"; it returns "" when
// n is below minKept.
func shorten(s string, n int) string {
	if n < minKept {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n-1]), " ,;:(") + "…"
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// maxReason bounds the words Reason takes from an error's own text.
const maxReason = 60

// Reason says in a few words why a call failed, for a Cause: "timed out",
// a host name that does not resolve, the address and the system's reason
// ("127.0.0.1:9: connection refused"), a file operation's reason without
// the path (which the problem names); else the start of err's text. The
// whole text is Err's, for --debug.
func Reason(err error) string {
	var (
		dns  *net.DNSError
		op   *net.OpError
		path *fs.PathError
		link *os.LinkError
	)
	switch {
	case errors.As(err, &path):
		return OneLine(path.Err)
	case errors.As(err, &link):
		return OneLine(link.Err)
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &dns):
		return "cannot resolve " + dns.Name
	case errors.As(err, &op) && op.Addr != nil:
		why := op.Err
		var sys *os.SyscallError
		if errors.As(why, &sys) {
			why = sys.Err
		}
		return op.Addr.String() + ": " + OneLine(why)
	case errors.As(err, &op):
		return OneLine(op.Err)
	}
	return shorten(OneLine(err), maxReason)
}
