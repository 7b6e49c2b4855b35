package central

import (
	"context"
	"time"
	_ "time/tzdata" // Day's Europe/Rome on a machine without a zone database (the container image)

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// OverviewStore gives centrale's operators the state of the sedi at a
// glance (the status page, `centrale sedi`) without reading the records
// whole: each store keeps a row per desk of the sedi's pushes and pulls
// and a count per day and sede of the PINs issued, both written in the
// transaction of the push (Tally), and finds the credentials locked now
// by an index of the locks. Every answer is bounded (MaxOverviewDesks,
// MaxPending, MaxOverviewLocked, MaxOverviewDays), whatever the records
// hold.
type OverviewStore interface {
	// Overview returns the state of the sedi at the time at, with the
	// PINs issued on each of the days days up to at's (Day).
	Overview(ctx context.Context, at time.Time, days int) (Overview, error)
	// Pulled records that a desk of sede pulled its changes at the time
	// at, holding those up to cursor.
	Pulled(ctx context.Context, sede, desk string, cursor uint64, at time.Time) error
}

// The bounds of an Overview.
const (
	// MaxOverviewDesks is how many desks an Overview lists.
	MaxOverviewDesks = 5000
	// MaxPending is how many waiting changes an Overview counts for a
	// desk: more are MaxPending+1 ("more than MaxPending").
	MaxPending = 100
	// MaxOverviewLocked is how many credentials locked now an Overview
	// counts, those whose lock ends last (MoreLocked says there are
	// more). It lists the first MaxOverviewLockedListed of them.
	MaxOverviewLocked       = 10000
	MaxOverviewLockedListed = 50
	// MaxOverviewDays is the most days of PINs issued an Overview gives.
	MaxOverviewDays = 366
)

// Overview is the state of the sedi at a time (OverviewStore).
type Overview struct {
	// At is the time of the overview.
	At time.Time `json:"at"`
	// Desks are the desks that pushed or pulled, by sede and desk, at
	// most MaxOverviewDesks; MoreDesks says there are more.
	Desks     []DeskActivity `json:"desks"`
	MoreDesks bool           `json:"more_desks,omitempty"`
	// Issued counts the PINs issued on each day, oldest first, every day
	// present.
	Issued []DayCount `json:"issued"`
	// LockedPermanent and LockedTemporary count the credentials locked
	// at At, permanently or for a while: together at most
	// MaxOverviewLocked, those whose lock ends last; MoreLocked says
	// more are locked.
	LockedPermanent int  `json:"locked_permanent"`
	LockedTemporary int  `json:"locked_temporary"`
	MoreLocked      bool `json:"more_locked,omitempty"`
	// LockedList is the first MaxOverviewLockedListed of them, those whose
	// lock ends last first (permanent ones first).
	LockedList []LockedCredential `json:"locked_list"`
}

// DeskActivity is what the central records know of one desk's sync.
type DeskActivity struct {
	Sede string `json:"sede"`
	// Desk is the desk of the certificate; "" for a certificate of
	// before desk ids.
	Desk string `json:"desk"`
	// LastPush is when the desk's last push was applied; LastPull when
	// it last pulled (a replica records a pull at most every
	// server.PullRecordEvery, or when the cursor moves). Zero when never.
	LastPush time.Time `json:"last_push,omitzero"`
	LastPull time.Time `json:"last_pull,omitzero"`
	// Cursor is the cursor of the desk's last pull: it holds the changes
	// up to it.
	Cursor uint64 `json:"cursor"`
	// Pending counts the changes for the sede after Cursor, waiting for
	// the desk's next pull: at most MaxPending+1.
	Pending int `json:"pending"`
	// Rejected counts the events of the desk's pushes centrale rejected;
	// LastRejected and LastReason tell the last.
	Rejected     int       `json:"rejected"`
	LastRejected time.Time `json:"last_rejected,omitzero"`
	LastReason   string    `json:"last_reason,omitempty"`
}

// DayCount counts the PINs issued on a day.
type DayCount struct {
	// Day is the day's midnight in Italy (Day).
	Day    time.Time `json:"day"`
	Issued int       `json:"issued"`
}

// LockedCredential is a credential locked at an Overview's time.
type LockedCredential struct {
	CredentialID string                 `json:"credential_id"`
	Sede         string                 `json:"sede"`
	Type         pinsede.CredentialType `json:"type"`
	// Permanent, or else locked until Until.
	Permanent bool      `json:"permanent,omitempty"`
	Until     time.Time `json:"until,omitzero"`
}

// Italy is the time zone of the sedi's days: of the PINs issued a day
// (Day), of the kiosks' tickets (CheckTicket, and the server's count and
// wipe of them), and of the times the status page shows.
var Italy = mustLoad("Europe/Rome")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return l
}

// Day returns the midnight in Italy of t's day there: the day a PIN
// issued at t is counted on.
func Day(t time.Time) time.Time {
	y, m, d := t.In(Italy).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Italy)
}

// DayKey is Day(t) as the stores key it: YYYY-MM-DD.
func DayKey(t time.Time) string { return Day(t).Format(time.DateOnly) }

// NextDay returns the midnight in Italy that ends t's day there: 23, 24
// or 25 hours after Day(t), on the nights the clocks change.
func NextDay(t time.Time) time.Time {
	y, m, d := Day(t).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, Italy)
}

// Days returns the days of an Overview at at: the n days (1 to
// MaxOverviewDays) up to at's, oldest first.
func Days(at time.Time, n int) []time.Time {
	n = min(max(n, 1), MaxOverviewDays)
	last := Day(at)
	out := make([]time.Time, n)
	for i := range out {
		y, m, d := last.Date()
		out[i] = time.Date(y, m, d-(n-1-i), 0, 0, 0, 0, Italy)
	}
	return out
}

// FillDays returns a DayCount for each of days, with the counts of
// issued by DayKey (missing days count 0).
func FillDays(days []time.Time, issued map[string]int) []DayCount {
	out := make([]DayCount, len(days))
	for i, d := range days {
		out[i] = DayCount{Day: d, Issued: issued[d.Format(time.DateOnly)]}
	}
	return out
}

// LockEnd returns when r's lock ends, and whether r has a lock recorded:
// the far future for a permanent lock. The stores index the credentials
// by it to count those locked now.
func LockEnd(l Lock) (time.Time, bool) {
	switch {
	case l.Permanent:
		return Forever, true
	case !l.Until.IsZero():
		return l.Until, true
	}
	return time.Time{}, false
}

// Forever is the end of a permanent lock in the stores' lock index.
var Forever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Tally is what a push adds to the overview, recorded by the store in
// Apply's transaction: the desk's push and its rejected events, and the
// PINs issued by day.
type Tally struct {
	Sede, Desk string
	At         time.Time
	// Rejected counts the events rejected; Reason is the last one's.
	Rejected int
	Reason   string
	// Issued counts the PINs issued by the push's events applied (not
	// duplicates nor rejected), by DayKey of their time.
	Issued map[string]int
}

// TallyPush returns the Tally of sede's push of events, applied at at
// with the results res (one per event, as Apply returns them).
func TallyPush(sede string, events []pinsede.Event, res []wire.Result, at time.Time) Tally {
	t := Tally{Sede: sede, At: at, Issued: map[string]int{}}
	if len(events) > 0 {
		t.Desk = events[0].Desk // one push, one certificate: one desk
	}
	for i, r := range res {
		switch r.Verdict {
		case wire.Rejected:
			t.Rejected++
			t.Reason = r.Reason
		case wire.Accepted, wire.Superseded:
			if ev := events[i]; ev.Kind == pinsede.EventIssued {
				t.Issued[DayKey(ev.Time)]++
			}
		}
	}
	return t
}
