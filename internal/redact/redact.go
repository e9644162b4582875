// Package redact removes secrets from text by their exact values. Each
// package that obtains a secret (a secret access key, a session token, an
// SSO token, a client secret, a signed password) hands it to Add at that
// point; every writer of messages passes its text through String.
//
// Matching exact values replaces a pattern that guessed what a secret looks
// like: a guess misses secrets that are short or lack digits, and blanks out
// harmless text that happens to look random.
package redact

import (
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

var (
	mu sync.RWMutex
	// secrets are the values kept, longest first, so that a secret holding
	// another is replaced whole.
	secrets []string
)

// Add keeps values as secrets that String replaces from now on, and the
// forms a URL query would carry them in. Values shorter than MinLength
// are ignored.
func Add(values ...string) {
	mu.Lock()
	defer mu.Unlock()
	for _, v := range values {
		for _, form := range []string{v, url.QueryEscape(v)} {
			if len(form) >= MinLength && !slices.Contains(secrets, form) {
				secrets = append(secrets, form)
			}
		}
	}
	slices.SortStableFunc(secrets, func(a, b string) int { return len(b) - len(a) })
}

// String returns s with every occurrence of a secret kept by Add replaced
// by Mark.
func String(s string) string {
	mu.RLock()
	defer mu.RUnlock()
	for _, v := range secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Mark)
		}
	}
	return s
}
