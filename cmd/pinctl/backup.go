package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
)

// outFlag declares the flag of pinctl backup into out.
func outFlag(out *string) func(*flag.FlagSet) {
	return func(fs *flag.FlagSet) { fs.StringVar(out, "out", "", "il `FILE` della copia (non deve esistere)") }
}

// fromFlag declares the flag of pinctl check and pinctl restore into from.
func fromFlag(from *string) func(*flag.FlagSet) {
	return func(fs *flag.FlagSet) { fs.StringVar(from, "from", "", "il `FILE` della copia") }
}

func backupFlags(fs *flag.FlagSet) { outFlag(new(string))(fs) }
func fromFlags(fs *flag.FlagSet)   { fromFlag(new(string))(fs) }

// storeInUse explains that a backup of a store in use is sportello's to
// make.
const storeInUse = "l'archivio è in uso (sportello è aperto?): pinctl non può leggerlo mentre sportello lo tiene; " +
	"la copia a caldo la fa sportello stesso (avvialo con -backup-dir CARTELLA), oppure chiudi sportello e riprova"

// cmdBackup writes a copy of the store to a new file: the sealed data
// only, never the key. A damaged store leaves no copy: a failure that
// says so, and to restore a copy of before.
func cmdBackup(e *env, args []string) error {
	var out string
	if err := parseFlags(args, outFlag(&out), "out"); err != nil {
		return err
	}
	if err := outFolder("-out", out); err != nil {
		return err
	}
	// Not opened to write: a copy before an update keeps the schema of
	// the version before, to go back to.
	n, err := local.BackupStore(e.storePath, e.keyPath, out, e.now())
	switch {
	case errors.Is(err, local.ErrAlreadyOpen):
		return &failure{msg: storeInUse}
	case errors.Is(err, local.ErrCorrupt):
		return &failure{msg: fmt.Sprintf("l'archivio %s è danneggiato: copia non scritta (non servirebbe a ripristinarlo). "+
			"Non è stato toccato nulla, nemmeno le copie che ci sono già: ripristina l'archivio da una copia di prima del danno "+
			"(pinctl check -from COPIA la verifica, pinctl restore -from COPIA la mette al suo posto)\n  dettaglio: %v",
			e.storePath, err), err: err}
	case errors.Is(err, local.ErrExists):
		return &failure{msg: fmt.Sprintf("il file %s esiste già: scegli un altro nome (una copia non ne sovrascrive un'altra)", out)}
	}
	// A file that could not be made beside out: the copy's.
	if pe := new(fs.PathError); errors.As(err, &pe) && filepath.Dir(pe.Path) == filepath.Dir(out) {
		why, todo := writeProblem("-out", filepath.Dir(out), err)
		return &failure{msg: fmt.Sprintf("copia non scritta in %s: %s.\nNon è stato scritto nulla: %s, poi ripeti il comando", out, why, todo)}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "copia dell'archivio scritta in %s (%d byte)\n", out, n)
	fmt.Fprintf(e.stdout, "la copia non contiene la chiave: conserva la chiave %s a parte, non insieme alla copia\n", e.keyPath)
	return nil
}

// cmdCheck verifies a copy of the store with the store's key: it opens,
// its audit chain verifies, and its records are counted.
func cmdCheck(e *env, args []string) error {
	var from string
	if err := parseFlags(args, fromFlag(&from), "from"); err != nil {
		return err
	}
	_, err := e.checkCopy(from)
	return err
}

// checkCopy checks the copy at from and prints what it found; a copy whose
// audit chain is broken is errReported.
func (e *env) checkCopy(from string) (local.CopyReport, error) {
	r, err := local.CheckCopy(from, e.keyPath, e.now())
	if err != nil {
		return r, e.copyError(from, err)
	}
	c := r.Counts
	fmt.Fprintf(e.stdout, "copia %s: si apre con la chiave %s (schema %d)\n", from, e.keyPath, r.Schema)
	fmt.Fprintf(e.stdout, "operatori: %d\n", c.Operators)
	fmt.Fprintf(e.stdout, "cittadini: %d\n", c.Citizens)
	fmt.Fprintf(e.stdout, "credenziali: %d attive, %d revocate, %d scadute\n",
		c.Credentials[pinsede.StateAttivo], c.Credentials[pinsede.StateRevocato], c.Credentials[pinsede.StateScaduto])
	fmt.Fprintf(e.stdout, "deleghe: %d\n", c.Delegations)
	fmt.Fprintf(e.stdout, "eventi da inviare a centrale: %d\n", c.Outbox)
	if len(r.Audit.Problems) == 0 {
		fmt.Fprintf(e.stdout, "catena di audit integra: %d voci\n", r.Audit.Entries)
		return r, nil
	}
	fmt.Fprintf(e.stdout, "catena di audit NON integra: %d voci, %d problemi\n", r.Audit.Entries, len(r.Audit.Problems))
	for _, p := range r.Audit.Problems {
		kind, ok := problemKinds[p.Kind]
		if !ok {
			kind = p.Kind
		}
		fmt.Fprintf(e.stdout, "voce %d: %s (%s)\n", p.Seq, kind, p.Detail)
	}
	fmt.Fprintln(e.stderr, "pinctl: la catena di audit della copia è stata alterata: non usarla per il ripristino, "+
		"conservala e avvisa il responsabile della sede")
	return r, errReported
}

// copyError says in Italian why the copy at from could not be checked.
func (e *env) copyError(from string, err error) error {
	switch {
	case errors.Is(err, local.ErrNoStore):
		return &failure{msg: fmt.Sprintf("copia non trovata in %s: controlla -from", from)}
	case errors.Is(err, local.ErrWrongKey):
		return &failure{msg: fmt.Sprintf("la chiave %s non apre la copia %s: è la copia di un altro archivio, "+
			"o la chiave non è quella giusta (indicala con -key)", e.keyPath, from)}
	case errors.Is(err, local.ErrCorrupt):
		return &failure{msg: fmt.Sprintf("la copia %s è danneggiata o non è un archivio pinsede: usane un'altra\n  dettaglio: %v", from, err)}
	case errors.Is(err, local.ErrAlreadyOpen):
		return &failure{msg: fmt.Sprintf("il file %s è aperto da un altro programma: è l'archivio in uso, non una copia?", from)}
	case errors.Is(err, local.ErrSchemaTooNew):
		return &failure{msg: fmt.Sprintf("la copia %s è stata scritta da una versione più recente di pinsede: aggiorna pinctl", from)}
	}
	return err
}

// cmdRestore checks a copy and puts it in place of the store, keeping the
// store it replaces; it refuses while sportello holds the store. Before
// and after, it says what a copy older than the desk's last sync brings:
// centrale's operator must confirm the restore, and the PINs issued
// meanwhile do not work at the portal.
func cmdRestore(e *env, args []string) error {
	var from string
	if err := parseFlags(args, fromFlag(&from), "from"); err != nil {
		return err
	}
	if _, err := e.checkCopy(from); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, restoreBefore)
	res, err := local.Restore(from, e.storePath, e.keyPath, e.now())
	if errors.Is(err, local.ErrAlreadyOpen) {
		return &failure{msg: "l'archivio è in uso (sportello è aperto?): chiudi sportello e riprova; l'archivio non è stato toccato"}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "archivio %s ripristinato dalla copia %s\n", e.storePath, from)
	if res.Previous != "" {
		fmt.Fprintf(e.stdout, "l'archivio sostituito è conservato in %s\n", res.Previous)
	}
	for _, p := range res.Printing {
		fmt.Fprintf(e.stdout, "busta n. %s (operatore %s, stampa iniziata il %s): era in stampa quando è stata fatta la copia; "+
			"il PIN resta attivo: se il cittadino ha la busta vale, se no l'operatore lo revochi dalla pagina del cittadino "+
			"(glielo dice sportello al prossimo accesso)\n",
			p.SlipSerial, p.Operator, p.Started.Local().Format("02/01/2006 15:04"))
	}
	fmt.Fprintln(e.stdout, restoreAfter)
	return nil
}

// restoreBefore and restoreAfter are what restore says before it puts
// the copy in place, and after.
const (
	restoreBefore = "attenzione: se dopo questa copia sportello ha sincronizzato con centrale, la copia è più vecchia di quanto " +
		"centrale conserva: centrale rifiuterà il registro di audit dello sportello, e con esso i dati nuovi, finché il servizio " +
		"centrale non conferma il ripristino (centrale audit reset); fino ad allora i PIN emessi dopo il ripristino risultano " +
		"errati al portale"
	restoreAfter = "al prossimo avvio sportello invia di nuovo a centrale gli eventi della copia (quelli che centrale ha già " +
		"non contano due volte) e si fa restituire da centrale i propri dati successivi alla copia (PIN emessi, consegne, " +
		"revoche, deleghe); se aveva sincronizzato dopo la copia, il responsabile chiami il servizio centrale indicando sede e " +
		"sportello: pinctl audit verify -centrale … stampa il comando da dargli. Finché centrale non conferma il ripristino, " +
		"i PIN emessi dopo risultano errati al portale: sportello lo dice all'operatore prima della consegna, e la busta " +
		"dice «in attesa di attivazione»"
)
