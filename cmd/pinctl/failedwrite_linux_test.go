//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/filelimit"
	"github.com/pinsede/pinsede/internal/testclock"
)

// exportFileLimit is the largest file the child may write: less than the
// export it writes, as on a disk that fills up during the write.
const exportFileLimit = 1024

// Ensure that an export whose file cannot be written whole (here over a
// file size limit, as on a full disk) leaves nothing at -out, nor a
// temporary file beside it, and says in Italian what failed and that
// nothing was written.
func TestAuditExportFailedWrite(t *testing.T) {
	if out, ok := filelimit.Child(); ok {
		exportUnderLimit(out)
		return
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "audit.csv")
	b, err := filelimit.Run("TestAuditExportFailedWrite", out)
	if err != nil {
		t.Fatalf("the child: %v\n%s", err, b)
	}
	for _, want := range []string{"esportazione non scritta in " + out, "il file supera la dimensione massima", "Non è stato scritto nulla"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the child said %q, want %q", b, want)
		}
	}
	left, err := os.ReadDir(dir)
	if err != nil || len(left) != 0 {
		t.Errorf("after the failed export the folder holds %v (%v), want nothing", left, err)
	}
}

// exportUnderLimit is the child: with no file larger than
// exportFileLimit, it writes to out, as audit export does, an export
// larger than that, and says how it failed.
func exportUnderLimit(out string) {
	if err := filelimit.Set(exportFileLimit); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(3)
	}
	var entries []pinsede.AuditEntry
	for seq := range uint64(20) {
		entries = append(entries, pinsede.AuditEntry{Seq: seq + 1, Time: testclock.Now(), Sede: "ROMA01", Desk: "01",
			Actor: "a.verdi", Action: pinsede.ActionOperatorAdded, Detail: fmt.Sprintf("op%03d operatore", seq), Hash: make([]byte, 32)})
	}
	err := writeExport(out, func(w io.Writer) error { return writeAudit(w, "csv", entries) })
	var f *failure
	if !errors.As(err, &f) {
		fmt.Printf("the export did not fail as meant: %v\n", err)
		os.Exit(3)
	}
	fmt.Println(f.msg)
	os.Exit(0)
}
