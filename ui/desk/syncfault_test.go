package desk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/client"
)

// fakeSync is a SyncSource with a fixed state.
type fakeSync struct{ state client.State }

func (f fakeSync) Subscribe() (<-chan client.State, func()) {
	ch := make(chan client.State, 1)
	ch <- f.state
	return ch, func() {}
}

// Ensure that the details tell why the last sync failed in plain words,
// for each kind of fault, never with the technical error, and name the
// policy in use.
func TestSyncFaultText(t *testing.T) {
	testclock.RealDayOnly(t, "the sync faults' words")
	const raw = `Get "https://centrale:8443/v1/changes?after=0": dial tcp 10.0.0.1:8443: connect: connection refused`
	for _, tc := range []struct {
		fault client.Fault
		title string
		want  string
	}{
		{client.FaultUnreachable, "", lang.L("sync.fault.unreachable")},
		{client.FaultTimeout, "", lang.L("sync.fault.timeout")},
		{client.FaultCertificate, "Certificate revoked", lang.L("sync.fault.certificate")},
		{client.FaultCentraleCertificate, "", lang.L("sync.fault.centralecert")},
		{client.FaultServer, "Internal error", lang.L("sync.fault.server", map[string]any{"Title": "Internal error"})},
		{client.FaultOther, "", lang.L("sync.fault.other")},
		{client.FaultBusy, "Centrale busy", lang.L("sync.fault.busy")},
		{client.FaultClock, "Desk clock ahead", lang.L("sync.fault.clock")},
		{client.FaultLimited, "Too many events from this desk", lang.L("sync.fault.limited")},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			h := ready(t)
			h.app.UseSync(fakeSync{client.State{Status: client.Offline, LastError: raw, Fault: tc.fault, FaultTitle: tc.title}}, "")
			h.statusText()
			test.Tap(h.app.sync.button)
			shot(t, h, "syncfault-"+tc.fault.String())
			text := strings.Join(h.texts(), "\n")
			if !strings.Contains(text, tc.want) {
				t.Errorf("details lack %q:\n%s", tc.want, text)
			}
			if strings.Contains(text, "connection refused") {
				t.Errorf("details show the technical error:\n%s", text)
			}
			if want := lang.L("sync.policy.version", map[string]any{"N": 1}); !strings.Contains(text, want) {
				t.Errorf("details lack the policy in use %q", want)
			}
		})
	}
	if got := faultText(client.State{}); got != "" {
		t.Errorf("faultText(no fault) = %q", got)
	}
}

// Ensure that the reasons of the rules of conversions, forms and
// delegations, and those of an act another desk of the sede took first,
// are told in the operator's words, with or without the detail centrale
// adds, and that a delegation not accepted names its delegante.
func TestRuleReasonText(t *testing.T) {
	for reason, key := range map[string]string{
		central.ReasonDeleganteHasOne + " (d1, sede MILA01)":                            "sync.reason.delegantehasone",
		central.ReasonDelegatoFull:                                                      "sync.reason.delegatofull",
		central.ReasonNoCertificate:                                                     "sync.reason.nocertificate",
		central.ReasonFormTooLarge + " (2000000 bytes, at most 1)":                      "sync.reason.formtoolarge",
		central.ReasonNotConvertible + " (this one is dispositivo)":                     "sync.reason.notconvertible",
		central.ReasonUnknownDelegation:                                                 "sync.reason.unknowndelegation",
		central.ReasonHandedOver + ": on 2026-12-05T10:00:00Z by op1":                   "sync.reason.alreadyhandedover",
		central.ReasonNotActive + ": revoked on 2026-12-05T10:00:00Z by op1 (smarrito)": "sync.reason.notactive",
	} {
		if got := reasonText(reason); got != lang.L(key) {
			t.Errorf("reasonText(%q) = %q, want %q", reason, got, lang.L(key))
		}
	}
	n := pinsede.NotAccepted{
		Event: pinsede.Event{Kind: pinsede.EventDelegationRegistered, Time: testNow, Delegation: &pinsede.Delegation{
			Delegante: pinsede.Party{CodiceFiscale: "RSSMRA80A01H501U"},
		}},
		Verdict: pinsede.VerdictRejected, Reason: central.ReasonDelegatoFull,
	}
	got := notAcceptedText(n)
	for _, want := range []string{"RSSMRA80A01H501U", lang.L("sync.event.delegationregistered"), lang.L("sync.reason.delegatofull")} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}
