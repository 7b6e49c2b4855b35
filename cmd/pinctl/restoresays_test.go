package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure that pinctl restore, the real binary, says before it puts the
// copy in place that a copy older than the desk's last sync needs
// centrale's confirmation, meanwhile the PINs issued after it answering
// wrong at the portal; and after, what the desk's next start does (its
// records after the copy got back from centrale) and whom to call.
func TestRestoreSaysWhatFollows(t *testing.T) {
	bin := buildPinctl(t)
	sb := setUp(t)
	copyPath := filepath.Join(t.TempDir(), "copia.db")
	sb.must(t, "", "backup", "-out", copyPath)
	cmd := exec.Command(bin, "-store", sb.store, "-key", sb.key, "restore", "-from", copyPath)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pinctl restore: %v\n%s", err, out)
	}
	stdout := string(out)
	done := strings.Index(stdout, "ripristinato dalla copia")
	before := strings.Index(stdout, "la copia è più vecchia di quanto centrale conserva")
	if done < 0 || before < 0 || before > done {
		t.Fatalf("restore does not say before it restores what an older copy needs:\n%s", stdout)
	}
	for _, want := range []string{"finché il servizio centrale non conferma il ripristino", "risultano errati al portale",
		"si fa restituire da centrale i propri dati successivi alla copia", "chiami il servizio centrale indicando sede e sportello",
		"pinctl audit verify -centrale", "sportello lo dice all'operatore prima della consegna"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("restore does not say %q:\n%s", want, stdout)
		}
	}
}
