package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/wire"
)

// checkAuditHead checks the audit head a push carries, before the push
// goes to the store (central.Store.Push), and sets its desk, the
// certificate's: it answers the problem itself, and reports whether to go
// on. A head missing or malformed is a 422.
func checkAuditHead(w http.ResponseWriter, c caller, h *wire.AuditHead) bool {
	if h == nil {
		problem(w, http.StatusUnprocessableEntity, wire.ProblemNoAuditHead, "Audit head missing",
			"a push carries audit_head, the end of the desk's audit log; nothing was stored")
		return false
	}
	if reason := central.CheckHead(*h); reason != "" {
		problem(w, http.StatusUnprocessableEntity, wire.ProblemBadAuditHead, "Invalid audit head", "audit_head: "+reason+"; nothing was stored")
		return false
	}
	h.Desk = c.desk // the certificate's, never the body's
	return true
}

// refuseAuditHead answers a push whose audit head the store refused
// (fe) with a 409, logged as an error: the push is refused whole, and the
// desk keeps its outbox until an operator resolves the fork.
func (s *Server) refuseAuditHead(w http.ResponseWriter, r *http.Request, c caller, h wire.AuditHead, fe *central.ForkError) {
	if s.Log != nil {
		s.Log.ErrorContext(r.Context(), "audit head refused", "sede", c.code, "desk", c.desk, "chain", central.ShortHash(h.Chain), "seq", h.Seq,
			"hash", central.ShortHash(h.Hash), "reason", fe.Fork.Reason, "fork", fe.Fork.ID, "count", fe.Fork.Count)
	}
	problem(w, http.StatusConflict, wire.ProblemAuditFork, "Audit log refused",
		fe.Fork.Reason+"; nothing was stored: an operator of centrale looks into it (centrale audit)")
}

// auditHeads answers a page of the audit heads centrale keeps for the
// caller's sede (GET /v1/audit/heads): at most central.MaxAuditHeads after
// the query's cursor (wire.ParseHeadsQuery), More when more follow, and
// then Next, the cursor of the last head sent. A query refused is a 400
// that says why.
func (s *Server) auditHeads(w http.ResponseWriter, r *http.Request, c caller) {
	after, err := wire.ParseHeadsQuery(r.URL.RawQuery)
	if err != nil {
		problem(w, http.StatusBadRequest, wire.ProblemBadAuditHeads, "Invalid audit heads query", err.Error())
		return
	}
	heads, more, err := s.Store.AuditHeads(r.Context(), c.code, after, central.MaxAuditHeads)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	resp := wire.AuditHeadsResponse{Heads: heads, More: more && len(heads) > 0}
	if resp.More {
		resp.Next = wire.HeadCursorOf(heads[len(heads)-1].AuditHead).String()
	}
	if resp.Heads == nil {
		resp.Heads = []wire.KeptHead{}
	}
	writeJSON(w, http.StatusOK, wire.ContentJSON, resp)
}

// auditEntries stores entries of the caller's audit chain (POST
// /v1/audit/entries, central.AuditEntryStore): a batch malformed is a
// 400 or 422, one out of order a 409 (audit-entries-gap) whose detail
// says where to start, one that disagrees with the chain centrale
// anchored a 409 (audit-fork), logged as an error and kept as a fork,
// as a push's head is. Nothing is stored of a batch refused. A batch
// takes a push slot (pushlimit.go), as a push does: it is read whole into
// memory too.
func (s *Server) auditEntries(w http.ResponseWriter, r *http.Request, c caller) {
	leave := s.admitPush(w, r, c, pushWork)
	if leave == nil {
		return
	}
	defer leave()
	var req wire.AuditEntriesRequest
	if !decode(w, r, wire.MaxAuditEntriesBytes, &req) {
		return
	}
	if reason := central.CheckEntries(c.code, req.Chain, req.Entries); reason != "" {
		problem(w, http.StatusUnprocessableEntity, wire.ProblemBadAuditEntries, "Invalid audit entries", reason+"; nothing was stored")
		return
	}
	resp, err := s.Store.PutAuditEntries(r.Context(), c.code, c.desk, req.Chain, req.Entries, s.Now())
	var fe *central.ForkError
	switch {
	case errors.As(err, &fe):
		if s.Log != nil {
			s.Log.ErrorContext(r.Context(), "audit entries refused", "sede", c.code, "desk", c.desk, "chain", central.ShortHash(req.Chain),
				"seq", fe.Fork.Head.Seq, "reason", fe.Fork.Reason, "fork", fe.Fork.ID, "count", fe.Fork.Count)
		}
		problem(w, http.StatusConflict, wire.ProblemAuditFork, "Audit log refused",
			fe.Fork.Reason+"; nothing was stored: an operator of centrale looks into it (centrale audit)")
		return
	case errors.Is(err, central.ErrAuditEntries):
		problem(w, http.StatusConflict, wire.ProblemAuditEntriesGap, "Audit entries out of order",
			fmt.Sprintf("%v; send the entries from %d", err, resp.Next))
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.ContentJSON, resp)
}

// auditSearch answers the caller's search of its sede's audit (GET
// /v1/audit/search): the entries of the sede's desks only, newest first,
// after the query's cursor, at most pinsede.MaxAuditSearchResults and
// wire.MaxAuditSearchBytes (More when there were more, and Next, the
// cursor of the last one sent). A query that wire.ParseAuditQuery
// refuses is a 400 that says why. A search takes a push slot
// (pushlimit.go): its page is in memory whole, as a push's body is.
func (s *Server) auditSearch(w http.ResponseWriter, r *http.Request, c caller) {
	f, after, err := wire.ParseAuditQuery(r.URL.RawQuery)
	if err != nil {
		problem(w, http.StatusBadRequest, wire.ProblemBadAuditSearch, "Invalid audit search", err.Error())
		return
	}
	leave := s.admitPush(w, r, c, searchWork)
	if leave == nil {
		return
	}
	defer leave()
	found, err := s.Store.SearchAudit(r.Context(), c.code, f, after, pinsede.MaxAuditSearchResults+1, wire.MaxAuditSearchBytes)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	resp := wire.AuditSearchResponse{Entries: found}
	if len(found) > pinsede.MaxAuditSearchResults {
		resp.Entries, resp.More = found[:pinsede.MaxAuditSearchResults], true
	}
	size := 0
	for i, e := range resp.Entries {
		if size += central.EntrySize(e); size > wire.MaxAuditSearchBytes && i > 0 {
			resp.Entries, resp.More = resp.Entries[:i], true
			break
		}
	}
	if resp.More {
		resp.Next = wire.CursorOf(resp.Entries[len(resp.Entries)-1]).String()
	}
	if resp.Entries == nil {
		resp.Entries = []pinsede.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, wire.ContentJSON, resp)
}
