package pinsede

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Date is a calendar day with no time zone: a birth date, a document's issue
// or expiry date. The zero Date is "not given".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// dateShapes are the shapes of ParseDate's layouts (02/01/2006, 2/1/2006,
// 02-01-2006, 02.01.2006, 2006-01-02), with any numbers.
var dateShapes = regexp.MustCompile(`^(\d{1,2}/\d{1,2}/\d{4}|\d{2}-\d{2}-\d{4}|\d{2}\.\d{2}\.\d{4}|\d{4}-\d{2}-\d{2})$`)

// ParseDate reads a date typed as gg/mm/aaaa (also with - or .), the way
// Italian forms write it, or as ISO 8601 aaaa-mm-gg. A date written so
// that is not in the calendar (31/02/1990, 29/02/2023, 07/13/1985) is
// [ErrNoSuchDay], any other text [ErrDateFormat]: the person is told to
// check the day and month, or how to write a date.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"02/01/2006", "2/1/2006", "02-01-2006", "02.01.2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), nil
		}
	}
	if dateShapes.MatchString(s) {
		return Date{}, fmt.Errorf("date %q: %w", s, ErrNoSuchDay)
	}
	return Date{}, fmt.Errorf("date %q: %w", s, ErrDateFormat)
}

// DateKey returns the message key of err, an error of ParseDate:
// KeyDateImpossible for a day not in the calendar, else KeyDateFormat.
func DateKey(err error) string {
	if errors.Is(err, ErrNoSuchDay) {
		return KeyDateImpossible
	}
	return KeyDateFormat
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// AddMonths returns t n months later, at the same time of day in t's
// location, on the same day of the month; or on the last day of the month
// when it has no such day, as a term in months ends (codice civile, art.
// 2963): a month from 31 January ends on 28 February (29 in a leap year),
// six months from 31 August on the last day of February. Go's AddDate
// would carry the days past the month's end into the next, to 3 March
// (2 March, 1 March), so that a PIN issued on 31 January ended days after
// one issued on 1 February, and centrale, which counts the months from
// an issue it moved into its clock (sync/central, moveIssue), kept
// another day than the slip printed. Every expiry in months of a PIN is
// counted by it: at the desk, on the slip, at centrale.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC) // normalises the month
	last := first.AddDate(0, 1, -1).Day()
	hh, mm, ss := t.Clock()
	return time.Date(first.Year(), first.Month(), min(d, last), hh, mm, ss, t.Nanosecond(), t.Location())
}

// IsZero reports whether d was not given.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Time().After(e.Time()) }

// String returns d as aaaa-mm-gg.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Italian returns d as gg/mm/aaaa.
func (d Date) Italian() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// MarshalText encodes d as aaaa-mm-gg.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes aaaa-mm-gg; an empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	t, err := time.Parse("2006-01-02", string(b))
	if err != nil {
		return fmt.Errorf("date %q: %w", b, err)
	}
	*d = DateOf(t)
	return nil
}
