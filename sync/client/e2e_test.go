package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
	"github.com/pinsede/pinsede/sync/wire"
)

// verify asks centrale to check a PIN, as the portal does.
func verify(t *testing.T, env *testenv.Env, portal *http.Client, req wire.VerifyRequest) wire.VerifyResponse {
	t.Helper()
	b, _ := json.Marshal(req)
	resp, err := portal.Post(env.URL+"/v1/pin/verify", wire.ContentJSON, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out wire.VerifyResponse
	if resp.StatusCode != 200 {
		t.Fatalf("verify: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Ensure that a PIN issued at the desk works at centrale as soon as the
// push is acknowledged: valid, dispositivo, with the first-use replacement;
// and that the PIN never travels, only its hash.
func TestIssueThenVerify(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			clock := testclock.Stepping(time.Microsecond) // "acknowledged after the issue" needs time to pass
			env := testenv.NewAt(t, st.open(t), clock)
			ls, _, _ := newLocal(t)
			defer ls.Close()
			printer := &capture{}
			desk := pinsede.NewDesk(ls, printer, clock)
			desk.PasswordParams = testenv.CheapArgon2 // the PIN keeps its real cost: central checks it
			sede := pinsede.Sede{Code: "ROMA01", Name: "Roma Centro", Address: "Via Ciro il Grande 21, Roma"}
			sess := sessionOn(t, ls, pinsede.Operator{ID: "op1", Name: "Maria Bianchi", Role: pinsede.RoleOperatore}, sede)

			hc := env.Client(t, pki.RoleSede, "ROMA01")
			rec := &recorder{next: hc.Transport}
			hc.Transport = rec
			c := client.New(client.Config{URL: env.URL, HTTP: hc, Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: clock})
			states, stop := c.Subscribe()
			defer stop()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- c.Run(ctx) }()

			req := person(1)
			issued, err := desk.Issue(ctx, sess, req, verification())
			if err != nil {
				t.Fatal(err)
			}
			issuedAt := clock()
			c.Notify()
			awaitState(t, states, "acknowledged", func(s client.State) bool {
				return s.Status == client.Online && s.Pending == 0 && s.LastSync.After(issuedAt)
			})
			pin := printer.last()
			portal := env.Client(t, pki.RolePortal, "PORTALE")
			cf := string(req.CodiceFiscale)
			got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: cf, PIN: pin})
			if got.Outcome != wire.ChangeRequired || got.Type != pinsede.Dispositivo {
				t.Fatalf("first login: %+v, want change_required, dispositivo", got)
			}
			got = verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: cf, PIN: pin, NewPIN: "Mare2026"})
			if got.Outcome != wire.Valid || got.Type != pinsede.Dispositivo {
				t.Fatalf("replacement: %+v, want valid, dispositivo", got)
			}
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: cf, PIN: "Mare2026"}); got.Outcome != wire.Valid {
				t.Errorf("8-character PIN: %+v, want valid", got)
			}
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: cf, PIN: pin}); got.Outcome != wire.Wrong {
				t.Errorf("16-character PIN after replacement: %+v, want wrong", got)
			}

			// Handover, then a reissue that revokes the first PIN: both reach
			// centrale in order.
			if _, err := desk.RecordHandover(sess, issued.Credential.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := desk.Issue(ctx, sess, req, verification()); err != nil {
				t.Fatal(err)
			}
			if err := c.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if got := verify(t, env, portal, wire.VerifyRequest{CodiceFiscale: cf, PIN: printer.last()}); got.Outcome != wire.ChangeRequired {
				t.Errorf("new PIN: %+v, want change_required", got)
			}
			if n, _ := env.Store.Events(ctx); n != 4 {
				t.Errorf("centrale holds %d events, want 4 (issued, handed over, revoked, issued)", n)
			}
			if s := c.State(); s.Pending != 0 || len(s.NotAccepted) != 0 || s.Status != client.Online {
				t.Errorf("state %+v", s)
			}
			for _, p := range printer.pins {
				for _, s := range []string{p, p[:8], p[8:]} {
					if rec.contains(s) {
						t.Errorf("a request carried the PIN or half of it")
					}
				}
			}
			cancel()
			<-done
		})
	}
}

// Ensure that two sedi issuing for the same citizen leave one active PIN:
// the one accepted later; the other sede learns it by pulling.
func TestSupersededAcrossSedi(t *testing.T) {
	env := testenv.New(t, stores[0].open(t))
	ctx := context.Background()
	roma, _, _ := newLocal(t)
	defer roma.Close()
	mila, _, _ := newLocal(t)
	defer mila.Close()
	enqueue(t, roma, "ROMA01", 0, 1)
	enqueue(t, mila, "MILA01", 0, 1)
	cr := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: roma, Desk: deskOn(roma), Now: testclock.Now})
	cm := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "MILA01"), Sede: "MILA01", Local: mila, Desk: deskOn(mila), Now: testclock.Now})
	for _, c := range []*client.Client{cr, cm, cr} {
		if err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if s := cr.State(); s.Changes != 1 {
		t.Errorf("ROMA01 state counts %d changes, want 1 (its credential superseded by MILA01)", s.Changes)
	}
	cur, err := roma.SyncCursor()
	if err != nil || cur == 0 {
		t.Errorf("cursor %d, %v; want the change's", cur, err)
	}
	if err := cr.Sync(ctx); err != nil { // pulling again applies it once
		t.Fatal(err)
	}
	if s := cr.State(); s.Changes != 1 {
		t.Errorf("after a second pull, %d changes", s.Changes)
	}
	if again, _ := roma.SyncCursor(); again != cur {
		t.Errorf("cursor %d after a second pull, want %d", again, cur)
	}
}

// Ensure that an event centrale does not accept leaves the outbox, is kept
// for the desk with its reason, and shows in the state.
func TestNotAccepted(t *testing.T) {
	env := testenv.New(t, stores[0].open(t))
	ls, _, _ := newLocal(t)
	defer ls.Close()
	bad := pinsede.Event{ID: "bad1", Kind: "credential.unknown", Time: testclock.Now(), Sede: "ROMA01",
		Credential: pinsede.Credential{ID: "x", Sede: "ROMA01"}}
	if err := ls.Update(func(tx pinsede.Tx) error { return tx.Enqueue(bad) }); err != nil {
		t.Fatal(err)
	}
	enqueue(t, ls, "ROMA01", 0, 2)
	c := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
	if err := c.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	na, err := deskOn(ls).NotAcceptedEvents()
	if err != nil {
		t.Fatal(err)
	}
	if len(na) != 1 || na[0].Event.ID != "bad1" || na[0].Verdict != pinsede.VerdictRejected || na[0].Reason == "" {
		t.Errorf("not accepted = %+v", na)
	}
	if s := c.State(); s.Pending != 0 || len(s.NotAccepted) != 1 {
		t.Errorf("state %+v", s)
	}
}

// Ensure that a revoked sede certificate is refused, the outbox kept, and
// the state says why.
func TestRevokedCertificate(t *testing.T) {
	env := testenv.New(t, stores[0].open(t))
	ls, _, _ := newLocal(t)
	defer ls.Close()
	enqueue(t, ls, "ROMA01", 0, 3)
	cfg := env.TLS(t, pki.RoleSede, "ROMA01")
	leaf, err := pki.ParseCert(pemCert(cfg.Certificates[0].Certificate[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := env.CA.Revoke(pki.Serial(leaf), "PC rubato", time.Now()); err != nil {
		t.Fatal(err)
	}
	c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}, Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
	if err := c.Sync(context.Background()); err == nil {
		t.Fatal("sync with a revoked certificate succeeded")
	}
	s := c.State()
	if s.Status != client.Offline || s.Pending != 3 || !bytes.Contains([]byte(s.LastError), []byte("revoked")) {
		t.Errorf("state %+v", s)
	}
}

// Ensure that a run of archived forms, each near the largest centrale
// takes, goes in pushes that each fit in wire.MaxPushBytes, in order,
// every one accepted, each form's bytes in a binary part beside the JSON
// and none inside it, and that the forms are kept at centrale.
func TestPushBatchBytes(t *testing.T) {
	testclock.RealDayOnly(t, "the pushes' size")
	env := testenv.New(t, stores[0].open(t))
	ls, _, _ := newLocal(t)
	defer ls.Close()
	const n = 7
	ids := enqueue(t, ls, "ROMA01", 0, n)
	h := storetest.Hash(t, "ACEFHJKMNPRTUVWX")
	err := ls.Update(func(tx pinsede.Tx) error {
		for i := range n {
			iss := storetest.Issued("ROMA01", storetest.CF(i), ids[i], fmt.Sprintf("ROMA01-c%d", i), h)
			if err := tx.Enqueue(storetest.FormArchived(iss, fmt.Sprintf("form-%d", i), storetest.PDF(pinsede.MaxFormBytes-i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{next: env.Client(t, pki.RoleSede, "ROMA01").Transport}
	c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: rec}, Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
	sent, err := c.Push(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sent != 2*n {
		t.Errorf("%d events sent, want %d", sent, 2*n)
	}
	if len(rec.sent) < 3 {
		t.Errorf("%d pushes for %d forms of about 1 MiB, want 3 or more", len(rec.sent), n)
	}
	forms := 0
	for i, b := range rec.sent {
		ct, params, err := mime.ParseMediaType(rec.types[i])
		if err != nil || ct != wire.ContentMultipart {
			t.Fatalf("push %d: content type %q, want %s", i, rec.types[i], wire.ContentMultipart)
		}
		mr := multipart.NewReader(bytes.NewReader(b), params["boundary"])
		p, err := mr.NextPart()
		if err != nil || p.FormName() != wire.PartEvents {
			t.Fatalf("push %d: first part %v", i, err)
		}
		var req wire.PushRequest
		if err := json.NewDecoder(p).Decode(&req); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		for p, err = mr.NextPart(); err == nil; p, err = mr.NextPart() {
			pdf, _ := io.ReadAll(p)
			if !slices.ContainsFunc(req.Events, func(ev pinsede.Event) bool {
				return ev.ID == p.FormName() && ev.Form.PDF == nil && ev.Form.SHA256 == pinsede.FormDigest(pdf)
			}) {
				t.Errorf("push %d: part %q of %d bytes matches no form of the JSON", i, p.FormName(), len(pdf))
			}
			forms++
		}
		if len(b) > wire.MaxPushBytes || len(req.Events) == 0 {
			t.Errorf("push %d: %d bytes, %d events", i, len(b), len(req.Events))
		}
	}
	if forms != n {
		t.Errorf("%d forms sent as parts, want %d", forms, n)
	}
	if na, _ := deskOn(ls).NotAcceptedEvents(); len(na) != 0 {
		t.Errorf("not accepted: %+v", na)
	}
	if n, _ := ls.OutboxLen(); n != 0 {
		t.Errorf("%d events left in the outbox", n)
	}
	f, err := env.Store.Form(context.Background(), "ROMA01-c6", pinsede.DocumentMV35)
	if err != nil || len(f.PDF) != pinsede.MaxFormBytes-6 {
		t.Errorf("form at centrale: %d bytes, %v", len(f.PDF), err)
	}
}
