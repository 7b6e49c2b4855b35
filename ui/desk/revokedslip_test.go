package desk

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/client"
)

// Ensure that an envelope handed over at this desk whose PIN centrale
// revoked afterwards is the status bar's warning, named in the details
// with the citizen, the envelope, who revoked it, when, why and what to
// do; that the citizen's page open on that person opens again, showing
// the PIN revoked; and that the clerk's acknowledgement takes the
// warning away. Before, the pulled revocation was applied silently.
func TestRevokedSlipTold(t *testing.T) {
	h := ready(t, devPrinter)
	d := h.app.desk
	cred := h.issueMario()
	if _, err := d.RecordHandover(h.app.session, cred.ID); err != nil {
		t.Fatal(err)
	}
	handed := h.now
	h.app.showCitizen(mario.CodiceFiscale)
	page := h.app.citizen
	// Given centrale's revocation of the PIN, pulled an hour later and
	// told by the link,
	h.now = h.now.Add(time.Hour)
	const reason = "furto d'identità denunciato"
	h.pullRevoked(cred, reason)
	// then the bar warns of it,
	bar := lang.L("sync.revoked.count", map[string]any{"N": 1})
	if got := h.app.sync.button.Text; !strings.HasPrefix(got, bar) {
		t.Errorf("status bar %q, want %q first", got, bar)
	}
	// the citizen's page opened again, with the PIN revoked,
	if c := h.app.citizen; c == page || c == nil || c.page.Credentials[0].State != pinsede.StateRevocato {
		t.Errorf("the citizen's page was not opened again with the PIN revoked")
	}
	// and the details tell it whole.
	test.Tap(h.app.sync.button)
	want := lang.L("sync.revoked.handed", map[string]any{
		"Citizen": "Rossi Mario (" + string(mario.CodiceFiscale) + ")", "Serial": cred.SlipSerial, "Handed": when(handed),
		"At": when(h.now), "By": lang.L("sync.revoked.by.centrale"), "Reason": pinsede.ReasonRevokedAtCentrale(reason),
	})
	if text := strings.Join(h.texts(), "\n"); !strings.Contains(text, want) {
		t.Errorf("details lack %q:\n%s", want, text)
	}
	shot(t, h, "avviso-busta-revocata")
	if len(h.app.sync.acks) != 1 {
		t.Fatalf("%d buttons to acknowledge, want 1", len(h.app.sync.acks))
	}
	// When the clerk has called the citizen back and says so,
	h.tap(h.app.sync.acks[0])
	h.wait()
	// then the warning is gone, from the bar and from the details, and
	// from the store.
	if got := h.app.sync.button.Text; strings.Contains(got, bar) {
		t.Errorf("status bar %q after the acknowledgement", got)
	}
	if text := strings.Join(h.texts(), "\n"); strings.Contains(text, want) {
		t.Errorf("details still tell it after the acknowledgement")
	}
	if rs, err := d.RevokedSlips(); err != nil || len(rs) != 0 {
		t.Errorf("kept after the acknowledgement: %+v, %v", rs, err)
	}
}

// Ensure that an envelope still at the desk whose PIN centrale revoked
// leaves the home's envelopes to hand over as the pull comes, and the
// details tell the clerk not to hand it over. Before, the home offered
// it until it was shown again.
func TestRevokedSlipLeavesHandovers(t *testing.T) {
	h := ready(t, devPrinter)
	cred := h.issueMario()
	h.app.showHome()
	if got := h.app.home.handover.count.Text; got != "1" {
		t.Fatalf("the home offers %s envelopes to hand over, want 1", got)
	}
	h.now = h.now.Add(time.Minute)
	h.pullRevoked(cred, "")
	if got := h.app.home.handover.count.Text; got != "0" {
		t.Errorf("after the pull the home offers %s envelopes to hand over, want 0", got)
	}
	test.Tap(h.app.sync.button)
	want := lang.L("sync.revoked.here", map[string]any{
		"Citizen": "Rossi Mario (" + string(mario.CodiceFiscale) + ")", "Serial": cred.SlipSerial,
		"At": when(h.now), "By": lang.L("sync.revoked.by.centrale"), "Reason": pinsede.ReasonRevokedAtCentrale(""),
	})
	if text := strings.Join(h.texts(), "\n"); !strings.Contains(text, want) {
		t.Errorf("details lack %q:\n%s", want, text)
	}
	shot(t, h, "avviso-busta-revocata-da-consegnare")
}

// issueMario issues mario a PIN at the desk, its slip printed.
func (h *harness) issueMario() pinsede.Credential {
	h.t.Helper()
	out, err := h.desk.Issue(context.Background(), h.app.session, mario, foreignPassport)
	if err != nil {
		h.t.Fatal(err)
	}
	return out.Credential
}

// pullRevoked applies, at h.now, centrale's revocation of cred for
// reason, as a pull does, and tells it to the desk as the link does.
func (h *harness) pullRevoked(cred pinsede.Credential, reason string) {
	h.t.Helper()
	ch := pinsede.Change{Seq: 7, Kind: pinsede.ChangeRevoked, Time: h.now, Sede: cred.Sede, CredentialID: cred.ID, CodiceFiscale: cred.CodiceFiscale, Reason: reason}
	revoked, err := h.desk.ApplyPulled(ch.Seq, []pinsede.Change{ch}, h.now)
	if err != nil || len(revoked) != 1 {
		h.t.Fatalf("pull: %+v, %v", revoked, err)
	}
	h.app.UseSync(fakeSync{client.State{Status: client.Online, LastSync: h.now, Changes: 1, Revoked: revoked}}, "")
	h.statusText()
	h.wait()
}
