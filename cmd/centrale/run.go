package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/buildinfo"
	settings "github.com/pinsede/pinsede/internal/config"
	"github.com/pinsede/pinsede/internal/logging"
	"github.com/pinsede/pinsede/internal/smallfile"
	"github.com/pinsede/pinsede/sync/boltstore"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pgstore"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/server"
	"github.com/pinsede/pinsede/sync/wire"
)

// config is what the flags say.
type config struct {
	listen   string
	pkiDir   string
	caFile   string
	crlFile  string
	certFile string
	keyFile  string
	boltPath string
	// pg is the PostgreSQL store, when given (pgpassword.go);
	// stuckAfter is -pg-stuck-after (0: its default, stuck.go).
	pg         pgConn
	stuckAfter time.Duration
	// lock is the wrong-PIN lock policy (-lock-*).
	lock central.LockPolicy
	// backupDir, backupEvery and backupKeep are the online copies of
	// the bbolt store (-backup-dir).
	backupDir   string
	backupEvery time.Duration
	backupKeep  int
	// policy is the eligibility policy served to the sedi.
	policy pinsede.Policy
	// limits bound the pushed events (-pin-params, -max-clock-skew,
	// -max-event-age).
	limits central.Limits
	// verify bound the PIN checks (-verify-*).
	verify server.VerifyLimits
	// push bounds the pushes read and applied at once (-push-*).
	push   server.PushLimits
	pull   server.PullLimits
	volume server.PushVolume
	// lookup bounds each certificate's lookups of a codice fiscale
	// (-lookup-*).
	lookup server.LookupLimits
	// conns bound the API's connections (-conn-*), manageConns the
	// management listener's (-manage-conn-max, -manage-conn-per-source);
	// fdLimit is the descriptor limit the API's defaults come from.
	conns, manageConns server.ConnLimits
	fdLimit            uint64
	// writeStall is how long an HTTP/2 connection of the API may take
	// none of the bytes centrale has for it before it is closed
	// (-conn-write-stall).
	writeStall time.Duration
	// manage is the management listener's address (-manage; "" none),
	// certMargin how long before the server certificate's expiry it is
	// not ready, drainDelay how long the API keeps accepting after the
	// stop was asked, /readyz answering 503 (observe.go).
	manage                 string
	certMargin, drainDelay time.Duration
	// logFormat and logLevel make the log (-log-format, -log-level).
	logFormat, logLevel string
	// configFile is the settings file read (-config); "" none.
	configFile string
	// listenFrom and manageFrom say where -listen and -manage got their
	// values (listen.go).
	listenFrom, manageFrom settings.Source
	// admin is the Unix socket of the operators' subcommands (-admin;
	// "" none, admin.go).
	admin string
	// now is the clock of the records: time.Now, a test's clock in the
	// tests.
	now func() time.Time
}

// paramsFlag is the repeatable -pin-params flag.
type paramsFlag struct{ ps *[]pinsede.Argon2Params }

func (f paramsFlag) String() string {
	if f.ps == nil {
		return ""
	}
	s := make([]string, len(*f.ps))
	for i, p := range *f.ps {
		s[i] = p.String()
	}
	return strings.Join(s, " ")
}

func (f paramsFlag) Set(v string) error {
	p, err := pinsede.ParseArgon2Params(v)
	if err != nil {
		return err
	}
	*f.ps = append(*f.ps, p)
	return nil
}

// parse reads the flags; the files not given default to the -pki folder.
func parse(args []string, stderr io.Writer) (config, error) {
	c := config{now: time.Now}
	fs := flag.NewFlagSet("centrale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serverUsage)
		fs.PrintDefaults()
	}
	showVersion := fs.Bool("version", false, "print the version, commit and build time, and quit")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8443", "address to listen on")
	fs.StringVar(&c.pkiDir, "pki", "", "folder with ca.crt, crl.pem, server.crt and server.key (pinctl ca init / ca server)")
	fs.StringVar(&c.caFile, "ca", "", "CA certificate that signs the clients (default PKI/ca.crt)")
	fs.StringVar(&c.crlFile, "crl", "", "revocation list, read again when it changes (default PKI/crl.pem)")
	fs.StringVar(&c.certFile, "cert", "", "server certificate (default PKI/server.crt)")
	fs.StringVar(&c.keyFile, "key", "", "server key (default PKI/server.key)")
	fs.StringVar(&c.boltPath, "bolt", "centrale.db", "bbolt store file, when -postgres is not given")
	pgFlags(fs, &c.pg)
	fs.DurationVar(&c.stuckAfter, "pg-stuck-after", 0, fmt.Sprintf("with -postgres: how long a session of centrale's may wait on its replica inside a statement, holding a sede's lock, before the replicas end it (its replica stopped: a debugger, docker pause); at least the sessions' statement_timeout plus %s; 0: that, %s at centrale's statement_timeout of %s",
		pgstore.StuckMargin, pgstore.DefaultStatementTimeout+pgstore.StuckMargin, pgstore.DefaultStatementTimeout))
	fs.IntVar(&c.lock.After, "lock-after", central.DefaultLockAfter, "wrong PINs in a row that lock a credential")
	fs.DurationVar(&c.lock.For, "lock-for", central.DefaultLockFor, "how long the first lock lasts; each further one lasts twice as long")
	fs.IntVar(&c.lock.MaxTemporary, "lock-temporary", central.DefaultMaxTemporaryLocks, "temporary locks before the next lock is permanent (lifted by centrale unlock)")
	fs.DurationVar(&c.lock.ResetAfter, "lock-reset", central.DefaultLockReset, "time with no wrong PIN after which wrong PINs and temporary locks are forgotten")
	fs.StringVar(&c.backupDir, "backup-dir", "", "with -bolt: copy the store into this `folder` at start and then every -backup-every, while centrale runs")
	fs.DurationVar(&c.backupEvery, "backup-every", time.Hour, "the `interval` between two copies of -backup-dir (0: at start only)")
	fs.IntVar(&c.backupKeep, "backup-keep", 48, "how many `copies` -backup-dir keeps, the newest (0: all)")
	policyPath := fs.String("policy", "", "eligibility policy `file` (JSON, see README) served to every sede; none: the built-in policy")
	fs.Var(paramsFlag{&c.limits.PINParams}, "pin-params",
		"argon2id `cost` a pushed PIN hash may carry, as m=KIB,t=PASSES,p=LANES; repeat for each (default "+pinsede.DefaultPINParams.String()+", the desks')")
	fs.DurationVar(&c.limits.MaxSkew, "max-clock-skew", central.DefaultMaxSkew, "how far after centrale's clock a pushed event's time may be, and how far off it a desk's clock may be before centrale moves its push's times")
	fs.DurationVar(&c.limits.MaxAge, "max-event-age", central.DefaultMaxAge, "how far before centrale's clock a pushed event's time may be")
	fs.IntVar(&c.limits.Tickets, "kiosk-tickets", central.DefaultTickets, "kiosk tickets a sede may hold in a day; one more is refused with a 429 until the next day")
	memMiB := fs.Int64("verify-memory", server.DefaultVerifyMemory>>20, "MiB the PIN checks running at once may take together")
	fs.IntVar(&c.verify.Slots, "verify-slots", 0, "PIN checks run at once (default: -verify-memory over a check's memory, at most 2 per core)")
	fs.IntVar(&c.verify.Ahead, "verify-ahead", 0, "PIN checks, beyond the slots, that may count their attempt at the store while the slots hash (default: as many as the slots)")
	fs.IntVar(&c.verify.Queue, "verify-queue", 0, fmt.Sprintf("PIN checks that may wait for a place, in a slot or ahead (default %d per slot)", server.DefaultQueuePerSlot))
	fs.DurationVar(&c.verify.Wait, "verify-wait", server.DefaultVerifyWait, "longest a PIN check waits for a slot before a 503")
	fs.Float64Var(&c.verify.CertRate, "verify-cert-rate", server.DefaultCertRate, "PIN checks a second per client certificate")
	fs.IntVar(&c.verify.CertBurst, "verify-cert-burst", server.DefaultCertBurst, "PIN checks at once per client certificate")
	cfPerMinute := fs.Float64("verify-cf-rate", server.DefaultCFRate*60, "PIN checks a minute per codice fiscale")
	fs.IntVar(&c.verify.CFBurst, "verify-cf-burst", server.DefaultCFBurst, "PIN checks at once per codice fiscale")
	fs.IntVar(&c.verify.Buckets, "verify-buckets", server.DefaultBuckets, "certificates and codici fiscali whose rate is remembered, each")
	pushMiB := fs.Int64("push-memory", server.DefaultPushMemory>>20, fmt.Sprintf("MiB the pushes read and applied at once may take together, each counted at %d MiB", server.PushMemoryFactor*wire.MaxPushBytes>>20))
	fs.IntVar(&c.push.Slots, "push-slots", 0, "pushes read and applied at once (default: -push-memory over a push's memory)")
	fs.IntVar(&c.push.Queue, "push-queue", 0, fmt.Sprintf("pushes that may wait for a slot (default %d per slot)", server.DefaultPushQueuePerSlot))
	fs.DurationVar(&c.push.Wait, "push-wait", server.DefaultPushWait, "longest a push waits for a slot before a 503 (the desk sends again at its next sync)")
	fs.IntVar(&c.push.PerCert, "push-per-cert", 0, fmt.Sprintf("pushes one client certificate may have in hand at once, in a slot or waiting (default: the slots over %d, at least 1)", server.DefaultPushCertShare))
	fs.IntVar(&c.volume.Events, "push-events", server.DefaultPushEvents, fmt.Sprintf("events one desk certificate may push in a row, refilled over -push-events-refill; a push past them is a 429 and the desk keeps it (at least %d, one whole push)", wire.MaxBatch))
	fs.DurationVar(&c.volume.Refill, "push-events-refill", server.DefaultPushRefill, "how long a desk's -push-events take to refill once spent")
	pullMiB := fs.Int64("pull-memory", server.DefaultPullMemory>>20, fmt.Sprintf("MiB the pulls (GET /v1/changes) answered at once may take together, each counted at %d MiB", server.PullMemory>>20))
	fs.IntVar(&c.pull.Queue, "pull-queue", 0, fmt.Sprintf("pulls that may wait for a slot (default %d per slot)", server.DefaultPullQueuePerSlot))
	fs.DurationVar(&c.pull.Wait, "pull-wait", server.DefaultPullWait, "longest a pull waits for a slot before a 503 (the desk pulls again at its next sync)")
	fs.IntVar(&c.pull.PerCert, "pull-per-cert", server.DefaultPullPerCert, "pulls one client certificate may have in hand at once; one more is a 429")
	lookupPerMinute := fs.Float64("lookup-rate", server.DefaultLookupRate*60, "lookups of a codice fiscale (GET /v1/credentials) a minute per client certificate, past -lookup-burst")
	fs.IntVar(&c.lookup.Burst, "lookup-burst", server.DefaultLookupBurst, "lookups of a codice fiscale one client certificate may make in a row")
	c.fdLimit = server.DescriptorLimit()
	def := server.DefaultConnLimits(c.fdLimit)
	fs.IntVar(&c.conns.Max, "conn-max", def.Max, fmt.Sprintf("API connections open at once, those in their handshake included; past it a new one is closed at once (default: the descriptor limit, %d here, less %d, at most %d)", c.fdLimit, server.DescriptorReserve, server.MaxDefaultConns))
	fs.IntVar(&c.conns.PerSource, "conn-per-source", -1, "API connections open at once from one address (an IPv6 /64); -1: half of -conn-max; 0: no bound but -conn-max, behind a load balancer that hides the clients' addresses (README)")
	fs.DurationVar(&c.conns.Handshake, "conn-handshake", server.DefaultHandshake, "longest a TLS handshake may take from the connection's accept, whatever the request's timeouts")
	fs.DurationVar(&c.writeStall, "conn-write-stall", server.DefaultWriteStall, "longest an HTTP/2 connection of the API may take none of the bytes centrale has for it before it is closed with its requests (HTTP/1.1's 30 s write timeout bounds a whole answer)")
	fs.IntVar(&c.manageConns.Max, "manage-conn-max", server.DefaultManageConns, "connections the management listener keeps open at once")
	fs.IntVar(&c.manageConns.PerSource, "manage-conn-per-source", server.DefaultManagePerSource, "connections the management listener keeps open at once from one address (an IPv6 /64), so that one client cannot take the places of the health checks and Prometheus; 0: no bound but -manage-conn-max (set 0 when a proxy or sidecar connects for every client: all then come from its one address)")
	observeFlags(fs, &c) // observe.go
	fs.StringVar(&c.admin, "admin", DefaultAdminSocket, "`socket` (a Unix socket, made 0600) on which the subcommands unlock, revoke, credentials, sedi and audit reach this centrale while it runs (\"\": none)")
	fs.String(settings.Flag, "", "TOML `file` of settings, keys named as the flags; PINSEDE_CENTRALE_* variables override it, and flags override both (README)")
	st, err := settings.Loader{EnvPrefix: EnvPrefix}.Parse(fs, args)
	if err != nil {
		return c, err
	}
	c.pg.fromArgs = st.Source("postgres") == settings.Args
	c.configFile = st.File
	c.listenFrom, c.manageFrom = st.Source("listen"), st.Source("manage")
	if *showVersion {
		return c, errVersion
	}
	if fs.NArg() > 0 {
		return c, extraArgs(fs.Args())
	}
	inPKI := func(p *string, name string) {
		if *p == "" && c.pkiDir != "" {
			*p = filepath.Join(c.pkiDir, name)
		}
	}
	inPKI(&c.caFile, pki.CertFile)
	inPKI(&c.crlFile, pki.CRLFile)
	inPKI(&c.certFile, "server.crt")
	inPKI(&c.keyFile, "server.key")
	if c.caFile == "" || c.certFile == "" || c.keyFile == "" {
		return c, errors.New("give -pki, or -ca, -cert and -key")
	}
	if _, err := c.pg.dsn(); err != nil {
		return c, err
	}
	switch {
	case c.stuckAfter < 0:
		return c, errors.New("-pg-stuck-after must not be negative (leave it out for the sessions' statement_timeout plus " + pgstore.StuckMargin.String() + ")")
	case c.stuckAfter != 0 && c.pg.DSN == "":
		return c, errors.New("-pg-stuck-after is for the PostgreSQL store (-postgres): the bbolt store has no sessions to end")
	}
	if c.backupDir != "" && c.pg.DSN != "" {
		return c, errors.New("-backup-dir copies the bbolt store: for PostgreSQL use scripts/pg-backup.sh")
	}
	if err := c.lock.Validate(); err != nil {
		return c, fmt.Errorf("-lock-*: %w", err)
	}
	switch {
	case c.certMargin <= 0:
		return c, errors.New("-ready-cert-margin must be positive")
	case c.drainDelay < 0 || c.drainDelay > MaxDrainDelay:
		return c, fmt.Errorf("-drain-delay must be between 0 and %s", MaxDrainDelay)
	case c.limits.MaxSkew <= 0 || c.limits.MaxAge <= 0:
		return c, errors.New("-max-clock-skew and -max-event-age must be positive")
	case c.limits.Tickets < 1:
		return c, errors.New("-kiosk-tickets must be at least 1")
	case *memMiB < 1 || c.verify.Slots < 0 || c.verify.Ahead < 0 || c.verify.Queue < 0 || c.verify.Wait <= 0:
		return c, errors.New("-verify-memory must be at least 1, -verify-slots, -verify-ahead and -verify-queue not negative, -verify-wait positive")
	case c.verify.CertRate <= 0 || *cfPerMinute <= 0 || c.verify.CertBurst < 1 || c.verify.CFBurst < 1 || c.verify.Buckets < 1:
		return c, errors.New("the -verify-*-rate must be positive, the -verify-*-burst and -verify-buckets at least 1")
	case c.volume.Events < wire.MaxBatch || c.volume.Refill <= 0:
		return c, fmt.Errorf("-push-events must be at least %d (one whole push), -push-events-refill positive", wire.MaxBatch)
	case *pullMiB < 1 || c.pull.Queue < 0 || c.pull.Wait <= 0 || c.pull.PerCert < 1:
		return c, errors.New("-pull-memory and -pull-per-cert must be at least 1, -pull-queue not negative, -pull-wait positive")
	case *lookupPerMinute <= 0 || c.lookup.Burst < 1:
		return c, errors.New("-lookup-rate must be positive, -lookup-burst at least 1")
	case *pushMiB < 1 || c.push.Slots < 0 || c.push.Queue < 0 || c.push.Wait <= 0 || c.push.PerCert < 0:
		return c, errors.New("-push-memory must be at least 1, -push-slots, -push-queue and -push-per-cert not negative, -push-wait positive")
	case c.conns.Max < 1 || c.conns.PerSource < -1 || c.conns.Handshake <= 0 || c.writeStall <= 0 || c.manageConns.Max < 1 || c.manageConns.PerSource < 0:
		return c, errors.New("-conn-max and -manage-conn-max must be at least 1, -conn-per-source at least -1, -manage-conn-per-source at least 0, -conn-handshake and -conn-write-stall positive")
	}
	if c.conns.PerSource == -1 {
		c.conns.PerSource = max(c.conns.Max/2, 1)
	}
	c.push.MemoryBudget = *pushMiB << 20
	c.pull.MemoryBudget = *pullMiB << 20
	c.lookup.Rate = *lookupPerMinute / 60
	c.limits = c.limits.WithDefaults()
	c.verify.MemoryBudget, c.verify.CFRate = *memMiB<<20, *cfPerMinute/60
	c.policy = pinsede.DefaultPolicy()
	if *policyPath != "" {
		p, err := pinsede.LoadPolicy(*policyPath)
		if err != nil {
			return c, err
		}
		c.policy = p
	}
	return c, nil
}

// EnvPrefix starts the environment variables of centrale's settings.
const EnvPrefix = "PINSEDE_CENTRALE_"

// openStore opens the PostgreSQL store of pg, or else the bbolt store at
// boltPath. A database it cannot connect to is told on one line with
// what to do (connectAdvice).
func openStore(ctx context.Context, boltPath string, pg pgConn) (central.Store, error) {
	dsn, err := pg.dsn()
	if err != nil {
		return nil, err
	}
	if dsn == "" {
		return boltstore.Open(boltPath)
	}
	s, err := pgstore.Open(ctx, dsn)
	var ce *pgstore.ConnectError
	if errors.As(err, &ce) {
		return nil, fmt.Errorf("%w: %s", ce, connectAdvice(ce))
	}
	return s, err
}

// connectAdvice says what the operator does about a database centrale
// cannot connect to.
func connectAdvice(e *pgstore.ConnectError) string {
	switch e.Reason {
	case pgstore.ConnectPassword:
		return "give the role's password, as PostgreSQL has it, in the file of -pg-password-file or in " + PasswordEnv + " (ALTER ROLE … PASSWORD sets it in PostgreSQL)"
	case pgstore.ConnectRole:
		return "check the user of -postgres, that the role exists and may log in (CREATE ROLE … LOGIN), and that pg_hba.conf lets it in from this host"
	case pgstore.ConnectDatabase:
		return fmt.Sprintf("check the database of -postgres, or create it (createdb -O %s %s): centrale makes its tables when it starts", e.User, e.Database)
	case pgstore.ConnectNotListening:
		return "start PostgreSQL, or put its host and port right in -postgres"
	case pgstore.ConnectNoAnswer:
		return "check that its host is up and that no firewall drops what goes to its port, or put the host and port right in -postgres (connect_timeout in it sets the wait)"
	case pgstore.ConnectUnknownHost:
		return "put the host right in -postgres"
	}
	return "check -postgres and that PostgreSQL runs there"
}

// errVersion is parse's answer to -version: run prints the version.
var errVersion = errors.New("-version")

// run starts centrale and serves until ctx ends, or runs the subcommand
// its first argument names; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if sub, ok := subcommand(args[0]); ok {
			return sub.run(ctx, args[1:], stdout, stderr)
		}
	}
	c, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errVersion) {
		fmt.Fprintln(stdout, buildinfo.String("centrale"))
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "centrale:", err)
		return 2
	}
	log, err := logging.New(stdout, c.logFormat, c.logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "centrale:", err)
		return 2
	}
	if err := serve(ctx, c, log, nil); err != nil {
		fmt.Fprintln(stderr, "centrale:", err)
		return 1
	}
	return 0
}

// listening is where serve listens: the API, the management listener
// and the admin socket ("" when none).
type listening struct{ api, manage, admin string }

// serve opens the store and serves the API until ctx ends. When ready is
// not nil, it receives the addresses listened on.
func serve(ctx context.Context, c config, log *slog.Logger, ready chan<- listening) error {
	read := func(p string) ([]byte, error) {
		b, err := smallfile.ReadRegular(p, "PEM", pki.MaxPEMBytes)
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	caPEM, err := read(c.caFile)
	if err != nil {
		return err
	}
	// The certificate is read again when its files change (pinctl ca
	// server renews it): no restart.
	cert, err := pki.NewServerCert(c.certFile, c.keyFile, caPEM, c.now, log)
	if err != nil {
		return err
	}
	tlsCfg, err := pki.ServerTLSFile(caPEM, cert)
	if err != nil {
		return err
	}
	var crl *pki.CRL
	if c.crlFile != "" {
		caCert, err := pki.ParseCert(caPEM)
		if err != nil {
			return fmt.Errorf("CA certificate %s: %w", c.caFile, err)
		}
		if crl, err = pki.NewCRL(c.crlFile, caCert, c.now, log); err != nil {
			return err
		}
	}
	if mode, ok := c.pg.exposed(); ok {
		log.Warn("the PostgreSQL password file can be read by other users than its owner: make it 0600, owned by centrale's user",
			"file", c.pg.PasswordFile, "mode", fmt.Sprintf("%04o", mode))
	}
	opening := time.Now()
	store, err := openStore(ctx, c.boltPath, c.pg)
	if err != nil {
		log.Error("central store cannot be opened", "err", err)
		return err
	}
	defer store.Close()
	if b, ok := store.(*boltstore.Store); ok && b.Rebuilt() {
		log.Info("central store's indexes built again: first start of a release that stamps its writes, or an older centrale wrote the file since",
			"path", c.boltPath, "took", time.Since(opening).Round(time.Millisecond))
	}
	// A replica stopped inside a statement holding a sede's lock: its
	// session ended after stuckAfter (stuck.go).
	var stuckAfter time.Duration
	if pg, ok := store.(*pgstore.Store); ok {
		st, err := pg.StatementTimeout(ctx)
		if err == nil {
			stuckAfter, err = stuckWait(c.stuckAfter, st)
		}
		if err != nil {
			log.Error("central store cannot be used", "err", err)
			return err
		}
		log.Info("sessions stuck inside a statement are ended", "pg_stuck_after", stuckAfter, "statement_timeout", st)
		if st == 0 {
			log.Warn("the sessions' statement_timeout is off (statement_timeout=0 in -postgres): a statement that runs longer than pg_stuck_after while its replica is slow to send may be ended as a replica stopped; give -postgres a statement_timeout, or take it out for centrale's own",
				"pg_stuck_after", stuckAfter, "default_statement_timeout", pgstore.DefaultStatementTimeout)
		}
	}
	if crl != nil { // the list's number shared by the replicas of one database
		if err := crl.SetFloor(func(n *big.Int) (*big.Int, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return store.RaiseCRLNumber(ctx, n)
		}); err != nil {
			return err
		}
	}

	verifier := central.NewVerifier(store, c.lock.After, c.now)
	verifier.Lock = c.lock
	srv := server.New(store, verifier, crl, log, c.now)
	srv.Cert = cert         // its refused files and its end in /v1/health, /readyz and the status page
	srv.SetLimits(c.limits) // the store's, and the server's clock check of a push
	srv.SetPolicy(c.policy)
	// A check hashes with the cost of the hash it checks, the sede's or
	// the verifier's for a chosen PIN: the largest is a check's memory.
	c.verify.CheckMemoryKiB = max(c.limits.MaxPINMemoryKiB(), verifier.Params.MemoryKiB, verifier.ChosenParams.MemoryKiB)
	srv.SetVerifyLimits(c.verify)
	vl := srv.VerifyLimits()
	srv.SetPushLimits(c.push)
	pl := srv.PushLimits()
	srv.SetPullLimits(c.pull)
	srv.SetPushVolume(c.volume)
	ul := srv.PullLimits()
	srv.SetLookupLimits(c.lookup)
	bs, isBolt := store.(*boltstore.Store)
	if isBolt && c.backupDir != "" {
		srv.Backups = &server.Backups{Dir: c.backupDir} // before the metrics, which show it
	}
	metrics, manage, err := observe(c, srv, store, cert, caPEM, ctx.Done(), log) // observe.go
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		HTTP2:             &http.HTTP2Config{MaxConcurrentStreams: server.StreamsPerConn, WriteByteTimeout: c.writeStall},
		ErrorLog:          server.ErrorLog(log),
	}
	// The listener makes the handshakes, within -conn-handshake; net/http
	// would cut them at the least of its three timeouts, a request's.
	// HTTP/2 as ServeTLS offers it.
	apiTLS := tlsCfg.Clone()
	apiTLS.NextProtos = []string{"h2", "http/1.1"}
	// A revoked certificate is refused at its handshake, on the list in
	// force; the management listener has no client certificates.
	apiTLS.VerifyConnection = srv.VerifyConnection
	tcp, err := address{what: "the API", flag: "listen", addr: c.listen, from: c.listenFrom}.listen(c.configFile) // listen.go
	if err != nil {
		return err
	}
	ln, err := server.NewListener(tcp, server.ListenerConfig{Name: "api", Limits: c.conns, TLS: apiTLS, Metrics: metrics, Log: log, Now: c.now})
	if err != nil {
		tcp.Close()
		return err
	}
	log.Info("centrale listening", "addr", ln.Addr().String(), "store", store.Kind(), "config", c.configFile,
		"lock_after", c.lock.After, "lock_for", c.lock.For, "lock_temporary", c.lock.MaxTemporary, "policy_version", c.policy.Version,
		"pin_params", paramsFlag{&c.limits.PINParams}.String(), "max_clock_skew", c.limits.MaxSkew, "max_event_age", c.limits.MaxAge,
		"kiosk_tickets", c.limits.Tickets,
		"verify_slots", vl.Slots, "verify_queue", vl.Queue, "verify_wait", vl.Wait, "verify_check_mib", vl.CheckMemoryKiB>>10,
		"verify_cert_rate", vl.CertRate, "verify_cert_burst", vl.CertBurst, "verify_cf_per_minute", vl.CFRate*60, "verify_cf_burst", vl.CFBurst,
		"push_slots", pl.Slots, "push_queue", pl.Queue, "push_wait", pl.Wait, "push_per_cert", pl.PerCert,
		"push_events", c.volume.Events, "push_events_refill", c.volume.Refill,
		"pull_slots", ul.Slots, "pull_queue", ul.Queue, "pull_wait", ul.Wait, "pull_per_cert", ul.PerCert,
		"lookup_per_minute", c.lookup.Rate*60, "lookup_burst", c.lookup.Burst,
		"fd_limit", c.fdLimit, "conn_max", c.conns.Max, "conn_per_source", c.conns.PerSource, "conn_handshake", c.conns.Handshake, "conn_write_stall", c.writeStall, "manage_conn_max", c.manageConns.Max, "manage_conn_per_source", c.manageConns.PerSource)
	errc := make(chan error, 3)
	addrs := listening{api: ln.Addr().String()}
	if manage != nil {
		mtcp, err := address{what: "the management listener", flag: "manage", addr: c.manage, from: c.manageFrom, optional: true}.listen(c.configFile)
		if err != nil {
			ln.Close()
			return err
		}
		mln, err := server.NewListener(mtcp, server.ListenerConfig{Name: "manage", Limits: c.manageConns, Metrics: metrics, Log: log, Now: c.now})
		if err != nil {
			ln.Close()
			mtcp.Close()
			return err
		}
		addrs.manage = mln.Addr().String()
		log.Info("management listening", "addr", addrs.manage, "paths", "/healthz /readyz /metrics /status")
		go func() { errc <- manage.Serve(mln) }()
		defer manage.Close()
	}
	if c.admin != "" {
		as, aln, err := adminServer(c.admin, store, c.now, log) // admin.go
		if err != nil {
			ln.Close()
			return err
		}
		if as != nil {
			addrs.admin = c.admin
			log.Info("admin socket listening", "socket", c.admin)
			go func() { errc <- as.Serve(aln) }()
			defer as.Close()
		}
	}
	if ready != nil {
		ready <- addrs
	}
	go func() { errc <- hs.Serve(ln) }()
	go sweepTickets(ctx, srv)
	// The clock against PostgreSQL's, the settings against the other
	// replicas' (replica.go).
	srv.SetReplica(replicaName(addrs.api), replicaSettings(c, srv))
	go srv.WatchReplicas(ctx)
	if pg, ok := store.(*pgstore.Store); ok {
		go pg.WatchStuck(ctx, log, stuckAfter)
	}
	go watchExpiries(ctx, newExpiryWatch(c, log, cert, caPEM, crl)) // observe.go
	if srv.Backups != nil {
		go backupLoop(ctx, bs, srv.Backups, c.backupEvery, c.backupKeep, c.now, log)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	drain(c.drainDelay, log) // observe.go
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	log.Info("centrale stopped")
	return nil
}

// TicketSweep is how often centrale looks for kiosk tickets of past days
// to wipe (server.SweepTickets wipes them once a day).
const TicketSweep = 10 * time.Minute

// sweepTickets wipes the kiosk tickets of past days at start and then on
// a timer, until ctx ends.
func sweepTickets(ctx context.Context, srv *server.Server) {
	t := time.NewTicker(TicketSweep)
	defer t.Stop()
	for {
		srv.SweepTickets(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
