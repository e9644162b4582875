package login

import (
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// openBrowser asks the desktop to open url in the default browser: open on
// macOS, rundll32's URL handler on Windows, xdg-open elsewhere. It starts
// the command and does not wait for it, since some of them wait for the
// browser to exit; it fails only when the command cannot start, or there is
// no graphical display to open a browser on (xdg-open would then start a
// text browser that fights the prompt for the terminal).
func openBrowser(url string) error {
	if err := browsable(url); err != nil {
		return err
	}
	argv, err := browserCommand(runtime.GOOS, url, os.Getenv)
	if err != nil {
		return err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	// The standard streams stay unset (the null device): the command's
	// output would garble the prompt.
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it whenever it ends
	return nil
}

// browserCommand is the command that opens url on goos, with getenv for the
// environment.
func browserCommand(goos, url string, getenv func(string) string) ([]string, error) {
	switch goos {
	case "darwin":
		return []string{"open", url}, nil
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler", url}, nil
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return nil, errors.New("no graphical display: neither DISPLAY nor WAYLAND_DISPLAY is set")
	}
	return []string{"xdg-open", url}, nil
}

// loopbackHost reports whether host is a loopback IP address.
func loopbackHost(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// browsable says why page, a URL from IAM Identity Center, is not one to
// hand to the desktop's opener, or nil when it is: an absolute https:// URL
// (or http:// to a loopback address) with a host and no user name. Anything
// else could make the opener run a local file or script (file:,
// javascript:, a custom handler's scheme), or, starting with '-', be taken
// for one of its options.
func browsable(page string) error {
	if strings.HasPrefix(page, "-") {
		return errors.New("it starts with '-'")
	}
	u, err := url.Parse(page)
	switch {
	case err != nil:
		return errors.New("it is not a URL")
	case u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname())):
		// http:// only to this machine: an endpoint set to a local service
		// (AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SIGNIN), as the
		// tests' fakes are.
		return errors.New("it is not an https:// URL")
	case u.Host == "" || u.Hostname() == "" || strings.HasPrefix(u.Host, "-"):
		return errors.New("it names no host")
	case u.User != nil:
		// https://portal.example@evil.example/ reads as the portal, and
		// goes to evil.example.
		return errors.New("it holds a user name before its host")
	}
	return nil
}
