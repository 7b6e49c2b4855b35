package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	settings "github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/internal/smallfile"
	"github.com/pinsede/pinsede/sync/pki"
)

// The pinctl ca commands (listed in run.go's commands): the CA of the
// certificates with which sedi, kiosks and the portal authenticate to
// centrale (sync/pki).

// caArgs are the arguments of the pinctl ca commands.
type caArgs struct {
	dir, name, role, code, desk, out, hosts, serial, cert, reason string
	passFile, bundle                                              string
	revokeOld, issuedElsewhere                                    bool
}

// PassphraseEnv is the environment variable that gives the passphrase of
// the CA key, when -passphrase-file does not: never the command line.
const PassphraseEnv = "PINSEDE_CA_PASSPHRASE"

func (a *caArgs) dirFlag(fs *flag.FlagSet) {
	fs.StringVar(&a.dir, "dir", "", "cartella dell'autorità di certificazione")
	fs.StringVar(&a.passFile, "passphrase-file", "", "`file` con la passphrase della chiave della CA (altrimenti $"+PassphraseEnv+"); con ca init la chiave viene cifrata")
}

// passphrase returns the passphrase of the CA key, if one is given.
func (a *caArgs) passphrase() ([]byte, error) {
	p, _, err := settings.Secret(a.passFile, PassphraseEnv)
	if err != nil {
		return nil, fmt.Errorf("-passphrase-file: %w", err)
	}
	return []byte(p), nil
}

// load loads the CA of -dir with its passphrase.
func (a *caArgs) load() (*pki.CA, error) {
	pass, err := a.passphrase()
	if err != nil {
		return nil, err
	}
	ca, err := pki.Load(a.dir, pass)
	switch {
	case errors.Is(err, pki.ErrPassphrase) && len(pass) == 0:
		return nil, &failure{err: err, msg: fmt.Sprintf("la chiave della CA in %s è cifrata: indica il file che contiene la passphrase con -passphrase-file, oppure $%s", a.dir, PassphraseEnv)}
	case errors.Is(err, pki.ErrPassphrase):
		return nil, &failure{err: err, msg: fmt.Sprintf("la passphrase data non apre la chiave della CA in %s: controlla il file di -passphrase-file o $%s; non è stato fatto nulla", a.dir, PassphraseEnv)}
	case errors.Is(err, pki.ErrNoCA):
		return nil, &failure{err: err, msg: fmt.Sprintf("in %s non c'è un'autorità di certificazione (manca %s): controlla -dir, oppure creala con pinctl ca init", a.dir, pki.KeyFile)}
	}
	return ca, err
}

func (a *caArgs) initFlags(fs *flag.FlagSet) {
	a.dirFlag(fs)
	fs.StringVar(&a.name, "name", "pinsede CA", "nome dell'autorità")
}

func (a *caArgs) issueFlags(fs *flag.FlagSet) {
	a.dirFlag(fs)
	fs.StringVar(&a.role, "role", "sede", "ruolo: sede, chiosco o portale")
	fs.StringVar(&a.code, "code", "", "codice della sede o del chiosco (per esempio ROMA01)")
	fs.StringVar(&a.desk, "desk", "", "sportello della sede (per esempio 03): un certificato per ogni PC, revocabile da solo")
	fs.StringVar(&a.out, "out", "", "prefisso dei file: scrive PREFISSO.crt e PREFISSO.key")
	fs.StringVar(&a.bundle, "bundle", "", "scrive anche (o soltanto, senza -out) un solo `FILE` (0600) con il certificato della CA, quello rilasciato e la sua chiave: da importare nelle impostazioni dello sportello")
}

func (a *caArgs) serverFlags(fs *flag.FlagSet) {
	a.dirFlag(fs)
	fs.StringVar(&a.hosts, "host", "", "nomi e indirizzi con cui sportelli e chioschi raggiungono il server, separati da virgole; "+
		"per un rinnovo, se omesso, quelli del certificato in uso (server.crt nella cartella)")
}

func (a *caArgs) renewFlags(fs *flag.FlagSet) {
	a.dirFlag(fs)
	fs.StringVar(&a.cert, "cert", "", "file del certificato da rinnovare (sede, sportello o chiosco), o il pacchetto dello sportello (pinctl ca issue -bundle)")
	fs.StringVar(&a.out, "out", "", "prefisso dei file del nuovo certificato: PREFISSO.crt e PREFISSO.key")
	fs.StringVar(&a.bundle, "bundle", "", "scrive anche (o soltanto, senza -out) un solo `FILE` (0600) con il certificato della CA, quello nuovo e la sua chiave: "+
		"da importare nelle impostazioni dello sportello, che resta lo stesso con gli atti in attesa di invio")
	fs.BoolVar(&a.revokeOld, "revoke", false, "revoca il certificato vecchio: da usare quando quello nuovo è già installato")
}

func (a *caArgs) revokeFlags(fs *flag.FlagSet) {
	a.dirFlag(fs)
	fs.StringVar(&a.serial, "serial", "", "numero di serie (esadecimale) del certificato")
	fs.StringVar(&a.cert, "cert", "", "file del certificato da revocare")
	fs.StringVar(&a.reason, "reason", "", "motivo della revoca")
	fs.BoolVar(&a.issuedElsewhere, "issued-elsewhere", false, "con -serial: revoca anche un seriale che il registro della CA (cartella "+pki.IssuedDir+") non ha, "+
		"per un certificato firmato con la chiave di questa CA prima del registro o da un'altra copia della cartella")
}

func caInitFlags(fs *flag.FlagSet)   { new(caArgs).initFlags(fs) }
func caIssueFlags(fs *flag.FlagSet)  { new(caArgs).issueFlags(fs) }
func caServerFlags(fs *flag.FlagSet) { new(caArgs).serverFlags(fs) }
func caRevokeFlags(fs *flag.FlagSet) { new(caArgs).revokeFlags(fs) }
func caCRLFlags(fs *flag.FlagSet)    { new(caArgs).dirFlag(fs) }
func caRenewFlags(fs *flag.FlagSet)  { new(caArgs).renewFlags(fs) }

// cmdCAInit creates the CA.
func cmdCAInit(e *env, args []string) error {
	var a caArgs
	if err := parseFlags(args, a.initFlags, "dir"); err != nil {
		return err
	}
	pass, err := a.passphrase()
	if err != nil {
		return err
	}
	if _, err := pki.Init(a.dir, a.name, e.now(), pass); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "autorità di certificazione creata in %s\n", a.dir)
	if len(pass) == 0 {
		fmt.Fprintf(e.stdout, "la chiave non è cifrata: con -passphrase-file o $%s la si cifra con una passphrase\n", PassphraseEnv)
	}
	fmt.Fprintf(e.stdout, "la chiave %s firma ogni certificato: tienila su questa macchina, non sul server centrale\n",
		filepath.Join(a.dir, pki.KeyFile))
	return nil
}

// writePair writes a certificate and its key as PREFIX.crt and PREFIX.key,
// each whole or not at all. Each file it replaces (centrale's pair,
// renewed) passes its owner, group and group's permission bits to the new
// one, as packaging/README.centrale makes the key 0640 root:pinsede for
// centrale to read; others never read the key, even over a file they
// could read (settings.ReplaceFile).
func writePair(prefix string, certPEM, keyPEM []byte) error {
	err := settings.ReplaceFile(prefix+".key", keyPEM, 0o600)
	if errors.Is(err, fs.ErrPermission) {
		return &failure{err: err, msg: fmt.Sprintf("non posso scrivere %s con il proprietario e il gruppo del file che sostituisce "+
			"(%v): esegui il comando come root, o come l'utente che possiede la cartella e il file; non è stato sostituito nulla", prefix+".key", err)}
	}
	if err != nil {
		return fmt.Errorf("write the key: %w", err)
	}
	if err := settings.ReplaceFile(prefix+".crt", certPEM, 0o644); err != nil {
		return fmt.Errorf("write the certificate: %w", err)
	}
	return nil
}

// refuseExisting refuses files a client certificate would be written to
// that exist already: a certificate in use and its key, overwritten by a
// new pair, are lost to the PC that uses them (pinctl ca server alone
// writes over centrale's, in the CA folder, to renew it).
func refuseExisting(paths ...string) error {
	for _, p := range paths {
		if p == "" {
			continue
		}
		if _, err := os.Lstat(p); err == nil {
			return &failure{msg: fmt.Sprintf("il file %s esiste già: scegli un altro nome (un certificato rilasciato non ne sovrascrive un altro); non è stato fatto nulla", p)}
		}
	}
	return nil
}

// caOutFolders checks the folders of the pair of prefix out and of the
// file bundle, those given (outFolder): before the CA signs, so that no
// certificate is issued, and kept in its register, that cannot be
// written where asked.
func caOutFolders(out, bundle string) error {
	if out != "" {
		if err := outFolder("-out", out); err != nil {
			return err
		}
	}
	if bundle != "" {
		return outFolder("-bundle", bundle)
	}
	return nil
}

// pairFiles names the files of the pair PREFIX.crt and PREFIX.key, none
// for an empty prefix.
func pairFiles(prefix string) []string {
	if prefix == "" {
		return nil
	}
	return []string{prefix + ".crt", prefix + ".key"}
}

// issue issues a client certificate of role and code, of desk when not
// empty.
func issue(ca *pki.CA, role pki.Role, code, desk string, now time.Time) (certPEM, keyPEM []byte, err error) {
	if desk == "" {
		return ca.Issue(role, code, now)
	}
	return ca.IssueDesk(code, desk, now)
}

// cmdCAIssue issues a client certificate.
func cmdCAIssue(e *env, args []string) error {
	var a caArgs
	if err := parseFlags(args, a.issueFlags, "dir", "code"); err != nil {
		return err
	}
	if a.out == "" && a.bundle == "" {
		return &usageError{msg: "manca -out PREFISSO o -bundle FILE: dove scrivere il certificato"}
	}
	switch pki.Role(a.role) {
	case pki.RoleSede, pki.RoleKiosk, pki.RolePortal:
	default:
		return &usageError{msg: fmt.Sprintf("-role %q: il ruolo è sede, chiosco o portale", a.role)}
	}
	if err := refuseExisting(append(pairFiles(a.out), a.bundle)...); err != nil {
		return err
	}
	if err := caOutFolders(a.out, a.bundle); err != nil {
		return err
	}
	ca, err := a.load()
	if err != nil {
		return err
	}
	code, desk := strings.ToUpper(a.code), strings.ToUpper(a.desk)
	if desk != "" && pki.Role(a.role) != pki.RoleSede {
		return &usageError{msg: "-desk vale solo con -role sede: il chiosco resta della sede"}
	}
	certPEM, keyPEM, err := issue(ca, pki.Role(a.role), code, desk, e.now())
	if err != nil {
		return err
	}
	_, err = a.writeIssued(e, ca, certPEM, keyPEM, "rilasciato")
	return err
}

// writeIssued writes certPEM and keyPEM, just signed by ca, where a
// asks: as the pair of -out, as the bundle of -bundle (with the CA's
// certificate), or both, and says each on the output, the certificate
// done (rilasciato, rinnovato), and when it ends with the CA's.
func (a *caArgs) writeIssued(e *env, ca *pki.CA, certPEM, keyPEM []byte, done string) (*x509.Certificate, error) {
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		return nil, err
	}
	until := cert.NotAfter.Local().Format("02/01/2006")
	if a.out != "" {
		if err := writePair(a.out, certPEM, keyPEM); err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stdout, "certificato%s %s: %s.crt e %s.key (seriale %s, valido fino al %s)\n",
			holderOf(cert), done, a.out, a.out, pki.Serial(cert), until)
	}
	if a.bundle != "" {
		if err := pki.WriteBundle(a.bundle, ca.CertPEM(), certPEM, keyPEM); err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stdout, "certificato%s %s nel pacchetto %s, con il certificato della CA e la chiave (seriale %s, valido fino al %s): "+
			"si importa nelle impostazioni dello sportello (Collegamento al server centrale), poi va cancellato da dove è stato copiato\n",
			holderOf(cert), done, a.bundle, pki.Serial(cert), until)
	}
	endsWithCA(e, a.dir, ca, cert)
	return cert, nil
}

// cmdCARenew issues a new certificate for the holder of an existing one:
// the same role, code and desk, valid from now, as a pair (-out) or as a
// desk's bundle (-bundle), which the desk's settings import: the desk
// stays the same, its outbox and audit chain with it. -cert is the old
// certificate or the desk's bundle that holds it. The old one stays valid
// until it expires, or is revoked with -revoke once the new one is in
// place. centrale's own certificate is renewed by pinctl ca server.
func cmdCARenew(e *env, args []string) error {
	var a caArgs
	if err := parseFlags(args, a.renewFlags, "dir", "cert"); err != nil {
		return err
	}
	if a.out == "" && a.bundle == "" {
		return &usageError{msg: "manca -out PREFISSO o -bundle FILE: dove scrivere il certificato nuovo (-bundle per uno sportello)"}
	}
	b, err := smallfile.ReadRegular(a.cert, "PEM", pki.MaxPEMBytes)
	if err != nil {
		return err
	}
	old, err := holderCert(b)
	if err != nil {
		return fmt.Errorf("%s: %w", a.cert, err)
	}
	role, code, err := pki.Identity(old)
	if err != nil {
		return &usageError{msg: fmt.Sprintf("%s non è il certificato di una sede, di uno sportello o di un chiosco (%v): il certificato del server si rinnova con pinctl ca server", a.cert, err)}
	}
	desk, err := pki.DeskOf(old)
	if err != nil {
		return fmt.Errorf("%s: %w", a.cert, err)
	}
	if err := refuseExisting(append(pairFiles(a.out), a.bundle)...); err != nil {
		return err
	}
	if err := caOutFolders(a.out, a.bundle); err != nil {
		return err
	}
	ca, err := a.load()
	if err != nil {
		return err
	}
	if err := a.ours(ca, old); err != nil {
		return err
	}
	certPEM, keyPEM, err := issue(ca, role, code, desk, e.now())
	if err != nil {
		return err
	}
	if _, err := a.writeIssued(e, ca, certPEM, keyPEM, "rinnovato"); err != nil {
		return err
	}
	if role == pki.RoleSede {
		fmt.Fprintf(e.stdout, "lo sportello che lo installa resta lo stesso: stessa sede e stesso sportello, con gli atti in attesa di invio\n")
	}
	revoked, err := revocationOf(ca, pki.Serial(old))
	switch {
	case err != nil:
		return err
	case revoked != nil:
		fmt.Fprintf(e.stdout, "il certificato vecchio (seriale %s) è già revocato, dal %s (%s): installa il nuovo al suo posto\n",
			pki.Serial(old), revoked.At.Local().Format("02/01/2006"), revoked.Reason)
		return nil
	case !a.revokeOld:
		fmt.Fprintf(e.stdout, "il certificato vecchio (seriale %s) resta valido fino al %s: revocalo quando il nuovo è installato\n",
			pki.Serial(old), old.NotAfter.Local().Format("02/01/2006"))
		return nil
	}
	if err := ca.Revoke(pki.Serial(old), "rinnovato", e.now()); err != nil {
		return err
	}
	revokedSays(e, fmt.Sprintf("certificato vecchio (seriale %s)", pki.Serial(old)), a.dir)
	return nil
}

// revocationOf returns the revocation of serial in ca's list; nil when
// it is not revoked.
func revocationOf(ca *pki.CA, serial string) (*pki.Revocation, error) {
	revs, err := ca.Revocations()
	if err != nil {
		return nil, err
	}
	for i := range revs {
		if revs[i].Serial == serial {
			return &revs[i], nil
		}
	}
	return nil, nil
}

// revokedSays tells that the certificate what is revoked in the CA of dir,
// and that the revocation takes effect at centrale only once its crl.pem
// is copied there when the CA's folder is not centrale's (README,
// Certificates, keeps them apart): a revocation said in force left a
// stolen PC's certificate working.
func revokedSays(e *env, what, dir string) {
	fmt.Fprintf(e.stdout, "%s revocato. Se questa cartella non è quella che centrale legge (-pki o -crl), copia %s su "+
		"centrale al posto del suo: fino ad allora centrale accetta ancora il certificato. Centrale rilegge l'elenco "+
		"alla richiesta seguente, senza riavvio\n", what, filepath.Join(dir, pki.CRLFile))
}

// holderCert returns the certificate of a holder in b: the first that is
// not a CA's, so that a desk's bundle (the CA's certificate first) is
// read as its desk's certificate.
func holderCert(b []byte) (*x509.Certificate, error) {
	for rest := b; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			return nil, errors.New("nessun certificato PEM che non sia di una CA")
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, err
		}
		if !c.IsCA {
			return c, nil
		}
	}
}

// cmdCAServer issues centrale's server certificate into the CA folder, as
// server.crt and server.key, where centrale -pki looks for them. Without
// -host it renews the one there with the same names and addresses, and
// says them: centrale refuses a renewal that drops one, which desks may
// reach it by.
func cmdCAServer(e *env, args []string) error {
	var a caArgs
	if err := parseFlags(args, a.serverFlags, "dir"); err != nil {
		return err
	}
	crtPath := filepath.Join(a.dir, "server.crt")
	var hosts, kept []string
	if a.hosts != "" {
		hosts = strings.Split(a.hosts, ",")
	} else {
		b, err := smallfile.ReadRegular(crtPath, "server certificate", pki.MaxPEMBytes)
		if errors.Is(err, fs.ErrNotExist) {
			return &usageError{msg: fmt.Sprintf("manca -host: in %s non c'è un certificato del server da rinnovare, e i suoi nomi si danno la prima volta "+
				"(quelli con cui sportelli e chioschi raggiungono centrale, per esempio -host centrale.example,10.0.0.5)", a.dir)}
		}
		if err != nil {
			return err
		}
		old, err := pki.ParseCert(b)
		if err != nil {
			return fmt.Errorf("%s: %w", crtPath, err)
		}
		if hosts = pki.ServerHosts(old); len(hosts) == 0 {
			return &usageError{msg: fmt.Sprintf("manca -host: %s non nomina alcun host da riprendere", crtPath)}
		}
		kept = hosts
	}
	ca, err := a.load()
	if err != nil {
		return err
	}
	certPEM, keyPEM, err := ca.IssueServer(hosts, e.now())
	if err != nil {
		return err
	}
	if err := writePair(filepath.Join(a.dir, "server"), certPEM, keyPEM); err != nil {
		return err
	}
	cert, err := pki.ParseCert(certPEM)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "certificato del server scritto in %s, valido fino al %s, per %s\n",
		crtPath, cert.NotAfter.Local().Format("02/01/2006"), strings.Join(pki.ServerHosts(cert), ","))
	if kept != nil {
		fmt.Fprintf(e.stdout, "senza -host: gli stessi nomi e indirizzi del certificato che rinnova\n")
	}
	endsWithCA(e, a.dir, ca, cert)
	return nil
}

// cmdCARevoke revokes a certificate by serial or file.
func cmdCARevoke(e *env, args []string) error {
	var a caArgs
	if err := parseFlags(args, a.revokeFlags, "dir"); err != nil {
		return err
	}
	serial, holder := a.serial, ""
	var cert *x509.Certificate
	switch {
	case serial == "" && a.cert == "":
		return &usageError{msg: "indica -serial o -cert"}
	case serial != "" && a.cert != "":
		return &usageError{msg: "indica -serial o -cert, non entrambi"}
	case a.issuedElsewhere && serial == "":
		return &usageError{msg: "-issued-elsewhere vale solo con -serial: il certificato dato con -cert si controlla da sé"}
	case serial != "":
		s, err := pki.ParseSerial(serial)
		if err != nil {
			return &usageError{msg: fmt.Sprintf("-serial %q: un seriale è un numero esadecimale (per esempio 5f3a09c1…), come lo scrive pinctl ca issue o openssl x509 -noout -serial", serial)}
		}
		serial = s
	default:
		b, err := smallfile.ReadRegular(a.cert, "PEM", pki.MaxPEMBytes)
		if err != nil {
			return err
		}
		if cert, err = pki.ParseCert(b); err != nil {
			return fmt.Errorf("%s: %w", a.cert, err)
		}
		serial = pki.Serial(cert)
		holder = holderOf(cert)
	}
	ca, err := a.load()
	if err != nil {
		return err
	}
	if cert != nil {
		if err := a.ours(ca, cert); err != nil {
			return err
		}
	} else if holder, err = a.issued(ca, serial); err != nil {
		return err
	}
	if err := ca.Revoke(serial, a.reason, e.now()); err != nil {
		return err
	}
	revokedSays(e, "certificato "+serial+holder, a.dir)
	warnCAEnd(e, a.dir, ca)
	return nil
}

// ours refuses a.cert, cert, when the CA of a.dir did not sign it: a
// revocation there would not reach it, a renewal would give its holder a
// certificate of this CA.
func (a *caArgs) ours(ca *pki.CA, cert *x509.Certificate) error {
	if ca.Signed(cert) != nil {
		return &failure{msg: fmt.Sprintf("%s non è firmato dalla CA della cartella %s ma da un'altra (di nome «%s»): "+
			"non è stato fatto nulla; indica con -dir la cartella della CA che l'ha rilasciato", a.cert, a.dir, cert.Issuer.CommonName)}
	}
	return nil
}

// issued checks a serial to revoke against the register of the CA of
// a.dir, and names its holder (holderOf). A serial the register does not
// hold is refused, with what to check: a mistyped serial revoked would
// leave the stolen PC's certificate valid while the supervisor reads
// "revocato". -issued-elsewhere revokes it all the same, and says so.
func (a *caArgs) issued(ca *pki.CA, serial string) (string, error) {
	cert, err := ca.IssuedCert(serial)
	switch {
	case err == nil:
		return holderOf(cert), nil
	case !errors.Is(err, pki.ErrNotIssued):
		return "", err
	case a.issuedElsewhere:
		return " (fuori dal registro della CA, su richiesta: -issued-elsewhere)", nil
	}
	return "", &failure{err: err, msg: fmt.Sprintf("il seriale %s non è tra i certificati rilasciati da questa CA (registro %s): non è stato revocato nulla. "+
		"Controlla il seriale sul certificato del PC (openssl x509 -noout -serial -in FILE.crt) o revoca dando il file con -cert FILE.crt; "+
		"se il certificato è stato firmato con la chiave di questa CA fuori dal registro (prima che pinctl lo tenesse, o da un'altra copia di %s), ripeti con -issued-elsewhere",
		serial, filepath.Join(a.dir, pki.IssuedDir), a.dir)}
}

// holderOf names the holder of a certificate to revoke, for the
// supervisor to check it is the PC meant: " (sede ROMA01 sportello 03)",
// or "" when it names none.
func holderOf(cert *x509.Certificate) string {
	role, code, err := pki.Identity(cert)
	if err != nil {
		return ""
	}
	desk, err := pki.DeskOf(cert)
	if err != nil || desk == "" {
		return fmt.Sprintf(" (%s %s)", role, code)
	}
	return fmt.Sprintf(" (%s %s sportello %s)", role, code, desk)
}

// loadDir parses the flags of a ca command that takes -dir alone and
// loads the CA of -dir.
func loadDir(args []string) (caArgs, *pki.CA, error) {
	var a caArgs
	if err := parseFlags(args, a.dirFlag, "dir"); err != nil {
		return a, nil, err
	}
	ca, err := a.load()
	return a, ca, err
}

// cmdCACRL signs the revocation list again, with a higher number and a
// next update 30 days on: centrale reports a list past its next update,
// so the supervisor renews it when nothing was revoked for a while.
func cmdCACRL(e *env, args []string) error {
	a, ca, err := loadDir(args)
	if err != nil {
		return err
	}
	now := e.now()
	if err := ca.RenewCRL(now); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "elenco delle revoche firmato di nuovo: %s, valido fino al %s; copialo su centrale\n",
		filepath.Join(a.dir, pki.CRLFile), now.Add(pki.CRLValidity).Format("02/01/2006 15:04"))
	warnCAEnd(e, a.dir, ca)
	return nil
}

// CAWarning is how long before the CA's certificate ends the ca commands
// that sign say so: past it centrale, the desks and the kiosks no longer
// connect, and each needs the renewed CA and new certificates first.
const CAWarning = 90 * 24 * time.Hour

// warnCAEnd says on the output when the CA's certificate of dir ends
// within CAWarning, or has ended, and what to do.
func warnCAEnd(e *env, dir string, ca *pki.CA) {
	end := ca.NotAfter()
	if end.Sub(e.now()) >= CAWarning {
		return
	}
	fmt.Fprintf(e.stdout, "attenzione: il certificato della CA scade il %s; da allora centrale, sportelli e chioschi non si collegano più. "+
		"Rinnovalo ora: pinctl ca renew-ca -dir %s\n", end.Local().Format("02/01/2006 15:04"), dir)
}

// endsWithCA says on the output when cert, just signed, ends with the
// CA's certificate, short of its full validity, and what to do: a
// certificate is valid no longer than the CA that signs it. From CAWarning
// before, warnCAEnd says it too.
func endsWithCA(e *env, dir string, ca *pki.CA, cert *x509.Certificate) {
	if cert.NotAfter.Before(ca.NotAfter()) {
		return
	}
	fmt.Fprintf(e.stdout, "attenzione: questo certificato vale solo fino al %s, quando scade il certificato della CA che lo firma. "+
		"Per uno di due anni rinnova prima la CA (pinctl ca renew-ca -dir %s), poi rilascialo di nuovo\n",
		cert.NotAfter.Local().Format("02/01/2006 15:04"), dir)
	warnCAEnd(e, dir, ca)
}

// cmdCARenewCA signs the CA's certificate again with its key, valid ten
// more years (pki.CA.RenewCA), and says what to do with it: what the CA
// signed before stays valid on it, each until its own end, no later than
// the old CA's.
func cmdCARenewCA(e *env, args []string) error {
	a, ca, err := loadDir(args)
	if err != nil {
		return err
	}
	old := ca.NotAfter()
	if err := ca.RenewCA(e.now()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "certificato della CA rinnovato: %s, valido fino al %s, con la stessa chiave\n",
		filepath.Join(a.dir, pki.CertFile), ca.NotAfter().Local().Format("02/01/2006"))
	fmt.Fprintf(e.stdout, "i certificati già rilasciati restano validi fino alla loro scadenza, al più tardi il %s. Prima di allora:\n"+
		"  1. copia %s su centrale (-ca) e riavvialo;\n"+
		"  2. rilascia di nuovo il certificato del server (pinctl ca server -dir %s: senza -host tiene i nomi di quello in uso) e copialo su centrale;\n"+
		"  3. rinnova il pacchetto di ogni sportello (pinctl ca renew -dir %s -cert PACCHETTO -bundle NUOVO) e il certificato di ogni chiosco, con il nuovo %s (pinctl ca renew -cert … -out …).\n",
		old.Local().Format("02/01/2006 15:04"), filepath.Join(a.dir, pki.CertFile), a.dir, a.dir, pki.CertFile)
	return nil
}
