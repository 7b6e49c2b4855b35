package central

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pinsede/pinsede"
)

// Limits bound what the central records accept of a pushed event beyond
// its form (Check): the costs of the PIN hashes, which centrale pays at
// every login, and how far the event's dates may lie from the server's
// clock. Store.SetLimits sets them; a store applies DefaultLimits until
// then. A zero field stands for its default.
//
// The bounds that need no configuration hold whatever the Limits: every
// string valid UTF-8 with no control character (C0, DEL, C1) nor
// bidirectional control (U+200E, U+200F, U+061C, U+202A to U+202E, U+2066
// to U+2069, U+2028, U+2029): pinsede.InvisibleChar, the rule the desks
// apply to what they take; at most MaxText bytes (MaxShortText for ids,
// operators, sedi, the slip serial and the ticket code); the expiry of an
// issued credential its type's validity from the issue; no date before
// MinTime.
type Limits struct {
	// PINParams are the argon2id costs a pushed PIN hash may carry: an
	// issue whose hash has any other is rejected (ReasonHashCost).
	// Default: pinsede.DefaultPINParams, the cost every desk uses.
	PINParams []pinsede.Argon2Params
	// MaxSkew is how far past the server's clock an event's time, and
	// the time of the act it records, may be: the desks' clocks are not
	// centrale's. It is also how far a desk's clock may be off the
	// server's, either way, before the times of its push are moved
	// (Adjust, clock.go). Default DefaultMaxSkew.
	MaxSkew time.Duration
	// MaxAge is how far before the server's clock they may be: how long
	// a sede may hold an event in its outbox, offline. Default
	// DefaultMaxAge.
	MaxAge time.Duration
	// Tickets is the most kiosk tickets a sede's records hold at once:
	// those of its day, since the tickets of past days are wiped
	// (TicketStore.PutTicket refuses one more with ErrTicketsFull).
	// Default DefaultTickets.
	Tickets int
}

// Defaults of Limits.
const (
	// DefaultMaxSkew: 15 minutes, three times the kiosk tickets' 5, for
	// desk PCs whose clocks drift between two synchronisations.
	DefaultMaxSkew = 15 * time.Minute
	// DefaultMaxAge: 184 days, the longest ValidityMonths (6) can be. An
	// older issue is of a PIN already expired; a sede offline that long
	// has its events rejected, and its operators see them.
	DefaultMaxAge = 184 * 24 * time.Hour
	// DefaultTickets: 2,000 tickets a sede a day, twice the K001–K999 a
	// kiosk numbers and several times what the desks of the busiest sede
	// serve in a day, so that a kiosk's certificate cannot post tickets
	// without end: every one is kept for the day (16 KiB at most) and
	// sent to each desk of the sede, into its queue.
	DefaultTickets = 2000
)

// Bounds that need no configuration.
const (
	// MaxText is the longest string an event may carry, in bytes: names,
	// document numbers, reasons. The desks bound what they take to it
	// (pinsede.MaxTextBytes).
	MaxText = pinsede.MaxTextBytes
	// MaxShortText is the longest id, operator, sede, slip serial or
	// ticket code, in bytes (pinsede.MaxShortTextBytes).
	MaxShortText = pinsede.MaxShortTextBytes
	// MaxCitizenText is the most bytes the strings of the citizen's
	// record an issue carries (pinsede.Event.Citizen) may add up to:
	// the MV35's free texts (120 characters each, pinsede.Request) and
	// the document's, unless most are of four-byte characters. Centrale
	// keeps the record with the event, and every desk of the sede gets
	// it. The desks refuse an issue of more (pinsede.MaxCitizenTextBytes,
	// counted by pinsede.TextBytes).
	MaxCitizenText = pinsede.MaxCitizenTextBytes
	// ExpirySlack is how far an issued credential's expiry may be from
	// its issue plus its validity: the hour a change of daylight saving
	// time between the two moves it, when the desk counted the months on
	// its local clock.
	ExpirySlack = time.Hour
	// MaxAhead is how far ahead of centrale's clock a desk's clock may
	// be, by the reading its push carries, and still be put right rather
	// than refused (Limits.CheckOffset, clock.go): the hours of a desk PC
	// set to the wrong time zone, or to the Italian time in UTC. A clock
	// farther ahead is set to another day: its push is refused whole,
	// and goes once the clock is put right (Limits.Adjust then puts the
	// times it stamped right, however far ahead).
	MaxAhead = 24 * time.Hour
)

// MinTime is the earliest date an event may carry: no record of pinsede
// is older.
var MinTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Reasons of rejection for events out of bounds. The verdict's reason
// starts with one and names the field.
const (
	ReasonHashCost  = "PIN hash cost not accepted"
	ReasonTimeRange = "date out of range"
	ReasonExpiry    = "expiry is not the issue plus the type's validity"
	ReasonText      = "text not accepted"
)

// DefaultLimits returns the limits a store applies until Store.SetLimits.
func DefaultLimits() Limits {
	return Limits{PINParams: []pinsede.Argon2Params{pinsede.DefaultPINParams}, MaxSkew: DefaultMaxSkew, MaxAge: DefaultMaxAge, Tickets: DefaultTickets}
}

// WithDefaults returns l with its zero fields set to their defaults.
func (l Limits) WithDefaults() Limits {
	if len(l.PINParams) == 0 {
		l.PINParams = []pinsede.Argon2Params{pinsede.DefaultPINParams}
	}
	if l.MaxSkew <= 0 {
		l.MaxSkew = DefaultMaxSkew
	}
	if l.MaxAge <= 0 {
		l.MaxAge = DefaultMaxAge
	}
	if l.Tickets <= 0 {
		l.Tickets = DefaultTickets
	}
	return l
}

// MaxPINMemoryKiB returns the most memory, in KiB, one check of a PIN
// hash can ask for under l: the largest accepted cost's.
func (l Limits) MaxPINMemoryKiB() uint32 {
	var m uint32
	for _, p := range l.WithDefaults().PINParams {
		m = max(m, p.MemoryKiB)
	}
	return m
}

// Check returns the reason to reject an event that Check (its form)
// passed, when it is out of l's bounds at at, the server's clock: a PIN
// hash of a cost not accepted, a date out of range, an expiry that is
// not the type's validity, a string too long or with a control or
// bidirectional character. It returns "" for an event within bounds. It
// does not look at stored records.
func (l Limits) Check(ev pinsede.Event, at time.Time) string {
	l = l.WithDefaults()
	if reason := checkEventText(&ev); reason != "" {
		return reason
	}
	if ev.Citizen != nil {
		if n := pinsede.TextBytes(ev.Citizen); n > MaxCitizenText {
			return fmt.Sprintf("%s: citizen has %d bytes of text, at most %d", ReasonText, n, MaxCitizenText)
		}
	}
	if reason := l.checkTimes(ev, at); reason != "" {
		return reason
	}
	if pinsede.OperatorEvent(ev.Kind) {
		return checkPasswordCost(ev.Operator.PasswordHash)
	}
	if ev.Kind != pinsede.EventIssued {
		return ""
	}
	c := ev.Credential
	p, err := pinsede.HashParams(c.PINHash)
	if err != nil { // Check refused it already
		return ReasonBadEvent + ": pin hash"
	}
	if !slices.Contains(l.PINParams, p) {
		accepted := make([]string, len(l.PINParams))
		for i, q := range l.PINParams {
			accepted[i] = q.String()
		}
		return fmt.Sprintf("%s: %s; centrale accepts %s", ReasonHashCost, p, strings.Join(accepted, " or "))
	}
	return checkExpiry(c)
}

// MaxPasswordParams bound the argon2id cost of an operator's password
// hash that an operator.* event carries, which every desk of the sede
// pays at each login: four times the desks' own
// (pinsede.DefaultPasswordParams) in memory and passes, as many threads.
var MaxPasswordParams = pinsede.Argon2Params{Time: 12, MemoryKiB: 256 * 1024, Threads: 8}

// checkPasswordCost returns the reason to reject a password hash of a
// cost above MaxPasswordParams, or "".
func checkPasswordCost(hash string) string {
	p, err := pinsede.HashParams(hash)
	if err != nil { // Check refused it already
		return ReasonBadEvent + ": password hash"
	}
	m := MaxPasswordParams
	if p.Time > m.Time || p.MemoryKiB > m.MemoryKiB || p.Threads > m.Threads {
		return fmt.Sprintf("%s: password hash %s; at most %s", ReasonHashCost, p, m)
	}
	return ""
}

// checkExpiry checks the expiry of an issued credential: for a PIN
// telefonico, after the issue and at most its Validity after it (a
// replacement slip keeps the expiry of the PIN it replaces); for the
// others, ValidityMonths after the issue, and no Validity. Both within
// ExpirySlack, the months counted by pinsede.AddMonths, at the end of a
// month from the day across it too, or by the AddDate of a desk of before
// it (validityEnds).
func checkExpiry(c pinsede.Credential) string {
	if c.Type == pinsede.Telefonico {
		if !c.Validity.Valid() {
			return ReasonBadEvent + ": validity of a PIN telefonico"
		}
		if !expiryFits(c) {
			return fmt.Sprintf("%s: expires_at %s, after the issue plus %s (%s)", ReasonExpiry,
				c.ExpiresAt.Format(time.RFC3339), c.Validity, validityEnd(c, c.IssuedAt).Format(time.RFC3339))
		}
		return ""
	}
	if c.Validity != "" {
		return ReasonBadEvent + ": a validity belongs to a PIN telefonico only"
	}
	if want := pinsede.Expiry(c.IssuedAt); !expiryFits(c) {
		return fmt.Sprintf("%s: expires_at %s, want the issue plus %d months (%s)", ReasonExpiry,
			c.ExpiresAt.Format(time.RFC3339), pinsede.ValidityMonths, want.Format(time.RFC3339))
	}
	return ""
}

// checkTimes checks the dates of an event against at. The event's time,
// and the time of the act it records (the issue of an issue, the
// revocation of a revocation...), lie within [at-MaxAge, at+MaxSkew].
// The other dates it carries, of acts recorded before (the issue of a
// credential it revokes), lie within [MinTime, at+MaxSkew]; an expiry
// or a delegation's days within [MinTime, at+MaxSkew+100 years].
func (l Limits) checkTimes(ev pinsede.Event, at time.Time) string {
	lo, hi := at.Add(-l.MaxAge), at.Add(l.MaxSkew)
	far := hi.AddDate(100, 0, 0)
	// recent requires t in [lo, hi]; optional lets it be zero.
	recent := func(field string, t time.Time, optional bool) string {
		switch {
		case t.IsZero() && optional:
			return ""
		case t.Before(lo):
			return fmt.Sprintf("%s: %s %s, more than %s before centrale's clock", ReasonTimeRange, field, t.Format(time.RFC3339), l.MaxAge)
		case t.After(hi):
			return fmt.Sprintf("%s: %s %s, more than %s after centrale's clock", ReasonTimeRange, field, t.Format(time.RFC3339), l.MaxSkew)
		}
		return ""
	}
	// earlier requires t zero or in [MinTime, until].
	earlier := func(field string, t, until time.Time) string {
		if t.IsZero() || !t.Before(MinTime) && !t.After(until) {
			return ""
		}
		return fmt.Sprintf("%s: %s %s, not from %s to %s", ReasonTimeRange, field, t.Format(time.RFC3339),
			MinTime.Format(time.DateOnly), until.Format(time.RFC3339))
	}
	first := func(reasons ...string) string {
		for _, r := range reasons {
			if r != "" {
				return r
			}
		}
		return ""
	}
	if r := recent("time", ev.Time, false); r != "" {
		return r
	}
	switch ev.Kind {
	case pinsede.EventIssued, pinsede.EventRevoked, pinsede.EventHandedOver, pinsede.EventConverted, pinsede.EventFormArchived:
		c, act := ev.Credential, ""
		switch ev.Kind {
		case pinsede.EventIssued:
			act = recent("credential.issued_at", c.IssuedAt, false)
		case pinsede.EventRevoked:
			act = recent("credential.revoked_at", c.RevokedAt, true)
		case pinsede.EventHandedOver:
			act = recent("credential.handed_over_at", c.HandedOverAt, true)
		case pinsede.EventConverted:
			act = recent("credential.converted_at", c.ConvertedAt, false)
		}
		return first(act,
			earlier("credential.issued_at", c.IssuedAt, hi),
			earlier("credential.expires_at", c.ExpiresAt, far),
			earlier("credential.printed_at", c.PrintedAt, hi),
			earlier("credential.handed_over_at", c.HandedOverAt, hi),
			earlier("credential.revoked_at", c.RevokedAt, hi),
			earlier("credential.converted_at", c.ConvertedAt, hi),
		)
	case pinsede.EventOperatorAdded, pinsede.EventOperatorDisabled, pinsede.EventOperatorEnabled,
		pinsede.EventOperatorUnlocked, pinsede.EventOperatorPasswordReset, pinsede.EventOperatorPasswordChanged,
		pinsede.EventOperatorLocked, pinsede.EventOperatorLoginFailed, pinsede.EventOperatorLogin:
		if ev.Operator == nil { // Check refused it already
			return ""
		}
		return earlier("operator.created_at", ev.Operator.CreatedAt, hi)
	case pinsede.EventDelegationRegistered, pinsede.EventDelegationRevoked:
		d, act := ev.Delegation, ""
		if d == nil { // Check refused it already
			return ""
		}
		if ev.Kind == pinsede.EventDelegationRegistered {
			act = recent("delegation.registered_at", d.RegisteredAt, false)
		} else {
			act = recent("delegation.revoked_at", d.RevokedAt, false)
		}
		day := func(field string, dt pinsede.Date) string {
			if dt.IsZero() {
				return ""
			}
			return earlier(field, time.Date(dt.Year, dt.Month, dt.Day, 12, 0, 0, 0, time.UTC), far)
		}
		return first(act,
			earlier("delegation.registered_at", d.RegisteredAt, hi),
			earlier("delegation.revoked_at", d.RevokedAt, hi),
			day("delegation.from", d.From),
			day("delegation.until", d.Until),
		)
	}
	return ""
}

// shortFields are the strings capped at MaxShortText, by JSON path.
var shortFields = map[string]bool{
	"id": true, "sede": true, "ticket": true,
	"credential.id": true, "credential.sede": true, "credential.issued_by": true, "credential.slip_serial": true,
	"credential.handed_over_by": true, "credential.revoked_by": true, "credential.converted_by": true,
	"delegation.id": true, "delegation.sede": true, "delegation.registered_by": true, "delegation.revoked_by": true,
	"operator.id": true, "operator.role": true, "actor": true,
}

// longFields are the strings with a cap of their own, by JSON path:
// the PIN hash and the password hash, whose form Check reads.
var longFields = map[string]int{"credential.pin_hash": 256, "operator.password_hash": 256}

// textField is a string of an event, or a part of it to walk, found once
// for the type Event.
type textField struct {
	index []int  // the field's, through structs and pointers to them
	path  string // the JSON path, such as credential.issued_by
	walk  bool   // not a string: walk it with checkText
}

// eventTextFields are the strings of an Event, and the parts to walk,
// found once: a walk of every event by reflection allocates its paths,
// and centrale checks every event it is pushed.
var eventTextFields = sync.OnceValue(func() []textField {
	return textFields(reflect.TypeFor[pinsede.Event](), nil, "")
})

// textFields returns the textFields of the struct type t, at index and
// path.
func textFields(t reflect.Type, index []int, path string) []textField {
	var out []textField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := jsonPath(f, path)
		idx := append(slices.Clone(index), i)
		ft := f.Type
		if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.String:
			out = append(out, textField{index: idx, path: name})
		case reflect.Struct:
			out = append(out, textFields(ft, idx, name)...)
		case reflect.Slice, reflect.Array, reflect.Map, reflect.Interface, reflect.Pointer:
			if k := ft.Kind(); (k == reflect.Slice || k == reflect.Array) && ft.Elem().Kind() == reflect.Uint8 {
				continue // bytes: a PDF, checked by its kind's rule
			}
			out = append(out, textField{index: idx, path: name, walk: true})
		}
	}
	return out
}

// checkEventText returns the reason to reject the first string of ev out
// of bounds, or "".
func checkEventText(ev *pinsede.Event) string {
	v := reflect.ValueOf(ev).Elem()
	for _, f := range eventTextFields() {
		fv, ok := fieldByIndex(v, f.index)
		if !ok {
			continue // a nil pointer on the way: no such part
		}
		var r string
		if f.walk {
			r = checkText(fv, f.path)
		} else {
			r = textReason(f.path, fv.String())
		}
		if r != "" {
			return r
		}
	}
	return ""
}

// fieldByIndex is reflect.Value.FieldByIndexErr without the error it
// allocates for a nil pointer on the way: it reports false instead.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// checkText walks v, an event or a part of it at the JSON path, and
// returns the reason to reject the first string out of bounds.
func checkText(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return checkText(v.Elem(), path)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := jsonPath(f, path)
			if r := checkText(v.Field(i), name); r != "" {
				return r
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "" // bytes: a PDF, checked by its kind's rule
		}
		for i := range v.Len() {
			if r := checkText(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); r != "" {
				return r
			}
		}
	case reflect.String:
		return textReason(path, v.String())
	}
	return ""
}

// textReason returns the reason to reject s as the string at path, or "".
func textReason(path, s string) string {
	limit := MaxText
	if shortFields[path] {
		limit = MaxShortText
	} else if n, ok := longFields[path]; ok {
		limit = n
	}
	return textLimitReason(path, s, limit)
}

// CheckText returns an error that says why s cannot be kept as the text
// named what, or nil: more than limit bytes, not valid UTF-8, or a
// control or bidirectional character, the rules of every string of a
// pushed event. The texts centrale's operators give (who revokes or
// unlocks, the reason of a revocation) are held to them too: the reason
// reaches the sede's desks, and centrale's subcommands print both.
func CheckText(what, s string, limit int) error {
	if reason := textLimitReason(what, s, limit); reason != "" {
		return errors.New(reason)
	}
	return nil
}

// textLimitReason returns the reason to reject s, of at most limit
// bytes, as the string at path, or "".
func textLimitReason(path, s string, limit int) string {
	if len(s) > limit {
		return fmt.Sprintf("%s: %s has %d bytes, at most %d", ReasonText, path, len(s), limit)
	}
	if !utf8.ValidString(s) {
		return fmt.Sprintf("%s: %s is not valid UTF-8", ReasonText, path)
	}
	for i, r := range s {
		if pinsede.InvisibleChar(r) {
			return fmt.Sprintf("%s: %s has the control character %U at byte %d", ReasonText, path, r, i)
		}
	}
	return ""
}

// jsonPath names field f of the value at path as the JSON says it: its
// json tag's name, else its Go name, after path and a dot.
func jsonPath(f reflect.StructField, path string) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		name = f.Name
	}
	if path != "" {
		name = path + "." + name
	}
	return name
}
