package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// initArgs are the arguments of pinctl init.
type initArgs struct {
	sede          pinsede.Sede
	first         pinsede.NewOperator
	passwordStdin bool
}

func (a *initArgs) declare(fs *flag.FlagSet) {
	fs.StringVar(&a.sede.Code, "sede-code", "", "codice della sede (per esempio ROMA01)")
	fs.StringVar(&a.sede.Name, "sede-name", "", "nome della sede (per esempio \"Roma Eur\")")
	fs.StringVar(&a.sede.Address, "sede-address", "", "indirizzo della sede")
	fs.StringVar(&a.first.ID, "id", "", "id del primo supervisore")
	fs.StringVar(&a.first.Name, "name", "", "nome e cognome del primo supervisore")
	fs.BoolVar(&a.passwordStdin, "password-stdin", false, "legge la password da una riga di stdin")
}

func initFlags(fs *flag.FlagSet) { new(initArgs).declare(fs) }

// cmdInit creates the store, the sede and its first supervisor. On a store
// that exists but has no sede yet (a first run of the desk app stopped
// before its set-up), it sets the sede up.
func cmdInit(e *env, args []string) error {
	var a initArgs
	if err := parseFlags(args, a.declare, "sede-code", "sede-name", "sede-address", "id", "name"); err != nil {
		return err
	}
	password, err := e.readPassword(a.passwordStdin)
	if err != nil {
		return err
	}
	a.first.Password = password
	a.first.Role = pinsede.RoleSupervisore
	// Check everything before a store is made for nothing.
	if es := append(a.sede.Validate(), a.first.Validate()...); len(es) > 0 {
		return es
	}
	store, err := local.Create(e.storePath, e.keyPath)
	if errors.Is(err, local.ErrExists) {
		store, err = local.Open(e.storePath, e.keyPath)
	}
	if errors.Is(err, local.ErrNoStore) { // the key is there, the store is not
		return &failure{msg: fmt.Sprintf("la chiave %s c'è ma l'archivio %s no: se questo PC prende il posto di uno sportello, "+
			"rimetti l'archivio dalla sua copia (pinctl restore -from COPIA); se vuoi davvero un archivio nuovo, sposta altrove "+
			"quella chiave e riprova (senza di essa le copie dell'archivio di prima non si aprono più); non è stato fatto nulla",
			e.keyPath, e.storePath)}
	}
	if err != nil {
		return err
	}
	defer store.Close()
	if err := e.newDesk(store).Setup(a.sede, a.first); err != nil {
		return fmt.Errorf("set up sede %s: %w", a.sede.Code, err)
	}
	fmt.Fprintf(e.stdout, "archivio pronto in %s (chiave in %s)\nsede %s %q configurata; supervisore %s creato\n",
		e.storePath, e.keyPath, a.sede.Code, a.sede.Name, a.first.ID)
	fmt.Fprintln(e.stdout, "conserva una copia del file della chiave in un luogo sicuro, separata dall'archivio: senza la chiave l'archivio non si legge")
	return nil
}
