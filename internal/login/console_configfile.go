package login

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// setProfileKeys sets keys (name, value pairs, in order) in the section of
// profile in the AWS config file path, creating the file (mode 0600, its
// directory 0700), the section or the keys as needed, and changes no other
// byte: comments, blank lines, other sections and the order stay as they
// were. A key already in the section gets the new value on its own line; a
// new key goes after the section's last line that is not blank; a new
// section goes at the end. The file is replaced atomically, and must be
// one the rules of internal/safefile trust. Values must be one line.
//
// This is the smallest writer login --console needs; a fuller one (several
// section kinds) can take its place.
func setProfileKeys(path, profile string, keys [][2]string) error {
	b, err := safefile.ReadFile(path, safefile.MaxSmallFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(filepath.Dir(path), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	case err != nil:
		return err
	}
	return safefile.WriteFile(path, []byte(withProfileKeys(string(b), profile, keys)))
}

// withProfileKeys is text with keys set in profile's section.
func withProfileKeys(text, profile string, keys [][2]string) string {
	eol := "\n"
	if strings.Contains(text, "\r\n") {
		eol = "\r\n"
	}
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	start, end := -1, len(lines) // the section's header line, and the line after its last
	for i, line := range lines {
		name, ok := sectionName(line)
		switch {
		case !ok:
		case start < 0 && isProfileSection(name, profile):
			start = i
		case start >= 0:
			end = i
		}
		if start >= 0 && end != len(lines) {
			break
		}
	}
	if start < 0 {
		header := "[profile " + profile + "]"
		if profile == "default" {
			header = "[default]"
		}
		var b strings.Builder
		b.WriteString(text)
		if text != "" && !strings.HasSuffix(text, "\n") {
			b.WriteString(eol)
		}
		b.WriteString(header + eol)
		for _, kv := range keys {
			b.WriteString(kv[0] + " = " + kv[1] + eol)
		}
		return b.String()
	}
	for _, kv := range keys {
		set := false
		for i := start + 1; i < end; i++ {
			if keyOf(lines[i]) == kv[0] {
				ending := eol
				if !strings.HasSuffix(lines[i], "\n") {
					ending = ""
				}
				lines[i] = kv[0] + " = " + kv[1] + ending
				set = true
			}
		}
		if set {
			continue
		}
		at := end // after the last line of the section that is not blank
		for at > start+1 && strings.TrimSpace(lines[at-1]) == "" {
			at--
		}
		if !strings.HasSuffix(lines[at-1], "\n") {
			lines[at-1] += eol
		}
		lines = append(lines[:at], append([]string{kv[0] + " = " + kv[1] + eol}, lines[at:]...)...)
		end++
	}
	return strings.Join(lines, "")
}

// sectionName returns the name of a section header line, its words joined
// by one space.
func sectionName(line string) (string, bool) {
	t := strings.TrimSpace(line)
	if !strings.HasPrefix(t, "[") {
		return "", false
	}
	inner, _, ok := strings.Cut(t[1:], "]")
	if !ok {
		return "", false
	}
	return strings.Join(strings.Fields(inner), " "), true
}

// isProfileSection reports whether a section named name holds profile, as
// the SDK reads the config file: [profile NAME], or [default] for
// "default".
func isProfileSection(name, profile string) bool {
	return name == "profile "+profile || profile == "default" && name == "default"
}

// keyOf returns the key a line sets at the top level of a section, or "".
// Indented lines continue a key's value, and comments set nothing.
func keyOf(line string) string {
	if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == '#' || line[0] == ';' {
		return ""
	}
	k, _, ok := strings.Cut(line, "=")
	if !ok {
		return ""
	}
	return strings.TrimSpace(k)
}
