package central_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// FuzzCheck checks that the rules and the bounds refuse or accept any
// pushed event that the strict decoder lets through, with a reason, and
// never panic.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"sede":"ROMA01","events":[{"id":"e1","kind":"credential.issued","time":"2026-11-23T09:00:00Z","sede":"ROMA01","credential":{"id":"c1","codice_fiscale":"RSSMRA80A01H501U","type":"dispositivo","state":"attivo","pin_hash":"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5","issued_at":"2026-11-23T09:00:00Z","expires_at":"2027-05-23T09:00:00Z","issued_by":"op","sede":"ROMA01","slip_serial":"X"}}]}`))
	f.Add([]byte(`{"sede":"ROMA01","events":[{"id":"e2","kind":"delegation.registered","time":"2026-11-23T09:00:00Z","sede":"ROMA01","delegation":{"id":"d1","sede":"ROMA01","form":"AA09","delegante":{"codice_fiscale":"RSSMRA80A01H501U","cognome":"Rossi","nome":"Mario","document":{"type":"passaporto","number":"X1","authority":"A","country":"AR","issued_on":"2020-01-01","expires_on":"2030-01-01"}},"delegato":{"codice_fiscale":"VRDLCU70A01H501E","cognome":"Verdi","nome":"Luca","document":{"type":"passaporto","number":"X2","authority":"A","country":"AR","issued_on":"2020-01-01","expires_on":"2030-01-01"}},"from":"2026-11-23","registered_at":"2026-11-23T09:00:00Z","registered_by":"op"}}]}`))
	f.Add([]byte(`{"sede":"ROMA01","events":[{"id":"e3","kind":"citizen.digital_identity_chosen","time":"2026-11-23T09:00:00Z","sede":"ROMA01","outcome":{"codice_fiscale":"RSSMRA80A01H501U","choice":"SPID"}}]}`))
	f.Add([]byte(`{"sede":"ROMA01","events":[{"id":"e4","kind":"form.archived","time":"2026-11-23T09:00:00Z","sede":"ROMA01","credential":{"id":"c1","codice_fiscale":"RSSMRA80A01H501U","sede":"ROMA01"},"form":{"kind":"mv35","pdf":"JVBERi0xLjQK"}}]}`))
	f.Add([]byte(`{"sede":"ROMA01","events":[{"id":"e5","kind":"ticket.called","time":"2026-11-23T09:00:00Z","sede":"ROMA01","ticket":"ACDEFGHJ"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var req wire.PushRequest
		if err := wire.Decode(bytes.NewReader(b), wire.MaxPushBytes, &req); err != nil {
			return
		}
		now := time.Date(2026, 11, 23, 9, 5, 0, 0, time.UTC)
		for _, ev := range req.Events {
			_ = central.Screen(central.DefaultLimits(), "ROMA01", ev, now)
			_ = central.Limits{}.Check(ev, now) // even on an event Check refuses
		}
	})
}

// FuzzCheckTicket checks that any ticket body the strict decoder lets
// through is accepted or refused with ErrBadTicket, and never panics.
func FuzzCheckTicket(f *testing.F) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Add([]byte(`{"code":"ACDEFGHJ","number":"K017","service":"request","issued":"2026-11-23T09:59:00Z","language":"pt","request":{"cognome":"Rossi","nome":"Mario","sesso":"M","data_nascita":"1980-01-01","luogo_nascita":{"code":"H501"},"codice_fiscale":"RSSMRA80A01H501U"}}`))
	f.Add([]byte(`{"code":"00000000","number":"","service":"x","issued":"2026-11-23T09:59:00Z","language":"PT"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var tk wire.Ticket
		if err := wire.Decode(bytes.NewReader(b), wire.MaxTicketBytes, &tk); err != nil {
			return
		}
		_ = central.CheckTicket("ROMA01", &tk, now)
	})
}
