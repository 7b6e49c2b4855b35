package pinsede_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Ensure that the layers keep their door: the domain links no user
// interface, database, PDF or HTTP package; the sede's store no sync
// package; the desk's user interface neither the store nor anything of
// the sync (it goes through pinsede.Desk, and shows pinsede.SyncState);
// and the kiosk no store, no slip
// and no sync client.
func TestLayers(t *testing.T) {
	for _, tc := range []struct {
		pkg       string
		forbidden []string // a package, and everything under it
	}{
		{".", []string{"fyne.io/fyne", "go.etcd.io/bbolt", "codeberg.org/go-pdf/fpdf", "github.com/jackc/pgx", "net/http"}},
		{"./local", []string{"github.com/pinsede/pinsede/sync"}},
		{"./ui/desk", []string{"github.com/pinsede/pinsede/local", "github.com/pinsede/pinsede/sync"}},
		{"./cmd/chiosco", []string{"github.com/pinsede/pinsede/local", "github.com/pinsede/pinsede/ui/slip", "github.com/pinsede/pinsede/sync/client"}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", tc.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", tc.pkg, err)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 5 {
				t.Fatalf("go list -deps %s gave %d packages", tc.pkg, len(deps))
			}
			for _, d := range deps {
				for _, f := range tc.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s links %s", tc.pkg, d)
					}
				}
			}
		})
	}
}

// Ensure that the desk's user interface finds no rule by a type assertion
// on the store nor by the text of centrale's reasons: it calls the Desk,
// and switches on pinsede.ReasonCode.
func TestUIOneDoor(t *testing.T) {
	out, err := exec.Command("grep", "-rn", `Store.(\|HasPrefix(.*[Rr]eason`, "ui/").CombinedOutput()
	switch {
	case err == nil:
		t.Errorf("ui/ reaches past the Desk:\n%s", out)
	case len(out) > 0:
		t.Fatalf("grep: %v: %s", err, out)
	}
}
