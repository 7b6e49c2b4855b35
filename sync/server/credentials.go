package server

import (
	"fmt"
	"net/http"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// credentials answers a sede's lookup of a codice fiscale (GET
// /v1/credentials?codice_fiscale=CF): every credential the central
// records hold for it, whatever sede issued it, as summaries that carry no
// hash. A desk asks it to find, and convert, a PIN ordinario obtained
// online or at another sede. The codice fiscale travels in the query and
// is never logged (the log has the path only). Each certificate's lookups
// are rate-limited (LookupLimits).
func (s *Server) credentials(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.admitLookup(w, c) {
		return
	}
	q := r.URL.Query()
	for k := range q {
		if k != "codice_fiscale" {
			problem(w, http.StatusBadRequest, wire.ProblemMalformed, "Malformed request",
				fmt.Sprintf("unknown parameter %q: the only one is codice_fiscale", k))
			return
		}
	}
	cf, err := pinsede.ParseCodiceFiscale(q.Get("codice_fiscale"))
	if err != nil || len(q["codice_fiscale"]) != 1 {
		problem(w, http.StatusBadRequest, wire.ProblemInvalidCodiceFiscale, "Invalid codice fiscale", cfDetail(err))
		return
	}
	recs, err := s.Store.Credentials(r.Context(), cf)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	resp := wire.CredentialsResponse{Credentials: make([]wire.CredentialSummary, len(recs))}
	for i, rec := range recs {
		resp.Credentials[i] = Summary(rec)
	}
	writeJSON(w, http.StatusOK, wire.ContentJSON, resp)
}

// cfDetail says what is wrong with the codice_fiscale parameter, without
// repeating it: err is ParseCodiceFiscale's, or nil when the parameter was
// given more than once.
func cfDetail(err error) string {
	if err == nil {
		return "codice_fiscale: give it once"
	}
	return "codice_fiscale: " + central.CFReason(err)
}

// Summary returns what a lookup tells of a record: never the hash of its
// PIN nor of the PIN that replaced it.
func Summary(r central.Record) wire.CredentialSummary {
	c := r.Credential
	out := wire.CredentialSummary{
		ID: c.ID, CodiceFiscale: c.CodiceFiscale, Type: c.Type, Status: wire.CredentialStatus(r.Status),
		IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, Sede: c.Sede,
		ConvertedAt: c.ConvertedAt, ConvertedBy: c.ConvertedBy,
	}
	if r.Status == central.StatusRevoked {
		out.RevokedAt, out.RevokeReason = c.RevokedAt, c.RevokeReason
	}
	return out
}
