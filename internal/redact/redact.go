// Package redact removes secrets from text by their exact values.
//
// A Set holds the secrets of one run of a command, or of one library call:
// whatever obtains a secret (a secret access key, a session token, an SSO
// token, a client secret, a signed password) adds it to the Set carried in
// its context, and every writer of messages passes its text through that
// Set's String. There is no process-wide list: a Set is dropped with the
// request that made it, so nothing grows with the number of calls in a
// long-lived process.
//
// Matching exact values replaces a pattern that guessed what a secret looks
// like: a guess misses secrets that are short or lack digits, and blanks out
// harmless text that happens to look random.
package redact

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Mark is what String puts in place of a secret.
const Mark = "[redacted]"

// MinLength is the length below which a value is not kept. Every real AWS
// secret (a 40-character secret key, a session token, an OAuth token) is
// far longer, and redacting a value of a few characters would blank out
// ordinary words everywhere it occurs, without hiding anything.
const MinLength = 8

// A Set is the secrets known to one request. Its zero value is empty and
// ready to use; a nil *Set keeps nothing and redacts nothing. It is safe
// for concurrent use.
type Set struct {
	mu sync.RWMutex
	// values are the secrets kept, longest first, so that a secret holding
	// another is replaced whole.
	values []string
}

// Add keeps values as secrets that String replaces from now on, and the
// forms a URL query would carry them in. Values shorter than MinLength
// are ignored.
func (s *Set) Add(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		for _, form := range []string{v, url.QueryEscape(v)} {
			if len(form) < MinLength || slices.Contains(s.values, form) {
				continue
			}
			// Insert before the first shorter value: longest first.
			i, _ := slices.BinarySearchFunc(s.values, len(form), func(have string, n int) int { return n - len(have) })
			for i < len(s.values) && len(s.values[i]) == len(form) {
				i++
			}
			s.values = slices.Insert(s.values, i, form)
		}
	}
}

// String returns text with every occurrence of a secret of s replaced by
// Mark.
func (s *Set) String(text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.values {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, Mark)
		}
	}
	return text
}

type contextKey struct{}

// NewContext returns a copy of ctx that carries s.
func NewContext(ctx context.Context, s *Set) context.Context {
	return context.WithValue(ctx, contextKey{}, s)
}

// FromContext returns the Set ctx carries, or nil.
func FromContext(ctx context.Context) *Set {
	s, _ := ctx.Value(contextKey{}).(*Set)
	return s
}

// Ensure returns ctx and the Set it carries, first giving it a new one
// when it has none: the start of a request, whose secrets live as long as
// it does.
func Ensure(ctx context.Context) (context.Context, *Set) {
	if s := FromContext(ctx); s != nil {
		return ctx, s
	}
	s := new(Set)
	return NewContext(ctx, s), s
}
