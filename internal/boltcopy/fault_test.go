package boltcopy

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Ensure that the faults of a copy are told apart as the operator acts on
// them: a full disk, a folder that cannot be written, anything else.
func TestFaultOf(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A folder under a regular file: it cannot be made, even by root.
	underFile := os.MkdirAll(filepath.Join(file, "copie"), 0o700)
	for _, tc := range []struct {
		name string
		err  error
		want Fault
	}{
		{"full disk", fmt.Errorf("write copy: %w", &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}), FaultNoSpace},
		{"folder under a file", underFile, FaultNotWritable},
		{"permission", fmt.Errorf("copy: %w", os.ErrPermission), FaultNotWritable},
		{"other", ErrExists, FaultOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FaultOf(tc.err); got != tc.want {
				t.Errorf("FaultOf(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
