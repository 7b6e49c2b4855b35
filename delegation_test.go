package pinsede_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
)

// party returns the i-th person of the delegation tests: Mario Rossi (the
// citizen of request()) for 0, otherwise Luca Verdi born on the i-th of
// January 1970, each with a valid document.
func party(t *testing.T, i int) pinsede.Party {
	t.Helper()
	if i == 0 {
		r := request()
		return pinsede.Party{CodiceFiscale: r.CodiceFiscale, Cognome: r.Cognome, Nome: r.Nome, Document: verification().Document}
	}
	cf, err := pinsede.EncodeCodiceFiscale("Verdi", "Luca", pinsede.SexMale, pinsede.Date{Year: 1970, Month: time.January, Day: i}, "H501")
	if err != nil {
		t.Fatal(err)
	}
	return pinsede.Party{CodiceFiscale: cf, Cognome: "Verdi", Nome: "Luca", Document: pinsede.Document{
		Type: pinsede.DocCIE, Number: "CA12345AB", Authority: "Comune di Roma",
		IssuedOn: pinsede.Date{Year: 2022, Month: 3, Day: 1}, ExpiresOn: pinsede.Date{Year: 2032, Month: 3, Day: 1},
	}}
}

// delegation returns a delegation on form from person a to person b, from
// the day from days after today to the day until days after today (0: open
// ended).
func delegation(t *testing.T, f *fixture, form pinsede.DelegationForm, a, b, from, until int) pinsede.Delegation {
	t.Helper()
	today := pinsede.DateOf(f.now)
	dl := pinsede.Delegation{Form: form, Delegante: party(t, a), Delegato: party(t, b), From: addDays(today, from)}
	if until > 0 {
		dl.Until = addDays(today, until)
	}
	if form == pinsede.FormAA09 {
		dl.MedicalCertificate = "dott. Bianchi, 2 novembre 2026"
	}
	return dl
}

func addDays(d pinsede.Date, n int) pinsede.Date { return pinsede.DateOf(d.Time().AddDate(0, 0, n)) }

// Ensure that the state of a delegation follows from its dates and its
// revocation: future before its first day, active through its last day
// included, ended after it, revoked once revoked.
func TestDelegationStateOn(t *testing.T) {
	day := func(d int) pinsede.Date { return pinsede.Date{Year: 2026, Month: time.November, Day: d} }
	for _, tc := range []struct {
		name  string
		dl    pinsede.Delegation
		today pinsede.Date
		want  pinsede.DelegationState
	}{
		{"prima del primo giorno", pinsede.Delegation{From: day(10)}, day(9), pinsede.DelegationFuture},
		{"il primo giorno", pinsede.Delegation{From: day(10)}, day(10), pinsede.DelegationActive},
		{"senza scadenza", pinsede.Delegation{From: day(10)}, pinsede.Date{Year: 2040, Month: 1, Day: 1}, pinsede.DelegationActive},
		{"l'ultimo giorno", pinsede.Delegation{From: day(10), Until: day(20)}, day(20), pinsede.DelegationActive},
		{"dopo l'ultimo giorno", pinsede.Delegation{From: day(10), Until: day(20)}, day(21), pinsede.DelegationEnded},
		{"revocata", pinsede.Delegation{From: day(10), RevokedAt: testclock.Now()}, day(15), pinsede.DelegationRevoked},
		{"revocata e terminata", pinsede.Delegation{From: day(10), Until: day(12), RevokedAt: testclock.Now()}, day(15), pinsede.DelegationRevoked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.dl.StateOn(tc.today); got != tc.want {
				t.Fatalf("state %s, want %s", got, tc.want)
			}
		})
	}
}

// Ensure that the form of a delegation is checked field by field, under
// the side's field names: the form, each party's codice fiscale, names
// and document, the medical certificate of an AA09, the dates, and the
// delegato being someone else.
func TestDelegationValidate(t *testing.T) {
	f := newFixture(t)
	today := pinsede.DateOf(f.now)
	for _, tc := range []struct {
		name   string
		change func(*pinsede.Delegation)
		field  string
		key    string
	}{
		{"modulo", func(d *pinsede.Delegation) { d.Form = "AA11" }, pinsede.FieldDelegationForm, pinsede.KeyRequired},
		{"codice fiscale del delegato", func(d *pinsede.Delegation) { d.Delegato.CodiceFiscale = "RSSMRA80A01H501X" },
			pinsede.SideDelegato.Field(pinsede.FieldCodiceFiscale), pinsede.KeyCFCheck},
		{"cognome del delegante", func(d *pinsede.Delegation) { d.Delegante.Cognome = " " },
			pinsede.SideDelegante.Field(pinsede.FieldCognome), pinsede.KeyRequired},
		{"nome del delegato", func(d *pinsede.Delegation) { d.Delegato.Nome = "" },
			pinsede.SideDelegato.Field(pinsede.FieldNome), pinsede.KeyRequired},
		{"documento scaduto del delegante", func(d *pinsede.Delegation) { d.Delegante.Document.ExpiresOn = addDays(today, -1) },
			pinsede.SideDelegante.Field(pinsede.FieldDocExpires), pinsede.KeyDocExpired},
		{"numero del documento del delegato", func(d *pinsede.Delegation) { d.Delegato.Document.Number = "" },
			pinsede.SideDelegato.Field(pinsede.FieldDocNumber), pinsede.KeyRequired},
		{"delega a se stessi", func(d *pinsede.Delegation) { d.Delegato = d.Delegante },
			pinsede.SideDelegato.Field(pinsede.FieldCodiceFiscale), pinsede.KeyDelegationSelf},
		{"AA09 senza certificato medico", func(d *pinsede.Delegation) { d.Form, d.MedicalCertificate = pinsede.FormAA09, " " },
			pinsede.FieldDelegationCertificate, pinsede.KeyRequired},
		{"cognome del delegato con U+202E", func(d *pinsede.Delegation) { d.Delegato.Cognome = "Ro\u202Essi" },
			pinsede.SideDelegato.Field(pinsede.FieldCognome), pinsede.KeyTextInvisible},
		{"autorità del documento del delegante con BEL", func(d *pinsede.Delegation) { d.Delegante.Document.Authority = "Comune\a" },
			pinsede.SideDelegante.Field(pinsede.FieldDocAuthority), pinsede.KeyTextInvisible},
		{"certificato medico a capo", func(d *pinsede.Delegation) {
			d.Form, d.MedicalCertificate = pinsede.FormAA09, "dott. Bianchi\n2 novembre"
		},
			pinsede.FieldDelegationCertificate, pinsede.KeyTextInvisible},
		{"primo giorno passato", func(d *pinsede.Delegation) { d.From = addDays(today, -1) },
			pinsede.FieldDelegationFrom, pinsede.KeyDelegationFromPast},
		{"ultimo giorno prima del primo", func(d *pinsede.Delegation) { d.From, d.Until = addDays(today, 5), addDays(today, 4) },
			pinsede.FieldDelegationUntil, pinsede.KeyDelegationUntilOrder},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dl := delegation(t, f, pinsede.FormAA08, 0, 1, 0, 0)
			tc.change(&dl)
			_, err := f.desk.RegisterDelegation(f.sup, dl)
			var es pinsede.FieldErrors
			if !errors.As(err, &es) {
				t.Fatalf("got %v, want field errors", err)
			}
			if fe, ok := es.For(tc.field); !ok || fe.Key != tc.key || len(es) != 1 {
				t.Fatalf("got %v, want %s on %s only", es, tc.key, tc.field)
			}
		})
	}
	if sum, err := f.desk.Summary(); err != nil || sum.PendingSync != 0 {
		t.Fatalf("invalid delegations wrote: %+v, %v", sum, err)
	}

	// A valid form: the first day defaults to today, the certificate of a
	// form other than AA09 is dropped, a code in lower case is upper-cased.
	dl := delegation(t, f, pinsede.FormAA08, 0, 1, 0, 0)
	dl.From, dl.MedicalCertificate = pinsede.Date{}, "non serve"
	dl.Delegato.CodiceFiscale = "rssmra80a01h501u"
	dl.Delegante = party(t, 2)
	if es := dl.Validate(today); len(es) != 0 {
		t.Fatal(es)
	}
	if dl.From != today || dl.MedicalCertificate != "" || dl.Delegato.CodiceFiscale != "RSSMRA80A01H501U" {
		t.Fatalf("normalised %+v", dl)
	}
}

// Ensure that the rules of circolare 127/2021 hold: one delegate per
// person, at most three delegations per delegate, tutors (AA10) apart; a
// revoked or ended delegation counts for neither, one still to start
// counts.
func TestDelegationRules(t *testing.T) {
	const x = 9 // the delegate of the "per delegate" cases
	type step struct {
		form             pinsede.DelegationForm
		from, to         int // delegante, delegato
		start, until     int // days after today, as delegation() takes them
		revokeAfterwards bool
	}
	for _, tc := range []struct {
		name   string
		before []step
		later  int // days that pass after the steps before
		add    step
		want   string // "" for allowed, or the Problem's key
	}{
		{"la prima delega", nil, 0, step{pinsede.FormAA08, 0, 1, 0, 0, false}, ""},
		{"un secondo delegato", []step{{pinsede.FormAA08, 0, 1, 0, 0, false}}, 0,
			step{pinsede.FormAA08, 0, 2, 0, 0, false}, pinsede.KeyDelegationTaken},
		{"un secondo delegato, tutore", []step{{pinsede.FormAA08, 0, 1, 0, 0, false}}, 0,
			step{pinsede.FormAA10, 0, 2, 0, 0, false}, pinsede.KeyDelegationTaken},
		{"un secondo delegato dopo la revoca", []step{{pinsede.FormAA08, 0, 1, 0, 0, true}}, 0,
			step{pinsede.FormAA08, 0, 2, 0, 0, false}, ""},
		{"un secondo delegato dopo la fine", []step{{pinsede.FormAA08, 0, 1, 0, 10, false}}, 11,
			step{pinsede.FormAA08, 0, 2, 0, 0, false}, ""},
		// A delegation still to start counts, whatever the periods, as at
		// the central records.
		{"un secondo delegato dal giorno dopo la fine", []step{{pinsede.FormAA08, 0, 1, 0, 10, false}}, 0,
			step{pinsede.FormAA08, 0, 2, 11, 0, false}, pinsede.KeyDelegationTaken},
		{"un secondo delegato prima di uno futuro", []step{{pinsede.FormAA08, 0, 1, 10, 0, false}}, 0,
			step{pinsede.FormAA08, 0, 2, 0, 9, false}, pinsede.KeyDelegationTaken},
		{"il delegato delega a sua volta", []step{{pinsede.FormAA08, 0, 1, 0, 0, false}}, 0,
			step{pinsede.FormAA08, 1, 2, 0, 0, false}, ""},
		{"la terza delega di un delegato", []step{
			{pinsede.FormAA08, 1, x, 0, 0, false}, {pinsede.FormAA09, 2, x, 0, 0, false}}, 0,
			step{pinsede.FormAA08, 3, x, 0, 0, false}, ""},
		{"la quarta delega di un delegato", []step{
			{pinsede.FormAA08, 1, x, 0, 0, false}, {pinsede.FormAA09, 2, x, 0, 0, false}, {pinsede.FormAA08, 3, x, 0, 0, false}}, 0,
			step{pinsede.FormAA08, 4, x, 0, 0, false}, pinsede.KeyDelegationTooMany},
		{"la quarta delega dopo una revoca", []step{
			{pinsede.FormAA08, 1, x, 0, 0, false}, {pinsede.FormAA08, 2, x, 0, 0, true}, {pinsede.FormAA08, 3, x, 0, 0, false}}, 0,
			step{pinsede.FormAA08, 4, x, 0, 0, false}, ""},
		{"la quarta delega dopo la fine di una", []step{
			{pinsede.FormAA08, 1, x, 0, 0, false}, {pinsede.FormAA08, 2, x, 0, 5, false}, {pinsede.FormAA08, 3, x, 0, 0, false}}, 6,
			step{pinsede.FormAA08, 4, x, 0, 0, false}, ""},
		{"la quarta delega con una futura", []step{
			{pinsede.FormAA08, 1, x, 0, 0, false}, {pinsede.FormAA08, 2, x, 0, 0, false}, {pinsede.FormAA08, 3, x, 20, 0, false}}, 0,
			step{pinsede.FormAA08, 4, x, 0, 19, false}, pinsede.KeyDelegationTooMany},
		{"un tutore oltre tre deleghe", []step{
			{pinsede.FormAA08, 1, x, 0, 0, false}, {pinsede.FormAA09, 2, x, 0, 0, false}, {pinsede.FormAA08, 3, x, 0, 0, false}}, 0,
			step{pinsede.FormAA10, 4, x, 0, 0, false}, ""},
		{"le deleghe da tutore non contano", []step{
			{pinsede.FormAA10, 1, x, 0, 0, false}, {pinsede.FormAA10, 2, x, 0, 0, false}, {pinsede.FormAA10, 3, x, 0, 0, false},
			{pinsede.FormAA08, 4, x, 0, 0, false}, {pinsede.FormAA08, 5, x, 0, 0, false}}, 0,
			step{pinsede.FormAA09, 6, x, 0, 0, false}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			for i, st := range tc.before {
				dl, err := f.desk.RegisterDelegation(f.sup, delegation(t, f, st.form, st.from, st.to, st.start, st.until))
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if st.revokeAfterwards {
					if _, err := f.desk.RevokeDelegation(f.sup, dl.ID, "richiesta del delegante"); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				}
			}
			f.now = f.now.AddDate(0, 0, tc.later)
			before, _ := f.desk.Summary()
			_, err := f.desk.RegisterDelegation(f.sup, delegation(t, f, tc.add.form, tc.add.from, tc.add.to, tc.add.start, tc.add.until))
			after, _ := f.desk.Summary()
			var p *pinsede.Problem
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "" && after.PendingSync != before.PendingSync+1:
				t.Fatalf("registered with %d events, want 1", after.PendingSync-before.PendingSync)
			case tc.want == "":
			case !errors.As(err, &p) || p.Key != tc.want || !errors.Is(err, pinsede.ErrDelegationLimit):
				t.Fatalf("got %v, want %s", err, tc.want)
			case after.PendingSync != before.PendingSync:
				t.Fatal("a refused delegation queued an event")
			}
		})
	}
}

// Ensure that a delegation is registered with an audit entry about each
// party and one outbox event carrying it, shows on both parties' pages,
// and is revoked with a reason, audited and queued alike; and that a short
// reason, a revoked, an ended and an unknown delegation are refused.
func TestRegisterAndRevokeDelegation(t *testing.T) {
	// Given a citizen of the sede, on a desk with a link,
	f := newFixture(t)
	link := &fakeLink{online: true, desk: f.desk}
	f.desk.Link = link
	err := f.store.Update(func(tx pinsede.Tx) error { return tx.PutCitizen(pinsede.Citizen{Request: request(), UpdatedAt: f.now}) })
	if err != nil {
		t.Fatal(err)
	}

	// when they delegate a person on an AA09, with no first day,
	in := delegation(t, f, pinsede.FormAA09, 0, 1, 0, 90)
	in.From = pinsede.Date{}
	dl, err := f.desk.RegisterDelegation(f.sup, in)
	if err != nil {
		t.Fatal(err)
	}

	// then it is registered from today, audited for both, queued and pushed;
	today := pinsede.DateOf(f.now)
	if dl.ID == "" || dl.Sede != "ROMA01" || dl.RegisteredBy != "sup" || !dl.RegisteredAt.Equal(f.now) || dl.From != today ||
		dl.StateOn(today) != pinsede.DelegationActive || dl.MedicalCertificate == "" {
		t.Fatalf("registered %+v", dl)
	}
	checkDelegationRecorded(t, f, dl, pinsede.ActionDelegationRegistered, pinsede.EventDelegationRegistered)
	if len(link.pending) != 1 || link.pending[0] != 1 {
		t.Fatalf("link notified %v", link.pending)
	}
	page, err := f.desk.Citizen(f.sup, request().CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Delegations) != 1 || page.Delegations[0].ID != dl.ID {
		t.Fatalf("citizen page delegations %+v", page.Delegations)
	}

	// when the reason is too short, then nothing is revoked;
	var es pinsede.FieldErrors
	if _, err := f.desk.RevokeDelegation(f.sup, dl.ID, " breve "); !errors.As(err, &es) {
		t.Fatalf("short reason: %v", err)
	} else if fe, ok := es.For(pinsede.FieldRevokeReason); !ok || fe.Key != pinsede.KeyRevokeReasonShort {
		t.Fatalf("short reason: %v", es)
	}
	// nor when it has an escape, which the central records refuse;
	if _, err := f.desk.RevokeDelegation(f.sup, dl.ID, "revocata \x1b[31msubito"); !errors.As(err, &es) {
		t.Fatalf("reason with an escape: %v", err)
	} else if fe, ok := es.For(pinsede.FieldRevokeReason); !ok || fe.Key != pinsede.KeyTextInvisible || fe.Args["Pos"] != 10 {
		t.Fatalf("reason with an escape: %v", es)
	}

	// when revoked with a reason on two lines, then it is revoked, on
	// one line, audited and queued;
	f.now = f.now.Add(time.Hour)
	const why = "il delegante non vuole più la delega"
	rv, err := f.desk.RevokeDelegation(f.sup, dl.ID, "il delegante non vuole\r\npiù la delega\n")
	if err != nil {
		t.Fatal(err)
	}
	if rv.StateOn(today) != pinsede.DelegationRevoked || rv.RevokeReason != why || rv.RevokedBy != "sup" || !rv.RevokedAt.Equal(f.now) {
		t.Fatalf("revoked %+v", rv)
	}
	checkDelegationRecorded(t, f, rv, pinsede.ActionDelegationRevoked, pinsede.EventDelegationRevoked)

	// when revoked again, or unknown, then it is refused.
	var p *pinsede.Problem
	if _, err := f.desk.RevokeDelegation(f.sup, dl.ID, why); !errors.Is(err, pinsede.ErrDelegationNotActive) ||
		!errors.As(err, &p) || p.Key != pinsede.KeyDelegationNotActive {
		t.Fatalf("second revocation: %v", err)
	}
	if _, err := f.desk.RevokeDelegation(f.sup, "nope", why); !errors.Is(err, pinsede.ErrNotFound) {
		t.Fatalf("unknown delegation: %v", err)
	}

	// An ended delegation cannot be revoked either.
	ended, err := f.desk.RegisterDelegation(f.sup, delegation(t, f, pinsede.FormAA08, 0, 2, 0, 3))
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.AddDate(0, 0, 4)
	if _, err := f.desk.RevokeDelegation(f.sup, ended.ID, why); !errors.Is(err, pinsede.ErrDelegationNotActive) {
		t.Fatalf("ended delegation: %v", err)
	}
}

// checkDelegationRecorded checks that the last outbox event is of kind k
// and carries dl, and that the last two audit entries are a about each
// party of dl.
func checkDelegationRecorded(t *testing.T, f *fixture, dl pinsede.Delegation, a pinsede.AuditAction, k pinsede.EventKind) {
	t.Helper()
	items, err := f.store.Outbox(100)
	if err != nil {
		t.Fatal(err)
	}
	ev := items[len(items)-1].Event
	if ev.Kind != k || ev.Sede != "ROMA01" || ev.Delegation == nil || ev.Delegation.ID != dl.ID ||
		!ev.Delegation.RevokedAt.Equal(dl.RevokedAt) || ev.Delegation.Delegato.CodiceFiscale != dl.Delegato.CodiceFiscale ||
		ev.Credential.ID != "" || !ev.Time.Equal(f.now) {
		t.Fatalf("last event %+v", ev)
	}
	var entries []pinsede.AuditEntry
	if err := f.store.AuditEntries(0, func(e pinsede.AuditEntry) error { entries = append(entries, e); return nil }); err != nil {
		t.Fatal(err)
	}
	var subjects []pinsede.CodiceFiscale
	for _, e := range entries {
		if e.Action == a && e.Time.Equal(f.now) && e.Actor == "sup" {
			subjects = append(subjects, e.Subject)
		}
	}
	if len(subjects) != 2 || subjects[0] != dl.Delegante.CodiceFiscale || subjects[1] != dl.Delegato.CodiceFiscale {
		t.Fatalf("audit entries %s about %v, want the delegante and the delegato", a, subjects)
	}
}
