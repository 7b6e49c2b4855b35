package server

import (
	"errors"
	"net/http"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// putAuditHead judges the audit head a push carries before its events are
// applied (central.AuditStore): it answers the problem itself, and
// reports whether to go on. A head missing or malformed is a 422; a head
// refused is a 409, logged as an error: the push is refused whole, and
// the desk keeps its outbox until an operator resolves the fork.
func (s *Server) putAuditHead(w http.ResponseWriter, r *http.Request, c caller, h *wire.AuditHead) bool {
	if h == nil {
		problem(w, http.StatusUnprocessableEntity, "no-audit-head", "Audit head missing",
			"a push carries audit_head, the end of the desk's audit log; nothing was stored")
		return false
	}
	if reason := central.CheckHead(*h); reason != "" {
		problem(w, http.StatusUnprocessableEntity, "bad-audit-head", "Invalid audit head", "audit_head: "+reason+"; nothing was stored")
		return false
	}
	h.Desk = c.desk // the certificate's, never the body's
	err := s.Store.PutAuditHead(r.Context(), c.code, *h, s.Now())
	var fe *central.ForkError
	switch {
	case errors.As(err, &fe):
		if s.Log != nil {
			s.Log.ErrorContext(r.Context(), "audit head refused", "sede", c.code, "desk", c.desk, "chain", central.ShortHash(h.Chain), "seq", h.Seq,
				"hash", central.ShortHash(h.Hash), "reason", fe.Fork.Reason, "fork", fe.Fork.ID, "count", fe.Fork.Count)
		}
		problem(w, http.StatusConflict, "audit-fork", "Audit log refused",
			fe.Fork.Reason+"; nothing was stored: an operator of centrale looks into it (centrale audit)")
		return false
	case err != nil:
		s.internal(w, r, err)
		return false
	}
	return true
}

// auditHeads answers the audit heads centrale keeps for the caller's sede.
func (s *Server) auditHeads(w http.ResponseWriter, r *http.Request, c caller) {
	heads, err := s.Store.AuditHeads(r.Context(), c.code)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if heads == nil {
		heads = []wire.KeptHead{}
	}
	writeJSON(w, http.StatusOK, wire.ContentJSON, wire.AuditHeadsResponse{Heads: heads})
}
