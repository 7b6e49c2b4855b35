package pinsede_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
)

// Ensure that AddMonths counts months as a term in months ends (codice
// civile, art. 2963): on the same day of the month, at the same time, or
// on the last day of a month that has no such day, in leap years and
// not, across the end of a year, back as forward; and that Expiry is six
// of them. Pure calendar: the dates are the cases', no clock is read.
func TestAddMonths(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 30, 15, 7, rome) }
	for _, tc := range []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{day(2027, time.January, 31), 1, day(2027, time.February, 28)},
		{day(2027, time.January, 30), 1, day(2027, time.February, 28)},
		{day(2027, time.January, 28), 1, day(2027, time.February, 28)},
		{day(2027, time.February, 1), 1, day(2027, time.March, 1)},
		{day(2028, time.January, 31), 1, day(2028, time.February, 29)},
		{day(2028, time.January, 29), 1, day(2028, time.February, 29)},
		{day(2028, time.February, 29), 1, day(2028, time.March, 29)},
		{day(2028, time.February, 29), 12, day(2029, time.February, 28)},
		{day(2027, time.August, 31), 6, day(2028, time.February, 29)},
		{day(2026, time.August, 31), 6, day(2027, time.February, 28)},
		{day(2027, time.March, 31), 1, day(2027, time.April, 30)},
		{day(2027, time.January, 31), 3, day(2027, time.April, 30)},
		{day(2027, time.December, 31), 6, day(2028, time.June, 30)},
		{day(2027, time.November, 30), 3, day(2028, time.February, 29)},
		{day(2027, time.May, 15), 6, day(2027, time.November, 15)},
		{day(2027, time.March, 31), -1, day(2027, time.February, 28)},
		{day(2027, time.October, 31), 5, day(2028, time.March, 31)}, // across daylight saving time: the same time of day
	} {
		if got := pinsede.AddMonths(tc.from, tc.n); !got.Equal(tc.want) {
			t.Errorf("AddMonths(%v, %d) = %v, want %v", tc.from, tc.n, got, tc.want)
		}
	}
	if got, want := pinsede.Expiry(day(2027, time.August, 31)), day(2028, time.February, 29); !got.Equal(want) {
		t.Errorf("Expiry(31 August 2027) = %v, want %v", got, want)
	}
}

// Ensure that ParseDate tells a date written as a date is written whose
// day is not in the calendar (ErrNoSuchDay, KeyDateImpossible) from a
// text that is not written so (ErrDateFormat, KeyDateFormat).
func TestParseDateNoSuchDay(t *testing.T) {
	for _, tc := range []struct {
		s       string
		wantErr error
		wantKey string
	}{
		{"31/02/1990", pinsede.ErrNoSuchDay, pinsede.KeyDateImpossible},
		{"29/02/2023", pinsede.ErrNoSuchDay, pinsede.KeyDateImpossible},
		{"31/4/2001", pinsede.ErrNoSuchDay, pinsede.KeyDateImpossible},
		{"07.13.1985", pinsede.ErrNoSuchDay, pinsede.KeyDateImpossible},
		{"00-01-1985", pinsede.ErrNoSuchDay, pinsede.KeyDateImpossible},
		{"1985-02-30", pinsede.ErrNoSuchDay, pinsede.KeyDateImpossible},
		{"1/13/80", pinsede.ErrDateFormat, pinsede.KeyDateFormat},
		{"7-3-1985", pinsede.ErrDateFormat, pinsede.KeyDateFormat},
		{"7 marzo 1985", pinsede.ErrDateFormat, pinsede.KeyDateFormat},
		{"", pinsede.ErrDateFormat, pinsede.KeyDateFormat},
	} {
		_, err := pinsede.ParseDate(tc.s)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("ParseDate(%q) = %v, want %v", tc.s, err, tc.wantErr)
		}
		if got := pinsede.DateKey(err); got != tc.wantKey {
			t.Errorf("DateKey of ParseDate(%q) = %s, want %s", tc.s, got, tc.wantKey)
		}
	}
	if d, err := pinsede.ParseDate("29/02/2024"); err != nil || d != (pinsede.Date{Year: 2024, Month: time.February, Day: 29}) {
		t.Errorf("ParseDate(29/02/2024) = %v, %v", d, err)
	}
}
