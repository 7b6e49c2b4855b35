package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pinsede/pinsede"
)

// operatorAddArgs are the arguments of pinctl operator add.
type operatorAddArgs struct {
	op            pinsede.NewOperator
	role          string
	passwordStdin bool
}

func (a *operatorAddArgs) declare(fs *flag.FlagSet) {
	fs.StringVar(&a.op.ID, "id", "", "id dell'operatore, per l'accesso (per esempio m.rossi)")
	fs.StringVar(&a.op.Name, "name", "", "nome e cognome dell'operatore")
	fs.StringVar(&a.role, "role", "", "ruolo: operatore o supervisore")
	fs.BoolVar(&a.passwordStdin, "password-stdin", false, "legge la password temporanea da una riga di stdin")
}

func operatorAddFlags(fs *flag.FlagSet) { new(operatorAddArgs).declare(fs) }

// cmdOperatorAdd creates an operator account.
func cmdOperatorAdd(e *env, args []string) error {
	var a operatorAddArgs
	if err := parseFlags(args, a.declare, "id", "name", "role"); err != nil {
		return err
	}
	a.op.Role = pinsede.Role(a.role)
	if !a.op.Role.Valid() {
		return &usageError{msg: fmt.Sprintf("ruolo %q sconosciuto: -role operatore oppure -role supervisore", a.role)}
	}
	password, err := e.readPassword(a.passwordStdin)
	if err != nil {
		return err
	}
	a.op.Password = password
	if es := a.op.Validate(); len(es) > 0 {
		return es // before the store is opened: nothing to wait for
	}
	err = e.supervise(func(d *pinsede.Desk, s *pinsede.Session) error { return d.AddOperator(s, a.op) })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "operatore %s (%s) aggiunto come %s, con una password temporanea: la cambierà al primo accesso\n", a.op.ID, a.op.Name, a.op.Role)
	return nil
}

// cmdOperatorDisable disables an operator account.
func cmdOperatorDisable(e *env, args []string) error {
	return e.onOperator(args, "disabilitare", "disabilitato", (*pinsede.Desk).DisableOperator)
}

// cmdOperatorEnable enables a disabled operator account again.
func cmdOperatorEnable(e *env, args []string) error {
	return e.onOperator(args, "riattivare", "riattivato", (*pinsede.Desk).EnableOperator)
}

// cmdOperatorUnlock lifts the lock-out of failed logins.
func cmdOperatorUnlock(e *env, args []string) error {
	return e.onOperator(args, "sbloccare", "sbloccato", (*pinsede.Desk).UnlockOperator)
}

// cmdOperatorReset gives an operator a temporary password, read like a new
// operator's, which they change at their next login.
func cmdOperatorReset(e *env, args []string) error {
	var fromStdin bool
	declare := func(fs *flag.FlagSet) {
		fs.BoolVar(&fromStdin, "password-stdin", false, "legge la password temporanea da una riga di stdin")
	}
	fs := flag.NewFlagSet("operator reset-password", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	declare(fs)
	if err := fs.Parse(args); err != nil {
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() != 1 {
		return &usageError{msg: "serve un id, e uno solo, dell'operatore a cui reimpostare la password"}
	}
	password, err := e.readPassword(fromStdin)
	if err != nil {
		return err
	}
	return e.onOperator(fs.Args(), "", "ha una password temporanea: la cambierà al prossimo accesso",
		func(d *pinsede.Desk, s *pinsede.Session, id string) error { return d.ResetPassword(s, id, password) })
}

// onOperator runs do on the one operator id args names, in a supervisor's
// session, and says what happened: verb is the infinitive the usage error
// names, done what the success line says of the operator.
func (e *env) onOperator(args []string, verb, done string, do func(*pinsede.Desk, *pinsede.Session, string) error) error {
	switch {
	case len(args) == 0:
		return &usageError{msg: "manca l'id dell'operatore da " + verb}
	case len(args) > 1:
		return &usageError{msg: "un solo id per volta: " + strings.Join(args, " ")}
	}
	id := args[0]
	err := e.supervise(func(d *pinsede.Desk, s *pinsede.Session) error { return do(d, s, id) })
	if errors.Is(err, pinsede.ErrNotFound) {
		return &failure{msg: fmt.Sprintf("operatore %s non trovato: pinctl operator list elenca gli operatori", id)}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "operatore %s %s\n", id, done)
	return nil
}

// cmdOperatorList prints the operator accounts as a table.
func cmdOperatorList(e *env, args []string) error {
	if len(args) > 0 {
		return &usageError{msg: "argomento inatteso: " + args[0]}
	}
	var ops []pinsede.Operator
	err := e.supervise(func(d *pinsede.Desk, s *pinsede.Session) (err error) { ops, err = d.Operators(s); return err })
	if err != nil {
		return err
	}
	slices.SortFunc(ops, func(a, b pinsede.Operator) int { return strings.Compare(a.ID, b.ID) })
	now := e.now()
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNOME\tRUOLO\tSTATO\tULTIMO ACCESSO")
	for _, op := range ops {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", op.ID, op.Name, op.Role, operatorState(op, now), timestamp(op.LastLogin, "mai"))
	}
	return w.Flush()
}

// operatorState is an account's state at now, in Italian.
func operatorState(op pinsede.Operator, now time.Time) string {
	switch {
	case op.Disabled:
		return "disabilitato"
	case op.Locked(now):
		return "bloccato fino a " + timestamp(op.LockedUntil, "")
	}
	return "attivo"
}

// timestamp writes t as gg/mm/aaaa hh:mm in local time, or none for the
// zero time.
func timestamp(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.Local().Format("02/01/2006 15:04")
}
