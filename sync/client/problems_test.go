package client

import (
	"testing"

	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that every problem type centrale answers with (wire.ProblemTypes)
// is one the client tells a fault by, or one it deliberately takes as a
// generic answer of centrale's, and never both: a type added to the
// server and forgotten here fails.
func TestProblemTypesKnown(t *testing.T) {
	told := map[string]bool{problemEntriesGap: true}
	seen := map[string]bool{}
	for _, p := range wire.ProblemTypes {
		if seen[p] {
			t.Errorf("%s listed twice in wire.ProblemTypes", p)
		}
		seen[p] = true
		n := 0
		for _, m := range []map[string]bool{told, clockProblems, busyProblems, limitedProblems, forkProblems, certificateProblems, genericProblems} {
			if m[p] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("problem type %s: the client knows it %d times, want once (a fault, or genericProblems)", p, n)
		}
	}
	for _, m := range []map[string]bool{told, clockProblems, busyProblems, limitedProblems, forkProblems, certificateProblems, genericProblems} {
		for p := range m {
			if !seen[p] {
				t.Errorf("the client knows %s, which centrale does not send (not in wire.ProblemTypes)", p)
			}
		}
	}
}
