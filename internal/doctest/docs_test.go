package doctest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// root is the module's root directory.
var root = func() string {
	d, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return d
}()

// claimed are the documents whose claims are checked; linked are all whose
// links are.
var (
	claimed = []string{"README.md", "docs/design.md", "docs/development.md", "docs/install.md", "docs/package-managers.md"}
	linked  = append([]string{"CHANGELOG.md", "SECURITY.md"}, claimed...)
)

// claim is what a document says after a "checked" marker.
type claim struct {
	file   string // relative to root
	line   int    // of the marker
	name   string
	text   string // the fenced block's content, or the paragraph
	fenced bool
}

func (c claim) String() string { return fmt.Sprintf("%s:%d (%s)", c.file, c.line, c.name) }

var (
	checkedRE    = regexp.MustCompile(`^<!-- checked: ([a-z0-9-]+) -->$`)
	notCheckedRE = regexp.MustCompile(`^<!-- not checked: .+ -->$`)
)

// readLines returns the lines of a document.
func readLines(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// claims returns every marked claim of the documents, and fails the test
// for a marker that marks nothing and for a message block (a fenced block
// without a language) that is not marked.
func claims(t *testing.T) []claim {
	t.Helper()
	var all []claim
	for _, file := range claimed {
		lines := readLines(t, file)
		for i := 0; i < len(lines); i++ {
			l := lines[i]
			if l == "```" && (i == 0 || !checkedRE.MatchString(lines[i-1]) && !notCheckedRE.MatchString(lines[i-1])) {
				t.Errorf("%s:%d: a message block with no <!-- checked: NAME --> or <!-- not checked: WHY --> before it", file, i+1)
			}
			if strings.HasPrefix(l, "```") {
				for i++; i < len(lines) && lines[i] != "```"; i++ {
				}
				continue
			}
			m := checkedRE.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			names := []string{m[1]}
			for i+1 < len(lines) && checkedRE.MatchString(lines[i+1]) {
				i++ // several checks of one claim
				names = append(names, checkedRE.FindStringSubmatch(lines[i])[1])
			}
			c := claim{file: file, line: i + 1}
			j := i + 1
			switch {
			case j >= len(lines) || strings.TrimSpace(lines[j]) == "":
				t.Errorf("%s: the marker marks nothing: put the claim on the next line", c)
				continue
			case strings.HasPrefix(lines[j], "```"):
				c.fenced = true
				var body []string
				for j++; j < len(lines) && lines[j] != "```"; j++ {
					body = append(body, lines[j])
				}
				c.text = strings.Join(body, "\n") + "\n"
			default:
				var body []string
				for ; j < len(lines) && strings.TrimSpace(lines[j]) != ""; j++ {
					body = append(body, lines[j])
				}
				c.text = strings.Join(body, "\n")
			}
			for _, n := range names {
				c.name = n
				all = append(all, c)
			}
		}
	}
	return all
}

// TestClaims runs, for every marked claim, the check of its name, and
// checks that every check is used.
func TestClaims(t *testing.T) {
	used := map[string]bool{}
	for _, c := range claims(t) {
		check, ok := checks[c.name]
		if !ok {
			t.Errorf("%s: no check is called %q (claims_test.go)", c, c.name)
			continue
		}
		used[c.name] = true
		t.Run(c.file+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			check(t, c)
		})
	}
	for name := range checks {
		if !used[name] {
			t.Errorf("the check %q marks no claim: mark one with <!-- checked: %s --> or delete it", name, name)
		}
	}
}

// linkRE finds a markdown link's target.
var linkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// slug is GitHub's anchor for a heading.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors returns the anchors of a document's headings.
func anchors(t *testing.T, file string) map[string]bool {
	t.Helper()
	seen := map[string]int{}
	out := map[string]bool{}
	fenced := false
	for _, l := range readLines(t, file) {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimLeft(l, "#")
		if !strings.HasPrefix(h, " ") {
			continue
		}
		h = strings.ReplaceAll(strings.ReplaceAll(h, "`", ""), "*", "")
		s := slug(h)
		if n := seen[s]; n > 0 {
			out[fmt.Sprintf("%s-%d", s, n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

// TestLinks checks that every relative link of the documents names a file
// that exists and, with #anchor, a heading of it.
func TestLinks(t *testing.T) {
	for _, file := range linked {
		fenced := false
		for i, l := range readLines(t, file) {
			if strings.HasPrefix(l, "```") {
				fenced = !fenced
			}
			if fenced {
				continue
			}
			for _, m := range linkRE.FindAllStringSubmatch(l, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				dest := file
				if path != "" {
					dest = filepath.ToSlash(filepath.Join(filepath.Dir(file), path))
					if _, err := os.Stat(filepath.Join(root, dest)); err != nil {
						t.Errorf("%s:%d: link %s: %v", file, i+1, target, err)
						continue
					}
				}
				if anchor != "" && !anchors(t, dest)[anchor] {
					t.Errorf("%s:%d: link %s: %s has no heading #%s", file, i+1, target, dest, anchor)
				}
			}
		}
	}
}

// spanRE finds inline code spans.
var spanRE = regexp.MustCompile("`([^`]+)`")

// flagRE finds a long flag.
var flagRE = regexp.MustCompile("(?:^|[\\s(\\[`])--([a-z][a-z0-9-]*)")

// ours are the words that start a command line of this program in the
// documents; a span starting with anything else (git, go, npm, ...) names
// another program's flags.
var ours = []string{"git-credential-codecommit", "install", "uninstall", "doctor", "login", "logout", "get", "store", "erase", "capability", "version", "help"}

// flagSets are the flags of the program's top level ("") and of each
// command, as their help lists them, each with whether it takes a value.
type flagSets map[string]map[string]bool

// helpFlags returns the flags a help text lists, and whether each takes a
// value ("  -profile NAME").
func helpFlags(help string) map[string]bool {
	flags := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(help))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 && strings.HasPrefix(sc.Text(), "  -") {
			flags[strings.TrimLeft(f[0], "-")] = len(f) > 1
		}
	}
	return flags
}

// programFlags runs the program's help and each command's.
func programFlags(t *testing.T) flagSets {
	t.Helper()
	p := newProgram(t)
	sets := flagSets{"": helpFlags(p.run(t, nil, "", "--help").stdout)}
	if v := p.run(t, nil, "", "--version"); v.code != 0 || !strings.HasPrefix(v.stdout, "git-credential-codecommit ") {
		t.Errorf("--version: exit %d, stdout %q", v.code, v.stdout)
	} else {
		sets[""]["version"] = false
	}
	for _, cmd := range ours[1:] {
		r := p.run(t, nil, "", cmd, "-h")
		if r.code != 0 {
			t.Errorf("%s -h: exit %d\n%s", cmd, r.code, r.stderr)
		}
		sets[cmd] = helpFlags(r.stdout)
	}
	for _, set := range sets {
		set["help"], set["h"] = false, false
	}
	return sets
}

// mention is a flag a document gives the program.
type mention struct {
	flag, cmd string // cmd is "" for the top level, "?" when the text names no command
	where     string
}

// mentions returns the flags the documents give this program, in code spans
// and in the lines of shell blocks that run it, with the command they are
// given to.
func mentions(t *testing.T, sets flagSets) []mention {
	t.Helper()
	var found []mention
	add := func(where, text string) {
		words := strings.Fields(text)
		for len(words) > 0 && (strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") || words[0] == "sudo") {
			words = words[1:] // VAR=value and sudo before the program
		}
		if len(words) == 0 {
			return
		}
		cmd, i := "?", 0
		switch first := filepath.Base(strings.Trim(words[0], `"'`)); {
		case first == "git-credential-codecommit":
			cmd, i = "", 1
		case slices.Contains(ours[1:], first):
			cmd, i = first, 1
		case !strings.HasPrefix(first, "--"):
			return
		}
		for ; i < len(words); i++ {
			w := words[i]
			if !strings.HasPrefix(w, "--") {
				if cmd == "" && slices.Contains(ours[1:], w) {
					cmd = w
				}
				continue
			}
			m := flagRE.FindStringSubmatch(w)
			if m == nil {
				continue
			}
			found = append(found, mention{m[1], cmd, where})
			if sets[cmd][m[1]] && !strings.ContainsAny(w, "=[") {
				i++ // the flag's value
			}
		}
	}
	for _, file := range claimed {
		fenced, shell := false, false
		lines := readLines(t, file)
		for i := 0; i < len(lines); i++ {
			l := lines[i]
			for shell && strings.HasSuffix(l, "\\") && i+1 < len(lines) {
				i++ // a continued shell line
				l = strings.TrimSuffix(l, "\\") + lines[i]
			}
			where := fmt.Sprintf("%s:%d", file, i+1)
			if strings.HasPrefix(l, "```") {
				fenced = !fenced
				shell = fenced && (l == "```sh" || l == "```bash")
				continue
			}
			if fenced {
				if shell {
					for _, part := range strings.Split(strings.SplitN(l, "#", 2)[0], "&&") {
						add(where, part)
					}
				}
				continue
			}
			if strings.Count(l, "`")%2 == 1 {
				t.Errorf("%s: a code span that goes on to the next line, where the checks cannot read it whole", where)
			}
			for _, m := range spanRE.FindAllStringSubmatch(l, -1) {
				add(where, m[1])
			}
		}
	}
	return found
}

// TestFlags checks that every flag the documents give this program is one
// of the command's they give it to (as its -h lists them), or of some
// command when they name none, and that the documents name every flag of
// every command.
func TestFlags(t *testing.T) {
	sets := programFlags(t)
	named := map[string]bool{}
	for _, m := range mentions(t, sets) {
		named[m.flag] = true
		if m.cmd == "?" {
			ok := false
			for _, set := range sets {
				_, has := set[m.flag]
				ok = ok || has
			}
			if !ok {
				t.Errorf("%s: --%s is no flag of any command", m.where, m.flag)
			}
		} else if _, ok := sets[m.cmd][m.flag]; !ok {
			t.Errorf("%s: --%s is no flag of %q", m.where, m.flag, strings.TrimSpace("git-credential-codecommit "+m.cmd))
		}
	}
	for _, set := range sets {
		for f := range set {
			if f != "h" && !named[f] {
				t.Errorf("no document names --%s", f)
			}
		}
	}
}

// TestEnvironmentNames checks that every GIT_CREDENTIAL_CODECOMMIT_*
// variable the documents name is one the program's code reads, and that
// they name every one it reads.
func TestEnvironmentNames(t *testing.T) {
	name := regexp.MustCompile(`GIT_CREDENTIAL_CODECOMMIT_[A-Z_]*[A-Z]`)
	inDocs := map[string]bool{}
	for _, file := range claimed {
		for _, n := range name.FindAllString(strings.Join(readLines(t, file), "\n"), -1) {
			inDocs[n] = true
		}
	}
	inCode := map[string]bool{}
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range regexp.MustCompile(`"(GIT_CREDENTIAL_CODECOMMIT_[A-Z_]+)"`).FindAllSubmatch(b, -1) {
				inCode[string(m[1])] = true
			}
		}
		return nil
	})
	for n := range inDocs {
		if !inCode[n] {
			t.Errorf("the documents name %s, which no code reads", n)
		}
	}
	for n := range inCode {
		if !inDocs[n] {
			t.Errorf("the code reads %s, which no document names", n)
		}
	}
	if len(inCode) == 0 {
		t.Error("no code reads a GIT_CREDENTIAL_CODECOMMIT_ variable: is the source where the test looks?")
	}
}

// designBudget is half of docs/design.md's size before issue 16's diet
// (42,886 bytes). design.md says what is and why; history goes to
// CHANGELOG.md, and a new rationale makes room by tightening an old one.
const designBudget = 42886 / 2

func TestDesignStaysSmall(t *testing.T) {
	fi, err := os.Stat(filepath.Join(root, "docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > designBudget {
		t.Errorf("docs/design.md is %d bytes, over its budget of %d; move history to CHANGELOG.md or tighten the text", fi.Size(), designBudget)
	}
}
