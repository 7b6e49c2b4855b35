package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/wire"
)

// deskPC is a desk PC of a sede in the tests of a sede of many desks:
// its store, its desk on it, a supervisor's session, and its sync client
// with the desk's own certificate.
// addOperator adds the account n in the session s of d, as a supervisor
// does, and makes its first login there, which changes the temporary
// password AddOperator gives to n.Password: an account a test logs in to
// or approves with.
func addOperator(t *testing.T, d *pinsede.Desk, s *pinsede.Session, n pinsede.NewOperator) {
	t.Helper()
	next := n.Password
	n.Password = "temporanea-" + n.ID
	if err := d.AddOperator(s, n); err != nil {
		t.Fatal(err)
	}
	first, err := d.Login(n.ID, n.Password)
	if err != nil {
		t.Fatalf("first login of %s: %v", n.ID, err)
	}
	if err := d.ChangePassword(first, n.Password, next); err != nil {
		t.Fatalf("first change of password of %s: %v", n.ID, err)
	}
}

type deskPC struct {
	id   string
	ls   *local.Store
	key  string // the store's key file
	desk *pinsede.Desk
	sess *pinsede.Session
	c    *client.Client
}

// newDeskPC sets up desk id of sede, with the supervisor "sup" (the same
// operator at every desk), connected to env's centrale.
func newDeskPC(t *testing.T, env *testenv.Env, clock func() time.Time, sede, id string) *deskPC {
	t.Helper()
	ls, _, key := newLocal(t)
	t.Cleanup(func() { ls.Close() })
	ls.SetDesk(id)
	d := pinsede.NewDesk(ls, &capture{}, clock)
	d.DeskID, d.PINParams, d.PasswordParams = id, testenv.CheapArgon2, testenv.CheapArgon2
	if err := d.Setup(pinsede.Sede{Code: sede, Name: "Sede " + sede, Address: "Via Roma 1"},
		pinsede.NewOperator{ID: "sup", Name: "Anna Bianchi", Password: "password-lunga"}); err != nil {
		t.Fatal(err)
	}
	sess, err := d.Login("sup", "password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := env.DeskTLS(t, sede, id)
	c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}},
		Sede: sede, Local: ls, Desk: d, Now: clock})
	return &deskPC{id: id, ls: ls, key: key, desk: d, sess: sess, c: c}
}

// fourDesks sets up desks 01, 02 and 03 of ROMA01 and desk 01 of MILA01
// on env's centrale.
func fourDesks(t *testing.T, env *testenv.Env, clock func() time.Time) (a, b, c, d *deskPC) {
	t.Helper()
	return newDeskPC(t, env, clock, "ROMA01", "01"), newDeskPC(t, env, clock, "ROMA01", "02"),
		newDeskPC(t, env, clock, "ROMA01", "03"), newDeskPC(t, env, clock, "MILA01", "01")
}

// sync pushes the desk's outbox and pulls its changes.
func (d *deskPC) sync(t *testing.T) {
	t.Helper()
	if err := d.c.Sync(context.Background()); err != nil {
		t.Fatalf("desk %s: %v", d.id, err)
	}
}

// held is what a desk holds of a citizen: credentials, the actions of
// the audit entries about them but views and prints (which make no
// event), delegations, and the events in its outbox.
type held struct {
	creds       int
	acts        string
	delegations int
	outbox      int
}

func (d *deskPC) held(t *testing.T, cf pinsede.CodiceFiscale) held {
	t.Helper()
	var h held
	err := d.ls.View(func(tx pinsede.Tx) error {
		cs, err := tx.Credentials(cf)
		if err != nil {
			return err
		}
		as, err := tx.AuditFor(cf)
		if err != nil {
			return err
		}
		var acts []string
		for _, e := range as {
			if e.Action != pinsede.ActionCitizenViewed && e.Action != pinsede.ActionPrinted {
				acts = append(acts, string(e.Action))
			}
		}
		ds, err := tx.DelegationsOf(cf)
		h = held{len(cs), strings.Join(acts, " "), len(ds), 0}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if h.outbox, err = d.ls.OutboxLen(); err != nil {
		t.Fatal(err)
	}
	return h
}

// credential returns the credential id as desk d holds it.
func (d *deskPC) credential(t *testing.T, id string) pinsede.Credential {
	t.Helper()
	var c pinsede.Credential
	err := d.ls.View(func(tx pinsede.Tx) (err error) { c, err = tx.Credential(id); return err })
	if err != nil {
		t.Fatalf("desk %s: credential %s: %v", d.id, id, err)
	}
	return c
}

// Ensure that a sede of many desks works as one, against a real centrale
// on both stores: three desks A, B, C of ROMA01 and a desk D of MILA01. A
// issues a PIN and registers a delegation; B, after its pull, opens the
// citizen's page with the MV35 data and records the handover; C, offline
// all along, catches up at its next pull and revokes it; A and B see the
// revocation. D sees none of it, and its certificate cannot act on a
// credential of ROMA01. Every desk ends with one credential, its outbox
// empty, and the audit entries of each act once, however often it
// pulls. Two desks revoking one PIN at once: centrale takes the first,
// and the other desk is told why, by a reason code.
func TestSedeOfManyDesks(t *testing.T) {
	testclock.RealDayOnly(t, "a sede of many desks")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			ctx := context.Background()
			a, b, c, d := fourDesks(t, env, clock)

			req := person(1)
			cf := req.CodiceFiscale
			issued, err := a.desk.Issue(ctx, a.sess, req, verification())
			if err != nil {
				t.Fatal(err)
			}
			id := issued.Credential.ID
			dl, err := a.desk.RegisterDelegation(a.sess, pinsede.Delegation{
				Form:      pinsede.FormAA08,
				Delegante: pinsede.Party{CodiceFiscale: cf, Cognome: req.Cognome, Nome: req.Nome, Document: verification().Document},
				Delegato: pinsede.Party{CodiceFiscale: person(2).CodiceFiscale, Cognome: "Rossi", Nome: "Maria",
					Document: verification().Document},
				From: pinsede.DateOf(clock()),
			})
			if err != nil {
				t.Fatal(err)
			}
			a.sync(t)
			b.sync(t)
			page, err := b.desk.Citizen(b.sess, cf)
			switch {
			case err != nil:
				t.Fatalf("citizen page at B: %v", err)
			case page.Unknown || page.Citizen.Request.Cognome != req.Cognome || page.Citizen.Document.Number != verification().Document.Number:
				t.Errorf("citizen at B = %+v, unknown %v; want A's MV35 and document", page.Citizen, page.Unknown)
			case len(page.Credentials) != 1 || page.Credentials[0].ID != id:
				t.Errorf("credentials at B = %+v, want A's", page.Credentials)
			case len(page.Delegations) != 1 || page.Delegations[0].ID != dl.ID:
				t.Errorf("delegations at B = %+v, want A's", page.Delegations)
			}
			if _, err := b.desk.RecordHandover(b.sess, id); err != nil {
				t.Fatalf("handover at B: %v", err)
			}
			b.sync(t)
			a.sync(t)
			if got := a.credential(t, id); got.HandedOverAt.IsZero() || got.HandedOverBy != "sup" {
				t.Errorf("at A after B's handover: %+v", got)
			}

			// C was offline: it catches up, and revokes.
			c.sync(t)
			if got := c.credential(t, id); got.HandedOverAt.IsZero() || got.State != pinsede.StateAttivo {
				t.Errorf("at C after catching up: %+v, want handed over, active", got)
			}
			if _, err := c.desk.Revoke(c.sess, id, "il cittadino lo ha chiesto"); err != nil {
				t.Fatalf("revoke at C: %v", err)
			}
			c.sync(t)
			for _, x := range []*deskPC{a, b, c, d} {
				x.sync(t)
				x.sync(t) // again: nothing new, nothing doubled
			}
			for _, x := range []*deskPC{a, b} {
				if got := x.credential(t, id); got.State != pinsede.StateRevocato || got.RevokeReason != "il cittadino lo ha chiesto" {
					t.Errorf("at %s after C's revocation: %+v", x.id, got)
				}
			}
			rec, err := env.Store.Current(ctx, cf, central.SlotPIN)
			if err != nil || rec.Credential.State != pinsede.StateRevocato || rec.Credential.HandedOverAt.IsZero() {
				t.Errorf("at centrale: %+v, %v", rec, err)
			}
			// Every desk: A's issue and delegation, B's handover, C's
			// revocation, each once, in the order centrale took them.
			want := held{creds: 1, acts: "credential.issued delegation.registered credential.handed_over credential.revoked", delegations: 1}
			for _, x := range []*deskPC{a, b, c} {
				if h := x.held(t, cf); h != want {
					t.Errorf("desk %s holds %+v, want %+v", x.id, h, want)
				}
			}
			if h := d.held(t, cf); h != (held{}) {
				t.Errorf("D of MILA01 holds %+v of ROMA01's citizen, want nothing", h)
			}

			// The reconciliation of the sede at B lists the three desks,
			// each with its act, and none of MILA01's.
			r, err := b.desk.Reconciliation(b.sess, pinsede.DateOf(clock().Local()), pinsede.ScopeSede)
			if err != nil {
				t.Fatal(err)
			}
			wantRows := []pinsede.ReconciliationRow{
				{Desk: "01", Operator: "sup", Name: b.sess.Operator.Name, Printed: 1, Issued: 1},
				{Desk: "02", Operator: "sup", Name: b.sess.Operator.Name, HandedOver: 1},
				{Desk: "03", Operator: "sup", Name: b.sess.Operator.Name, Revoked: 1},
			}
			if !slices.Equal(r.Rows, wantRows) || len(r.Mismatches) != 0 || r.LastPull.IsZero() {
				t.Errorf("B's reconciliation of the sede: rows %+v, mismatches %+v, last pull %v; want %+v", r.Rows, r.Mismatches, r.LastPull, wantRows)
			}
			var desks []string
			for _, dk := range r.Desks {
				if desks = append(desks, dk.Desk); dk.Stale {
					t.Errorf("desk %s stale at B: %+v", dk.Desk, dk)
				}
			}
			if !slices.Equal(desks, []string{"01", "02", "03"}) {
				t.Errorf("desks in B's reconciliation %v, want 01, 02, 03", desks)
			}

			// D cannot act on ROMA01's credential: the push is refused whole.
			if err := d.ls.Update(func(tx pinsede.Tx) error {
				return tx.Enqueue(pinsede.Event{ID: "d-handover", Kind: pinsede.EventHandedOver, Time: clock(), Sede: "MILA01",
					Credential: pinsede.Credential{ID: id, CodiceFiscale: cf, Sede: "ROMA01", HandedOverAt: clock(), HandedOverBy: "sup"}})
			}); err != nil {
				t.Fatal(err)
			}
			var p *wire.Problem
			if err := d.c.Sync(ctx); !errors.As(err, &p) || p.Status != http.StatusForbidden {
				t.Errorf("D's handover of ROMA01's credential: %v, want 403", err)
			}

			// B and C revoke one PIN at once: B's push comes first.
			second, err := a.desk.Issue(ctx, a.sess, person(3), verification())
			if err != nil {
				t.Fatal(err)
			}
			a.sync(t)
			b.sync(t)
			c.sync(t)
			for _, x := range []*deskPC{b, c} {
				if _, err := x.desk.Revoke(x.sess, second.Credential.ID, "busta smarrita allo sportello "+x.id); err != nil {
					t.Fatalf("revoke at %s: %v", x.id, err)
				}
			}
			b.sync(t)
			c.sync(t)
			na, err := c.desk.NotAcceptedEvents()
			if err != nil {
				t.Fatal(err)
			}
			if len(na) != 1 {
				t.Fatalf("C's events not accepted = %+v, want its revocation", na)
			}
			if code, _ := na[0].Code(); code != pinsede.RefusedCredNotActive || na[0].Event.Kind != pinsede.EventRevoked {
				t.Errorf("C's revocation: %s %q (code %q), want %q", na[0].Verdict, na[0].Reason, code, pinsede.RefusedCredNotActive)
			}
			if got := c.credential(t, second.Credential.ID); got.State != pinsede.StateRevocato || !strings.HasSuffix(got.RevokeReason, "03") {
				t.Errorf("at C: %+v, want revoked by C as recorded there", got)
			}
			if n, _ := b.desk.NotAcceptedEvents(); len(n) != 0 {
				t.Errorf("B's events not accepted = %+v, want none", n)
			}
		})
	}
}

// Ensure that a desk of before the sede's events, which does not ask for
// them, gets none in its pull, nor does a desk its own unless it asks for
// them too (own=1, a desk restored from a copy: the answer says own), and
// that its cursor still moves past them: it keeps what it knew and
// nothing more, and pulls nothing twice. own=1 without the sede's events,
// or of another value, is refused (400).
func TestSedeEventsLeftOutForOlderDesks(t *testing.T) {
	env := testenv.New(t, stores[0].open(t))
	a := newDeskPC(t, env, testclock.Now, "ROMA01", "01")
	if _, err := a.desk.Issue(context.Background(), a.sess, person(1), verification()); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	deskClient := func(desk string) *http.Client {
		cfg, _ := env.DeskTLS(t, "ROMA01", desk)
		return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	}
	hc := deskClient("02")
	for _, tc := range []struct {
		desk, query string
		kinds       []pinsede.ChangeKind
	}{
		{"02", "after=0", nil},
		// desk 01's set-up (the sede, its supervisor) and its issue
		{"02", "after=0&" + wire.IncludeSedeEvents, []pinsede.ChangeKind{pinsede.ChangeSedeEvent, pinsede.ChangeSedeEvent, pinsede.ChangeSedeEvent}},
		{"01", "after=0&" + wire.IncludeSedeEvents, nil}, // its own
		{"01", "after=0&" + wire.IncludeSedeEvents + "&" + wire.PullOwn, []pinsede.ChangeKind{pinsede.ChangeSedeEvent, pinsede.ChangeSedeEvent, pinsede.ChangeSedeEvent}},
	} {
		resp, err := deskClient(tc.desk).Get(env.URL + "/v1/changes?" + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		var got wire.ChangesResponse
		err = wire.Decode(resp.Body, 1<<20, &got)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var kinds []pinsede.ChangeKind
		for _, c := range got.Changes {
			kinds = append(kinds, c.Kind)
		}
		if own := strings.Contains(tc.query, wire.PullOwn); got.Own != own {
			t.Errorf("desk %s, %s: own %v, want %v", tc.desk, tc.query, got.Own, own)
		}
		if fmt.Sprint(kinds) != fmt.Sprint(tc.kinds) || got.Cursor == 0 || got.More || got.Latest != got.Cursor {
			t.Errorf("desk %s, %s: kinds %v, cursor %d, latest %d, more %v; want %v past the sede's events, to the newest", tc.desk, tc.query, kinds, got.Cursor, got.Latest, got.More, tc.kinds)
		}
	}
	for _, q := range []string{"include=everything", wire.PullOwn, wire.IncludeSedeEvents + "&own=yes", wire.IncludeSedeEvents + "&own=1&own=1"} {
		resp, err := hc.Get(env.URL + "/v1/changes?after=0&" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s, want 400", q, resp.Status)
		}
	}
}

// Ensure that the operators of a sede are managed once, against a real
// centrale on both stores: an operator created at desk A logs in at desk
// C after C's pull, with the password whose hash alone travelled;
// disabled at desk B, they are refused at A after A's next pull, and not
// before. Desk D of another sede never knows them.
func TestOperatorsOfASede(t *testing.T) {
	testclock.RealDayOnly(t, "the operators of a sede")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond)
			env := testenv.NewAt(t, st.open(t), clock)
			a, b, c, d := fourDesks(t, env, clock)
			rec := &recorder{}
			a.c = client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: recordingTLS(t, env, rec, "ROMA01", "01")},
				Sede: "ROMA01", Local: a.ls, Desk: a.desk, Now: clock})

			const pw = "password-di-luca"
			addOperator(t, a.desk, a.sess, pinsede.NewOperator{ID: "l.verdi", Name: "Luca Verdi", Role: pinsede.RoleOperatore, Password: pw})
			a.sync(t)
			if rec.contains(pw) {
				t.Error("the password travelled")
			}
			if _, err := c.desk.Login("l.verdi", pw); err == nil {
				t.Error("logged in at C before C's pull")
			}
			c.sync(t)
			if _, err := c.desk.Login("l.verdi", pw); err != nil {
				t.Fatalf("at C after its pull: %v", err)
			}
			b.sync(t)
			if err := b.desk.DisableOperator(b.sess, "l.verdi"); err != nil {
				t.Fatalf("disable at B: %v", err)
			}
			b.sync(t)
			if _, err := a.desk.Login("l.verdi", pw); err != nil {
				t.Errorf("at A before its pull: %v, want still in (A knows nothing yet)", err)
			}
			a.sync(t)
			if _, err := a.desk.Login("l.verdi", pw); !errors.Is(err, pinsede.ErrBadCredentials) {
				t.Errorf("at A after its pull: %v, want refused", err)
			}
			d.sync(t)
			if _, err := d.desk.Login("l.verdi", pw); !errors.Is(err, pinsede.ErrBadCredentials) {
				t.Errorf("at D of MILA01: %v, want unknown", err)
			}
			for _, x := range []*deskPC{a, b, c} {
				if n, err := x.ls.OutboxLen(); err != nil || n != 0 {
					t.Errorf("desk %s: outbox %d, %v", x.id, n, err)
				}
			}
		})
	}
}

// recordingTLS returns rec sending over TLS with the certificate of desk
// of sede.
func recordingTLS(t *testing.T, env *testenv.Env, rec *recorder, sede, desk string) http.RoundTripper {
	t.Helper()
	cfg, _ := env.DeskTLS(t, sede, desk)
	rec.next = &http.Transport{TLSClientConfig: cfg}
	return rec
}
