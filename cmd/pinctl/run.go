package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/buildinfo"
	settings "github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/internal/smallfile"
	"github.com/pinsede/pinsede/local"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed, or found a problem
	exitUsage = 2 // bad arguments
)

// EnvPrefix starts the environment variables of pinctl's settings
// (PINSEDE_PINCTL_STORE, PINSEDE_PINCTL_KEY, PINSEDE_PINCTL_CONFIG).
const EnvPrefix = "PINSEDE_PINCTL_"

// passwordParams are the argon2id costs of the passwords pinctl sets.
// Tests lower them.
var passwordParams = pinsede.DefaultPasswordParams

// env is what a command runs with: the streams and the store's paths.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	storePath      string
	keyPath        string
	// now is the clock of every command: time.Now, set once in main.
	now func() time.Time
}

// command is one pinctl command.
type command struct {
	name  string // one or two words: "init", "operator add"
	args  string // synopsis of the arguments
	help  string // what it does, one line
	run   func(e *env, args []string) error
	flags func(fs *flag.FlagSet) // declares the command's flags, for its usage; nil for none
}

// commands are pinctl's commands, in the order of the usage.
var commands = []command{
	{"init", "-sede-code CODICE -sede-name NOME -sede-address INDIRIZZO -id ID -name NOME [-password-stdin]",
		"crea l'archivio, la sede e il primo supervisore", cmdInit, initFlags},
	{"operator add", "-id ID -name NOME -role operatore|supervisore [-password-stdin]",
		"aggiunge un operatore, con una password temporanea che cambierà al primo accesso", cmdOperatorAdd, operatorAddFlags},
	{"operator disable", "ID", "disabilita un operatore: non potrà più accedere", cmdOperatorDisable, nil},
	{"operator enable", "ID", "riattiva un operatore disabilitato", cmdOperatorEnable, nil},
	{"operator unlock", "ID", "sblocca un operatore bloccato dai tentativi di accesso falliti", cmdOperatorUnlock, nil},
	{"operator reset-password", "[-password-stdin] ID", "dà una password temporanea a un operatore, che la cambierà al prossimo accesso",
		cmdOperatorReset, nil},
	{"operator list", "", "elenca gli operatori con ruolo, stato e ultimo accesso", cmdOperatorList, nil},
	{"audit verify", "[-centrale URL -cert FILE -certkey FILE -ca FILE]",
		"verifica che la catena di audit sia integra e, con -centrale, che contenga i punti che centrale ne conserva", cmdAuditVerify, auditVerifyFlags},
	{"audit export", "-from GG/MM/AAAA [-to GG/MM/AAAA] [-operator ID] [-action AZIONE] [-cf CODICE] [-format csv|json] [-out FILE] [-centrale URL -cert FILE -certkey FILE -ca FILE]",
		"esporta le voci di audit di quei giorni (e di quell'operatore, di quell'azione) di questo sportello o, con -centrale, di tutta la sede; l'esportazione resta nell'audit",
		cmdAuditExport, auditExportFlags},
	{"backup", "-out FILE", "scrive una copia dell'archivio (senza la chiave) con sportello chiuso", cmdBackup, backupFlags},
	{"check", "-from FILE", "verifica una copia: si apre con la chiave, la catena di audit è integra, e ne conta i dati", cmdCheck, fromFlags},
	{"restore", "-from FILE", "verifica una copia e la mette al posto dell'archivio (con sportello chiuso), conservando quello sostituito",
		cmdRestore, fromFlags},
	{"cf", "CODICE... | -", "controlla codici fiscali (con - li legge da stdin, uno per riga) e stampa una riga JSON per ciascuno",
		cmdCF, nil},
	{"ca init", "-dir CARTELLA [-name NOME]", "crea l'autorità di certificazione per centrale", cmdCAInit, caInitFlags},
	{"ca issue", "-dir CARTELLA -role sede|chiosco|portale -code CODICE [-desk SPORTELLO] (-out PREFISSO | -bundle FILE)",
		"rilascia un certificato client (con -bundle in un solo file, da importare nelle impostazioni dello sportello)", cmdCAIssue, caIssueFlags},
	{"ca server", "-dir CARTELLA [-host NOME[,NOME...]]", "rilascia il certificato del server centrale (senza -host rinnova quello della cartella con gli stessi nomi)", cmdCAServer, caServerFlags},
	{"ca revoke", "-dir CARTELLA (-serial SERIALE [-issued-elsewhere] | -cert FILE) [-reason MOTIVO]", "revoca un certificato", cmdCARevoke, caRevokeFlags},
	{"ca renew", "-dir CARTELLA -cert FILE (-out PREFISSO | -bundle FILE) [-revoke]", "rilascia un nuovo certificato per chi ha già quello indicato (stesso ruolo, codice e sportello); per uno sportello -cert e -bundle sono pacchetti", cmdCARenew, caRenewFlags},
	{"ca crl", "-dir CARTELLA", "firma di nuovo l'elenco delle revoche, valido altri 30 giorni (centrale segnala un elenco scaduto)", cmdCACRL, caCRLFlags},
	{"ca renew-ca", "-dir CARTELLA", "rinnova il certificato della CA con la stessa chiave, valido altri 10 anni (i certificati che firma non durano oltre)", cmdCARenewCA, caCRLFlags},
	{"mrz", "< MRZ", "legge da stdin una zona a lettura ottica (MRZ) e ne stampa campi e cifre di controllo in JSON", cmdMRZ, nil},
}

// usageError is a bad argument: run prints it with the usage of the
// command and exits 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

// failure is an error already said in Italian, for the user: run prints
// it as it is. err, when set, is the error it says, for errors.Is.
type failure struct {
	msg string
	err error
}

func (f *failure) Error() string { return f.msg }
func (f *failure) Unwrap() error { return f.err }

// errReported is returned by a command that has already written why it
// failed: run exits 1 and prints nothing more.
var errReported = errors.New("failure already reported")

// run runs pinctl with args (without the program name), on the clock now,
// and returns its exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, now: now}
	defStore, defKey, defErr := local.DefaultPaths()
	fs := flag.NewFlagSet("pinctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.storePath, "store", defStore, "")
	fs.StringVar(&e.keyPath, "key", defKey, "")
	showVersion := fs.Bool("version", false, "")
	fs.String(settings.Flag, "", "")
	_, err := settings.Loader{EnvPrefix: EnvPrefix, Environ: os.Environ(), DefaultFiles: settings.DefaultFiles("pinctl")}.Parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		usage(stdout, defStore, defKey)
		return exitOK
	}
	if errors.As(err, new(*smallfile.Error)) {
		fmt.Fprintln(stderr, "pinctl: file di configurazione: "+fileMessage(err))
		return exitUsage
	}
	if bad := settings.Errors(err); len(bad) > 0 {
		for _, e := range bad {
			key, args := e.Message()
			if dkey, dargs, ok := e.Detail(); ok { // the flag package's "parse error", said
				args["Err"] = message(dkey, dargs)
			}
			fmt.Fprintln(stderr, "pinctl: "+message(key, args))
		}
		return exitUsage
	}
	if err != nil {
		return e.usageFail(flagMessage(err), nil, defStore, defKey)
	}
	if *showVersion {
		fmt.Fprintln(stdout, buildinfo.String("pinctl"))
		return exitOK
	}
	cmd, rest := lookup(fs.Args())
	if g := group(fs.Arg(0)); cmd == nil && len(g) > 0 {
		switch {
		case fs.NArg() == 2 && isHelp(fs.Arg(1)):
			groupUsage(stdout, fs.Arg(0), g)
			return exitOK
		case fs.NArg() == 1:
			fmt.Fprintf(stderr, "pinctl: manca il comando di %s\n\n", fs.Arg(0))
			groupUsage(stderr, fs.Arg(0), g)
			return exitUsage
		}
	}
	if cmd == nil {
		msg := "manca il comando"
		if fs.NArg() > 0 {
			msg = "comando sconosciuto: " + strings.Join(fs.Args()[:min(2, fs.NArg())], " ")
		}
		return e.usageFail(msg, nil, defStore, defKey)
	}
	if e.storePath == "" || e.keyPath == "" {
		fmt.Fprintf(stderr, "pinctl: non trovo la cartella predefinita dell'archivio (%v): indica -store e -key\n", defErr)
		return exitUsage
	}
	if len(rest) == 1 && isHelp(rest[0]) {
		commandUsage(stdout, cmd)
		return exitOK
	}
	err = cmd.run(e, rest)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		commandUsage(stdout, cmd)
		return exitOK
	case errors.As(err, &ue):
		return e.usageFail(ue.msg, cmd, defStore, defKey)
	case errors.Is(err, errReported):
		return exitFail
	}
	fmt.Fprintln(stderr, "pinctl: "+explain(err, e))
	return exitFail
}

// lookup finds the command named by the first one or two words of args,
// and returns it with the arguments that follow its name.
func lookup(args []string) (*command, []string) {
	for i := range commands {
		words := strings.Fields(commands[i].name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == commands[i].name {
			return &commands[i], args[len(words):]
		}
	}
	return nil, nil
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// group returns the commands whose name starts with the word name: those
// of ca, operator or audit; none for a command of one word.
func group(name string) []command {
	var g []command
	for _, c := range commands {
		if first, _, ok := strings.Cut(c.name, " "); ok && first == name {
			g = append(g, c)
		}
	}
	return g
}

// groupUsage writes the usage of the commands g of the group name.
func groupUsage(w io.Writer, name string, g []command) {
	fmt.Fprintf(w, "uso: pinctl [-store FILE] [-key FILE] %s COMANDO [argomenti]\n\ncomandi:\n", name)
	listCommands(w, g)
	if name == "ca" {
		fmt.Fprintln(w, "\n"+caPassphraseNote)
	}
}

// listCommands writes each command of cs with its arguments and what it
// does.
func listCommands(w io.Writer, cs []command) {
	for _, c := range cs {
		fmt.Fprintf(w, "  %s\n        %s\n", strings.TrimSpace(c.name+" "+c.args), c.help)
	}
}

// caPassphraseNote says how the ca commands take the CA key's passphrase.
const caPassphraseNote = "I comandi ca prendono anche -passphrase-file FILE: la passphrase della chiave della CA, dalla prima riga " +
	"del file (altrimenti $" + PassphraseEnv + "), mai sulla riga di comando; con ca init la chiave viene cifrata."

// usageFail prints a bad argument and the usage of cmd (of pinctl, when
// cmd is nil) to stderr, and returns exitUsage.
func (e *env) usageFail(msg string, cmd *command, defStore, defKey string) int {
	fmt.Fprintf(e.stderr, "pinctl: %s\n\n", msg)
	if cmd != nil {
		commandUsage(e.stderr, cmd)
	} else {
		usage(e.stderr, defStore, defKey)
	}
	return exitUsage
}

// usage writes pinctl's usage.
func usage(w io.Writer, defStore, defKey string) {
	fmt.Fprintln(w, "uso: pinctl [-config FILE] [-store FILE] [-key FILE] COMANDO [argomenti]")
	fmt.Fprintln(w, "\ncomandi:")
	listCommands(w, commands)
	fmt.Fprintln(w, "\nopzioni:")
	fmt.Fprintf(w, "  -store FILE   l'archivio della sede (predefinito: %s)\n", orNone(defStore))
	fmt.Fprintf(w, "  -key FILE     la chiave dell'archivio (predefinito: %s)\n", orNone(defKey))
	fmt.Fprintf(w, "  -config FILE  file TOML con store e key (predefinito: il primo che esiste di %s);\n", strings.Join(settings.DefaultFiles("pinctl"), ", "))
	fmt.Fprintf(w, "                le variabili %sSTORE e %sKEY lo sostituiscono, le opzioni sostituiscono entrambi\n", EnvPrefix, EnvPrefix)
	fmt.Fprintln(w, "\nLa password si digita al terminale, senza eco; con -password-stdin si legge una riga da stdin.")
	fmt.Fprintln(w, caPassphraseNote)
}

// commandUsage writes the usage of one command.
func commandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "uso: pinctl [-store FILE] [-key FILE] %s\n  %s\n", strings.TrimSpace(c.name+" "+c.args), c.help)
	if c.flags == nil {
		return
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	fmt.Fprintln(w, "\nopzioni:")
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func orNone(s string) string {
	if s == "" {
		return "nessuno"
	}
	return s
}

// parseFlags parses a command's flags, declared by declare, and refuses
// positional arguments and missing required flags.
func parseFlags(args []string, declare func(*flag.FlagSet), required ...string) error {
	fs := flag.NewFlagSet("pinctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	declare(fs)
	if err := settings.ParseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		if ve := new(settings.ValueError); errors.As(err, &ve) {
			return &usageError{msg: message("config.value.args", map[string]any{"Name": ve.Name, "Err": message(ve.Message())})}
		}
		msg := flagMessage(err)
		for _, global := range []string{"store", "key", "config"} {
			if strings.HasSuffix(err.Error(), "not defined: -"+global) {
				msg += fmt.Sprintf(": -%s va prima del comando (pinctl -%s FILE COMANDO ...)", global, global)
			}
		}
		return &usageError{msg: msg}
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "argomento inatteso: " + fs.Arg(0)}
	}
	var missing []string
	for _, name := range required {
		if strings.TrimSpace(fs.Lookup(name).Value.String()) == "" {
			missing = append(missing, "-"+name)
		}
	}
	if len(missing) > 0 {
		return &usageError{msg: "mancano le opzioni " + strings.Join(missing, ", ")}
	}
	return nil
}

// flagMessage says in Italian what the flag package found wrong.
func flagMessage(err error) string {
	s := err.Error()
	for prefix, it := range map[string]string{
		"flag provided but not defined: ": "opzione sconosciuta: ",
		"flag needs an argument: ":        "manca il valore dell'opzione ",
	} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			return it + rest
		}
	}
	return "argomenti non validi: " + s
}

// who names the person at the shell, for the audit.
func who() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "sconosciuto"
}
