package wire

import (
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
// the sede's desks the filter selects, at most
// pinsede.MaxAuditSearchResults, each naming its desk; More when more
// matched.
type AuditSearchResponse struct {
	Entries []pinsede.AuditEntry `json:"entries"`
	More    bool                 `json:"more"`
}

// The parameters of GET /v1/audit/search.
const (
	QueryFrom          = "from"
	QueryTo            = "to"
	QueryOperator      = "operator"
	QueryAction        = "action"
	QueryCodiceFiscale = "codice_fiscale"
)

// AuditQuery encodes f as the query of GET /v1/audit/search: the days as
// aaaa-mm-gg, the other filters when given.
func AuditQuery(f pinsede.AuditFilter) string {
	q := url.Values{QueryFrom: {f.From.String()}, QueryTo: {f.To.String()}}
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
// printable UTF-8) and codice_fiscale (in canonical form). Each at most
// once, nothing else; the error names what is wrong.
func ParseAuditQuery(raw string) (pinsede.AuditFilter, error) {
	var f pinsede.AuditFilter
	if len(raw) > MaxAuditQuery {
		return f, fmt.Errorf("query of %d bytes, at most %d", len(raw), MaxAuditQuery)
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return f, fmt.Errorf("query: %w", err)
	}
	known := []string{QueryFrom, QueryTo, QueryOperator, QueryAction, QueryCodiceFiscale}
	for k, vs := range q {
		switch {
		case !slices.Contains(known, k):
			return f, fmt.Errorf("unknown parameter %q: the parameters are %v", k, known)
		case len(vs) > 1:
			return f, fmt.Errorf("parameter %s given %d times", k, len(vs))
		}
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
