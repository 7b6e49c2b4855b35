// Package admin is how centrale's operators act on the records while
// centrale runs: the handler a running centrale serves on its admin
// socket, and the Client the `centrale` subcommands (unlock, revoke,
// credentials, sedi, audit) call it with.
//
// # Basics
//
// The socket is a Unix socket (centrale -admin), HTTP with JSON: whoever
// may open the socket file may act, and nobody else; the file is made
// 0600, owned by the user centrale runs as. There is no password or
// token to steal, and nothing listens on the network. A Client does what
// a central.Store opened directly does (Records), with centrale's store
// and centrale's clock: a bbolt store, which one program opens at a time,
// is reached this way while centrale runs.
//
// # Caveats
//
// The answers carry no PIN hash: the records' hashes are blanked before
// they leave centrale. Each action is recorded by the store with the
// operator the request names (central:OPERATOR); the socket's
// permissions say who may name one.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// Records is what the operators' subcommands do with the central records:
// a central.Store opened directly has these methods, and so has a Client
// of a running centrale.
type Records interface {
	// Unlock lifts the locks of cf's credentials (central.Store.Unlock).
	Unlock(ctx context.Context, cf pinsede.CodiceFiscale, by string, at time.Time) ([]central.Record, error)
	// Revoke revokes a credential (central.Store.Revoke).
	Revoke(ctx context.Context, credentialID, by, reason string, at time.Time) (central.Record, error)
	// Credentials returns cf's credentials (central.Store.Credentials).
	Credentials(ctx context.Context, cf pinsede.CodiceFiscale) ([]central.Record, error)
	// Overview returns the state of the sedi (central.OverviewStore).
	Overview(ctx context.Context, at time.Time, days int) (central.Overview, error)
	// AuditForks lists the open audit forks (central.AuditStore).
	AuditForks(ctx context.Context) ([]central.AuditFork, error)
	// ResetAudit accepts a desk's chain (central.AuditStore).
	ResetAudit(ctx context.Context, r central.AuditReset) (central.AuditReset, error)
	// Close releases the store or the connection.
	Close() error
}

var _ Records = central.Store(nil)

// maxBody bounds a request's body: a few short strings.
const maxBody = 8 << 10

// The requests of the admin API.
type (
	// UnlockRequest is the body of POST /v1/unlock.
	UnlockRequest struct {
		CodiceFiscale pinsede.CodiceFiscale `json:"codice_fiscale"`
		By            string                `json:"by"`
	}
	// RevokeRequest is the body of POST /v1/revoke.
	RevokeRequest struct {
		CredentialID string `json:"credential_id"`
		By           string `json:"by"`
		Reason       string `json:"reason"`
	}
	// CredentialsRequest is the body of POST /v1/credentials: the codice
	// fiscale goes in the body, never in a URL.
	CredentialsRequest struct {
		CodiceFiscale pinsede.CodiceFiscale `json:"codice_fiscale"`
	}
)

// The problem types the handler answers with, and the errors a Client
// returns for them.
var problems = []struct {
	slug   string
	status int
	err    error
}{
	{"not-found", http.StatusNotFound, central.ErrNotFound},
	{"not-active", http.StatusConflict, central.ErrNotActive},
	{"bad-reset", http.StatusUnprocessableEntity, central.ErrBadReset},
	{"bad-request", http.StatusBadRequest, ErrBadRequest},
}

// ErrBadRequest is returned by a Client for a request centrale refused
// as malformed.
var ErrBadRequest = errors.New("request refused")

// Handler returns the admin API on store, at the clock now; each action
// is logged on log (nil logs nothing), with the operator.
//
//   - POST /v1/unlock, /v1/revoke, /v1/credentials (the requests above);
//   - GET /v1/sedi: the central.Overview of StatusDays days;
//   - GET /v1/audit/forks, POST /v1/audit/reset (a central.AuditReset).
func Handler(store central.Store, now func() time.Time, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/unlock", func(w http.ResponseWriter, r *http.Request) {
		var req UnlockRequest
		if !decode(w, r, &req) || !operator(w, req.By) || !codiceFiscale(w, &req.CodiceFiscale) {
			return
		}
		rs, err := store.Unlock(r.Context(), req.CodiceFiscale, req.By, now())
		log.InfoContext(r.Context(), "admin unlock", "by", req.By, "cf", req.CodiceFiscale.Redacted(), "unlocked", len(rs), "err", err)
		answer(w, blank(rs), err)
	})
	mux.HandleFunc("POST /v1/revoke", func(w http.ResponseWriter, r *http.Request) {
		var req RevokeRequest
		if !decode(w, r, &req) || !operator(w, req.By) {
			return
		}
		if req.CredentialID == "" || len(req.CredentialID) > central.MaxShortText || req.Reason == "" || len(req.Reason) > central.MaxText {
			problem(w, http.StatusBadRequest, "bad-request", "Bad request",
				fmt.Sprintf("a revocation names a credential (at most %d bytes) and a reason (at most %d)", central.MaxShortText, central.MaxText))
			return
		}
		if err := central.CheckText("reason", req.Reason, central.MaxText); err != nil {
			problem(w, http.StatusBadRequest, "bad-request", "Bad request", err.Error())
			return
		}
		rec, err := store.Revoke(r.Context(), req.CredentialID, req.By, req.Reason, now())
		log.InfoContext(r.Context(), "admin revoke", "by", req.By, "credential", req.CredentialID, "err", err)
		answer(w, blank([]central.Record{rec})[0], err)
	})
	mux.HandleFunc("POST /v1/credentials", func(w http.ResponseWriter, r *http.Request) {
		var req CredentialsRequest
		if !decode(w, r, &req) || !codiceFiscale(w, &req.CodiceFiscale) {
			return
		}
		rs, err := store.Credentials(r.Context(), req.CodiceFiscale)
		answer(w, blank(rs), err)
	})
	mux.HandleFunc("GET /v1/sedi", func(w http.ResponseWriter, r *http.Request) {
		o, err := store.Overview(r.Context(), now(), StatusDays)
		answer(w, o, err)
	})
	mux.HandleFunc("GET /v1/audit/forks", func(w http.ResponseWriter, r *http.Request) {
		fs, err := store.AuditForks(r.Context())
		answer(w, fs, err)
	})
	mux.HandleFunc("POST /v1/audit/reset", func(w http.ResponseWriter, r *http.Request) {
		var req central.AuditReset
		if !decode(w, r, &req) || !operator(w, req.By) {
			return
		}
		req.At = now()
		if err := central.CheckReset(req); err != nil {
			answer(w, nil, err)
			return
		}
		res, err := store.ResetAudit(r.Context(), req)
		log.InfoContext(r.Context(), "admin audit reset", "by", req.By, "sede", req.Sede, "desk", req.Desk, "to", req.To, "err", err)
		answer(w, res, err)
	})
	return mux
}

// StatusDays is how many days of PINs issued GET /v1/sedi counts, as
// the status page.
const StatusDays = 30

// operator checks that by names an operator of centrale
// (pinsede.ActorCentrale:NAME), and answers the problem itself when not.
func operator(w http.ResponseWriter, by string) bool {
	if name, ok := cutActor(by); !ok || name == "" || central.CheckText("by", by, central.MaxShortText) != nil {
		problem(w, http.StatusBadRequest, "bad-request", "Bad request", fmt.Sprintf("by must be %s:OPERATOR, at most %d bytes, with no control or bidirectional character", pinsede.ActorCentrale, central.MaxShortText))
		return false
	}
	return true
}

// cutActor returns the operator's name of by, pinsede.ActorCentrale:NAME.
func cutActor(by string) (string, bool) {
	prefix := pinsede.ActorCentrale + ":"
	if len(by) < len(prefix) || by[:len(prefix)] != prefix {
		return "", false
	}
	return by[len(prefix):], true
}

// codiceFiscale puts cf in its canonical form, or answers the problem
// itself when it is not a codice fiscale.
func codiceFiscale(w http.ResponseWriter, cf *pinsede.CodiceFiscale) bool {
	c, err := pinsede.ParseCodiceFiscale(string(*cf))
	if err != nil {
		problem(w, http.StatusBadRequest, "bad-request", "Bad request", "codice_fiscale: "+central.CFReason(err))
		return false
	}
	*cf = c
	return true
}

// blank returns rs without their PIN hashes.
func blank(rs []central.Record) []central.Record {
	out := make([]central.Record, len(rs))
	for i, r := range rs {
		r.Credential.PINHash, r.NewPINHash = "", ""
		out[i] = r
	}
	return out
}

// decode reads a JSON body into v, or answers the problem itself.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != wire.ContentJSON {
		problem(w, http.StatusUnsupportedMediaType, "bad-request", "Unsupported media type", "send the body as "+wire.ContentJSON)
		return false
	}
	if err := wire.Decode(http.MaxBytesReader(w, r.Body, maxBody+1), maxBody, v); err != nil {
		problem(w, http.StatusBadRequest, "bad-request", "Malformed request", err.Error())
		return false
	}
	return true
}

// answer writes v, or the problem of err: a known error of the records
// by its type, any other as an internal error.
func answer(w http.ResponseWriter, v any, err error) {
	if err == nil {
		writeJSON(w, http.StatusOK, wire.ContentJSON, v)
		return
	}
	for _, p := range problems {
		if errors.Is(err, p.err) {
			problem(w, p.status, p.slug, http.StatusText(p.status), err.Error())
			return
		}
	}
	problem(w, http.StatusInternalServerError, "internal", "Internal error", err.Error())
}

// problem writes an RFC 9457 problem.
func problem(w http.ResponseWriter, status int, slug, title, detail string) {
	writeJSON(w, status, wire.ContentProblem, wire.Problem{Type: wire.ProblemPrefix + slug, Title: title, Status: status, Detail: detail})
}

// writeJSON writes v as JSON.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
