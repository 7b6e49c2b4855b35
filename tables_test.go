package pinsede_test

import (
	"testing"

	"github.com/pinsede/pinsede"
)

// Ensure that the rule tables are the package's alone: what a caller does
// to the copy it gets changes nothing for the next caller.
func TestRuleTablesAreCopies(t *testing.T) {
	pinsede.Countries()[0].Name = "Atlantide"
	if got := pinsede.Countries()[0].Name; got == "Atlantide" {
		t.Error("Countries: a caller changed the table")
	}
	pinsede.DocumentTypes()[0] = "tessera_del_club"
	if got := pinsede.DocumentTypes()[0]; got == "tessera_del_club" {
		t.Error("DocumentTypes: a caller changed the table")
	}
	pinsede.DelegationForms()[0] = pinsede.FormAA10
	if got := pinsede.DelegationForms()[0]; got != pinsede.FormAA08 {
		t.Errorf("DelegationForms()[0] = %v, want AA08", got)
	}
	pinsede.Alternatives()[0] = "PIN"
	if got := pinsede.Alternatives()[0]; got != "SPID" {
		t.Errorf("Alternatives()[0] = %q, want SPID", got)
	}
	pinsede.Transitions()[0] = pinsede.TransitionRevoke
	if got := pinsede.Transitions()[0]; got != pinsede.TransitionIssue {
		t.Errorf("Transitions()[0] = %v, want issue", got)
	}
	pinsede.TelephoneValidities()[0] = pinsede.ValidityThreeMonths
	if got := pinsede.TelephoneValidities()[0]; got != pinsede.ValidityDay {
		t.Errorf("TelephoneValidities()[0] = %v, want a day", got)
	}
	p := pinsede.DefaultPolicy()
	p.Rules[1].Eligible = pinsede.EligibleAll
	if got := pinsede.DefaultPolicy().Rules[1].Eligible; got != pinsede.EligibleAbroadNoItalianDocument {
		t.Errorf("DefaultPolicy().Rules[1] = %v: a caller changed the policy", got)
	}
}
