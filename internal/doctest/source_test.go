package doctest

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// constOf reads the value of the constant name declared in the Go files of
// the directory dir (relative to the module root; test files included), so
// that a number the documents state is compared with the code, unexported
// constants included. It understands literals, other constants of the
// package, + - * / << and the time package's units.
//
// Should the constant have moved to another package under its name, the one
// package of the module that declares it is used instead.
func constOf(t *testing.T, dir, name string) int64 {
	t.Helper()
	decls := constDecls(t, dir)
	e, ok := decls[name]
	if !ok {
		var found []string
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			if rel, _ := filepath.Rel(root, path); rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "tools") {
				return filepath.SkipDir
			}
			if rel, _ := filepath.Rel(root, path); rel != dir {
				if _, ok := constDecls(t, rel)[name]; ok {
					found = append(found, rel)
				}
			}
			return nil
		})
		if len(found) != 1 {
			t.Fatalf("%s declares no constant %s (declared in %q): where is the number the documents state now?", dir, name, found)
		}
		t.Logf("%s moved from %s to %s", name, dir, found[0])
		decls = constDecls(t, found[0])
		e = decls[name]
	}
	v, err := eval(e, decls)
	if err != nil {
		t.Fatalf("%s.%s: %v", dir, name, err)
	}
	n, ok := constant.Int64Val(constant.ToInt(v))
	if !ok {
		t.Fatalf("%s.%s is not an integer: %v", dir, name, v)
	}
	return n
}

// constDecls returns the constants the Go files of dir declare, with their
// expressions.
func constDecls(t *testing.T, dir string) map[string]ast.Expr {
	t.Helper()
	decls := map[string]ast.Expr{}
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(root, dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						decls[n.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	return decls
}

// units are the time package's constants.
var units = map[string]time.Duration{
	"Nanosecond": time.Nanosecond, "Microsecond": time.Microsecond, "Millisecond": time.Millisecond,
	"Second": time.Second, "Minute": time.Minute, "Hour": time.Hour,
}

func eval(e ast.Expr, decls map[string]ast.Expr) (constant.Value, error) {
	switch e := e.(type) {
	case *ast.BasicLit:
		return constant.MakeFromLiteral(e.Value, e.Kind, 0), nil
	case *ast.ParenExpr:
		return eval(e.X, decls)
	case *ast.Ident:
		if d, ok := decls[e.Name]; ok {
			return eval(d, decls)
		}
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok && x.Name == "time" {
			if u, ok := units[e.Sel.Name]; ok {
				return constant.MakeInt64(int64(u)), nil
			}
		}
	case *ast.CallExpr: // a conversion such as time.Duration(n)
		if len(e.Args) == 1 {
			return eval(e.Args[0], decls)
		}
	case *ast.BinaryExpr:
		x, err := eval(e.X, decls)
		if err != nil {
			return nil, err
		}
		y, err := eval(e.Y, decls)
		if err != nil {
			return nil, err
		}
		if e.Op == token.SHL {
			s, _ := constant.Uint64Val(y)
			return constant.Shift(x, token.SHL, uint(s)), nil
		}
		if e.Op == token.QUO {
			e.Op = token.QUO_ASSIGN // integer division
			defer func() { e.Op = token.QUO }()
		}
		return constant.BinaryOp(x, e.Op, y), nil
	}
	return nil, fmt.Errorf("cannot evaluate %T", e)
}

// dur writes a duration the way the documents do: "a minute", "5 seconds",
// "36 hours", "200 ms".
func dur(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "a minute"
	case d == time.Hour:
		return "an hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d seconds", d/time.Second)
	}
	return fmt.Sprintf("%d ms", d/time.Millisecond)
}

// durAdj writes a duration as an adjective: "2-minute".
func durAdj(d time.Duration) string {
	s := dur(d)
	n, unit, _ := strings.Cut(s, " ")
	return n + "-" + strings.TrimSuffix(unit, "s")
}

// size writes a byte count as the documents do: "64 KiB", "1 MiB".
func size(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
