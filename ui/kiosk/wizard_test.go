package kiosk

import (
	"strings"
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that a citizen goes from the language to the ticket in Italian
// and in English, and that the desks receive the request.
func TestWizard(t *testing.T) {
	for _, tc := range []struct {
		lang, next, confirm, female string
	}{
		{"it", "Avanti", "Conferma e prendi il biglietto", "Femmina"},
		{"en", "Next", "Confirm and get the ticket", "Female"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			h := newHarness(t)
			h.shot("01-languages")
			name := map[string]string{"it": "Italiano", "en": "English"}[tc.lang]
			h.tapText(name)
			if h.app.Screen() != "services" {
				t.Fatalf("screen %s after the language, want services", h.app.Screen())
			}
			h.shot("02-services-" + tc.lang)
			h.tapText(tr("service.info.title"))
			h.shot("03-service-info-" + tc.lang)
			h.tapText(tr("nav.back"))
			h.tapText(tr("service.request.title"))
			h.shot("03-service-request-" + tc.lang)
			h.tapText(tr("service.continue"))
			h.shot("04-question-cognome-" + tc.lang)
			h.fill(rossi)
			h.shot("06-review-" + tc.lang)
			if !strings.Contains(h.texts(), "RSSMRA85C47H501Y") {
				t.Errorf("review does not show the codice fiscale")
			}
			h.tapText(tc.confirm)
			h.wait()
			if h.app.Screen() != "done" {
				t.Fatalf("screen %s after confirm, want done", h.app.Screen())
			}
			h.shot("07-done-" + tc.lang)
			subs := h.sink.received()
			if len(subs) != 1 {
				t.Fatalf("sink received %d submissions, want 1", len(subs))
			}
			s := subs[0]
			r := s.Request
			if r.Cognome != "Rossi" || r.Sesso != pinsede.SexFemale || r.CodiceFiscale != "RSSMRA85C47H501Y" ||
				r.LuogoNascita.Code != "H501" || r.Residenza.Country != "DE" || r.Recapiti.Email != rossi.email {
				t.Errorf("request %+v", r)
			}
			if es := r.Validate(pinsede.DateOf(testNow)); len(es) > 0 {
				t.Errorf("the request the desks receive is not valid: %v", es)
			}
			if s.Language != tc.lang || s.Ticket.Number != "K001" || s.Ticket.Service != ServiceRequest || s.Ticket.Pending {
				t.Errorf("submission %+v", s.Ticket)
			}
			if len(h.printed()) != 1 {
				t.Errorf("printed %d tickets, want 1", len(h.printed()))
			}
			if !strings.Contains(h.texts(), "K001") {
				t.Errorf("done screen does not show the queue number")
			}
		})
	}
}
