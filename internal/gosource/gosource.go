// Package gosource parses a package's Go source for the tests that read
// it: that every problem type, message key or audit action a package
// declares is listed where it must be.
package gosource

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Files parses the Go files of the folder dir, its tests left out, and
// returns them with their file set; it fails t when one does not parse,
// or when there is none.
func Files(t testing.TB, dir string) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatalf("Go files of %s: %v", dir, err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go file in %s", dir)
	}
	return fset, files
}
