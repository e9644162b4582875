// Package awsconfigfile edits the AWS config file (~/.aws/config) the way a
// person would: it sets keys in the sections it names, adds those sections
// when they are missing, and leaves every other byte as it was: comments,
// blank lines, order, other sections and the file's line endings.
package awsconfigfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// Key is one "name = value" setting.
type Key struct{ Name, Value string }

// Section is a section to set: its header without the brackets ("default",
// "profile dev", "sso-session corp") and the keys to set in it, in the
// order they are added when missing.
type Section struct {
	Header string
	Keys   []Key
}

// Profile is the header of the profile name: "default" for the default
// profile, as the AWS CLI writes it, else "profile NAME".
func Profile(name string) string {
	if name == "default" {
		return name
	}
	return "profile " + name
}

// SSOSession is the header of the sso-session name.
func SSOSession(name string) string { return "sso-session " + name }

// check refuses what the file could not hold as one setting: empty names,
// and line breaks or brackets where they would start a new line or section.
func (s Section) check() error {
	if strings.TrimSpace(s.Header) == "" || strings.ContainsAny(s.Header, "[]\r\n") {
		return fmt.Errorf("%q is not a section name", s.Header)
	}
	for _, k := range s.Keys {
		if k.Name == "" || strings.ContainsAny(k.Name, "=[]#; \t\r\n") || strings.ContainsAny(k.Value, "\r\n") ||
			strings.TrimSpace(k.Value) != k.Value || k.Value == "" {
			return fmt.Errorf("%q = %q is not a setting of one line", k.Name, k.Value)
		}
	}
	return nil
}

// line is one line of the file, its line ending included.
type line struct {
	text   string
	header string // the normalized header of a section line, else ""
	key    string // the key a setting line sets, else ""
}

// parse splits src into lines. A header's words are joined by one space,
// as the AWS SDKs and CLI compare them; a key is the text before "=" on a
// line that starts with neither white space nor a comment character.
func parse(src string) []line {
	var lines []line
	for len(src) > 0 {
		i := strings.IndexByte(src, '\n') + 1
		if i == 0 {
			i = len(src)
		}
		l := line{text: src[:i]}
		src = src[i:]
		t := strings.TrimSpace(l.text)
		indented := strings.HasPrefix(l.text, " ") || strings.HasPrefix(l.text, "\t")
		switch {
		case strings.HasPrefix(t, "[") && strings.Contains(t, "]"):
			h, _, _ := strings.Cut(t[1:], "]")
			l.header = strings.Join(strings.Fields(h), " ")
			if l.header == "" {
				l.header = "[]" // a section no one names: keys stop here
			}
		case !indented && t != "" && t[0] != '#' && t[0] != ';':
			if k, _, ok := strings.Cut(t, "="); ok {
				l.key = strings.TrimSpace(k)
			}
		}
		lines = append(lines, l)
	}
	return lines
}

// Edit returns src with the sections set. A key already in a section of
// that name gets the new value on its line (its indented continuation
// lines go with the old value), in every section of that name, since
// readers differ on which of two wins; a missing key is added after the
// last setting of the last section of that name; a missing section is
// added at the end, after a blank line. Nothing else changes. New lines end
// as the file's first line does (\r\n or \n).
func Edit(src []byte, sections ...Section) ([]byte, error) {
	for _, s := range sections {
		if err := s.check(); err != nil {
			return nil, err
		}
	}
	text := string(src)
	eol := "\n"
	if i := strings.IndexByte(text, '\n'); i > 0 && text[i-1] == '\r' {
		eol = "\r\n"
	}
	for _, s := range sections {
		text = edit(text, s, eol)
	}
	return []byte(text), nil
}

// edit sets the keys of one section in text.
func edit(text string, s Section, eol string) string {
	want := strings.Join(strings.Fields(s.Header), " ")
	lines := parse(text)
	set := make(map[string]bool)
	last := -1 // the line after which missing keys go
	in, skipping := false, false
	var out []string
	for _, l := range lines {
		if l.header != "" {
			in, skipping = l.header == want, false
			if in {
				last = len(out)
			}
			out = append(out, l.text)
			continue
		}
		if skipping && (strings.HasPrefix(l.text, " ") || strings.HasPrefix(l.text, "\t")) && strings.TrimSpace(l.text) != "" {
			continue // the old value's continuation lines
		}
		skipping = false
		if in && l.key != "" {
			for _, k := range s.Keys {
				if k.Name == l.key {
					l.text = k.Name + " = " + k.Value + ending(l.text, eol)
					set[k.Name], skipping = true, true
				}
			}
		}
		if in && l.key != "" || in && (strings.HasPrefix(l.text, " ") || strings.HasPrefix(l.text, "\t")) && strings.TrimSpace(l.text) != "" {
			last = len(out)
		}
		out = append(out, l.text)
	}
	var add []string
	for _, k := range s.Keys {
		if !set[k.Name] {
			add = append(add, k.Name+" = "+k.Value+eol)
		}
	}
	if len(add) == 0 {
		return strings.Join(out, "")
	}
	if last >= 0 {
		if !strings.HasSuffix(out[last], "\n") {
			out[last] += eol
		}
		out = append(out[:last+1], append(add, out[last+1:]...)...)
		return strings.Join(out, "")
	}
	text = strings.Join(out, "")
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += eol
	}
	if text != "" && !strings.HasSuffix(text, "\n\n") && !strings.HasSuffix(text, "\r\n\r\n") {
		text += eol
	}
	return text + "[" + want + "]" + eol + strings.Join(add, "")
}

// ending is the line ending of the line l, or eol for a last line that has
// none.
func ending(l, eol string) string {
	switch {
	case strings.HasSuffix(l, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(l, "\n"):
		return "\n"
	}
	return eol
}

// Update sets the sections in the config file path (see Edit), creating it
// and its directory, mode 0700, when missing. It is the one writer of the
// file for both sign-ins (login --configure and login --console), so they
// treat it alike: a link is followed, so that the file it names (a
// dotfiles checkout's) is changed and the link stays, as the AWS CLI does;
// but the file itself must be one the rules of internal/safefile trust
// (the user's, writable by no one else, a regular file of at most
// safefile.MaxSmallFile bytes), as ssh judges its config: a file others
// may write is refused, not rewritten as if the user had written it. The
// file is replaced atomically, mode 0600, and not at all when nothing
// changes.
func Update(path string, sections ...Section) error {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	src, err := safefile.ReadFile(path, safefile.MaxSmallFile)
	var untrusted *safefile.UntrustedError
	switch {
	case errors.As(err, &untrusted):
		// as a PathError, so that the caller's message, which names the
		// file, gives the reason alone
		return &fs.PathError{Op: "read", Path: path, Err: errors.New("it " + untrusted.Reason)}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	b, err := Edit(src, sections...)
	if err != nil {
		return err
	}
	if bytes.Equal(b, src) && src != nil {
		return nil
	}
	return safefile.WriteFile(path, b)
}
