package pinsede

import (
	"context"
	"fmt"
	"slices"
)

// ActionAuditSearched records a search of the audit (SearchAudit): who,
// and which days and filters, in its Detail.
const ActionAuditSearched AuditAction = "audit.searched"

// MaxAuditSearchResults is the most entries one search returns: a
// supervisor narrows the filter, or exports (ExportAudit), for more.
const MaxAuditSearchResults = 500

// Field names of the audit search's filter (see AuditFilter.Validate).
const (
	FieldAuditFrom = "registro_dal"
	FieldAuditTo   = "registro_al"
)

// Message keys of an audit filter's problems.
const (
	// KeyAuditOrder: the last day comes before the first.
	KeyAuditOrder = "err.audit.order"
	// KeyAuditDays: more days than MaxAuditExportDays (Args: Max).
	KeyAuditDays = "err.audit.days"
)

// auditActions are the actions the desk records, in the order a
// supervisor picks them from.
var auditActions = []AuditAction{
	ActionIssued, ActionPrinted, ActionPrintFailed, ActionHandedOver, ActionSlipReplaced,
	ActionRevoked, ActionRevocationAcknowledged, ActionConverted, ActionUnlocked, ActionMV35Printed, ActionInfoSheetPrinted,
	ActionRefused, ActionPolicyOverride, ActionDigitalIdentity,
	ActionDelegationRegistered, ActionDelegationRevoked,
	ActionCitizenSearched, ActionCitizenViewed, ActionCentralLookup, ActionTicketCalled,
	ActionLogin, ActionLoginFailed, ActionSessionLocked, ActionSessionUnlocked, ActionLogout, ActionPasswordChanged,
	ActionOperatorAdded, ActionOperatorOff, ActionOperatorOn, ActionOperatorUnlock, ActionOperatorLocked, ActionPasswordReset,
	ActionSetup, ActionSettingsChanged, ActionReconciliation, ActionAuditExported, ActionAuditSearched,
}

// AuditActions returns every action the desk records, a copy.
func AuditActions() []AuditAction { return slices.Clone(auditActions) }

// Validate returns the filter's problems: both days are needed, the last
// not before the first, and at most MaxAuditExportDays apart.
func (f AuditFilter) Validate() FieldErrors {
	var es FieldErrors
	if f.From.IsZero() {
		es = append(es, FieldError{Field: FieldAuditFrom, Key: KeyRequired})
	}
	if f.To.IsZero() {
		es = append(es, FieldError{Field: FieldAuditTo, Key: KeyRequired})
	}
	switch {
	case len(es) > 0:
	case f.To.Before(f.From):
		es = append(es, FieldError{Field: FieldAuditTo, Key: KeyAuditOrder})
	case f.From.Time().AddDate(0, 0, MaxAuditExportDays).Before(f.To.Time()):
		es = append(es, FieldError{Field: FieldAuditTo, Key: KeyAuditDays, Args: map[string]any{"Max": MaxAuditExportDays}})
	}
	return es
}

// Matches reports whether e passes the filter's operator, action and
// citizen (not its days: the caller reads by day).
func (f AuditFilter) Matches(e AuditEntry) bool {
	return (f.Actor == "" || e.Actor == f.Actor) &&
		(f.Action == "" || e.Action == f.Action) &&
		(f.Subject == "" || e.Subject == f.Subject)
}

// AuditSearch is what SearchAudit found.
type AuditSearch struct {
	// Entries are the entries found, newest first, at most
	// MaxAuditSearchResults.
	Entries []AuditEntry
	// More is true when more entries matched than Entries holds.
	More bool
	// Next, with More, is where the entries that follow start: the
	// central records' search after it gives them (SearchSedeAudit's
	// cursor; "" for the desk's own search).
	Next AuditCursor
}

// AuditCursor is a place in the central records' search of the sede's
// audit, as they wrote it: the search after it gives the entries that
// follow, whatever entries came since, none skipped nor repeated. "" is
// the start.
type AuditCursor string

// SearchAudit returns the newest MaxAuditSearchResults entries f selects,
// for a supervisor's audit search screen, and records the search itself in
// the audit in the same transaction: the entries name citizens. Problems
// with the filter come back as FieldErrors.
func (d *Desk) SearchAudit(s *Session, f AuditFilter) (AuditSearch, error) {
	if !s.IsSupervisor() {
		return AuditSearch{}, ErrForbidden
	}
	if es := f.Validate(); len(es) > 0 {
		return AuditSearch{}, es
	}
	now := d.Now()
	var out AuditSearch
	err := d.update(s, func(tx Tx) error {
		out = AuditSearch{}
		err := f.newestFirst(tx, func(e AuditEntry) bool {
			if len(out.Entries) == MaxAuditSearchResults {
				out.More = true
				return false
			}
			out.Entries = append(out.Entries, e)
			return true
		})
		if err != nil {
			return err
		}
		return appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionAuditSearched, Detail: f.String()})
	})
	if err != nil {
		return AuditSearch{}, fmt.Errorf("search audit %s: %w", f, err)
	}
	return out, nil
}

// AuditSedeDetail starts the Detail of the audit entry of a search of
// the whole sede (SearchSedeAudit), before the filter.
const AuditSedeDetail = "tutta la sede, "

// SearchSedeAudit is SearchAudit over the whole sede: the entries of
// every desk of the sede that the central records hold (each desk sends
// its own, sync/client), which it asks them for, a page at a time. after
// is "" for the search's first page; the page that follows one with More
// is the same filter after its Next: the entries that come after it,
// none repeated nor skipped, whatever the desks sent meanwhile (those
// newer than the first page are not in the pages that follow: a new
// search finds them). It needs the link (ErrNoCentral without one); when
// the central records cannot be reached, their *Problem says why, and
// the desk's own search (SearchAudit) still works. A page with More and
// no cursor past it, or longer than MaxAuditSearchResults, is
// ErrAuditCursor: paging on would repeat or skip entries. The search is
// recorded in this desk's audit at its first page answered, its Detail
// starting with AuditSedeDetail: the pages that follow are the same
// search.
func (d *Desk) SearchSedeAudit(ctx context.Context, s *Session, f AuditFilter, after AuditCursor) (AuditSearch, error) {
	if !s.IsSupervisor() {
		return AuditSearch{}, ErrForbidden
	}
	if es := f.Validate(); len(es) > 0 {
		return AuditSearch{}, es
	}
	if d.Central == nil {
		return AuditSearch{}, fmt.Errorf("search the sede's audit: %w", ErrNoCentral)
	}
	out, err := d.Central.SearchAudit(ctx, f, after)
	if err != nil {
		return AuditSearch{}, fmt.Errorf("search the sede's audit %s: %w", f, err)
	}
	if len(out.Entries) > MaxAuditSearchResults || !out.follows(after) {
		return AuditSearch{}, fmt.Errorf("search the sede's audit %s: a page of %d entries: %w", f, len(out.Entries), ErrAuditCursor)
	}
	if after != "" {
		return out, nil
	}
	err = d.update(s, func(tx Tx) error {
		return appendAudit(tx, d.Now(), s.Sede.Code, s.Actor(), AuditEntry{Action: ActionAuditSearched, Detail: AuditSedeDetail + f.String()})
	})
	if err != nil {
		return AuditSearch{}, fmt.Errorf("search the sede's audit %s: %w", f, err)
	}
	return out, nil
}

// follows reports whether the page read after the cursor after can be
// paged on from: a page with More has entries and a cursor past them.
func (p AuditSearch) follows(after AuditCursor) bool {
	return !p.More || (p.Next != "" && p.Next != after && len(p.Entries) > 0)
}

// newestFirst calls yield with the entries f selects, newest first, until
// it returns false. A filter by citizen reads the citizen's entries
// (Tx.AuditFor); the others read day by day from To back to From.
func (f AuditFilter) newestFirst(tx AuditTx, yield func(AuditEntry) bool) error {
	if f.Subject != "" {
		es, err := tx.AuditFor(f.Subject)
		if err != nil {
			return err
		}
		for _, e := range slices.Backward(es) {
			if day := DateOf(e.Time.Local()); day.Before(f.From) || day.After(f.To) || !f.Matches(e) {
				continue
			}
			if !yield(e) {
				return nil
			}
		}
		return nil
	}
	for day := f.To; !day.Before(f.From); day = DateOf(day.Time().AddDate(0, 0, -1)) {
		es, err := tx.AuditOn(day)
		if err != nil {
			return err
		}
		for _, e := range slices.Backward(es) {
			if f.Matches(e) && !yield(e) {
				return nil
			}
		}
	}
	return nil
}
