// Package helper implements git's credential helper protocol for AWS
// CodeCommit: it reads what git asks for, decides whether the host is one we
// may sign for, and answers with a SigV4 username and password.
//
// It is the library form of the git-credential-codecommit command: a Go
// program that speaks git's protocol (or wants the command's exact answers)
// uses Getter, with its credentials from Getter.Resolve. One that only needs
// a repository URL signed uses sigv4.SignURL.
//
// The protocol is described in git-credential(1):
// https://git-scm.com/docs/git-credential#IOFMT
package helper

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// MaxInput bounds what ReadRequest reads. Git sends a few hundred bytes; a
// megabyte means something other than git is talking.
const MaxInput = 1 << 20

// Request holds the attributes of a credential request that the helper uses.
// Everything else git sends is ignored.
type Request struct {
	Protocol string // "https"
	Host     string // host name with ":port" when the URL has one
	Path     string // repository path without its leading slash; "" when git did not send it
}

// ErrTooLarge is returned by ReadRequest when the input exceeds MaxInput.
var ErrTooLarge = fmt.Errorf("credential request is larger than %d bytes", MaxInput)

// ReadRequest reads "key=value" lines until EOF or a blank line, the way git
// writes them. It accepts CRLF line ends, ignores unknown keys (git adds new
// ones over time) and multi-valued "key[]" lines, and treats "url=" as the
// URL's parts, replacing any parts read before it, as git does.
//
// Errors never quote the input: a line may hold a password.
func ReadRequest(r io.Reader) (Request, error) {
	var req Request
	br := bufio.NewReader(io.LimitReader(r, MaxInput+1))
	read := 0
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		read += len(line)
		if read > MaxInput {
			return Request{}, ErrTooLarge
		}
		if err != nil && err != io.EOF {
			return Request{}, fmt.Errorf("reading credential request: %w", err)
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			return req, nil // a blank line or EOF ends the request
		}
		if strings.ContainsAny(line, "\r\x00") {
			return Request{}, fmt.Errorf("credential request line %d holds a carriage return or NUL byte", n)
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return Request{}, fmt.Errorf("credential request line %d is not key=value", n)
		}
		switch key {
		case "protocol":
			req.Protocol = value
		case "host":
			req.Host = value
		case "path":
			req.Path = value
		case "url":
			if req, err = requestFromURL(value); err != nil {
				return Request{}, fmt.Errorf("credential request line %d: %w", n, err)
			}
		}
		if err == io.EOF {
			return req, nil
		}
	}
}

// requestFromURL splits a URL into request attributes the way git's
// credential_from_url does: the path loses its leading and trailing slashes.
func requestFromURL(raw string) (Request, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Request{}, errors.New("url= is not an absolute URL")
	}
	req := Request{
		Protocol: u.Scheme,
		Host:     u.Host,
		Path:     strings.Trim(u.Path, "/"),
	}
	// Percent escapes are decoded: "%0a" or "%00" must not smuggle into a
	// value what the line itself may not hold (git refuses them too).
	for _, v := range []string{req.Protocol, req.Host, req.Path} {
		if strings.ContainsAny(v, "\n\r\x00") {
			return Request{}, errors.New("url= holds an escaped line break or NUL byte")
		}
	}
	return req, nil
}
