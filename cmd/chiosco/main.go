// Command chiosco is the self-service kiosk of an INPS sede: a walk-in
// citizen chooses a language and a service, pre-fills the MV35 request one
// question per screen, and gets a queue ticket. It links no issuing code
// and reads no stored person (see ui/kiosk).
//
// Usage:
//
//	chiosco -sede NAME [-centrale URL -cert FILE -certkey FILE -ca FILE [-centrale-timeout 4s]] [-spool DIR] [-state DIR]
//	        [-printer QUEUE | -ticket-dir DIR] [-exit-code-hash HASH] [-idle 60s] [-window]
//	chiosco -hash-exit-code < code.txt
//
// The kiosk runs full screen, without window decorations, and ignores the
// window's close button. Leaving it needs the supervisor's code: three taps
// in the top-left corner open the prompt, which checks the code against
// -exit-code-hash (an argon2id hash that -hash-exit-code prints for a code
// read from standard input). Without -exit-code-hash there is no way out
// but stopping the process from outside (the kiosk's system service).
//
// With -centrale each request is posted to the central records with the
// kiosk's certificate (-cert, -certkey: pinctl ca issue -role chiosco
// -code SEDE; -ca: centrale's CA), which hand it to the desks of the sede.
// When centrale does not answer within -centrale-timeout (4 s; up to 2
// minutes on a slow link, the send, twice it, ending before the idle
// warning: 23 s with -idle 60s), it goes to the spool folder if -spool is
// given, and otherwise waits at the kiosk, its ticket saying so. From 30
// days before the certificate (or its CA's) stops working, the language
// screen and the supervisor's prompt say so to the sede's staff in a line
// of small type, and the log once a day. Without
// -centrale each request is written to the spool folder (-spool, with a
// default), from which the desks import it by its ticket code. A kiosk
// with a spool folder makes it, and its key (FOLDER.key, which the desks
// need a copy of), at its start. The day's
// queue numbers are counted in a file in -state, so that they go on after a
// restart. Tickets print on a CUPS queue (-printer), spoken to over IPP
// (ui/cups, as the desk prints) and followed until printed, or as PDF files
// in a folder (-ticket-dir, for development).
//
// Every flag can be set in a TOML file, -config or the first of the
// user's and the machine's chiosco.toml, and by a PINSEDE_CHIOSCO_*
// variable; the environment overrides the file, and flags override both
// (internal/config). Its command line (-h, the settings refused) is in
// Italian, or English when the locale says so (ui/i18n.FromLocale).
//
// main wires things together and nothing else.
package main

import (
	"bufio"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/buildinfo"
	settings "github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/internal/shutdown"
	"github.com/pinsede/pinsede/sync/kioskpost"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/kiosk"
	"github.com/pinsede/pinsede/ui/ticket"
)

// windowTitle is the title of the window.
const windowTitle = "INPS – Chiosco"

func main() {
	flag.CommandLine.Init("chiosco", flag.ContinueOnError) // its errors are told below, in the staff's language
	flag.CommandLine.SetOutput(io.Discard)
	// The options' texts, for -h, are the translations' usage.chiosco.NAME (i18n.Usage).
	home, _ := os.UserHomeDir()
	sede := flag.String("sede", "", "")
	spool := flag.String("spool", filepath.Join(home, ".local", "state", "pinsede", "kiosk-spool"), "")
	state := flag.String("state", filepath.Join(home, ".local", "state", "pinsede", "kiosk"), "")
	centrale := flag.String("centrale", "", "")
	postTimeout := flag.Duration("centrale-timeout", kioskpost.DefaultTimeout, "")
	certFile := flag.String("cert", "", "")
	certKey := flag.String("certkey", "", "")
	caFile := flag.String("ca", "", "")
	queue := flag.String("printer", "", "")
	ticketDir := flag.String("ticket-dir", "", "")
	exitHash := flag.String("exit-code-hash", "", "")
	hashCode := flag.Bool("hash-exit-code", false, "")
	idle := flag.Duration("idle", kiosk.DefaultIdle, "")
	windowed := flag.Bool("window", false, "")
	showVersion := flag.Bool("version", false, "")
	flag.String(settings.Flag, "", "")
	loader := settings.Loader{EnvPrefix: "PINSEDE_CHIOSCO_", DefaultFiles: settings.DefaultFiles("chiosco")}
	given, err := loader.Parse(flag.CommandLine, os.Args[1:])
	// The command line in the staff's language, Italian unless the
	// locale says English; the kiosk's screens load their own.
	if lerr := i18n.Load(i18n.FromLocale()); lerr != nil {
		fmt.Fprintln(os.Stderr, "chiosco:", lerr)
		os.Exit(1)
	}
	if msg := i18n.UnreadLocale(); msg != "" {
		fmt.Fprintln(os.Stderr, "chiosco:", msg)
	}
	if errors.Is(err, flag.ErrHelp) {
		i18n.Usage(os.Stdout, "chiosco", flag.CommandLine, map[string]any{
			"MinTimeout": kioskpost.MinTimeout, "MaxTimeout": kioskpost.MaxTimeout, "MinIdle": kiosk.MinIdle, "MaxIdle": kiosk.MaxIdle})
		return
	}
	if err != nil {
		for _, msg := range i18n.Settings("chiosco", err) {
			fmt.Fprintln(os.Stderr, "chiosco:", msg)
		}
		os.Exit(2)
	}
	if *showVersion {
		fmt.Println(buildinfo.String("chiosco"))
		return
	}

	if *hashCode {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		code := strings.TrimSpace(line)
		if code == "" {
			msg := lang.L("chiosco.hash.empty")
			if err != nil && !errors.Is(err, io.EOF) {
				msg += " (" + err.Error() + ")"
			}
			fmt.Fprintln(os.Stderr, "chiosco:", msg)
			os.Exit(2)
		}
		hash, err := pinsede.HashSecret([]byte(code), pinsede.DefaultPasswordParams, rand.Reader)
		if err != nil {
			fmt.Fprintln(os.Stderr, "chiosco:", err)
			os.Exit(1)
		}
		fmt.Println(hash)
		return
	}
	// usageFail says a setting refused, in the staff's language, with
	// where the value came from (i18n.Origin), and exits 2.
	usageFail := func(key string, args map[string]any, names ...string) {
		for i, name := range names {
			args[fmt.Sprintf("From%d", i+1)] = i18n.Origin(given, loader.EnvPrefix, name)
		}
		fmt.Fprintln(os.Stderr, "chiosco:", lang.L(key, args))
		os.Exit(2)
	}
	if kioskpost.CheckTimeout(*postTimeout) != nil {
		usageFail("chiosco.timeout", map[string]any{"Value": *postTimeout, "Min": kioskpost.MinTimeout, "Max": kioskpost.MaxTimeout}, "centrale-timeout")
	}
	if kiosk.CheckIdleTime(*idle) != nil {
		usageFail("chiosco.idle", map[string]any{"Value": *idle, "Min": kiosk.MinIdle, "Max": kiosk.MaxIdle}, "idle")
	}
	if *queue != "" && *ticketDir != "" {
		usageFail("chiosco.printers", map[string]any{}, "printer", "ticket-dir")
	}
	warn := kiosk.DefaultWarn // less than kiosk.MinIdle
	spoolGiven := given.Source("spool") != settings.Default
	var sink kiosk.TicketSink = kiosk.SpoolSink{Dir: *spool}
	var certExpires time.Time
	switch {
	case *centrale != "":
		if *certFile == "" || *certKey == "" || *caFile == "" {
			usageFail("chiosco.centrale.certs", map[string]any{}, "centrale")
		}
		var long *kiosk.SendWaitError
		if errors.As(kiosk.CheckSendWait(*postTimeout, kiosk.SendWaitFor(*postTimeout), *idle, warn), &long) {
			key := "chiosco.sendwait.most"
			if long.Most == 0 {
				key = "chiosco.sendwait.idle"
			}
			usageFail(key, map[string]any{"Post": long.Post, "SendWait": long.SendWait, "Warned": long.Warned, "Idle": long.Idle,
				"Most": long.Most, "MinIdle": long.MinIdle}, "centrale-timeout", "idle")
		}
		client, err := kioskpost.Load(*centrale, *certFile, *certKey, *caFile, *postTimeout)
		if fe := new(kioskpost.FileError); errors.As(err, &fe) {
			key, args := fe.Message()
			usageFail(key, args, fe.Setting)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "chiosco:", err)
			os.Exit(2)
		}
		sink = kiosk.CentraleSink{Client: client}
		certExpires = client.Expires
		if spoolGiven {
			sink = kiosk.FallbackSink{First: sink, Then: kiosk.SpoolSink{Dir: *spool}}
		}
	case *certFile != "" || *certKey != "" || *caFile != "":
		usageFail("chiosco.certs.nourl", map[string]any{})
	}

	a := app.NewWithID("it.inps.pinsede.chiosco")
	if a.Settings().ShowAnimations() {
		fmt.Fprintln(os.Stderr, "chiosco: built without -tags no_animations (make build sets it): the text cursor's animation keeps redrawing the screen while idle")
	}
	var w fyne.Window
	if drv, ok := a.Driver().(desktop.Driver); ok && !*windowed {
		w = drv.CreateSplashWindow() // no decorations
		w.SetTitle(windowTitle)
	} else {
		w = a.NewWindow(windowTitle)
	}
	w.SetMaster()
	w.SetCloseIntercept(func() {}) // only the supervisor's code closes it
	if *windowed {
		w.Resize(fyne.NewSize(1920, 1080))
	} else {
		w.SetFullScreen(true)
	}

	cfg := kiosk.Config{
		Sede:     *sede,
		Idle:     *idle,
		Warn:     warn,
		Tick:     time.Second,
		SendWait: kiosk.SendWaitFor(*postTimeout),
		Sink:     sink,
		Counter:  &ticket.Counter{Path: filepath.Join(*state, "queue.json")},
		ExitHash: *exitHash,
		OnExit:   a.Quit,
		Now:      time.Now, // the one real clock of the kiosk

		CertExpires: certExpires,
	}
	switch {
	case *queue != "":
		cfg.Printer = cups.Queue{Name: *queue}
	case *ticketDir != "":
		cfg.Printer = cups.DevFolder{Dir: *ticketDir}
	}
	if sp := kiosk.NewEspeak(); sp != nil {
		cfg.Speaker = sp
	}
	ui := kiosk.New(w, cfg)
	ui.Start()
	defer ui.Stop()

	shutdown.ExitIfStuck()         // Fyne's driver quits on SIGTERM: no Quit of ours
	shutdown.OnSignal(ui.Quitting) // a print ending from then on leaves the window alone
	w.ShowAndRun()
}
