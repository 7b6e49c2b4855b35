package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// MaxHeadsQuery is the longest query of GET /v1/audit/heads, in bytes:
// room for the parameter after and any cursor HeadCursor.String writes.
const MaxHeadsQuery = 128

// HeadCursor is a place in the order of GET /v1/audit/heads, by chain
// (its bytes) and Seq: the chain and Seq of the last head of a page. The
// heads after it are those of a greater chain, and those of its chain
// with a greater Seq: keyset paging, which neither skips nor repeats a
// head (a chain binds one head at a Seq). The zero cursor is the start.
type HeadCursor struct {
	Chain []byte
	Seq   uint64
}

// HeadCursorOf returns the cursor of h: the page after it starts with the
// head that follows h.
func HeadCursorOf(h AuditHead) HeadCursor {
	return HeadCursor{Chain: bytes.Clone(h.Chain), Seq: h.Seq}
}

// IsZero reports whether c is the start.
func (c HeadCursor) IsZero() bool { return c.Seq == 0 && len(c.Chain) == 0 }

// Before reports whether c comes before d in the order of the heads.
func (c HeadCursor) Before(d HeadCursor) bool {
	if k := bytes.Compare(c.Chain, d.Chain); k != 0 {
		return k < 0
	}
	return c.Seq < d.Seq
}

// String encodes c as the after of GET /v1/audit/heads: the chain in
// base64url, a dot, the Seq in decimal. The start is "".
func (c HeadCursor) String() string {
	if c.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(c.Chain) + "." + strconv.FormatUint(c.Seq, 10)
}

// ParseHeadCursor reads a cursor that HeadCursor.String wrote: a chain of
// sha256.Size bytes and a Seq from 1 to MaxAuditCursorSeq. The error
// names what is wrong; "" is the start.
func ParseHeadCursor(s string) (HeadCursor, error) {
	if s == "" {
		return HeadCursor{}, nil
	}
	chain, seq, ok := strings.Cut(s, ".")
	if !ok {
		return HeadCursor{}, errors.New("cursor: want chain.seq, as a page gave it")
	}
	b, err := base64.RawURLEncoding.DecodeString(chain)
	if err != nil || len(b) != sha256.Size {
		return HeadCursor{}, fmt.Errorf("cursor: the chain is a SHA-256 hash of %d bytes in base64url", sha256.Size)
	}
	n, err := strconv.ParseUint(seq, 10, 64)
	if err != nil || n == 0 || n > MaxAuditCursorSeq {
		return HeadCursor{}, fmt.Errorf("cursor: seq %q, want a number from 1 to %d", seq, uint64(MaxAuditCursorSeq))
	}
	return HeadCursor{Chain: b, Seq: n}, nil
}

// HeadsQuery encodes the query of GET /v1/audit/heads of the page after
// the cursor after: "" for the start.
func HeadsQuery(after HeadCursor) string {
	if after.IsZero() {
		return ""
	}
	return url.Values{QueryAfter: {after.String()}}.Encode()
}

// ParseHeadsQuery reads the query of GET /v1/audit/heads: at most
// MaxHeadsQuery bytes, and after (a cursor, ParseHeadCursor) at most
// once, nothing else; no after is the start. The error names what is
// wrong.
func ParseHeadsQuery(raw string) (HeadCursor, error) {
	if len(raw) > MaxHeadsQuery {
		return HeadCursor{}, fmt.Errorf("query of %d bytes, at most %d", len(raw), MaxHeadsQuery)
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return HeadCursor{}, fmt.Errorf("query: %w", err)
	}
	for k, vs := range q {
		switch {
		case k != QueryAfter:
			return HeadCursor{}, fmt.Errorf("unknown parameter %q: the only parameter is %s", k, QueryAfter)
		case len(vs) > 1:
			return HeadCursor{}, fmt.Errorf("parameter %s given %d times", k, len(vs))
		}
	}
	after, err := ParseHeadCursor(q.Get(QueryAfter))
	if err != nil {
		return HeadCursor{}, fmt.Errorf("%s: %w", QueryAfter, err)
	}
	return after, nil
}
