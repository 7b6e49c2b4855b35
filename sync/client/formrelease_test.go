package client_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/internal/testenv"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/storetest"
)

// Ensure that a push centrale accepts takes the desk's copy of each form
// with it, on both stores: the desk's store archived the MV35 beside each
// credential, and once the push is answered neither the outbox nor the
// archive holds it; a form centrale rejected (of a credential it does
// not hold) stays.
func TestPushedFormsLeaveTheDesk(t *testing.T) {
	testclock.RealDayOnly(t, "pushed forms leaving the desk")
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			env := testenv.New(t, st.open(t))
			s, _, _ := newLocal(t)
			defer s.Close()
			pdf := storetest.PDF(18000)
			enqueueWithForms(t, s, "ROMA01", 0, 3, pdf)
			// The form of a credential whose issue centrale never got.
			stray := storetest.FormArchived(storetest.Issued("ROMA01", storetest.CF(9), "ROMA01-e9", "ROMA01-c9", ""), "ROMA01-f9", pdf)
			ids := []string{"ROMA01-c0", "ROMA01-c1", "ROMA01-c2", "ROMA01-c9"}
			err := s.Update(func(tx pinsede.Tx) error {
				for _, id := range ids {
					if err := tx.PutDocument(id, pinsede.DocumentMV35, pdf); err != nil {
						return err
					}
				}
				return tx.Enqueue(stray)
			})
			if err != nil {
				t.Fatal(err)
			}
			c := client.New(client.Config{URL: env.URL, HTTP: env.Client(t, pki.RoleSede, "ROMA01"), Sede: "ROMA01", Local: s, Desk: deskOn(s), Now: testclock.Now})
			if err := c.Sync(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n, err := s.OutboxLen(); err != nil || n != 0 {
				t.Fatalf("outbox %d, %v after the push", n, err)
			}
			if na := c.State().NotAccepted; len(na) != 1 || na[0].Event.ID != "ROMA01-f9" {
				t.Errorf("not accepted %+v, want the stray form", na)
			}
			err = s.View(func(tx pinsede.Tx) error {
				for i, id := range ids {
					_, err := tx.Document(id, pinsede.DocumentMV35)
					if kept := err == nil; kept != (i == 3) {
						t.Errorf("form of %s kept %v (%v), want %v", id, kept, err, i == 3)
					} else if err != nil && !errors.Is(err, pinsede.ErrNotFound) {
						t.Error(fmt.Errorf("form of %s: %w", id, err))
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
