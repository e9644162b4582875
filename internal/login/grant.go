package login

// chooseGrant returns whether to sign in with the device code grant rather
// than the authorization code grant, and a line that says which and why.
// The authorization code grant needs a browser on this machine, which its
// redirect to 127.0.0.1 reaches, and an sso-session (as for the AWS CLI: a
// legacy profile's sign-in gets no refresh token either way). An SSH
// session without a display of its own (DISPLAY or WAYLAND_DISPLAY, as X11
// forwarding sets; macOS and Windows have none over SSH) has no such
// browser: the page would open, if at all, on another machine, whose
// 127.0.0.1 is not this one.
func chooseGrant(useDeviceCode bool, s Session, goos string, getenv func(string) string) (device bool, why string) {
	const device1 = "Signing in with a device code, "
	switch {
	case useDeviceCode:
		return true, device1 + "as --use-device-code asks: approve on any device."
	case s.Name == "":
		return true, device1 + "since " + s.String() + " has no sso-session, which the browser sign-in needs."
	case getenv("SSH_CONNECTION") != "" || getenv("SSH_CLIENT") != "" || getenv("SSH_TTY") != "":
		if goos != "linux" && goos != "freebsd" && goos != "openbsd" && goos != "netbsd" ||
			getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
			return true, device1 + "since this is an SSH session with no display here: approve on any device."
		}
	}
	return false, "Signing in through the browser on this machine (authorization code with PKCE); --use-device-code signs in from another device."
}
