package pinsede

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pinsede/pinsede/internal/smallfile"
)

// Eligibility names who may get a PIN under a rule of a Policy.
type Eligibility string

// The eligibilities a rule may give.
const (
	// EligibleAll: any citizen may get a PIN.
	EligibleAll Eligibility = "all"
	// EligibleAbroadNoItalianDocument: only a citizen resident abroad who
	// holds no Italian identity document (the document verified at the
	// desk is a foreign one).
	EligibleAbroadNoItalianDocument Eligibility = "abroad_no_italian_document"
	// EligibleNone: no PIN is issued.
	EligibleNone Eligibility = "none"
)

// Valid reports whether e is a known eligibility.
func (e Eligibility) Valid() bool {
	return e == EligibleAll || e == EligibleAbroadNoItalianDocument || e == EligibleNone
}

// Message keys of a policy refusal (Decision.Key), and of an override
// reason too short.
const (
	KeyRefusedResidentItaly   = "policy.refused.resident_italy"
	KeyRefusedItalianDocument = "policy.refused.italian_document"
	KeyRefusedClosed          = "policy.refused.closed"
	KeyOverrideReasonShort    = "err.override.reason"
)

// FieldOverrideReason is the field of the written reason of a policy
// override.
const FieldOverrideReason = "motivo_deroga"

// The audited actions of the eligibility policy.
const (
	// ActionRefused records an issue refused by the policy; the detail is
	// the reason's message key.
	ActionRefused AuditAction = "issue.refused"
	// ActionPolicyOverride records a supervisor's override of a refusal,
	// with the written reason.
	ActionPolicyOverride AuditAction = "issue.policy_override"
)

// ErrNotEligible is returned (inside a *Problem whose Key says why) when the
// policy refuses a PIN to the citizen.
var ErrNotEligible = errors.New("not eligible for a PIN under the policy")

// Alternatives returns the credentials a citizen refused a PIN is directed to.
func Alternatives() []string { return []string{"SPID", "CIE", "CNS"} }

// MinOverrideReason is the shortest written reason of a policy override, in
// characters.
const MinOverrideReason = 10

// Rule is one dated rule of a Policy: from From to To, both included, who
// may get a PIN. A zero From is "since always", a zero To "until further
// notice".
type Rule struct {
	From     Date        `json:"from,omitzero"`
	To       Date        `json:"to,omitzero"`
	Eligible Eligibility `json:"eligible"`
}

// covers reports whether the rule is in force on day.
func (r Rule) covers(day Date) bool {
	return (r.From.IsZero() || !day.Before(r.From)) && (r.To.IsZero() || !day.After(r.To))
}

// Policy is the dated eligibility policy of a deployment: who may get a PIN
// on a given day. Version numbers the policy's text, so that a sede can tell
// which one it runs. The rules are in date order and do not overlap; a day
// no rule covers issues no PIN.
type Policy struct {
	Version int    `json:"version"`
	Rules   []Rule `json:"rules"`
}

// PolicyPINClosed returns the day from which INPS issues the PIN only to citizens
// resident abroad who hold no Italian identity document.
func PolicyPINClosed() Date { return Date{2021, 10, 1} }

// DefaultPolicy returns the policy of the sources: before 1 October 2021 any
// citizen; from that day only citizens resident abroad who hold no Italian
// identity document.
func DefaultPolicy() Policy {
	return Policy{
		Version: 1,
		Rules: []Rule{
			{To: Date{2021, 9, 30}, Eligible: EligibleAll},
			{From: PolicyPINClosed(), Eligible: EligibleAbroadNoItalianDocument},
		},
	}
}

// Validate checks the policy: a version of 1 or more, at least one rule,
// each with a known eligibility and To not before From, in date order and
// not overlapping (only the first rule may have no From, only the last no
// To).
func (p Policy) Validate() error {
	if p.Version < 1 {
		return policyError("policy.bad.version", map[string]any{"Version": p.Version}, "version %d, want 1 or more", p.Version)
	}
	if len(p.Rules) == 0 {
		return policyError("policy.bad.norules", nil, "no rules")
	}
	for i, r := range p.Rules {
		args := map[string]any{"Rule": i + 1, "From": r.From, "To": r.To, "Eligible": string(r.Eligible)}
		switch {
		case !r.Eligible.Valid():
			return policyError("policy.bad.eligible", args, "rule %d: eligibility %q unknown", i+1, r.Eligible)
		case !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From):
			return policyError("policy.bad.order", args, "rule %d: ends %s before it starts %s", i+1, r.To, r.From)
		case i > 0 && r.From.IsZero():
			return policyError("policy.bad.nostart", args, "rule %d: no start date (only the first rule may have none)", i+1)
		case i < len(p.Rules)-1 && r.To.IsZero():
			return policyError("policy.bad.noend", args, "rule %d: no end date (only the last rule may have none)", i+1)
		case i > 0 && !r.From.After(p.Rules[i-1].To):
			args["Prev"], args["PrevTo"] = i, p.Rules[i-1].To
			return policyError("policy.bad.overlap", args, "rule %d: starts %s, not after the end %s of rule %d", i+1, r.From, p.Rules[i-1].To, i)
		}
	}
	return nil
}

// PolicyError is what is wrong with the content of a policy: its JSON,
// or a value in it. Its message, in English, says it; Key and Args say
// it in the user's language (the translations' "policy.bad.*").
type PolicyError struct {
	// Key is the key of the message in the translations; Args its
	// arguments (Rule, the rule's number from 1, its From, To and
	// Eligible; Line, Field, Value; as the key needs).
	Key  string
	Args map[string]any
	msg  string
}

// Error returns the message, in English.
func (e *PolicyError) Error() string { return "policy: " + e.msg }

// policyError returns a PolicyError of key and args, its English
// message made of format and a.
func policyError(key string, args map[string]any, format string, a ...any) *PolicyError {
	return &PolicyError{Key: key, Args: args, msg: fmt.Sprintf(format, a...)}
}

// decodeError returns the PolicyError of err, the JSON decoder's error
// for the policy b, when it tells what is wrong; err otherwise.
func decodeError(b []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var date *time.ParseError
	switch {
	case errors.As(err, &syntax):
		line := 1 + bytes.Count(b[:min(int(syntax.Offset), len(b))], []byte("\n"))
		return policyError("policy.bad.json", map[string]any{"Line": line}, "line %d: not valid JSON: %v", line, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		line := 1 + bytes.Count(bytes.TrimRight(b, " \t\r\n"), []byte("\n"))
		return policyError("policy.bad.json", map[string]any{"Line": line}, "line %d: not valid JSON: %v", line, err)
	case errors.As(err, &typ):
		return policyError("policy.bad.type", map[string]any{"Field": typ.Field, "Value": typ.Value}, "%q: a %s where a %s goes", typ.Field, typ.Value, typ.Type)
	case errors.As(err, &date):
		return policyError("policy.bad.date", map[string]any{"Value": date.Value}, "date %q: want YYYY-MM-DD", date.Value)
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field = strings.Trim(field, `"`)
		return policyError("policy.bad.field", map[string]any{"Field": field}, "%q is not a field of a policy", field)
	}
	return fmt.Errorf("policy: %w", err)
}

// Decision is the policy's answer for one request on one day. When the
// citizen is not eligible, Key is the message key that says why and
// Alternatives the credentials to use instead.
type Decision struct {
	Eligible     bool
	Key          string
	Alternatives []string
}

// Check decides whether the citizen of r, who showed document d, may get a
// PIN on day on. It returns an error only for an invalid policy.
func (p Policy) Check(on Date, r Request, d Document) (Decision, error) {
	if err := p.Validate(); err != nil {
		return Decision{}, err
	}
	refuse := func(key string) (Decision, error) {
		return Decision{Key: key, Alternatives: Alternatives()}, nil
	}
	for _, rule := range p.Rules {
		if !rule.covers(on) {
			continue
		}
		switch rule.Eligible {
		case EligibleAll:
			return Decision{Eligible: true}, nil
		case EligibleAbroadNoItalianDocument:
			switch {
			case !r.Residenza.Abroad():
				return refuse(KeyRefusedResidentItaly)
			case !d.Type.Foreign():
				return refuse(KeyRefusedItalianDocument)
			}
			return Decision{Eligible: true}, nil
		}
		return refuse(KeyRefusedClosed)
	}
	return refuse(KeyRefusedClosed)
}

// CheckResidence decides what the residence of r alone tells on day on,
// before any document is seen: a refusal when the rule in force serves
// only residents abroad and r lives in Italy (or when no rule serves
// anybody), eligible so far otherwise. The desk asks it as soon as the
// MV35 says where the person lives; Check decides, with the document.
func (p Policy) CheckResidence(on Date, r Request) (Decision, error) {
	// A foreign document stands for whatever document comes: only the
	// residence can refuse.
	return p.Check(on, r, Document{Type: DocPassaportoEstero})
}

// LimitsResidence reports whether the rule in force on day on serves only
// residents abroad: the desk then gives the residence no default.
func (p Policy) LimitsResidence(on Date) bool {
	for _, rule := range p.Rules {
		if rule.covers(on) {
			return rule.Eligible == EligibleAbroadNoItalianDocument
		}
	}
	return false
}

// ParsePolicy reads a policy from its JSON form and validates it. Unknown
// fields are an error, so that a misspelt one is not silently ignored:
//
//	{"version": 2, "rules": [
//	  {"to": "2021-09-30", "eligible": "all"},
//	  {"from": "2021-10-01", "eligible": "abroad_no_italian_document"}]}
func ParsePolicy(b []byte) (Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return Policy{}, decodeError(b, err)
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// MaxPolicyBytes bounds a policy file: a policy is a version and a few
// dated rules of about 50 bytes each (the built-in one, as a file, is 150
// bytes), so 64 KiB holds a thousand rules, more than any deployment's
// history, and refuses the wrong file named (a log, a disk image) before
// it is read into memory.
const MaxPolicyBytes = 64 << 10

// LoadPolicy reads and validates the policy file at path (see ParsePolicy),
// of at most MaxPolicyBytes.
func LoadPolicy(path string) (Policy, error) {
	b, err := smallfile.ReadRegular(path, "policy", MaxPolicyBytes)
	switch {
	case err != nil:
		return Policy{}, fmt.Errorf("load policy: %w", err)
	case len(bytes.TrimSpace(b)) == 0:
		return Policy{}, fmt.Errorf("load policy: %w", policyError("policy.bad.empty", nil, "policy file %s is empty: write the policy in it, as JSON (README, Per deployment)", path))
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return Policy{}, fmt.Errorf("load policy %s: %w", path, err)
	}
	return p, nil
}

// PolicySource returns the newest policy a desk has from the central
// records, which distribute it (GET /v1/policy), and whether it has one.
type PolicySource func() (Policy, bool)

// CurrentPolicy returns the policy the desk applies now: of Policy (or
// DefaultPolicy when nil) and the one Policies gives, the higher version.
// A policy from Policies that does not validate is passed over.
func (d *Desk) CurrentPolicy() Policy {
	p := DefaultPolicy()
	if d.Policy != nil {
		p = *d.Policy
	}
	if d.Policies != nil {
		if q, ok := d.Policies(); ok && q.Version > p.Version && q.Validate() == nil {
			p = q
		}
	}
	return p
}

// refusal checks the policy for req and doc today, for the residence alone
// when doc is nil (CheckResidence). It returns the decision;
// a refusal is returned as a *Problem wrapping ErrNotEligible and, when
// audit is set, audited (ActionRefused, with the key) with an EventRefused
// in the outbox (the codice fiscale, the key and the policy's version), in
// one transaction, and the link is asked to push it.
func (d *Desk) refusal(s *Session, req Request, doc *Document, audit bool) (Decision, error) {
	now := d.Now()
	p := d.CurrentPolicy()
	var dec Decision
	var err error
	if doc == nil {
		dec, err = p.CheckResidence(DateOf(now), req)
	} else {
		dec, err = p.Check(DateOf(now), req, *doc)
	}
	if err != nil {
		return Decision{}, fmt.Errorf("issue: %w", err)
	}
	if dec.Eligible {
		return dec, nil
	}
	if audit {
		err = d.update(s, func(tx Tx) error {
			if err := appendAudit(tx, now, s.Sede.Code, s.Actor(), AuditEntry{Action: ActionRefused, Subject: req.CodiceFiscale, Detail: dec.Key}); err != nil {
				return err
			}
			return d.enqueueOutcome(tx, s, now, EventRefused, Outcome{CodiceFiscale: req.CodiceFiscale, Reason: dec.Key, PolicyVersion: p.Version})
		})
		if err != nil {
			return dec, fmt.Errorf("record refusal: %w", err)
		}
		d.notify()
	}
	return dec, dec.problem()
}

// PolicyRefusal returns the refusal the policy in force today gives req
// and the document doc, or the residence of req alone when doc is nil (as
// soon as the MV35 says where the person lives), as the *Problem wrapping
// ErrNotEligible that Issue would return; nil when it does not refuse. With
// audit set
// the refusal is recorded as Issue records one (ActionRefused and an
// EventRefused, in one transaction): the desk does so when the clerk
// submits the MV35, not while the residence is being typed. A supervisor
// may still override it at the identity check (IssueWithOverride).
func (d *Desk) PolicyRefusal(s *Session, req Request, doc *Document, audit bool) error {
	_, err := d.refusal(s, req, doc, audit)
	return err
}

// problem is the error of a refusal: why, and what to use instead.
func (dec Decision) problem() error {
	return &Problem{Key: dec.Key, Args: map[string]any{"Alternatives": strings.Join(dec.Alternatives, ", ")}, Err: ErrNotEligible}
}

// ActionInfoSheetPrinted records the print of the information sheet on
// SPID, CIE and CNS.
const ActionInfoSheetPrinted AuditAction = "infosheet.printed"
