package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pinsede/pinsede"
)

// Limits of the audit entries a desk sends (POST /v1/audit/entries) and of
// the sede's audit search (GET /v1/audit/search).
const (
	// MaxAuditEntries is the most entries one send carries.
	MaxAuditEntries = 1000
	// MaxAuditEntriesBytes is the largest body of a send.
	MaxAuditEntriesBytes = 1 << 20
	// MaxAuditQuery is the longest query of a search, in bytes.
	MaxAuditQuery = 1024
	// MaxAuditText is the longest operator or action a search filters
	// by, in bytes.
	MaxAuditText = 64
	// MaxAuditCursor is the longest cursor of a search (after), in
	// bytes: room for any cursor AuditCursor.String writes.
	MaxAuditCursor = 384
	// MaxAuditCursorSeq is the highest Seq a cursor names: 2^53, as a
	// head's.
	MaxAuditCursorSeq = 1 << 53
	// MaxAuditSearchBytes is the most bytes of entries a page of the
	// search carries (the entries' JSON), whatever their number: a page
	// ends before the entry that would pass it, but holds one entry at
	// least (at most MaxAuditEntriesBytes).
	MaxAuditSearchBytes = 4 << 20
)

// AuditEntriesRequest is POST /v1/audit/entries: consecutive entries of
// the sending desk's audit chain, oldest first, each linked to the one
// before (Prev) and hashed (pinsede.AuditEntry.ChainHash); Chain is the
// Hash of the chain's entry 1, as in AuditHead. At most MaxAuditEntries
// and MaxAuditEntriesBytes. Entries may be empty: the answer's Next then
// says where centrale expects the desk to start.
type AuditEntriesRequest struct {
	Chain   []byte               `json:"chain"`
	Entries []pinsede.AuditEntry `json:"entries"`
}

// AuditEntriesResponse answers a send: how many entries centrale stored
// (the desk's own acts, not those of other desks its chain records, nor
// those it had), and the Seq of the entry it expects next of the chain.
type AuditEntriesResponse struct {
	Stored int    `json:"stored"`
	Next   uint64 `json:"next"`
}

// AuditSearchResponse answers GET /v1/audit/search: the newest entries of
// the sede's desks the filter selects (after the cursor, when the search
// names one), at most pinsede.MaxAuditSearchResults, each naming its
// desk; More when more matched, and then Next, the cursor of the last
// entry sent: the search with after=Next gives the entries that follow.
type AuditSearchResponse struct {
	Entries []pinsede.AuditEntry `json:"entries"`
	More    bool                 `json:"more"`
	Next    string               `json:"next,omitempty"`
}

// AuditCursor is a place in the order of the sede's audit search
// (central.NewestFirst): the key of an entry, its day at its desk (the
// offset of Time), Time, Desk, Seq and Hash. The search after a cursor
// gives the entries that come after that entry in the order, whether
// entries came before or after it since: keyset paging, which neither
// skips nor repeats an entry while desks send new ones. The zero cursor
// is the start.
type AuditCursor struct {
	Time time.Time `json:"t"`
	Desk string    `json:"d"`
	Seq  uint64    `json:"s"`
	Hash []byte    `json:"h"`
}

// CursorOf returns the cursor of e: the search after it gives the entries
// that follow e.
func CursorOf(e pinsede.AuditEntry) AuditCursor {
	return AuditCursor{Time: e.Time, Desk: e.Desk, Seq: e.Seq, Hash: bytes.Clone(e.Hash)}
}

// IsZero reports whether c is the start.
func (c AuditCursor) IsZero() bool { return c.Seq == 0 }

// Entry returns the entry whose key c is, with only the fields of the
// key: what central.NewestFirst compares.
func (c AuditCursor) Entry() pinsede.AuditEntry {
	return pinsede.AuditEntry{Time: c.Time, Desk: c.Desk, Seq: c.Seq, Hash: c.Hash}
}

// String encodes c as the after of a search: base64url of its JSON, to be
// given back as it is. The start is "".
func (c AuditCursor) String() string {
	if c.IsZero() {
		return ""
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return "" // a time of a year past 9999, which ParseAuditCursor never gives
	}
	return base64.RawURLEncoding.EncodeToString(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// ParseAuditCursor reads a cursor that AuditCursor.String wrote: at most
// MaxAuditCursor bytes, a time, a desk of at most MaxAuditText bytes of
// printable UTF-8, a Seq from 1 to MaxAuditCursorSeq, a SHA-256 hash. The
// error names what is wrong; "" is the start.
func ParseAuditCursor(s string) (AuditCursor, error) {
	var c AuditCursor
	if s == "" {
		return c, nil
	}
	if len(s) > MaxAuditCursor {
		return c, fmt.Errorf("cursor of %d bytes, at most %d", len(s), MaxAuditCursor)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, errors.New("cursor: not one a search gave (base64url)")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || dec.More() {
		return AuditCursor{}, errors.New("cursor: not one a search gave")
	}
	switch {
	case c.Time.IsZero():
		return AuditCursor{}, errors.New("cursor: no time")
	case c.Seq == 0 || c.Seq > MaxAuditCursorSeq:
		return AuditCursor{}, fmt.Errorf("cursor: seq from 1 to %d", uint64(MaxAuditCursorSeq))
	case len(c.Hash) != sha256.Size:
		return AuditCursor{}, fmt.Errorf("cursor: a hash of %d bytes", sha256.Size)
	}
	if err := auditText(c.Desk); err != nil {
		return AuditCursor{}, fmt.Errorf("cursor: desk: %w", err)
	}
	return c, nil
}

// The parameters of GET /v1/audit/search.
const (
	QueryFrom          = "from"
	QueryTo            = "to"
	QueryOperator      = "operator"
	QueryAction        = "action"
	QueryCodiceFiscale = "codice_fiscale"
	QueryAfter         = "after"
)

// AuditQuery encodes f as the query of GET /v1/audit/search: the days as
// aaaa-mm-gg, the other filters when given, and the cursor after when
// not the start.
func AuditQuery(f pinsede.AuditFilter, after AuditCursor) string {
	q := url.Values{QueryFrom: {f.From.String()}, QueryTo: {f.To.String()}}
	if !after.IsZero() {
		q.Set(QueryAfter, after.String())
	}
	if f.Actor != "" {
		q.Set(QueryOperator, f.Actor)
	}
	if f.Action != "" {
		q.Set(QueryAction, string(f.Action))
	}
	if f.Subject != "" {
		q.Set(QueryCodiceFiscale, string(f.Subject))
	}
	return q.Encode()
}

// ParseAuditQuery reads the query of GET /v1/audit/search: from and to
// (aaaa-mm-gg, both included, at most pinsede.MaxAuditExportDays apart),
// and optionally operator and action (at most MaxAuditText bytes of
// printable UTF-8), codice_fiscale (in canonical form) and after (a
// cursor, ParseAuditCursor). Each at most once, nothing else; the error
// names what is wrong.
func ParseAuditQuery(raw string) (pinsede.AuditFilter, AuditCursor, error) {
	var after AuditCursor
	f, err := parseAuditQuery(raw, &after)
	if err != nil {
		return pinsede.AuditFilter{}, AuditCursor{}, err
	}
	return f, after, nil
}

// parseAuditQuery is ParseAuditQuery, its cursor read into after.
func parseAuditQuery(raw string, after *AuditCursor) (pinsede.AuditFilter, error) {
	var f pinsede.AuditFilter
	if len(raw) > MaxAuditQuery {
		return f, fmt.Errorf("query of %d bytes, at most %d", len(raw), MaxAuditQuery)
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return f, fmt.Errorf("query: %w", err)
	}
	known := []string{QueryFrom, QueryTo, QueryOperator, QueryAction, QueryCodiceFiscale, QueryAfter}
	for k, vs := range q {
		switch {
		case !slices.Contains(known, k):
			return f, fmt.Errorf("unknown parameter %q: the parameters are %v", k, known)
		case len(vs) > 1:
			return f, fmt.Errorf("parameter %s given %d times", k, len(vs))
		}
	}
	if *after, err = ParseAuditCursor(q.Get(QueryAfter)); err != nil {
		return f, fmt.Errorf("%s: %w", QueryAfter, err)
	}
	day := func(k string) (pinsede.Date, error) {
		v := q.Get(k)
		if v == "" {
			return pinsede.Date{}, fmt.Errorf("%s: a day is required, as aaaa-mm-gg", k)
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return pinsede.Date{}, fmt.Errorf("%s %q: want aaaa-mm-gg", k, v)
		}
		return pinsede.DateOf(t), nil
	}
	if f.From, err = day(QueryFrom); err != nil {
		return f, err
	}
	if f.To, err = day(QueryTo); err != nil {
		return f, err
	}
	switch {
	case f.To.Before(f.From):
		return f, fmt.Errorf("to %s is before from %s", f.To, f.From)
	case f.From.Time().AddDate(0, 0, pinsede.MaxAuditExportDays).Before(f.To.Time()):
		return f, fmt.Errorf("from %s to %s: at most %d days apart", f.From, f.To, pinsede.MaxAuditExportDays)
	}
	for _, p := range []struct {
		key string
		to  *string
	}{{QueryOperator, &f.Actor}, {QueryAction, (*string)(&f.Action)}} {
		v := q.Get(p.key)
		if err := auditText(v); err != nil {
			return f, fmt.Errorf("%s: %w", p.key, err)
		}
		*p.to = v
	}
	if v := q.Get(QueryCodiceFiscale); v != "" {
		cf, err := pinsede.ParseCodiceFiscale(v)
		if err != nil || string(cf) != v {
			return f, fmt.Errorf("codice_fiscale %q: not a codice fiscale in canonical form", v)
		}
		f.Subject = cf
	}
	return f, nil
}

// errAuditText is what is wrong with an operator or action of a search.
var errAuditText = errors.New("not printable UTF-8")

// auditText checks an operator or an action of a search: at most
// MaxAuditText bytes of printable UTF-8.
func auditText(s string) error {
	if len(s) > MaxAuditText {
		return fmt.Errorf("%d bytes, at most %d", len(s), MaxAuditText)
	}
	if !utf8.ValidString(s) {
		return errAuditText
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return errAuditText
		}
	}
	return nil
}
