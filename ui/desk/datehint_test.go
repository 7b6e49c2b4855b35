package desk

import (
	"context"
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that every date field of the desk tells a day that is not in the
// calendar (31/02/1990, 29/02/2023) from a date not written gg/mm/aaaa:
// the first is "this day does not exist", not a hint to write it as it is
// written; and that the text typed stays.
func TestNoSuchDayHint(t *testing.T) {
	const noDay, format = "non esiste", "gg/mm/aaaa"
	h := ready(t)
	if _, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport); err != nil {
		t.Fatal(err)
	}
	check := func(where, typed, got, want string) {
		t.Helper()
		if !strings.Contains(got, want) {
			t.Errorf("%s %q: problem %q, want %q", where, typed, got, want)
		}
		if want == noDay && strings.Contains(got, format) {
			t.Errorf("%s %q: problem %q asks to write it as it is written", where, typed, got)
		}
	}
	cases := []struct{ typed, want string }{
		{"31/02/1990", noDay}, {"29/02/2023", noDay}, {"31.04.2001", noDay}, {"2001-13-01", noDay},
		{"1/13/80", format}, {"31 febbraio", format},
	}

	h.app.showHome()
	home := h.app.home
	for _, c := range cases {
		h.typeIn(home.nascita, c.typed)
		h.tap(home.search)
		check("ricerca, data di nascita", c.typed, home.fields[pinsede.FieldSearchBirthday].problemText(), c.want)
	}

	d := h.openDelegation()
	for _, c := range cases {
		h.typeIn(d.from, c.typed)
		h.typeIn(d.until, c.typed)
		h.win.Canvas().Unfocus()
		h.tap(d.register)
		check("delega, dal", c.typed, d.fields[pinsede.FieldDelegationFrom].problemText(), c.want)
		check("delega, al", c.typed, d.fields[pinsede.FieldDelegationUntil].problemText(), c.want)
	}

	h.app.showHome()
	h.tap(home.newRequest)
	r := h.app.request
	for _, c := range cases {
		h.typeIn(r.dataNascita, c.typed)
		h.win.Canvas().Unfocus()
		check("MV35, data di nascita", c.typed, r.fields[pinsede.FieldDataNascita].problemText(), c.want)
		if *shots != "" && c.typed == "29/02/2023" {
			writeShots(t, h, "mv35-giorno-inesistente")
		}
		if r.dataNascita.Text != c.typed {
			t.Errorf("the birth date typed %q became %q", c.typed, r.dataNascita.Text)
		}
	}
	h.typeIn(r.dataNascita, mario.DataNascita.Italian())
	h.fillRequest(mario)
	h.tap(r.next)
	v := h.app.verify
	if v == nil || h.app.current.View != v.screen.View {
		t.Fatalf("Avanti: still on the MV35: %v", r.problems())
	}
	for _, c := range cases {
		h.typeIn(v.issued, c.typed)
		h.typeIn(v.expires, c.typed)
		h.win.Canvas().Unfocus()
		check("documento, rilascio", c.typed, v.fields[pinsede.FieldDocIssued].problemText(), c.want)
		check("documento, scadenza", c.typed, v.fields[pinsede.FieldDocExpires].problemText(), c.want)
	}
}
