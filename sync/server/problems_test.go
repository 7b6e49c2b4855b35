package server

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pinsede/pinsede/internal/gosource"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that the server writes problems only of the types sync/wire
// declares and lists in wire.ProblemTypes (which the client is tested to
// know): every call of problem in the server's source names its type as
// a constant of wire, or as a variable of its function that is given
// only such constants, never as a literal.
func TestProblemTypesDeclared(t *testing.T) {
	listed := wireProblemTypes(t)
	fset, files := gosource.Files(t, ".")
	// listedType tells whether e names a constant of wire.ProblemTypes.
	listedType := func(e ast.Expr) bool {
		sel, ok := e.(*ast.SelectorExpr)
		return ok && isIdentNamed(sel.X, "wire") && listed[sel.Sel.Name]
	}
	calls := 0
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			given := map[string][]ast.Expr{} // what each variable of fd is given
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if as, ok := n.(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
					for i, l := range as.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							given[id.Name] = append(given[id.Name], as.Rhs[i])
						}
					}
				}
				return true
			})
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if id, isIdent := callee(call, ok); !isIdent || id != "problem" || len(call.Args) < 3 {
					return true
				}
				calls++
				types := []ast.Expr{call.Args[2]}
				if id, ok := call.Args[2].(*ast.Ident); ok {
					types = given[id.Name]
				}
				if len(types) == 0 || slices.IndexFunc(types, func(e ast.Expr) bool { return !listedType(e) }) >= 0 {
					t.Errorf("%s: problem's type is not a constant of wire.ProblemTypes", fset.Position(call.Pos()))
				}
				return true
			})
		}
	}
	if calls == 0 {
		t.Fatal("no call of problem found")
	}
}

// callee returns the name of the function call calls, when call (ok) is
// a call of a function named by an identifier.
func callee(call *ast.CallExpr, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		return "", false
	}
	return id.Name, true
}

// isIdentNamed tells whether e is the identifier name.
func isIdentNamed(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// wireProblemTypes returns the names of the constants that
// wire.ProblemTypes lists, read from its source.
func wireProblemTypes(t *testing.T) map[string]bool {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "wire", "problems.go"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "problems.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "ProblemTypes" {
			return true
		}
		for _, e := range vs.Values[0].(*ast.CompositeLit).Elts {
			names[e.(*ast.Ident).Name] = true
		}
		return false
	})
	if len(names) == 0 {
		t.Fatal("wire.ProblemTypes not found in sync/wire/problems.go")
	}
	return names
}

// Ensure that the OpenAPI description lists the problem types
// wire.ProblemTypes lists, in the same order.
func TestOpenAPIProblemTypes(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Problem struct {
					Properties struct {
						Type struct {
							Enum []string `json:"enum"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"Problem"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Components.Schemas.Problem.Properties.Type.Enum; !slices.Equal(got, wire.ProblemTypes) {
		t.Errorf("openapi.json's problem types = %q, want wire.ProblemTypes %q", got, wire.ProblemTypes)
	}
}
