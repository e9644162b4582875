package release

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite THIRD_PARTY_NOTICES and copyright from the module graph")

const mainModule = "github.com/git-credential-codecommit/git-credential-codecommit"

// module is one module the binary links, or the Go standard library.
type module struct {
	path, version string
	license       string // SPDX identifier
	licenseText   string
	notice        string   // the text of its NOTICE file, if it has one
	copyright     []string // its copyright lines
}

// linked returns the modules the binary links on every target a release
// builds, with the files of each read from the module cache.
func linked(t *testing.T) []*module {
	t.Helper()
	dirs := map[string]string{}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		cmd := exec.Command("go", "list", "-deps", "-f",
			"{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}", mainModule)
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps (GOOS=%s): %v", goos, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) != 3 {
				t.Fatalf("go list: %q: the module is not in the module cache (go mod download)", line)
			}
			dirs[f[0]+" "+f[1]] = f[2]
		}
	}
	var mods []*module
	for _, key := range slices.Sorted(mapKeys(dirs)) {
		path, version, _ := strings.Cut(key, " ")
		mods = append(mods, readModule(t, path, version, dirs[key]))
	}
	// Copyright lines of a module that has none of its own: those of the
	// module it lives in (the AWS SDK's service modules, for instance).
	for _, m := range mods {
		if len(m.copyright) > 0 {
			continue
		}
		for _, p := range mods {
			if len(p.copyright) > 0 && strings.HasPrefix(m.path, p.path+"/") {
				m.copyright = p.copyright
			}
		}
		if len(m.copyright) == 0 {
			t.Fatalf("%s: no copyright line in its licence or NOTICE, nor in a module it lives in", m.path)
		}
	}
	// The standard library is the module "std" to the go command.
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	return append(mods, readModule(t, "std", "", strings.TrimSpace(string(goroot))))
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// readModule reads the licence and NOTICE files at the top of dir.
func readModule(t *testing.T, path, version, dir string) *module {
	t.Helper()
	m := &module{path: path, version: version}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".txt"), ".md"))
		if e.IsDir() || (name != "LICENSE" && name != "NOTICE" && name != "COPYING") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n")) + "\n"
		if name == "NOTICE" {
			m.notice = text
		} else {
			m.licenseText = text
		}
		for _, l := range strings.Split(text, "\n") {
			l = strings.TrimSpace(l)
			// Not the Apache licence's template line, "Copyright [yyyy] [name
			// of copyright owner]".
			if strings.HasPrefix(l, "Copyright ") && !strings.Contains(l, "[") && !slices.Contains(m.copyright, l) {
				m.copyright = append(m.copyright, l)
			}
		}
	}
	m.license = classify(m.licenseText)
	if m.license == "" {
		t.Fatalf("%s %s: no licence file this test recognises (Apache-2.0, BSD-3-Clause, MIT) in %s", path, version, dir)
	}
	return m
}

// classify names the licence of text, or returns "" when it is none of
// the few the binary's modules use.
func classify(text string) string {
	flat := strings.Join(strings.Fields(text), " ")
	switch {
	case strings.Contains(flat, "Apache License Version 2.0, January 2004"):
		return "Apache-2.0"
	case strings.Contains(flat, "Redistribution and use in source and binary forms") && strings.Contains(flat, "Neither the name"):
		return "BSD-3-Clause"
	case strings.Contains(flat, "Permission is hereby granted, free of charge"):
		return "MIT"
	}
	return ""
}

// notices is THIRD_PARTY_NOTICES: the table of modules, their NOTICE
// files, then each distinct licence text once, with the modules under it.
func notices(mods []*module) string {
	var b strings.Builder
	b.WriteString(`Third-party software in git-credential-codecommit

The git-credential-codecommit binary (every target, plain and FIPS) links
the modules below. Each is listed with its licence; the NOTICE files and
the licence texts follow. The Go standard library ("std") includes, in
the _fips builds, the Go Cryptographic Module v1.0.0 (GOFIPS140=v1.0.0),
under the same licence. git-credential-codecommit itself is under the
Apache License 2.0 (LICENSE).

`)
	for _, m := range mods {
		fmt.Fprintf(&b, "%-62s %-9s %s\n", m.path, m.version, m.license)
	}
	for _, m := range mods {
		if m.notice != "" {
			fmt.Fprintf(&b, "\n==== NOTICE of %s %s\n\n%s", m.path, m.version, m.notice)
		}
	}
	for _, g := range byText(mods) {
		var names []string
		for _, m := range g {
			names = append(names, m.path)
		}
		fmt.Fprintf(&b, "\n==== %s, the licence of:\n%s\n\n%s", g[0].license, wrap(names, "  "), g[0].licenseText)
	}
	return b.String()
}

// byText groups the modules by identical licence text, in order of first
// appearance.
func byText(mods []*module) [][]*module {
	var groups [][]*module
	index := map[string]int{}
	for _, m := range mods {
		i, ok := index[m.licenseText]
		if !ok {
			i = len(groups)
			index[m.licenseText] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], m)
	}
	return groups
}

// wrap lists words, indented, as many to a line as fit in 76 columns.
func wrap(words []string, indent string) string {
	var b strings.Builder
	line := indent
	for i, w := range words {
		if i > 0 && len(line)+1+len(w) > 76 {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		} else if i > 0 {
			line += " "
		}
		line += w
	}
	b.WriteString(line)
	return b.String()
}

// copyright is the package's /usr/share/doc/<package>/copyright, in the
// machine-readable format of Debian policy 12.5: one Files paragraph for
// the program and one per group of modules under one licence text, then
// the licences. The modules' paths stand for their files: the package
// ships only the binary built from them.
func copyright(mods []*module) string {
	var b strings.Builder
	b.WriteString(`Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: git-credential-codecommit
Upstream-Contact: https://github.com/git-credential-codecommit/git-credential-codecommit/issues
Source: https://github.com/git-credential-codecommit/git-credential-codecommit
Comment: The binary links the Go modules listed below, each named by its
 module path; THIRD_PARTY_NOTICES, next to this file, has their versions,
 licence texts and NOTICE files.

Files: *
Copyright: 2026 The git-credential-codecommit authors
License: Apache-2.0

`)
	texts := map[string]string{}
	for _, g := range byText(mods) {
		var files, lines []string
		for _, m := range g {
			files = append(files, m.path+"/*")
			for _, l := range m.copyright {
				l = strings.TrimSpace(strings.TrimPrefix(l, "Copyright"))
				if !slices.Contains(lines, l) {
					lines = append(lines, l)
				}
			}
		}
		fmt.Fprintf(&b, "Files:\n%s\nCopyright:\n %s\nLicense: %s\n\n", wrap(files, " "), strings.Join(lines, "\n "), g[0].license)
		if g[0].license != "Apache-2.0" {
			if prev, ok := texts[g[0].license]; ok && prev != g[0].licenseText {
				// A second text of the same licence (another holder's
				// BSD-3-Clause): the full text goes in the paragraph.
				s := b.String()
				b.Reset()
				b.WriteString(strings.TrimSuffix(s, "\n\n") + "\n" + paragraph(g[0].licenseText) + "\n\n")
				continue
			}
			texts[g[0].license] = g[0].licenseText
		}
	}
	b.WriteString("License: Apache-2.0\n On Debian systems, the full text of the Apache License, Version 2.0 is in\n /usr/share/common-licenses/Apache-2.0.\n")
	for _, id := range slices.Sorted(mapKeys(texts)) {
		fmt.Fprintf(&b, "\nLicense: %s\n%s\n", id, paragraph(texts[id]))
	}
	return b.String()
}

// paragraph indents text as a continuation of a field, with " ." for the
// empty lines.
func paragraph(text string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			l = "."
		}
		lines = append(lines, " "+l)
	}
	return strings.Join(lines, "\n")
}

// TestNotices fails when THIRD_PARTY_NOTICES or copyright is not what the
// module graph makes (with -update, it writes them).
func TestNotices(t *testing.T) {
	mods := linked(t)
	for name, want := range map[string]string{"THIRD_PARTY_NOTICES": notices(mods), "copyright": copyright(mods)} {
		if *update {
			if err := os.WriteFile(name, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, []byte(want)) {
			t.Errorf("internal/release/%s is not what the module graph makes; run: go test ./internal/release -update", name)
		}
	}
}
