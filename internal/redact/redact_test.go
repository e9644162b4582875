package redact

import (
	"context"
	"testing"
)

func TestString(t *testing.T) {
	// A secret without digits, shorter than 32 characters: the pattern
	// this package replaces did not recognise it.
	const short = "NoDigitsHereAtAll/Secret"
	const keyID = "AKIAIOSFODNN7EXAMPLE"
	const token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6+token"
	var s Set
	s.Add(short, token, "tiny", "")
	for _, tc := range []struct{ in, want string }{
		{"bad secret " + short + " for " + keyID, "bad secret [redacted] for " + keyID},
		{`token "` + token + `" twice ` + token, `token "[redacted]" twice [redacted]`},
		// A URL query carries the token escaped.
		{"GET /?t=IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIQD6%2Btoken", "GET /?t=[redacted]"},
		// Values under MinLength are not kept: "tiny" stays.
		{"a tiny word", "a tiny word"},
		{"nothing secret here", "nothing secret here"},
	} {
		if got := s.String(tc.in); got != tc.want {
			t.Errorf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestLongestFirst checks that a secret that holds another is replaced
// whole, not left with a piece of itself around the shorter one's mark,
// whichever was added first.
func TestLongestFirst(t *testing.T) {
	for _, order := range [][]string{
		{"inner-secret-value", "outer-inner-secret-value-outer", "same-len-secret-a"},
		{"outer-inner-secret-value-outer", "same-len-secret-a", "inner-secret-value"},
	} {
		var s Set
		for _, v := range order {
			s.Add(v)
		}
		if got := s.String("x outer-inner-secret-value-outer y inner-secret-value"); got != "x [redacted] y [redacted]" {
			t.Errorf("added %q: got %q", order, got)
		}
	}
}

// TestSetsAreSeparate checks that a secret belongs to its request only: a
// second Set, or none, does not know it.
func TestSetsAreSeparate(t *testing.T) {
	const secret = "first-request-secret"
	ctx, s := Ensure(context.Background())
	s.Add(secret)
	if got := FromContext(ctx).String(secret); got != Mark {
		t.Errorf("the context's Set: %q", got)
	}
	if ctx2, s2 := Ensure(ctx); ctx2 != ctx || s2 != s {
		t.Error("Ensure replaced the Set a context already carries")
	}
	_, other := Ensure(context.Background())
	if got := other.String(secret); got != secret {
		t.Errorf("another request's Set redacted %q", got)
	}
	var none *Set
	none.Add(secret)
	if got := none.String(secret); got != secret {
		t.Errorf("a nil Set: %q", got)
	}
}

// BenchmarkRequest is one request's life: a new Set, its secrets, a
// message. Its cost does not depend on how many requests came before.
func BenchmarkRequest(b *testing.B) {
	for b.Loop() {
		_, s := Ensure(context.Background())
		s.Add("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6+token")
		_ = s.String("a message about nothing secret at all")
	}
}
