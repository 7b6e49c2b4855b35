package pinsede

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Override is a supervisor's override of a policy refusal, given on the
// desk's screen with the supervisor's own id and password and a written
// reason of MinOverrideReason to 120 characters.
type Override struct {
	SupervisorID string
	Password     string
	Reason       string
}

// IssueWithOverride issues a PIN as Issue does, to a citizen the policy
// refuses, on a supervisor's override: the approver is an active supervisor
// other than the session's operator (dual control: ErrSameApprover,
// ErrForbidden, ErrBadCredentials as for ReplaceSlip) and the written
// reason has from MinOverrideReason to 120 characters, kept on one line
// (FoldLines), with none that InvisibleChar refuses (else FieldErrors on
// FieldOverrideReason). The override is audited as ActionPolicyOverride,
// with the refusal's key, the approver and the reason, in the transaction
// that commits the credential. A citizen the policy accepts is simply
// issued a PIN, with no override recorded.
func (d *Desk) IssueWithOverride(ctx context.Context, s *Session, req Request, ver Verification, o Override) (Issued, error) {
	if d.Printer == nil {
		return Issued{}, ErrNoPrinter
	}
	if err := d.clockOff(); err != nil { // before the dates and the approval
		return Issued{}, fmt.Errorf("policy override: %w", err)
	}
	today := DateOf(d.Now())
	es := validateIssue(&req, &ver, today)
	if es = append(es, o.checkReason()...); len(es) > 0 {
		return Issued{}, es
	}
	if err := d.approve(s, Approval{SupervisorID: o.SupervisorID, Password: o.Password}); err != nil {
		return Issued{}, fmt.Errorf("policy override: %w", err)
	}
	dec, err := d.refusal(s, req, &ver.Document, false)
	switch {
	case err == nil:
		return d.issue(ctx, s, req, ver) // eligible: nothing to override
	case !errors.Is(err, ErrNotEligible):
		return Issued{}, err
	}
	return d.issue(ctx, s, req, ver, o.entry(req.CodiceFiscale, dec.Key))
}

// entry is the audit entry of the override of the refusal key of
// subject's request: the key, the approver and the reason.
func (o Override) entry(subject CodiceFiscale, key string) AuditEntry {
	return AuditEntry{
		Action: ActionPolicyOverride, Subject: subject,
		Detail: fmt.Sprintf("%s; approvato da %s: %s", key, o.SupervisorID, o.Reason),
	}
}

// checkReason folds the override's reason onto one line (FoldLines) and
// returns its problems: shorter than MinOverrideReason, longer than 120
// characters, or holding a character InvisibleChar refuses.
func (o *Override) checkReason() FieldErrors {
	var es FieldErrors
	o.Reason = FoldLines(o.Reason)
	if utf8.RuneCountInString(o.Reason) < MinOverrideReason {
		es.add(FieldOverrideReason, KeyOverrideReasonShort, map[string]any{"Min": MinOverrideReason})
	} else {
		es.checkText(FieldOverrideReason, o.Reason, true, maxText)
	}
	return es
}
