package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/wire"
)

// SetPolicy makes p, which the caller has validated, the eligibility
// policy served to the sedi from now on. It is safe while serving.
func (s *Server) SetPolicy(p pinsede.Policy) { s.policy.Store(&p) }

// Policy returns the eligibility policy served: the one set last, or
// pinsede.DefaultPolicy.
func (s *Server) Policy() pinsede.Policy {
	if p := s.policy.Load(); p != nil {
		return *p
	}
	return pinsede.DefaultPolicy()
}

// policyETag is the entity tag of the policy of version v.
func policyETag(v int) string { return `"policy-v` + strconv.Itoa(v) + `"` }

// servePolicy serves the eligibility policy to a sede, with its version as
// the entity tag: a sede that sends it in If-None-Match gets 304 Not
// Modified.
func (s *Server) servePolicy(w http.ResponseWriter, r *http.Request, _ caller) {
	p := s.Policy()
	tag := policyETag(p.Version)
	w.Header().Set("ETag", tag)
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimSpace(t); t == tag || t == "*" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	writeJSON(w, http.StatusOK, wire.ContentJSON, wire.PolicyResponse{Policy: p})
}
