package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/internal/xtest"
)

// Ensure that the idle patch of Fyne's driver was made for the Fyne that
// go.mod requires, from the very files it replaces, and that the go.mod
// the builds use replaces Fyne with the patched copy: an upgrade of Fyne
// cannot drop the patch, nor apply it to code it was not made for.
func TestFyneIdlePatchMatchesGoMod(t *testing.T) {
	modfile := xtest.FyneIdleModfile(t, t.TempDir(), "")
	out, err := exec.Command("go", "list", "-modfile", modfile, "-m", "-f", "{{.Version}} {{with .Replace}}{{.Dir}}{{end}}", "fyne.io/fyne/v2").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "third_party", "fyne-idle", "FYNE_VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	version, tree, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if version != strings.TrimSpace(string(want)) {
		t.Fatalf("go.mod requires fyne.io/fyne/v2 %s; the idle patch was made for %s", version, want)
	}
	if tree == "" {
		t.Fatalf("%s does not replace fyne.io/fyne/v2:\n%s", modfile, out)
	}
	// The patched copy holds the patch's files, the new one included.
	for _, f := range []string{"internal/driver/glfw/loop.go", "internal/driver/glfw/idle.go"} {
		got, err := os.ReadFile(filepath.Join(tree, f))
		if err != nil {
			t.Fatal(err)
		}
		patched, err := os.ReadFile(filepath.Join("..", "..", "third_party", "fyne-idle", f))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(patched) {
			t.Errorf("%s in %s is not the patch's", f, tree)
		}
	}
}

// Ensure that the script refuses a patch made for another Fyne version, or
// from other upstream files, and says what to do.
func TestFyneIdlePatchRefusesMismatch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		alter  func(t *testing.T, patch string)
		output string
	}{
		{"version", func(t *testing.T, patch string) {
			fyneIdleWrite(t, filepath.Join(patch, "FYNE_VERSION"), "v2.7.0\n")
		}, "was made for v2.7.0"},
		{"base file", func(t *testing.T, patch string) {
			sums, err := os.ReadFile(filepath.Join(patch, "base.sha256"))
			if err != nil {
				t.Fatal(err)
			}
			// The first file's sum all zeros: no file has it.
			fyneIdleWrite(t, filepath.Join(patch, "base.sha256"), strings.Repeat("0", 64)+string(sums[64:]))
		}, "not those the idle patch was made from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			patch := t.TempDir()
			for _, f := range []string{"FYNE_VERSION", "base.sha256"} {
				b, err := os.ReadFile(filepath.Join("..", "..", "third_party", "fyne-idle", f))
				if err != nil {
					t.Fatal(err)
				}
				fyneIdleWrite(t, filepath.Join(patch, f), string(b))
			}
			tc.alter(t, patch)
			dir := t.TempDir()
			modfile, out, err := xtest.RunFyneIdle(xtest.ModuleRoot(t), dir, patch)
			if err == nil {
				t.Fatalf("the script accepted the altered patch:\n%s", out)
			}
			if !strings.Contains(string(out), tc.output) || !strings.Contains(string(out), "refresh the patch") {
				t.Errorf("the script's message does not say %q and what to do:\n%s", tc.output, out)
			}
			if _, err := os.Stat(modfile); !os.IsNotExist(err) {
				t.Errorf("the script wrote %s anyway (%v)", modfile, err)
			}
		})
	}
}

// fyneIdleWrite writes s into the file name.
func fyneIdleWrite(t *testing.T, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
