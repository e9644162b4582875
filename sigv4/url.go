package sigv4

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4/endpoint"
)

// Repo is a CodeCommit repository's https URL taken apart.
type Repo struct {
	endpoint.Endpoint
	Host string // the URL's host, with ":port" when it has one
	Path string // the URL's path without its leading and trailing '/', as git sends it
}

// ParseURL takes apart the https URL of a CodeCommit repository,
// https://git-codecommit.REGION.amazonaws.com/v1/repos/NAME or any other
// host form endpoint.Parse accepts, the way git does before it asks a
// credential helper. Its errors never quote the URL, which may hold a
// password.
func ParseURL(rawURL string) (Repo, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return Repo{}, errors.New("sigv4: the repository URL cannot be parsed; give https://" + endpoint.Label + ".REGION.amazonaws.com/v1/repos/NAME")
	}
	if u.Scheme != "https" {
		return Repo{}, fmt.Errorf("sigv4: CodeCommit signs https URLs only, not %q ones; use the repository's https URL", u.Scheme)
	}
	e, ok := endpoint.Parse(u.Host)
	if !ok {
		return Repo{}, fmt.Errorf("sigv4: %q is not a CodeCommit git host; give https://%s.REGION.amazonaws.com/v1/repos/NAME or another form CodeCommit serves", u.Host, endpoint.Label)
	}
	r := Repo{Endpoint: e, Host: u.Host, Path: strings.Trim(u.Path, "/")}
	if r.Path == "" {
		return Repo{}, errors.New("sigv4: the repository URL has no path; give https://" + u.Host + "/v1/repos/NAME")
	}
	return r, nil
}

// SignURL signs the https URL of a CodeCommit repository with c at t: the
// username, password and expiry git (or go-git) needs to fetch or push it.
// It signs exactly what the AWS CLI's credential helper, and this module's
// git-credential-codecommit, sign for the same URL, credentials and time.
// The password is good for PasswordLifetime: sign again for each fetch or
// push, or when Expires has passed.
func SignURL(rawURL string, c Credentials, t time.Time) (Password, error) {
	r, err := ParseURL(rawURL)
	if err != nil {
		return Password{}, err
	}
	return CodeCommit(c, r.Region, r.Host, r.Path, t), nil
}
