package app_test

import (
	"bufio"
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The map of the code (docs/design.md) held to the tree, and the cuts it
// draws held to the imports and calls of the code.

const module = "github.com/gatehouse/gatehouse"

// listed is a package as `go list -json` describes it.
type listed struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Deps       []string
	Export     string
}

func goList(t *testing.T, args ...string) []listed {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	var pkgs []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestTheDesignDocumentNamesEveryInternalPackageAndNoOther(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile(`^\| (internal/[a-z0-9/]+) \|`)
	var named []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			named = append(named, m[1])
		}
	}
	var tree []string
	for _, p := range goList(t, "./internal/...") {
		tree = append(tree, strings.TrimPrefix(p.ImportPath, module+"/"))
	}
	for _, p := range tree {
		if !slices.Contains(named, p) {
			t.Errorf("docs/design.md does not name %s", p)
		}
	}
	for _, p := range named {
		if !slices.Contains(tree, p) {
			t.Errorf("docs/design.md names %s, which is no package", p)
		}
	}
}

// storage tells the packages of the storage layer.
func storage(path string) bool { return strings.HasPrefix(path, module+"/internal/store") }

// outside are the packages that must reach the domains only through their
// services: the doors, the commands and the server.
var outside = []string{"./internal/door/...", "./internal/web/...", "./internal/server", "./cmd/..."}

func TestNoDoorCommandOrServerImportsAStoragePackage(t *testing.T) {
	for _, p := range goList(t, outside...) {
		for _, imp := range p.Imports {
			if storage(imp) {
				t.Errorf("%s imports %s", p.ImportPath, imp)
			}
		}
	}
}

func TestTheDomainsImportNoHTTPAndNoDatabase(t *testing.T) {
	// database/sql/driver alone is an interface a value type may
	// implement (a UUID does); database/sql and the drivers run queries.
	forbidden := []string{"net/http", "database/sql", "github.com/jackc/pgx/", "modernc.org/sqlite", "github.com/redis/"}
	for _, pkg := range []string{"./internal/core", "./internal/core/identity", "./internal/core/bank", "./internal/core/cashdesk"} {
		for _, p := range goList(t, "-deps", pkg) {
			bad := storage(p.ImportPath) || strings.HasPrefix(p.ImportPath, "net/http/")
			for _, f := range forbidden {
				bad = bad || p.ImportPath == f || strings.HasSuffix(f, "/") && strings.HasPrefix(p.ImportPath, f)
			}
			if bad {
				t.Errorf("%s depends on %s", pkg, p.ImportPath)
			}
		}
	}
}

// port tells a storage port: an interface a domain or an adapter declares
// for its store, or anything the storage layer declares.
func port(n *types.Named) bool {
	obj := n.Obj()
	if obj.Pkg() == nil || !strings.HasPrefix(obj.Pkg().Path(), module+"/") {
		return false
	}
	if storage(obj.Pkg().Path()) {
		return true
	}
	if _, ok := n.Underlying().(*types.Interface); !ok {
		return false
	}
	name := obj.Name()
	return strings.HasSuffix(name, "Store") || slices.Contains([]string{"Records", "Backend", "AuditWriter", "FactorTx", "ReplyTx", "Enqueuer"}, name)
}

func TestNoDoorCommandOrServerCallsAStorageMethod(t *testing.T) {
	all := goList(t, append([]string{"-export", "-deps"}, outside...)...)
	exports := map[string]string{}
	for _, p := range all {
		exports[p.ImportPath] = p.Export
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) { return os.Open(exports[path]) })
	for _, p := range goList(t, outside...) {
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
		if _, err := (&types.Config{Importer: imp}).Check(p.ImportPath, fset, files, info); err != nil {
			t.Fatalf("type-check %s: %v", p.ImportPath, err)
		}
		for expr, sel := range info.Selections {
			if sel.Kind() != types.MethodVal {
				continue
			}
			recv := sel.Obj().Type().(*types.Signature).Recv().Type()
			if ptr, ok := recv.(*types.Pointer); ok {
				recv = ptr.Elem()
			}
			if n, ok := recv.(*types.Named); ok && port(n) {
				t.Errorf("%s calls %s.%s", fset.Position(expr.Pos()), n.Obj().Name(), sel.Obj().Name())
			}
		}
	}
}
