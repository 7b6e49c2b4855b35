// Package server is centrale's HTTP API: the handlers of /v1/events (push),
// /v1/changes (pull), /v1/credentials (a sede's lookup, credentials.go),
// /v1/policy, /v1/tickets (a kiosk's, tickets.go), /v1/audit/heads,
// /v1/audit/entries and /v1/audit/search (a sede's audit heads, its
// desks' entries and their search, audit.go), /v1/pin/verify and /v1/health, over a
// central.Store.
//
// # Basics
//
// Clients authenticate with TLS client certificates from the deployment's
// CA (sync/pki), required at the handshake, where a revoked one is
// refused (VerifyConnection, revoked.go): the certificate names the role
// and the code of its holder, and a sede's the desk PC (pki.DeskOf), which
// centrale records with each event the desk pushes and its audit head;
// what a body says of the desk is replaced. A sede pushes and pulls only its own
// records; a kiosk posts tickets for the sede its certificate names; the
// portal role checks PINs, within limits of concurrency and rate
// (VerifyLimits, overload.go) that answer an overload with 503 or 429 and
// Retry-After. Every error is an RFC 9457 problem
// (application/problem+json) that says what was wrong. The API is described in openapi.json, served at
// /v1/openapi.json, and a test checks the handlers against it.
//
// ManageHandler (manage.go) serves /healthz, /readyz, /metrics and the
// status page /status (status.go) on a separate plain-HTTP listener, and
// each desk's pulls are recorded for the page (pulls.go); Metrics
// (metrics.go) count the requests, verdicts, PIN checks and locks; each
// request has an id on its log lines and in X-Request-Id (reqlog.go).
// Listener (listener.go) bounds the connections of a listener, in all
// and per source address, and makes the TLS handshakes within a
// deadline of their own.
//
// # Caveats
//
// The handlers read the identity from r.TLS: behind a TLS-terminating proxy
// they refuse every request. Bodies are never logged.
package server

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pki"
	"github.com/pinsede/pinsede/sync/wire"
)

// OpenAPI is the API's description, OpenAPI 3.1 in JSON.
//
//go:embed openapi.json
var OpenAPI []byte

// Server serves the API.
type Server struct {
	Store    central.Store
	Verifier *central.Verifier
	// CRL refuses revoked certificates; nil checks none.
	CRL *pki.CRL
	// Cert is centrale's server certificate: /v1/health, /readyz and the
	// status page say when its files hold a pair refused (pki.ServerCert's
	// Status), and /v1/health when the pair in force ends within 30 days;
	// nil says none.
	Cert *pki.ServerCert
	// Now is the clock of the records: the time events are received at,
	// the day of tickets, the expiry of conversions.
	Now func() time.Time
	// Log receives one line per request, with its request id
	// (WithRequestID, reqlog.go); nil logs nothing.
	Log *slog.Logger
	// RequestTimeout bounds the work of a request, in the store
	// included, through the deadline of its context: past it
	// PostgreSQL's queries stop, and a push or pull of the bbolt store
	// gives up before its transaction (for a push, once it has bbolt's
	// one writer); the request is then answered 503. bbolt's
	// transactions, short, run to their end once begun. Set it below
	// the http.Server's WriteTimeout, past which the answer could not be
	// written. Zero: DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Backups, when not nil, is what the online copies of the store did
	// (-backup-dir of a bbolt store): the metrics and the status page
	// show it. Set it before NewMetrics.
	Backups *Backups
	// metrics, when not nil, count the requests (NewMetrics, metrics.go).
	metrics *Metrics
	// limits are the bounds of pushed events (SetLimits), for the desk's
	// clock of a push (deskOffset, central.Limits.Adjust); the store holds
	// events to the same.
	limits atomic.Pointer[central.Limits]
	// policy is the eligibility policy served at /v1/policy (SetPolicy);
	// nil serves pinsede.DefaultPolicy.
	policy atomic.Pointer[pinsede.Policy]
	// sweep wipes the tickets of past days (tickets.go).
	sweep ticketSweep
	// pulls are the desks' pulls recorded (pulls.go).
	pulls pullMarks
	// guard holds the slots and rate limits of /v1/pin/verify
	// (overload.go).
	guard atomic.Pointer[verifyGuard]
	// lookups holds the rate limits of GET /v1/credentials
	// (lookuplimit.go).
	lookups atomic.Pointer[lookupGuard]
	// pushes holds the slots of POST /v1/events (pushlimit.go).
	pushes atomic.Pointer[pushGuard]
	// pullGuard holds the slots of GET /v1/changes (pulllimit.go).
	pullGuard atomic.Pointer[pullGuard]
	// store remembers whether the store was last found unavailable
	// (storedown.go).
	store storeWatch
	// errorLines rates the log lines of the requests refused or failed
	// (status 400 and up; reqlog.go), by certificate and status.
	errorLines lineRates
	// volume holds the buckets of the events each certificate pushes
	// (pushvolume.go).
	volume atomic.Pointer[volumeGuard]
	// onPush, when set (by the tests), is called with +1 when a push
	// takes its slot and with -1 when it gives it back.
	onPush atomic.Pointer[func(delta int)]
	// epochs holds the store's epoch (epoch.go).
	epochs epochs
	// clock is the offset of Now from the store's clock (clock.go).
	clock clockState
	// replicas are this replica's settings and the others' that differ
	// (settings.go).
	replicas replicaWatch
	// onCheck, when set (by the tests), is called with +1 when a PIN
	// check takes its slot, and -1 when it gives it back, its hashes done.
	onCheck atomic.Pointer[func(delta int)]
}

// New returns a Server on store, with verifier, crl and the clock now,
// and the default VerifyLimits; its lines on log carry the request id.
func New(store central.Store, verifier *central.Verifier, crl *pki.CRL, log *slog.Logger, now func() time.Time) *Server {
	if log != nil {
		log = slog.New(WithRequestID(log.Handler()))
	}
	s := &Server{Store: store, Verifier: verifier, CRL: crl, Now: now, Log: log}
	s.SetVerifyLimits(VerifyLimits{})
	s.SetPushLimits(PushLimits{})
	s.SetPullLimits(PullLimits{})
	s.SetPushVolume(PushVolume{})
	s.SetLookupLimits(LookupLimits{})
	l := central.DefaultLimits()
	s.limits.Store(&l)
	return s
}

// SetLimits sets the bounds of pushed events, on the store (whose
// SetLimits it calls) and on the server's own handling of a push's
// times: a desk's clock offset beyond them refuses the push whole, and
// within them the events' times are moved into the server's clock
// (central.Limits.CheckOffset and Adjust). New starts with
// central.DefaultLimits on the server's side and leaves the store's as
// they are.
func (s *Server) SetLimits(l central.Limits) {
	s.Store.SetLimits(l)
	l = l.WithDefaults()
	s.limits.Store(&l)
}

// DefaultRequestTimeout is Server.RequestTimeout's default: 28 s, 2 s
// under the 30 s of cmd/centrale's WriteTimeout, counted as this from the
// request's headers, so that the answer is still written; a push whose
// body takes most of its ReadTimeout (30 s) to come keeps the time it
// had. Pulls flooding the store's connections were answered after 139 to
// 145 s, long after their clients had given up.
const DefaultRequestTimeout = 28 * time.Second

// routes lists the methods of each path, for 405 answers.
var routes = map[string][]string{
	"/v1/events":        {http.MethodPost},
	"/v1/changes":       {http.MethodGet},
	"/v1/credentials":   {http.MethodGet},
	"/v1/pin/verify":    {http.MethodPost},
	"/v1/policy":        {http.MethodGet},
	"/v1/tickets":       {http.MethodPost},
	"/v1/health":        {http.MethodGet},
	"/v1/audit/heads":   {http.MethodGet},
	"/v1/audit/entries": {http.MethodPost},
	"/v1/audit/search":  {http.MethodGet},
	"/v1/openapi.json":  {http.MethodGet},
}

// Handler returns the API's handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/events", s.auth(pki.RoleSede, s.push))
	mux.HandleFunc("GET /v1/changes", s.auth(pki.RoleSede, s.changes))
	mux.HandleFunc("GET /v1/credentials", s.auth(pki.RoleSede, s.credentials)) // credentials.go
	mux.HandleFunc("POST /v1/pin/verify", s.auth(pki.RolePortal, s.verify))
	mux.HandleFunc("GET /v1/policy", s.auth(pki.RoleSede, s.servePolicy))
	mux.HandleFunc("POST /v1/tickets", s.auth(pki.RoleKiosk, s.postTicket))
	mux.HandleFunc("GET /v1/audit/heads", s.auth(pki.RoleSede, s.auditHeads)) // audit.go
	mux.HandleFunc("POST /v1/audit/entries", s.auth(pki.RoleSede, s.auditEntries))
	mux.HandleFunc("GET /v1/audit/search", s.auth(pki.RoleSede, s.auditSearch))
	mux.HandleFunc("GET /v1/health", s.health)
	mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", wire.ContentJSON)
		w.Write(OpenAPI)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if methods, ok := routes[r.URL.Path]; ok {
			w.Header().Set("Allow", methods[0])
			problem(w, http.StatusMethodNotAllowed, wire.ProblemMethodNotAllowed, "Method not allowed",
				fmt.Sprintf("%s takes %s, not %s", r.URL.Path, methods[0], r.Method))
			return
		}
		problem(w, http.StatusNotFound, wire.ProblemNotFound, "Not found", "no such resource: "+logText(r.URL.Path))
	})
	return s.logged(mux)
}

// statusWriter remembers the status written: 200 when the handler
// writes a body first.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// Write writes b, after a 200 when no status was written.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// WriteHeader remembers the first status and writes it.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// logged gives each request an id (reqlog.go), logs and counts it, and
// turns a panic into a 500 problem.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		outage := s.store.current()
		r = withNewRequestID(w, r)
		ctx, cancel := context.WithTimeout(r.Context(), cmp.Or(s.RequestTimeout, DefaultRequestTimeout))
		defer cancel()
		r = r.WithContext(ctx)
		s.clockHeaders(w)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				if s.Log != nil {
					s.Log.ErrorContext(r.Context(), "panic", "path", logText(r.URL.Path), "panic", fmt.Sprint(v))
				}
				if sw.status == 0 {
					problem(sw, http.StatusInternalServerError, wire.ProblemInternal, "Internal error", "the server failed; it has been logged")
				}
			}
			if sw.status == 0 { // nothing written: net/http answers 200
				sw.status = http.StatusOK
			}
			if sw.status < http.StatusMultipleChoices && !storeless[r.URL.Path] {
				s.storeBack(r.Context(), outage)
			}
			took := time.Since(start)
			s.metrics.request(r, sw.status, took)
			s.logRequest(r, sw.status, took)
		}()
		next.ServeHTTP(sw, r)
	})
}

// logRequest logs the line of a request answered status after took,
// with what the request chose cut (logText); the lines of requests
// refused or failed come at most once every 10 s by certificate and
// status (errorLines), telling how many were held back: a refusal of
// one kind (a 404 in a loop) never hides the first line of another (the
// desk's 409 for its clock), whose request id the desk quotes.
func (s *Server) logRequest(r *http.Request, status int, took time.Duration) {
	if s.Log == nil {
		return
	}
	attrs := []any{"method", logText(r.Method), "path", logText(r.URL.Path), "status", status, "ms", took.Milliseconds()}
	if status >= http.StatusBadRequest {
		key := r.RemoteAddr
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			key = pki.Serial(r.TLS.PeerCertificates[0])
		}
		held, ok := s.errorLines.event(key+" "+strconv.Itoa(status), s.Now())
		if !ok {
			return
		}
		if held > 0 {
			attrs = append(attrs, "held_back", held)
		}
	}
	s.Log.InfoContext(r.Context(), "request", attrs...)
}

// clockHeaders writes the Date of an answer from the server's clock, the
// one a push's events are checked against (deskOffset), rather than the
// system's that net/http would write, and MaxClockSkewHeader: a desk
// measures its clock against them (wire.MaxClockSkewHeader).
func (s *Server) clockHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Date", s.Now().UTC().Format(http.TimeFormat))
	h.Set(wire.MaxClockSkewHeader, strconv.FormatInt(int64(s.limits.Load().MaxSkew/time.Second), 10))
}

// caller is who sent a request.
type caller struct {
	role pki.Role
	code string
	// desk is the desk its certificate names (pki.DeskOf); "" for one of
	// before desk ids, a kiosk's or the portal's.
	desk string
	// serial is its certificate's serial (pki.Serial).
	serial string
}

// auth lets through requests whose client certificate has role, and gives
// next the caller's code.
func (s *Server) auth(role pki.Role, next func(http.ResponseWriter, *http.Request, caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			problem(w, http.StatusUnauthorized, wire.ProblemNoCertificate, "Client certificate required",
				"connect with the client certificate issued to this sede by `pinctl ca issue`")
			return
		}
		cert := r.TLS.PeerCertificates[0]
		if s.CRL != nil {
			if err := s.CRL.Check(cert); err != nil {
				// A connection opened before the revocation: it is
				// closed after this answer, and the client's next
				// handshake is refused (VerifyConnection).
				if s.Log != nil {
					s.Log.WarnContext(r.Context(), "client certificate refused", "cert", describeCert(cert), "source", r.RemoteAddr, "err", err)
				}
				w.Header().Set("Connection", "close")
				problem(w, http.StatusForbidden, wire.ProblemCertificateRevoked, "Certificate revoked",
					"certificate "+pki.Serial(cert)+" has been revoked; ask the supervisor for a new one")
				return
			}
		}
		got, code, err := pki.Identity(cert)
		if err != nil {
			problem(w, http.StatusForbidden, wire.ProblemNoIdentity, "Certificate names no pinsede role", err.Error())
			return
		}
		if got != role {
			problem(w, http.StatusForbidden, wire.ProblemWrongRole, "Not allowed for this role",
				fmt.Sprintf("%s needs a %s certificate; this one is for %s %s", r.URL.Path, role, got, code))
			return
		}
		desk, err := pki.DeskOf(cert)
		if err != nil {
			problem(w, http.StatusForbidden, wire.ProblemNoIdentity, "Certificate names no valid desk", err.Error())
			return
		}
		c := caller{role: got, code: code, desk: desk, serial: pki.Serial(cert)}
		if got == pki.RoleSede && !s.checkEpoch(w, r, c) { // epoch.go
			return
		}
		next(w, r, c)
	}
}

// problem writes an RFC 9457 problem of type typ, one of
// wire.ProblemTypes.
func problem(w http.ResponseWriter, status int, typ, title, detail string) {
	writeJSON(w, status, wire.ContentProblem, wire.Problem{Type: typ, Title: title, Status: status, Detail: detail})
}

// writeJSON writes v as JSON with the given status and content type.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decode reads a JSON body of at most limit bytes into v, and answers the
// problem itself when it cannot: it reports whether to go on.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != wire.ContentJSON {
		problem(w, http.StatusUnsupportedMediaType, wire.ProblemUnsupportedMediaType, "Unsupported media type",
			"send the body as "+wire.ContentJSON)
		return false
	}
	if r.ContentLength > limit {
		problem(w, http.StatusRequestEntityTooLarge, wire.ProblemTooLarge, "Body too large",
			fmt.Sprintf("the body has %d bytes; the limit is %d", r.ContentLength, limit))
		return false
	}
	err := wire.Decode(http.MaxBytesReader(w, r.Body, limit+1), limit, v)
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, wire.ErrTooLarge) || errors.As(err, &mbe):
		problem(w, http.StatusRequestEntityTooLarge, wire.ProblemTooLarge, "Body too large", fmt.Sprintf("the limit is %d bytes", limit))
		return false
	case errors.Is(err, wire.ErrBatchTooLong):
		batchTooLong(w)
		return false
	case err != nil:
		problem(w, http.StatusBadRequest, wire.ProblemMalformed, "Malformed request", err.Error())
		return false
	}
	return true
}

// batchTooLong answers a push of more than wire.MaxBatch events, which
// wire.Decode stops reading there.
func batchTooLong(w http.ResponseWriter) {
	problem(w, http.StatusUnprocessableEntity, wire.ProblemBatchTooLong, "Batch too long",
		fmt.Sprintf("more than %d events; at most %d per push", wire.MaxBatch, wire.MaxBatch))
}

// push applies a sede's batch of events, JSON or multipart with the
// archived forms as binary parts (forms.go).
func (s *Server) push(w http.ResponseWriter, r *http.Request, c caller) {
	offset, ok := s.deskOffset(w, r, s.Now()) // read as the request comes, before its wait and its body
	if !ok {
		return
	}
	leave := s.admitPush(w, r, c, pushWork) // pushlimit.go
	if leave == nil {
		return
	}
	defer leave()
	var req wire.PushRequest
	if !decodePush(w, r, &req) { // forms.go
		return
	}
	switch {
	case req.Sede != c.code:
		problem(w, http.StatusForbidden, wire.ProblemOtherSede, "Not this sede's records",
			fmt.Sprintf("the batch is for sede %q; this certificate is for %s", req.Sede, c.code))
		return
	case len(req.Events) == 0:
		problem(w, http.StatusUnprocessableEntity, wire.ProblemEmptyBatch, "Empty batch", "a push carries at least one event")
		return
	}
	for i, ev := range req.Events {
		if ev.Sede != c.code || central.RecordSede(ev) != c.code {
			problem(w, http.StatusForbidden, wire.ProblemOtherSede, "Not this sede's records",
				fmt.Sprintf("event %d (%s) is of sede %q; this certificate is for %s; nothing was stored", i, ev.ID, ev.Sede, c.code))
			return
		}
	}
	for i := range req.Events { // the desk is the certificate's, never the body's
		req.Events[i].Desk = c.desk
	}
	if !checkAuditHead(w, c, req.AuditHead) { // audit.go
		return
	}
	refund := s.admitVolume(w, r, c, len(req.Events)) // pushvolume.go
	if refund == nil {
		return
	}
	at := s.Now()
	if n := s.limits.Load().Adjust(req.Events, offset, at); n > 0 && s.Log != nil {
		s.Log.InfoContext(r.Context(), "desk clock: event times moved to centrale's", "sede", c.code, "desk", c.desk,
			"offset", offset.Round(time.Millisecond).String(), "events", n)
	}
	res, err := s.Store.Push(r.Context(), c.code, *req.AuditHead, req.Events, at)
	if err != nil { // nothing stored
		refund(len(req.Events))
	}
	var fe *central.ForkError
	switch {
	case errors.As(err, &fe):
		s.refuseAuditHead(w, r, c, *req.AuditHead, fe)
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	dup := 0
	for _, v := range res {
		if v.Verdict == wire.Duplicate {
			dup++
		}
	}
	refund(dup)
	s.metrics.pushed(c.code, req.Events, res, at)
	writeJSON(w, http.StatusOK, wire.ContentJSON, wire.PushResponse{Results: res})
}

// deskOffset returns how far the desk's clock ran ahead of centrale's at
// arrived (behind when negative) by the reading the push carries
// (wire.DeskClockHeader), 0 for a push without one. It answers the
// problem itself, and returns false, for a reading that is malformed
// (400) or out of the bounds within which centrale puts the times right
// (409 clock-ahead or clock-behind, central.Limits.CheckOffset): the
// desk keeps its outbox, and its operator sees the clock's fault.
func (s *Server) deskOffset(w http.ResponseWriter, r *http.Request, arrived time.Time) (time.Duration, bool) {
	vals := r.Header.Values(wire.DeskClockHeader)
	if len(vals) == 0 {
		return 0, true
	}
	desk, err := time.Parse(time.RFC3339Nano, vals[0])
	if err != nil || len(vals) > 1 {
		problem(w, http.StatusBadRequest, wire.ProblemMalformed, "Malformed request",
			fmt.Sprintf("%s: want one reading of the desk's clock, an RFC 3339 time such as %s; nothing was stored",
				wire.DeskClockHeader, arrived.UTC().Format(time.RFC3339Nano)))
		return 0, false
	}
	offset := desk.Sub(arrived)
	if reason := s.limits.Load().CheckOffset(offset); reason != "" {
		typ, title := wire.ProblemClockAhead, "Desk clock ahead"
		if offset < 0 {
			typ, title = wire.ProblemClockBehind, "Desk clock behind"
		}
		problem(w, http.StatusConflict, typ, title,
			fmt.Sprintf("%s: %s reads %s, centrale's clock %s; nothing was stored", reason, wire.DeskClockHeader,
				desk.UTC().Format(time.RFC3339), arrived.UTC().Format(time.RFC3339)))
		return 0, false
	}
	return offset, true
}

// changes answers a sede's pull.
func (s *Server) changes(w http.ResponseWriter, r *http.Request, c caller) {
	leave := s.admitPull(w, r, c) // pulllimit.go
	if leave == nil {
		return
	}
	defer leave()
	s.sweepTickets(r.Context(), s.Now()) // no ticket of a past day goes out
	q := r.URL.Query()
	after, limit := uint64(0), wire.MaxChanges
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			problem(w, http.StatusBadRequest, wire.ProblemMalformed, "Malformed request", "after: a cursor (a whole number) is expected")
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > wire.MaxChanges {
			problem(w, http.StatusBadRequest, wire.ProblemMalformed, "Malformed request",
				fmt.Sprintf("limit: a whole number from 1 to %d is expected", wire.MaxChanges))
			return
		}
		limit = n
	}
	sedeEvents := false
	for _, v := range q["include"] {
		if v != string(wire.ChangeSedeEvent) {
			problem(w, http.StatusBadRequest, wire.ProblemMalformed, "Malformed request",
				fmt.Sprintf("include: %q is the only value known", wire.ChangeSedeEvent))
			return
		}
		sedeEvents = true
	}
	own := false
	switch v := q["own"]; {
	case len(v) == 0:
	case len(v) == 1 && v[0] == "1" && sedeEvents:
		own = true
	default:
		problem(w, http.StatusBadRequest, wire.ProblemMalformed, "Malformed request",
			fmt.Sprintf("own: %q, once, with %q, is the only form known", wire.PullOwn, wire.IncludeSedeEvents))
		return
	}
	// A desk of before the sede's events does not ask for them, and a
	// desk's own events are no news to it, unless it was restored from
	// an older copy and asks for them (own=1): the store leaves them
	// out, and the cursor moves past them all the same.
	ch, next, latest, err := s.Store.Changes(r.Context(), c.code, after, limit, &central.ChangeFilter{SedeEvents: sedeEvents, Desk: c.desk, Own: own})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	resp := wire.ChangesResponse{Changes: ch, Cursor: next, Latest: max(latest, next), More: next < latest, Own: own}
	if resp.Changes == nil {
		resp.Changes = []wire.Change{}
	}
	now := s.Now()
	s.recordPull(r.Context(), c.code, c.desk, after, now) // pulls.go
	s.metrics.pulled(c.code, now)
	writeJSON(w, http.StatusOK, wire.ContentJSON, resp)
}

// verify checks a PIN, within the VerifyLimits (overload.go): the
// certificate's bucket, then the codice fiscale's, answer 429 when empty;
// then the check waits for a place, or answers 503.
func (s *Server) verify(w http.ResponseWriter, r *http.Request, c caller) {
	g := s.guard.Load()
	now := s.Now()
	if ok, d := g.certs.take(c.serial, now); !ok {
		s.metrics.verified("rate_limited")
		tooMany(w, "this certificate", d)
		return
	}
	var req wire.VerifyRequest
	if !decode(w, r, wire.MaxVerifyBytes, &req) {
		s.metrics.verified("invalid")
		return
	}
	if cf, err := pinsede.ParseCodiceFiscale(req.CodiceFiscale); err == nil { // else Verify refuses it, hashing nothing
		if ok, d := g.cfs.take(string(cf), now); !ok {
			s.metrics.verified("rate_limited")
			tooMany(w, "this codice fiscale", d)
			return
		}
	}
	var hook func(int)
	if f := s.onCheck.Load(); f != nil {
		hook = *f
	}
	resp, err := s.Verifier.Verify(r.Context(), req, func(ctx context.Context) (central.Pass, bool) { return g.pass(ctx, hook) })
	if errors.Is(err, central.ErrOverloaded) {
		s.metrics.verified("overloaded")
		retryAfter(w, time.Second)
		problem(w, http.StatusServiceUnavailable, wire.ProblemOverloaded, "Too many PIN checks at once",
			fmt.Sprintf("centrale checks at most %d PINs at once, has %d more in hand and %d more waiting; try again in 1 s", g.limits.Slots, g.limits.Ahead, g.limits.Queue))
		return
	}
	if errors.Is(err, central.ErrBadRequest) {
		s.metrics.verified("invalid")
		problem(w, http.StatusUnprocessableEntity, wire.ProblemInvalidLogin, "Invalid login request", err.Error())
		return
	}
	if err != nil {
		outcome := "error"
		if errors.Is(err, central.ErrUnavailable) || errors.Is(err, central.ErrRefused) {
			outcome = "store_down"
		}
		s.metrics.verified(outcome)
		s.internal(w, r, err)
		return
	}
	s.metrics.verified(string(resp.Outcome))
	writeJSON(w, http.StatusOK, wire.ContentJSON, resp)
}

// health answers that the server runs, which store it uses, the state of
// the revocation list and of the server certificate and the open audit
// forks: a list expired or refused, a certificate refused or within 30
// days of its end, or an audit head refused, leaves the server serving
// (200) but "degraded", for the monitoring to alert on.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.Ping(r.Context()); err != nil {
		s.internal(w, r, err) // 503 store-down for a store unavailable or refusing (storedown.go)
		return
	}
	h := wire.Health{Status: "ok", Store: s.Store.Kind()}
	if s.CRL != nil {
		h.CRL = crlState(s.CRL.Status())
		h.CRLNumber = s.CRL.Number()
		if h.CRL != "ok" {
			h.Status = "degraded"
		}
	}
	if s.Cert != nil {
		if h.ServerCert = s.certState(); h.ServerCert != "ok" {
			h.Status = "degraded"
		}
	}
	forks, err := s.Store.AuditForks(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if h.AuditForks = len(forks); h.AuditForks > 0 {
		h.Status = "degraded"
	}
	s.replicaHealth(&h)
	writeJSON(w, http.StatusOK, wire.ContentJSON, h)
}

// crlState names the state of the revocation list for /v1/health; the
// details are in centrale's log.
func crlState(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, pki.ErrCRLExpired) && errors.Is(err, pki.ErrCRLOlder):
		return "expired; older list refused"
	case errors.Is(err, pki.ErrCRLExpired):
		return "expired"
	case errors.Is(err, pki.ErrCRLOlder):
		return "older list refused"
	}
	return "unreadable"
}

// certState names the state of the server certificate for /v1/health:
// "new pair refused" while its files hold a pair refused, else "expired"
// past the end of the pair in force and "expires soon" within 30 days of
// it, by s.Now, "unusable" when the pair read at start cannot be taken by
// the desks otherwise (another CA's), and "ok". The details are in
// centrale's log.
func (s *Server) certState() string {
	err := s.Cert.Status()
	if errors.Is(err, pki.ErrServerCertRefused) {
		return "new pair refused"
	}
	switch left := s.Cert.Leaf().NotAfter.Sub(s.Now()); {
	case left <= 0:
		return "expired"
	case err != nil:
		return "unusable"
	case left < certWarn:
		return "expires soon"
	}
	return "ok"
}

// busy logs err as a warning with msg, and answers 503 busy with detail
// and Retry-After 2 s.
func (s *Server) busy(w http.ResponseWriter, r *http.Request, err error, msg, detail string) {
	if s.Log != nil {
		s.Log.WarnContext(r.Context(), msg, "path", logText(r.URL.Path), "err", err)
	}
	retryAfter(w, 2*time.Second)
	problem(w, http.StatusServiceUnavailable, wire.ProblemBusy, "Centrale busy", detail)
}

// StatusClientGone is the status a request is logged and counted with
// when its client went away before the answer (nginx's 499): no one
// reads it, and nothing failed at centrale.
const StatusClientGone = 499

// internal logs err and answers a 500 problem that reveals nothing of
// it; but the error of a request whose client went away is logged at
// debug level and answered StatusClientGone; that of a request that ran
// out of its RequestTimeout, or waited too long for records another
// request holds (central.ErrBusy), is a warning answered 503 busy with
// Retry-After; and a store that cannot be reached for now
// (central.ErrUnavailable) is answered 503 store-down with Retry-After,
// logged once an outage, and one refusing centrale's credentials or
// database (central.ErrRefused) 503 without, logged as an error once
// (storedown.go). None is a failure of centrale's,
// for an operator to be called for at each request.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	ctxErr := r.Context().Err()
	switch {
	case errors.Is(ctxErr, context.DeadlineExceeded):
		s.busy(w, r, err, "request ran out of time", "centrale could not answer in time; nothing was lost, try again in a moment")
	case ctxErr != nil:
		if s.Log != nil {
			s.Log.DebugContext(r.Context(), "client gone before the answer", "path", logText(r.URL.Path), "err", err)
		}
		w.WriteHeader(StatusClientGone)
	case s.storeFailed(r.Context(), err):
		s.storeDown(w, err)
	case errors.Is(err, central.ErrBusy):
		s.busy(w, r, err, "request waited too long for records another holds",
			"centrale waited too long for records another request holds (the same sede's push through another replica); nothing was stored, try again in a moment")
	default:
		if s.Log != nil {
			s.Log.ErrorContext(r.Context(), "request failed", "path", logText(r.URL.Path), "err", err)
		}
		problem(w, http.StatusInternalServerError, wire.ProblemInternal, "Internal error", "the server failed; it has been logged, try again later")
	}
}
