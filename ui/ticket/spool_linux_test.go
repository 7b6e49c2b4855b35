//go:build linux

package ticket

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// Ensure that a ticket put in the spool folder survives a power cut as
// soon as Submit returns: its file is renamed into place and then the
// folder itself is flushed (fsync of the folder), as the counter's is;
// and so is the spool's key, linked into its folder the first time,
// without which no ticket sealed with it opens. Without the folders'
// flush the rename or the link may be lost, with the request of a citizen
// holding a printed ticket. Observed with strace on a child process that
// submits one ticket into a new spool folder (TestSpoolSubmitChild).
func TestSpoolSubmitFlushesFolder(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Fatal("strace is missing (scripts/apt-packages.txt lists it; run scripts/setup.sh)")
	}
	dir := t.TempDir()
	spool, trace := filepath.Join(dir, "spool"), filepath.Join(dir, "trace")
	cmd := exec.Command(strace, "-f", "-y", "-qq", "-o", trace, "-e", "trace=rename,renameat,renameat2,link,linkat,fsync,fdatasync",
		os.Args[0], "-test.run=^TestSpoolSubmitChild$")
	cmd.Env = append(os.Environ(), "PINSEDE_SPOOL_CHILD="+spool)
	if out, err := cmd.CombinedOutput(); err != nil {
		if bytes.Contains(out, []byte("ptrace")) && bytes.Contains(out, []byte("Operation not permitted")) {
			t.Skipf("this machine forbids tracing a process (a container's seccomp or yama): %s", out)
		}
		t.Fatalf("child under strace: %v\n%s", err, out)
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	// The link of the key, then an fsync of its folder; the rename to the
	// ticket's file, then an fsync of the spool folder. strace -f prints
	// a call that another thread's interrupts as "<unfinished ...>", its
	// end on a line of its own: the folder's fsync was taken for
	// missing so (CI's rehearsal, on the hard day's pass).
	for _, c := range []struct{ call, file, dir string }{
		{`link(at)?`, (Spool{Dir: spool}).KeyFile(), dir},
		{`rename(at2?)?`, filepath.Join(spool, SpoolFile("ABCD2345")), spool},
	} {
		flushed := regexp.MustCompile(`\b` + c.call + `\([^\n]*"` + regexp.QuoteMeta(c.file) + `"[^\n]*\n(?s:.*)fsync\(\d+<` + regexp.QuoteMeta(c.dir) + `>(\)| <unfinished \.\.\.>)`)
		if !flushed.Match(b) {
			t.Errorf("Submit did not flush %s after putting %s in it; the calls:\n%s", c.dir, filepath.Base(c.file), b)
		}
	}
}

// TestSpoolSubmitChild submits one ticket into $PINSEDE_SPOOL_CHILD; it
// runs only as TestSpoolSubmitFlushesFolder's child.
func TestSpoolSubmitChild(t *testing.T) {
	dir := os.Getenv("PINSEDE_SPOOL_CHILD")
	if dir == "" {
		t.Skip("the child of TestSpoolSubmitFlushesFolder")
	}
	sub := Submission{Ticket: Ticket{Number: "K001", Code: "ABCD2345", Service: "request", Issued: time.Unix(0, 0)}}
	if err := (Spool{Dir: dir}).Submit(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
}
