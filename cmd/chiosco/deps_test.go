package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Ensure that the kiosk links no issuing code and nothing that reads a
// stored person: not the sede's store, the desk, the PIN slip, the sync
// client, nor the central server or its stores; and that it prints through
// the apps' one printing package, ui/cups.
func TestNoIssuingCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps gave %d packages", len(deps))
	}
	forbidden := []string{
		"github.com/pinsede/pinsede/local",
		"github.com/pinsede/pinsede/ui/desk",
		"github.com/pinsede/pinsede/ui/slip",
		"github.com/pinsede/pinsede/sync/server",
		"github.com/pinsede/pinsede/sync/client",
		"github.com/pinsede/pinsede/sync/central",
		"github.com/pinsede/pinsede/sync/boltstore",
		"github.com/pinsede/pinsede/sync/pgstore",
		"go.etcd.io/bbolt",
	}
	for _, d := range deps {
		for _, f := range forbidden {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("chiosco links %s", d)
			}
		}
	}
	if !slices.Contains(deps, "github.com/pinsede/pinsede/ui/cups") {
		t.Errorf("chiosco does not link ui/cups: it prints its tickets some other way")
	}
}
