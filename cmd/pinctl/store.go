package main

import (
	"errors"
	"fmt"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// newDesk returns the desk use cases on store, with pinctl's clock and
// password costs. pinctl prints no slips: the desk has no printer.
func (e *env) newDesk(store pinsede.Store) *pinsede.Desk {
	d := pinsede.NewDesk(store, nil, e.now)
	d.PasswordParams = passwordParams
	return d
}

// supervise opens the store, reads the sede and runs fn with the desk and
// a system session in the name of the user at the shell: a supervisor's
// session, audited as pinctl:<user>.
func (e *env) supervise(fn func(d *pinsede.Desk, s *pinsede.Session) error) error {
	return e.superviseStore(func(_ *local.Store, d *pinsede.Desk, s *pinsede.Session) error { return fn(d, s) })
}

// superviseStore is supervise, fn given the store too.
func (e *env) superviseStore(fn func(store *local.Store, d *pinsede.Desk, s *pinsede.Session) error) error {
	store, err := local.Open(e.storePath, e.keyPath)
	if err != nil {
		return err
	}
	defer store.Close()
	var sede pinsede.Sede
	err = store.View(func(tx pinsede.Tx) (err error) { sede, err = tx.Sede(); return err })
	if errors.Is(err, pinsede.ErrNotFound) {
		return fmt.Errorf("read sede: %w", pinsede.ErrNotSetUp)
	}
	if err != nil {
		return fmt.Errorf("read sede: %w", err)
	}
	return fn(store, e.newDesk(store), pinsede.SystemSession(sede, who(), e.now()))
}
