package login

import (
	"slices"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
)

func TestBrowsable(t *testing.T) {
	for _, tc := range []struct{ page, why string }{
		{"https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH", ""},
		{"HTTPS://device.sso.eu-west-1.amazonaws.com/", ""},
		{"https://[::1]:8443/device", ""},
		{"http://device.sso.us-east-1.amazonaws.com/", "it is not an https:// URL"},
		{"http://127.0.0.1:8080/v1/authorize?x=1", ""},
		{"http://[::1]:8080/v1/authorize", ""},
		{"http://localhost.evil.example/", "it is not an https:// URL"},
		{"http://localhost:8080/authorize", "it is not an https:// URL"},
		{"http://127.0.0.1.evil.example/", "it is not an https:// URL"},
		{"file:///etc/passwd", "it is not an https:// URL"},
		{"javascript:alert(1)", "it is not an https:// URL"},
		{"ms-settings:display", "it is not an https:// URL"},
		{"/device", "it is not an https:// URL"},
		{"", "it is not an https:// URL"},
		{"-https://x", "it starts with '-'"},
		{"--new-window=https://x", "it starts with '-'"},
		{"https:///path", "it names no host"},
		{"https:opaque", "it names no host"},
		{"https://:443/", "it names no host"},
		{"https://-x/", "it names no host"},
		{"https://portal.awsapps.com@evil.example/", "it holds a user name before its host"},
		{"https://x/\x1b[2J", "it is not a URL"},
		{"https://x y/", "it is not a URL"},
	} {
		err := browsable(tc.page)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.why {
			t.Errorf("browsable(%q) = %q, want %q", tc.page, got, tc.why)
		}
	}
}

// TestLoginOpensOnlyHTTPS has IAM Identity Center send pages that are not
// https:// URLs: none is opened, and the prompt prints each escaped, with
// one line that says why it was not opened.
func TestLoginOpensOnlyHTTPS(t *testing.T) {
	for _, tc := range []struct{ page, shown, why string }{
		{"javascript:alert(1)//", "javascript:alert(1)//", "it is not an https:// URL"},
		{"file:///etc/passwd#", "file:///etc/passwd#", "it is not an https:// URL"},
		{"-https://evil.example/", "-https://evil.example/", "it starts with '-'"},
		{"https://evil.example/\x1b]8;;x\x07\u202e", `https://evil.example/\x1b]8;;x\x07\u202e`, "it is not a URL"},
	} {
		w := newWorld(t)
		w.ic.SetPage(tc.page)
		s := w.login(Options{Profile: "dev"}, nil)
		if s.err != nil {
			t.Fatal(s.err)
		}
		if len(s.opened) != 0 {
			t.Errorf("%q: opened %q", tc.page, s.opened)
		}
		out := s.out.String()
		if !strings.Contains(out, ":\n\n    "+tc.shown+"\n\n") {
			t.Errorf("%q: the prompt does not show the page escaped:\n%s", tc.page, out)
		}
		warning := "Warning: not opening " + tc.shown + "?user_code="
		if n := strings.Count(out, warning); n != 1 || !strings.Contains(out, " in a browser ("+tc.why+"); open the page above yourself.\n") {
			t.Errorf("%q: %d warnings, want 1 saying %q:\n%s", tc.page, n, tc.why, out)
		}
		for _, b := range []byte(out) {
			if b < 0x20 && b != '\n' || b == 0x7f {
				t.Errorf("%q: the prompt holds the byte %#x", tc.page, b)
			}
		}
	}
	// An https page is opened as before.
	w := newWorld(t)
	if s := w.login(Options{Profile: "dev"}, nil); s.err != nil || len(s.opened) != 1 || !strings.HasPrefix(s.opened[0], fakeaws.DefaultPage+"?user_code=") {
		t.Errorf("the https page: %v, opened %q", s.err, s.opened)
	}
}

func TestBrowserCommand(t *testing.T) {
	const page = "https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH"
	for _, tc := range []struct {
		goos string
		env  map[string]string
		want []string // nil for no browser
	}{
		{"darwin", nil, []string{"open", page}},
		{"windows", nil, []string{"rundll32", "url.dll,FileProtocolHandler", page}},
		{"linux", map[string]string{"DISPLAY": ":0"}, []string{"xdg-open", page}},
		{"linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, []string{"xdg-open", page}},
		{"freebsd", map[string]string{"DISPLAY": ":1"}, []string{"xdg-open", page}},
		// A server or a container without a display: xdg-open would start
		// a text browser that fights the prompt for the terminal.
		{"linux", nil, nil},
	} {
		got, err := browserCommand(tc.goos, page, func(k string) string { return tc.env[k] })
		if !slices.Equal(got, tc.want) || (err == nil) != (tc.want != nil) {
			t.Errorf("browserCommand(%s, %v) = %q, %v; want %q", tc.goos, tc.env, got, err, tc.want)
		}
	}
}
