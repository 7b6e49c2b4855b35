package client_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that two desks of one sede, each with its own certificate, push
// to a real centrale on both stores: each event is recorded with the
// desk of the certificate that pushed it, each desk's audit chain is
// admitted on its first push with no operator's step, and revoking desk
// 03's certificate shuts out desk 03 only: desk 04 goes on pushing.
func TestDesksOfOneSede(t *testing.T) {
	testclock.RealDayOnly(t, "the desks of one sede")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := testenv.New(t, st.open(t))
			type desk struct {
				id     string
				ls     *local.Store
				c      *client.Client
				serial string
			}
			var desks []*desk
			for _, id := range []string{"03", "04"} {
				ls, _, _ := newLocal(t)
				t.Cleanup(func() { ls.Close() })
				cfg, serial := env.DeskTLS(t, "ROMA01", id)
				c := client.New(client.Config{URL: env.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}},
					Sede: "ROMA01", Local: ls, Desk: deskOn(ls), Now: testclock.Now})
				desks = append(desks, &desk{id: id, ls: ls, c: c, serial: serial})
			}
			first := map[string]int{"03": 0, "04": 10}
			for _, d := range desks {
				audit(t, d.ls, "login "+d.id) // a chain of its own: another first entry
				enqueue(t, d.ls, "ROMA01", first[d.id], 2)
				if err := d.c.Sync(context.Background()); err != nil {
					t.Fatalf("desk %s: %v", d.id, err)
				}
				if s := d.c.State(); s.Pending != 0 {
					t.Fatalf("desk %s: state %+v", d.id, s)
				}
			}
			for _, tc := range []struct{ id, desk string }{{"ROMA01-e0", "03"}, {"ROMA01-e1", "03"}, {"ROMA01-e10", "04"}, {"ROMA01-e11", "04"}} {
				if got, err := env.Store.Event(context.Background(), "ROMA01", tc.id); err != nil || got.Event.Desk != tc.desk {
					t.Errorf("event %s: desk %q %v, want %q", tc.id, got.Event.Desk, err, tc.desk)
				}
			}
			heads, err := storetest.AllHeads(context.Background(), env.Store, "ROMA01")
			if err != nil {
				t.Fatal(err)
			}
			// Each desk's chain, admitted for it: a head of each push and
			// of each send of entries that went further (desk 04's, after
			// it applied desk 03's events).
			chains := map[string]string{}
			for _, h := range heads {
				if c, ok := chains[h.Desk]; ok && c != string(h.Chain) || h.Desk != "03" && h.Desk != "04" {
					t.Errorf("audit head %+v: another chain of desk %q", h, h.Desk)
				}
				chains[h.Desk] = string(h.Chain)
			}
			if len(chains) != 2 || chains["03"] == chains["04"] {
				t.Errorf("audit heads %+v, want a chain of each desk", heads)
			}

			if err := env.CA.Revoke(desks[0].serial, "PC rubato", time.Now()); err != nil {
				t.Fatal(err)
			}
			for _, d := range desks {
				audit(t, d.ls, "login again "+d.id)
				enqueue(t, d.ls, "ROMA01", first[d.id]+2, 1)
			}
			if err := desks[0].c.Sync(context.Background()); err == nil {
				t.Error("desk 03 pushed with its certificate revoked")
			} else if s := desks[0].c.State(); s.Pending != 1 || !bytes.Contains([]byte(s.LastError), []byte("revoked")) {
				t.Errorf("desk 03: state %+v", s)
			}
			if err := desks[1].c.Sync(context.Background()); err != nil {
				t.Errorf("desk 04 after desk 03 was revoked: %v", err)
			}
			if got, err := env.Store.Event(context.Background(), "ROMA01", "ROMA01-e12"); err != nil || got.Event.Desk != "04" {
				t.Errorf("desk 04's event after the revocation: %+v %v", got, err)
			}
		})
	}
}

// audit appends an entry to a desk's audit chain.
func audit(t *testing.T, ls *local.Store, detail string) {
	t.Helper()
	err := ls.Update(func(tx pinsede.Tx) error {
		_, err := tx.AppendAudit(pinsede.AuditEntry{Time: testclock.Now(), Sede: "ROMA01", Actor: "m.rossi", Action: pinsede.ActionLogin, Detail: detail})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
