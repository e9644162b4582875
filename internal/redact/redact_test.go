package redact

import "testing"

func TestString(t *testing.T) {
	// A secret without digits, shorter than 32 characters: the pattern
	// this package replaces did not recognise it.
	const short = "NoDigitsHereAtAll/Secret"
	const keyID = "AKIAIOSFODNN7EXAMPLE"
	const token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6+token"
	Add(short, token, "tiny", "")
	for _, tc := range []struct{ in, want string }{
		{"bad secret " + short + " for " + keyID, "bad secret [redacted] for " + keyID},
		{`token "` + token + `" twice ` + token, `token "[redacted]" twice [redacted]`},
		// A URL query carries the token escaped.
		{"GET /?t=IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIQD6%2Btoken", "GET /?t=[redacted]"},
		// Values under MinLength are not kept: "tiny" stays.
		{"a tiny word", "a tiny word"},
		{"nothing secret here", "nothing secret here"},
	} {
		if got := String(tc.in); got != tc.want {
			t.Errorf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestLongestFirst checks that a secret that holds another is replaced
// whole, not left with a piece of itself around the shorter one's mark.
func TestLongestFirst(t *testing.T) {
	Add("inner-secret-value")
	Add("outer-inner-secret-value-outer")
	if got := String("x outer-inner-secret-value-outer y"); got != "x [redacted] y" {
		t.Errorf("got %q", got)
	}
}
