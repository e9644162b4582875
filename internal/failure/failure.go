// Package failure is the program's one error type: what failed, why in a
// few words, and what to do, with the underlying error kept for --debug.
// Every package that reports to the user returns an *Error, and readers
// such as doctor use its fields, never its text.
package failure

import (
	"errors"
	"strings"
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
