package local_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/local"
)

func ExampleStore_Update() {
	dir, err := os.MkdirTemp("", "pinsede-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := local.Create(filepath.Join(dir, "sportello.db"), filepath.Join(dir, "store.key"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// Everything the function writes is committed together when it
	// returns nil...
	err = s.Update(func(tx pinsede.Tx) error {
		sede := pinsede.Sede{Code: "ROMA01", Name: "Roma Centro", Address: "Via Ciro il Grande 21"}
		if err := tx.SetSede(sede); err != nil {
			return err
		}
		_, err := tx.AppendAudit(pinsede.AuditEntry{Time: testclock.Now(), Sede: sede.Code, Actor: "admin", Action: pinsede.ActionSetup})
		return err
	})
	if err != nil {
		log.Fatal(err)
	}

	// ...and nothing is written when it returns an error (or panics).
	errStop := errors.New("changed my mind")
	err = s.Update(func(tx pinsede.Tx) error {
		if err := tx.Enqueue(pinsede.Event{ID: "e1", Kind: pinsede.EventIssued, Time: testclock.Now()}); err != nil {
			return err
		}
		return errStop
	})
	fmt.Println("second update:", err)

	// View reads; the values it returns are copies, valid after it.
	var sede pinsede.Sede
	var pending int
	err = s.View(func(tx pinsede.Tx) (err error) {
		if sede, err = tx.Sede(); err != nil {
			return err
		}
		pending, err = tx.Pending()
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sede.Name, "- events waiting:", pending)
	// Output:
	// second update: changed my mind
	// Roma Centro - events waiting: 0
}
