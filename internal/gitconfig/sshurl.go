package gitconfig

import (
	"net/url"
	"strings"
)

// SSHURL is a URL git would reach over SSH.
type SSHURL struct {
	User, Host, Path string
}

// ParseSSH recognises SSH URLs the ways git does: ssh://, git+ssh:// and
// ssh+git:// URLs, and the scp-like [user@]host:path, which has a colon
// before any slash.
func ParseSSH(raw string) (SSHURL, bool) {
	if scheme, _, ok := strings.Cut(raw, "://"); ok {
		switch strings.ToLower(scheme) {
		case "ssh", "git+ssh", "ssh+git":
		default:
			return SSHURL{}, false
		}
		u, err := url.Parse(raw)
		if err != nil {
			return SSHURL{}, false
		}
		return SSHURL{User: u.User.Username(), Host: u.Hostname(), Path: u.Path}, true
	}
	colon, slash := strings.IndexByte(raw, ':'), strings.IndexByte(raw, '/')
	if colon <= 1 || (slash >= 0 && slash < colon) { // no host, or a drive letter as in C:/x
		return SSHURL{}, false
	}
	user, host, ok := strings.Cut(raw[:colon], "@")
	if !ok {
		user, host = "", user
	}
	return SSHURL{User: user, Host: host, Path: raw[colon+1:]}, true
}
