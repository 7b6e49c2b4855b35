package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/smallfile"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// problemKinds name the kinds of break in the audit chain in Italian.
var problemKinds = map[string]string{
	local.ProblemModified:   "modificata",
	local.ProblemMissing:    "mancante",
	local.ProblemReordered:  "fuori ordine",
	local.ProblemUnreadable: "illeggibile",
}

// anchorKinds name the kinds of AnchorProblem in Italian.
var anchorKinds = map[string]string{
	local.AnchorDiffers: "diversa da quella che centrale conserva",
	local.AnchorMissing: "mancante",
	local.AnchorBeyond:  "oltre la fine della catena",
}

// named returns the Italian name of kind in names, or kind itself.
func named(names map[string]string, kind string) string {
	if n, ok := names[kind]; ok {
		return n
	}
	return kind
}

// centraleFlags are the flags of audit verify that reach centrale, as
// sportello's.
type centraleFlags struct{ url, cert, key, ca string }

// declare declares the flags into c.
func (c *centraleFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "centrale", "", "l'`URL` di centrale (https://centrale:8443): verifica anche i punti della catena che centrale conserva")
	fs.StringVar(&c.cert, "cert", "", "il `FILE` del certificato della sede (pinctl ca issue -role sede)")
	fs.StringVar(&c.key, "certkey", "", "il `FILE` della chiave di -cert")
	fs.StringVar(&c.ca, "ca", "", "il `FILE` della CA che firma il certificato di centrale (ca.crt)")
}

// auditVerifyFlags declares the flags of audit verify, for its usage.
func auditVerifyFlags(fs *flag.FlagSet) { new(centraleFlags).declare(fs) }

// cmdAuditVerify verifies the audit chain: it prints the count of entries
// when the chain is whole, and each break otherwise (exit 1). With
// -centrale it then checks the chain against the heads centrale keeps for
// the sede, and prints each head the chain does not hold (exit 1).
func cmdAuditVerify(e *env, args []string) error {
	var cf centraleFlags
	if err := parseFlags(args, cf.declare); err != nil {
		return err
	}
	if err := cf.check(); err != nil {
		return err
	}
	store, err := local.Open(e.storePath, e.keyPath)
	if err != nil {
		return err
	}
	defer store.Close()
	report, err := store.VerifyAudit()
	if err != nil {
		return err
	}
	if len(report.Problems) > 0 {
		fmt.Fprintf(e.stdout, "catena di audit NON integra: %d voci, %d problemi\n", report.Entries, len(report.Problems))
		for _, p := range report.Problems {
			fmt.Fprintf(e.stdout, "voce %d: %s (%s)\n", p.Seq, named(problemKinds, p.Kind), p.Detail)
		}
		fmt.Fprintln(e.stderr, "pinctl: la catena di audit è stata alterata: non modificare l'archivio, "+
			"conservane una copia e avvisa il responsabile della sede")
		return errReported
	}
	fmt.Fprintf(e.stdout, "catena di audit integra: %d voci\n", report.Entries)
	if cf.url == "" {
		return nil
	}
	return verifyAnchors(e, store, cf)
}

// check refuses -cert, -certkey and -ca without -centrale, and -centrale
// without all three.
func (c centraleFlags) check() error {
	if c.url == "" && (c.cert != "" || c.key != "" || c.ca != "") {
		return &usageError{msg: "-cert, -certkey e -ca servono con -centrale"}
	}
	if c.url != "" && (c.cert == "" || c.key == "" || c.ca == "") {
		return &usageError{msg: "con -centrale servono -cert, -certkey e -ca"}
	}
	return nil
}

// dial returns the sync client of store's sede to centrale, with the
// certificate of the flags, which must be the store's sede's, and the
// desk PC the certificate names ("" for a sede's of before desk ids).
func (c centraleFlags) dial(e *env, store *local.Store) (*client.Client, string, error) {
	var pems [3][]byte
	for i, p := range []string{c.ca, c.cert, c.key} {
		b, err := smallfile.ReadRegular(p, "PEM", pki.MaxPEMBytes)
		if err != nil {
			return nil, "", &failure{msg: fileMessage(err)}
		}
		pems[i] = b
	}
	cert, err := pki.ParseCert(pems[1])
	if err != nil {
		return nil, "", &failure{msg: fmt.Sprintf("%s non è un certificato: %v", c.cert, err)}
	}
	role, code, err := pki.Identity(cert)
	if err != nil || role != pki.RoleSede {
		return nil, "", &failure{msg: fmt.Sprintf("%s non è il certificato di una sede", c.cert)}
	}
	desk, err := pki.DeskOf(cert)
	if err != nil {
		return nil, "", &failure{msg: fmt.Sprintf("%s non è il certificato di una sede: %v", c.cert, err)}
	}
	sede, err := storeSede(store)
	if err != nil {
		return nil, "", err
	}
	if sede != code {
		return nil, "", &failure{msg: fmt.Sprintf("il certificato %s è della sede %s, l'archivio della sede %s", c.cert, code, sede)}
	}
	tlsCfg, err := pki.ClientTLS(pems[0], pems[1], pems[2])
	if err != nil {
		return nil, "", &failure{msg: fmt.Sprintf("certificato o chiave non validi: %v", err)}
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	return client.New(client.Config{URL: c.url, HTTP: hc, Sede: code, Local: store, Desk: pinsede.NewDesk(store, nil, e.now), Now: e.now}), desk, nil
}

// verifyAnchors checks the store's chain against the heads centrale keeps
// for the sede of the certificate, which must be the store's. A chain
// that does not hold them all, or that centrale has not admitted while it
// holds another chain of the certificate's desk PC (the PC set up again),
// is refused by centrale: it prints the reset that admits it (exit 1).
func verifyAnchors(e *env, store *local.Store, cf centraleFlags) error {
	c, certDesk, err := cf.dial(e, store)
	if err != nil {
		return err
	}
	sede, err := storeSede(store)
	if err != nil {
		return err
	}
	check, err := store.NewAnchorCheck()
	if err != nil {
		return err
	}
	ours := check.Report().Head.Chain
	var checkErr error           // the store's, not centrale's
	desks := map[string]string{} // the desk centrale keeps each chain for, by chain
	otherChain := false          // centrale keeps another chain of the certificate's desk
	err = c.AuditHeads(context.Background(), func(page []wire.KeptHead) error {
		for _, h := range page {
			desks[string(h.Chain)] = h.Desk
			otherChain = otherChain || h.Desk == certDesk && !bytes.Equal(h.Chain, ours)
		}
		checkErr = check.Check(page)
		return checkErr
	})
	switch {
	case checkErr != nil:
		return checkErr
	case err != nil:
		return &failure{msg: fmt.Sprintf("centrale non risponde o rifiuta la richiesta: %v", err)}
	}
	r := check.Report()
	fmt.Fprintf(e.stdout, "centrale: %d punti della catena confermati", r.Matched)
	if r.Matched > 0 {
		fmt.Fprintf(e.stdout, " (fino alla voce %d)", r.Last)
	}
	fmt.Fprintf(e.stdout, ", %d di altre catene della sede\n", r.Others)
	newChain := r.Matched == 0 && len(r.Problems) == 0 && r.Head.Seq > 0
	switch {
	case newChain && otherChain:
		fmt.Fprintf(e.stderr, "pinctl: centrale conserva un'altra catena di audit di questo sportello e rifiuta questa "+
			"finché un suo operatore non la ammette: l'archivio è stato creato di nuovo (PC reinstallato) oppure la catena è "+
			"stata riscritta dall'inizio. Conserva una copia dell'archivio e avvisa il responsabile; se è un'installazione "+
			"nuova, l'operatore di centrale ammette la catena con\n%s", resetCommand(sede, certDesk, r.Head.Chain, 0))
		return errReported
	case newChain:
		fmt.Fprintln(e.stdout, "attenzione: centrale non conserva alcun punto di questa catena: lo sportello non ha ancora sincronizzato")
	}
	if len(r.Problems) == 0 {
		return nil
	}
	for _, p := range r.Problems {
		fmt.Fprintf(e.stdout, "voce %d: %s (%s)\n", p.Seq, named(anchorKinds, p.Kind), p.Detail)
	}
	if more := r.Unheld - len(r.Problems); more > 0 {
		fmt.Fprintf(e.stdout, "... e altri %d punti dopo la voce %d\n", more, r.Problems[len(r.Problems)-1].Seq)
	}
	fmt.Fprintf(e.stderr, "pinctl: la catena di audit non contiene %d punti che centrale ha ricevuto da questo sportello: "+
		"è stata riscritta, oppure l'archivio è stato ripristinato da una copia. Conserva una copia dell'archivio e avvisa il "+
		"responsabile; se è un ripristino, l'operatore di centrale accetta la catena da quel punto con\n%s",
		r.Unheld, resetCommand(sede, desks[string(r.Head.Chain)], r.Head.Chain, r.Last))
	return errReported
}

// resetCommand is the line of centrale audit reset that admits chain for
// the sede's desk and discards what centrale keeps of it after entry to.
func resetCommand(sede, desk string, chain []byte, to uint64) string {
	return fmt.Sprintf("  centrale audit reset -sede %s%s -chain %x -to %d -by OPERATORE -reason MOTIVO\n", sede, deskFlag(desk), chain, to)
}

// deskFlag is centrale audit reset's -desk for a chain centrale keeps for
// desk: the desk PC its certificate names, none for a sede's certificate.
func deskFlag(desk string) string {
	if desk == "" {
		return ""
	}
	return " -desk " + desk
}

// storeSede returns the code of the store's sede; pinsede.ErrNotSetUp
// before set-up.
func storeSede(store *local.Store) (string, error) {
	var code string
	err := store.View(func(tx pinsede.Tx) error {
		s, err := tx.Sede()
		if errors.Is(err, pinsede.ErrNotFound) {
			return pinsede.ErrNotSetUp
		}
		code = s.Code
		return err
	})
	return code, err
}
