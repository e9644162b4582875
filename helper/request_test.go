package helper

import (
	"errors"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
)

func TestReadRequest(t *testing.T) {
	cc := Request{Protocol: "https", Host: "git-codecommit.us-east-1.amazonaws.com", Path: "v1/repos/r"}
	for _, tc := range []struct {
		name string
		in   string
		want Request
		err  string
	}{
		{"parts", "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/r\n", cc, ""},
		{"crlf", "protocol=https\r\nhost=git-codecommit.us-east-1.amazonaws.com\r\npath=v1/repos/r\r\n", cc, ""},
		{"no final newline", "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/r", cc, ""},
		{"blank line ends it", "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/r\n\nhost=evil.example\n", cc, ""},
		{"crlf blank line ends it", "protocol=https\r\nhost=git-codecommit.us-east-1.amazonaws.com\r\npath=v1/repos/r\r\n\r\nhost=evil.example\r\n", cc, ""},
		{"empty", "", Request{}, ""},
		{"unknown keys and lists", "capability[]=authtype\ncapability[]=state\nprotocol=https\nwwwauth[]=Basic realm=\"x\"\nhost=git-codecommit.us-east-1.amazonaws.com\nfuture=1\npassword=old\npath=v1/repos/r\n", cc, ""},
		{"value with =", "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/r=x\n", Request{"https", "git-codecommit.us-east-1.amazonaws.com", "v1/repos/r=x"}, ""},
		{"last wins", "protocol=http\nprotocol=https\nhost=a\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/r\n", cc, ""},
		{"url", "url=https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r\n", cc, ""},
		{"url slashes trimmed", "url=https://git-codecommit.us-east-1.amazonaws.com//v1/repos/r/\n", cc, ""},
		{"url with port and user", "url=https://me@git-codecommit.us-east-1.amazonaws.com:443/v1/repos/r\n", Request{"https", "git-codecommit.us-east-1.amazonaws.com:443", "v1/repos/r"}, ""},
		{"url without path", "url=https://git-codecommit.us-east-1.amazonaws.com\n", Request{"https", "git-codecommit.us-east-1.amazonaws.com", ""}, ""},
		{"url resets parts", "path=v1/repos/other\nurl=https://git-codecommit.us-east-1.amazonaws.com\n", Request{"https", "git-codecommit.us-east-1.amazonaws.com", ""}, ""},
		{"parts after url win", "url=https://example.com/x\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/r\n", cc, ""},
		{"url percent-decoded", "url=https://git-codecommit.us-east-1.amazonaws.com/v1/repos/a%20b\n", Request{"https", "git-codecommit.us-east-1.amazonaws.com", "v1/repos/a b"}, ""},
		{"bad url", "url=::not a url\n", Request{}, "credential request line 1: url= is not an absolute URL"},
		{"relative url", "url=/v1/repos/r\n", Request{}, "credential request line 1: url= is not an absolute URL"},
		{"url with escaped NUL", "url=https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r%00x\n", Request{}, "credential request line 1: url= holds an escaped line break or NUL byte"},
		{"url with escaped newline", "url=https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r%0ahost=evil.example\n", Request{}, "credential request line 1: url= holds an escaped line break or NUL byte"},
		{"no equals", "protocol=https\nhost\n", Request{}, "credential request line 2 is not key=value"},
		{"inner CR", "protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\rpath=x\n", Request{}, "credential request line 2 holds a carriage return or NUL byte"},
		{"NUL", "protocol=https\x00\n", Request{}, "credential request line 1 holds a carriage return or NUL byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadRequest(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestReadRequestBound(t *testing.T) {
	line := "x=" + strings.Repeat("a", 1000) + "\n"
	exact := strings.Repeat(line, MaxInput/len(line)) + "y=" + strings.Repeat("y", MaxInput%len(line)-3) + "\n"
	if len(exact) != MaxInput {
		t.Fatalf("test input is %d bytes, want %d", len(exact), MaxInput)
	}
	if _, err := ReadRequest(strings.NewReader(exact)); err != nil {
		t.Fatalf("exactly at the bound: %v", err)
	}
	for _, in := range []string{
		exact + "z",
		strings.Repeat(line, 2000),
		"host=" + strings.Repeat("h", 2*MaxInput), // one huge line
	} {
		if _, err := ReadRequest(strings.NewReader(in)); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%d bytes: %v, want ErrTooLarge", len(in), err)
		}
	}
}

// FuzzReadRequest checks that no input makes the parser panic, read past its
// bound, or return a value that could inject a line into git's protocol.
func FuzzReadRequest(f *testing.F) {
	for _, s := range []string{
		"protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com\npath=v1/repos/r\n",
		"protocol=https\r\nhost=h\r\n\r\n",
		"url=https://u:p@git-codecommit.eu-west-1.amazonaws.com.cn:443/v1/repos/x?y#z\n",
		"capability[]=authtype\nwwwauth[]=Basic\n",
		"=\n=\n\n", "url=\n", "\x00", "a\rb=c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := strings.NewReader(in)
		req, err := ReadRequest(r)
		if consumed := len(in) - r.Len(); consumed > MaxInput+1 {
			t.Fatalf("read %d bytes, bound is %d", consumed, MaxInput)
		}
		if err != nil {
			if req != (Request{}) {
				t.Fatalf("error %v with a non-empty request %+v", err, req)
			}
			return
		}
		for _, v := range []string{req.Protocol, req.Host, req.Path} {
			if strings.ContainsAny(v, "\n\r\x00") {
				t.Fatalf("value %q holds a line break or NUL", v)
			}
		}
		if region, ok := codecommit.Region(req.Host); ok {
			if !strings.Contains(req.Host, ".git-codecommit") && !strings.HasPrefix(req.Host, "git-codecommit") {
				t.Fatalf("%q recognised as CodeCommit (region %q)", req.Host, region)
			}
		}
	})
}
