package central_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that CheckHead takes the zero head and heads of SHA-256 hashes
// with a Seq in range, and refuses the rest with the field at fault.
func TestCheckHead(t *testing.T) {
	h := storetest.Head("A", "", 0, 7)
	for _, tc := range []struct {
		name string
		head wire.AuditHead
		want string // start of the reason; "" for none
	}{
		{"zero", wire.AuditHead{}, ""},
		{"head", h, ""},
		{"first", storetest.Head("A", "", 0, 1), ""},
		{"highest", wire.AuditHead{Chain: h.Chain, Seq: central.MaxAuditSeq, Hash: h.Hash}, ""},
		{"seq 0 with a chain", wire.AuditHead{Chain: h.Chain, Hash: h.Hash}, "seq 0"},
		{"seq too high", wire.AuditHead{Chain: h.Chain, Seq: central.MaxAuditSeq + 1, Hash: h.Hash}, "seq 9007199254740993"},
		{"no chain", wire.AuditHead{Seq: 7, Hash: h.Hash}, "chain of 0 bytes"},
		{"long chain", wire.AuditHead{Chain: bytes.Repeat([]byte{1}, 1<<20), Seq: 7, Hash: h.Hash}, "chain of 1048576 bytes"},
		{"short hash", wire.AuditHead{Chain: h.Chain, Seq: 7, Hash: h.Hash[:31]}, "hash of 31 bytes"},
		{"first not the chain", wire.AuditHead{Chain: h.Chain, Seq: 1, Hash: h.Hash}, "seq 1: the chain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := central.CheckHead(tc.head)
			if tc.want == "" && got != "" || !strings.HasPrefix(got, tc.want) {
				t.Errorf("CheckHead = %q, want %q", got, tc.want)
			}
		})
	}
}
