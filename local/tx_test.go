package local_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func citizen(i int, cognome, nome string) pinsede.Citizen {
	return pinsede.Citizen{Request: person(i, cognome, nome), Document: verification(nil).Document, UpdatedAt: t0}
}

func credential(id string, cf pinsede.CodiceFiscale, issued time.Time) pinsede.Credential {
	return pinsede.Credential{
		ID: id, CodiceFiscale: cf, Type: pinsede.Dispositivo, State: pinsede.StateAttivo,
		PINHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5", IssuedAt: issued,
		ExpiresAt: issued.AddDate(0, 6, 0), IssuedBy: "mbianchi", Sede: "ROMA01", SlipSerial: "ROMA01-X-" + id,
	}
}

// Ensure that every Tx method gives back what was put, as a copy, and
// ErrNotFound for what was not.
func TestTxRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		put  func(tx pinsede.Tx) error
		get  func(tx pinsede.Tx) (any, error)
		want any
	}{
		{"sede",
			func(tx pinsede.Tx) error { return tx.SetSede(testSede) },
			func(tx pinsede.Tx) (any, error) { return tx.Sede() },
			testSede},
		{"operator",
			func(tx pinsede.Tx) error {
				return tx.PutOperator(pinsede.Operator{ID: "mbianchi", Name: "Maria Bianchi", Role: pinsede.RoleOperatore, PasswordHash: "h", CreatedAt: t0})
			},
			func(tx pinsede.Tx) (any, error) { return tx.Operator("mbianchi") },
			pinsede.Operator{ID: "mbianchi", Name: "Maria Bianchi", Role: pinsede.RoleOperatore, PasswordHash: "h", CreatedAt: t0}},
		{"operators by id",
			func(tx pinsede.Tx) error {
				for _, id := range []string{"zeta", "alfa", "mike"} {
					if err := tx.PutOperator(pinsede.Operator{ID: id, Name: id, Role: pinsede.RoleOperatore}); err != nil {
						return err
					}
				}
				return tx.PutOperator(pinsede.Operator{ID: "mike", Name: "Mike again", Role: pinsede.RoleSupervisore})
			},
			func(tx pinsede.Tx) (any, error) { return tx.Operators() },
			[]pinsede.Operator{{ID: "alfa", Name: "alfa", Role: pinsede.RoleOperatore}, {ID: "mike", Name: "Mike again", Role: pinsede.RoleSupervisore}, {ID: "zeta", Name: "zeta", Role: pinsede.RoleOperatore}}},
		{"citizen",
			func(tx pinsede.Tx) error { return tx.PutCitizen(citizen(1, "Rossi", "Mario")) },
			func(tx pinsede.Tx) (any, error) { return tx.Citizen(citizen(1, "", "").CF()) },
			citizen(1, "Rossi", "Mario")},
		{"credential",
			func(tx pinsede.Tx) error { return tx.PutCredential(credential("c1", citizen(1, "", "").CF(), t0)) },
			func(tx pinsede.Tx) (any, error) { return tx.Credential("c1") },
			credential("c1", citizen(1, "", "").CF(), t0)},
		{"credentials newest first, updated in place",
			func(tx pinsede.Tx) error {
				cf := citizen(1, "", "").CF()
				for i, id := range []string{"old", "new", "mid"} {
					at := map[int]time.Time{0: t0, 1: t0.Add(2 * time.Hour), 2: t0.Add(time.Hour)}[i]
					if err := tx.PutCredential(credential(id, cf, at)); err != nil {
						return err
					}
				}
				mid := credential("mid", cf, t0.Add(time.Hour))
				mid.State, mid.RevokedAt, mid.RevokedBy, mid.RevokeReason = pinsede.StateRevocato, t0, "mbianchi", "test"
				return errors.Join(tx.PutCredential(mid), tx.PutCredential(credential("other", citizen(2, "", "").CF(), t0)))
			},
			func(tx pinsede.Tx) (any, error) {
				cs, err := tx.Credentials(citizen(1, "", "").CF())
				var ids []string
				for _, c := range cs {
					ids = append(ids, c.ID+":"+string(c.State))
				}
				return ids, err
			},
			[]string{"new:attivo", "mid:revocato", "old:attivo"}},
		{"no credentials",
			func(tx pinsede.Tx) error { return nil },
			func(tx pinsede.Tx) (any, error) {
				cs, err := tx.Credentials(citizen(1, "", "").CF())
				return len(cs), err
			},
			0},
		{"issued on a day",
			func(tx pinsede.Tx) error {
				cf := citizen(1, "", "").CF()
				day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.Local)
				for i, at := range []time.Time{day.Add(-time.Minute), day, day.Add(12 * time.Hour), day.Add(24*time.Hour - time.Nanosecond), day.Add(24 * time.Hour)} {
					if err := tx.PutCredential(credential(string(rune('a'+i)), cf, at)); err != nil {
						return err
					}
				}
				return tx.PutCredential(credential("b", cf, day.Add(time.Hour))) // again: counted once
			},
			func(tx pinsede.Tx) (any, error) {
				var n [3]int
				for i, d := range []pinsede.Date{{Year: 2026, Month: 3, Day: 1}, {Year: 2026, Month: 3, Day: 2}, {Year: 2026, Month: 3, Day: 3}} {
					cs, err := tx.IssuedOn(d)
					if err != nil {
						return nil, err
					}
					n[i] = len(cs)
				}
				return n, nil
			},
			[3]int{1, 3, 1}},
		{"scan",
			func(tx pinsede.Tx) error { return tx.PutScan("c1", *pngScan(1000)) },
			func(tx pinsede.Tx) (any, error) { return nil, nil }, // no reader yet: PutScan must just succeed
			nil},
		{"audit",
			func(tx pinsede.Tx) error {
				for _, a := range []pinsede.AuditAction{pinsede.ActionIssued, pinsede.ActionCitizenViewed} {
					if _, err := tx.AppendAudit(pinsede.AuditEntry{Time: t0, Sede: "ROMA01", Actor: "mbianchi", Action: a, Subject: citizen(1, "", "").CF()}); err != nil {
						return err
					}
				}
				_, err := tx.AppendAudit(pinsede.AuditEntry{Time: t0, Sede: "ROMA01", Actor: "mbianchi", Action: pinsede.ActionLogin})
				return err
			},
			func(tx pinsede.Tx) (any, error) {
				es, err := tx.AuditFor(citizen(1, "", "").CF())
				var got []string
				for _, e := range es {
					got = append(got, string(e.Action))
				}
				return got, err
			},
			[]string{"credential.issued", "citizen.viewed"}},
		{"outbox",
			func(tx pinsede.Tx) error {
				for _, id := range []string{"e1", "e2", "e3"} {
					if err := tx.Enqueue(pinsede.Event{ID: id, Kind: pinsede.EventIssued, Time: t0, Sede: "ROMA01"}); err != nil {
						return err
					}
				}
				return nil
			},
			func(tx pinsede.Tx) (any, error) { return tx.Pending() },
			3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			update(t, s, tc.put)
			var got any
			view(t, s, func(tx pinsede.Tx) (err error) { got, err = tc.get(tx); return err })
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// Ensure that lookups of records never stored return ErrNotFound.
func TestTxNotFound(t *testing.T) {
	s := newStore(t)
	view(t, s, func(tx pinsede.Tx) error {
		for name, get := range map[string]func() error{
			"sede":       func() error { _, err := tx.Sede(); return err },
			"operator":   func() error { _, err := tx.Operator("nessuno"); return err },
			"citizen":    func() error { _, err := tx.Citizen(citizen(1, "", "").CF()); return err },
			"credential": func() error { _, err := tx.Credential("c1"); return err },
		} {
			if err := get(); !errors.Is(err, pinsede.ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", name, err)
			}
		}
		return nil
	})
}

// Ensure that an omocode keys a person of its own: the Agenzia delle Entrate
// gives one to a different person whose data made the same code, so the
// citizen of the base code is not found by it, and both records coexist.
// Lower case finds the same record.
func TestCitizenOmocode(t *testing.T) {
	base := citizen(7, "Esposito", "Ciro")
	other := base
	other.Request.Nome = "Ciro Antonio"
	other.Request.CodiceFiscale = omocode(base.CF())
	if other.CF() == base.CF() || other.CF().Canonical() != base.CF() {
		t.Fatalf("bad fixture: omocode %s of %s", other.CF(), base.CF())
	}
	s := newStore(t)
	update(t, s, func(tx pinsede.Tx) error { return tx.PutCitizen(base) })
	view(t, s, func(tx pinsede.Tx) error {
		if _, err := tx.Citizen(other.CF()); !errors.Is(err, pinsede.ErrNotFound) {
			t.Errorf("Citizen(omocode) = %v, want ErrNotFound: an omocode is another person", err)
		}
		got, err := tx.Citizen(pinsede.CodiceFiscale(strings.ToLower(string(base.CF()))))
		if err != nil || got.CF() != base.CF() {
			t.Errorf("Citizen(lower case) = %s, %v", got.CF(), err)
		}
		return nil
	})
	update(t, s, func(tx pinsede.Tx) error { return tx.PutCitizen(other) })
	view(t, s, func(tx pinsede.Tx) error {
		for _, c := range []pinsede.Citizen{base, other} {
			got, err := tx.Citizen(c.CF())
			if err != nil || got.Request.Nome != c.Request.Nome {
				t.Errorf("Citizen(%s) = %q, %v; want %q", c.CF(), got.Request.Nome, err, c.Request.Nome)
			}
			found, err := tx.FindCitizens(pinsede.SearchQuery{CodiceFiscale: c.CF()})
			if err != nil || len(found) != 1 || found[0].CF() != c.CF() {
				t.Errorf("FindCitizens(%s) = %v, %v", c.CF(), found, err)
			}
		}
		return nil
	})
}

// Ensure that a search by name ignores case, accents, spaces, apostrophes
// and hyphens, filters by birth date, sorts by name then codice fiscale,
// and follows a citizen whose name was corrected.
func TestFindCitizens(t *testing.T) {
	s := newStore(t)
	people := []pinsede.Citizen{
		citizen(1, "D'Angelo", "Nicolò"),
		citizen(2, "DANGELO", "NICOLO'"),
		citizen(3, "d angelo", "nicolo"),
		citizen(4, "D'Angelo", "Niccolò"),
		citizen(5, "De Santis", "Anna-Maria"),
		citizen(6, "Müller", "Jürgen"),
		citizen(7, "Łukasiewicz", "Zoë"),
		citizen(8, "Rossi", "Mario"),
	}
	update(t, s, func(tx pinsede.Tx) error {
		for _, c := range people {
			if err := tx.PutCitizen(c); err != nil {
				return err
			}
		}
		// Citizen 8's name is corrected: the old name must no longer find them.
		c := people[7]
		c.Request.Cognome = "Russo"
		return tx.PutCitizen(c)
	})
	cf := func(i int) pinsede.CodiceFiscale { return people[i-1].CF() }
	for _, tc := range []struct {
		q    pinsede.SearchQuery
		want []pinsede.CodiceFiscale
	}{
		{pinsede.SearchQuery{Cognome: "dangelo", Nome: "NICOLO"}, nil},
		{pinsede.SearchQuery{Cognome: "D’ANGELO", Nome: "Nicolò"}, nil},
		{pinsede.SearchQuery{Cognome: "D'Angelo", Nome: "Nicolo", DataNascita: people[1].Request.DataNascita}, []pinsede.CodiceFiscale{cf(2)}},
		{pinsede.SearchQuery{Cognome: "D'Angelo", Nome: "Nicolo", DataNascita: pinsede.Date{Year: 1900, Month: 1, Day: 1}}, []pinsede.CodiceFiscale{}},
		{pinsede.SearchQuery{Cognome: "de santis", Nome: "anna maria"}, []pinsede.CodiceFiscale{cf(5)}},
		{pinsede.SearchQuery{Cognome: "desantis", Nome: "ANNAMARIA"}, []pinsede.CodiceFiscale{cf(5)}},
		{pinsede.SearchQuery{Cognome: "MULLER", Nome: "jurgen"}, []pinsede.CodiceFiscale{cf(6)}},
		{pinsede.SearchQuery{Cognome: "lukasiewicz", Nome: "ZOE"}, []pinsede.CodiceFiscale{cf(7)}},
		{pinsede.SearchQuery{Cognome: "Rossi", Nome: "Mario"}, []pinsede.CodiceFiscale{}},
		{pinsede.SearchQuery{Cognome: "Russo", Nome: "Mario"}, []pinsede.CodiceFiscale{cf(8)}},
		{pinsede.SearchQuery{Cognome: "D'Ange", Nome: "Nicolò"}, []pinsede.CodiceFiscale{}},
		{pinsede.SearchQuery{Cognome: "", Nome: "Nicolò"}, []pinsede.CodiceFiscale{}},
		{pinsede.SearchQuery{CodiceFiscale: cf(4)}, []pinsede.CodiceFiscale{cf(4)}},
		{pinsede.SearchQuery{CodiceFiscale: citizen(99, "", "").CF()}, []pinsede.CodiceFiscale{}},
	} {
		want := tc.want
		if want == nil { // the three spellings of D'Angelo Nicolò, by name then code
			byName := []pinsede.Citizen{people[0], people[1], people[2]}
			slices.SortFunc(byName, func(a, b pinsede.Citizen) int {
				if c := strings.Compare(a.Request.Cognome, b.Request.Cognome); c != 0 {
					return c
				}
				if c := strings.Compare(a.Request.Nome, b.Request.Nome); c != 0 {
					return c
				}
				return strings.Compare(string(a.CF()), string(b.CF()))
			})
			for _, c := range byName {
				want = append(want, c.CF())
			}
		}
		view(t, s, func(tx pinsede.Tx) error {
			found, err := tx.FindCitizens(tc.q)
			if err != nil {
				return err
			}
			got := []pinsede.CodiceFiscale{}
			for _, c := range found {
				got = append(got, c.CF())
			}
			if !slices.Equal(got, want) {
				t.Errorf("FindCitizens(%+v) = %v, want %v", tc.q, got, want)
			}
			return nil
		})
	}
}

// Ensure that a search by a very common name returns at most SearchLimit
// citizens, the first ones by codice fiscale.
func TestFindCitizensLimit(t *testing.T) {
	s := newStore(t)
	var all []string
	update(t, s, func(tx pinsede.Tx) error {
		for i := range 250 {
			c := citizen(i, "Rossi", "Maria")
			all = append(all, string(c.CF()))
			if err := tx.PutCitizen(c); err != nil {
				return err
			}
		}
		return nil
	})
	slices.Sort(all)
	view(t, s, func(tx pinsede.Tx) error {
		found, err := tx.FindCitizens(pinsede.SearchQuery{Cognome: "rossi", Nome: "maria"})
		if err != nil {
			return err
		}
		if len(found) != local.SearchLimit {
			t.Fatalf("found %d citizens, want %d", len(found), local.SearchLimit)
		}
		for i, c := range found {
			if string(c.CF()) != all[i] {
				t.Fatalf("result %d is %s, want %s", i, c.CF(), all[i])
			}
		}
		return nil
	})
}
