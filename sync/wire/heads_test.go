package wire_test

import (
	"bytes"
	"crypto/sha256"
	"reflect"
	"testing"

	"github.com/pinsede/pinsede/sync/wire"
)

// Ensure that a cursor of the audit heads reads back as written, in a
// query as HeadsQuery writes it, and that the start is no query at all.
func TestHeadCursorRoundTrip(t *testing.T) {
	for _, c := range []wire.HeadCursor{
		{},
		{Chain: bytes.Repeat([]byte{0xfb}, sha256.Size), Seq: 1},
		{Chain: bytes.Repeat([]byte{0}, sha256.Size), Seq: wire.MaxAuditCursorSeq},
	} {
		got, err := wire.ParseHeadsQuery(wire.HeadsQuery(c))
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("ParseHeadsQuery(%q) = %+v, %v; want %+v", wire.HeadsQuery(c), got, err, c)
		}
	}
	if q := wire.HeadsQuery(wire.HeadCursor{}); q != "" {
		t.Errorf("the start's query is %q, want none", q)
	}
}
