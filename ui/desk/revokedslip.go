package desk

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede"
)

// The envelopes printed at this desk whose PIN was revoked elsewhere
// (pinsede.Desk.RevokedSlips) are the status bar's gravest kind of
// warning but the clock's: a citizen holds, or is about to be given, a
// PIN that no longer works. The details name each, with what to do, and
// a clerk who has done it takes the warning away; until then the bar
// says it, after a restart too.

// loadRevoked reads the envelopes revoked elsewhere again and shows them;
// the citizen's page shown opens again when it is of one of cfs (their
// PIN revoked by the pull just made) or of an envelope new to the list.
// On the UI goroutine.
func (s *syncStatus) loadRevoked(cfs []pinsede.CodiceFiscale) {
	a := s.a
	a.background(func() func() {
		rs, err := a.desk.RevokedSlips()
		return func() {
			if err != nil {
				a.logger().Warn("the envelopes revoked elsewhere could not be read", "err", err)
				return
			}
			for _, r := range rs {
				if !slices.ContainsFunc(s.revoked, func(o pinsede.RevokedSlip) bool { return o.Credential == r.Credential }) {
					cfs = append(cfs, r.CodiceFiscale)
				}
			}
			s.revoked = rs
			s.render()
			if s.details != nil {
				s.fillDetails()
			}
			a.reloadCitizen(cfs)
		}
	})
}

// revokedByPull returns the codici fiscali of the credentials that st
// tells revoked by pulled changes and prev did not.
func revokedByPull(st, prev pinsede.SyncState) []pinsede.CodiceFiscale {
	var out []pinsede.CodiceFiscale
	for _, r := range st.Revoked {
		if !slices.ContainsFunc(prev.Revoked, func(o pinsede.Revocation) bool { return o.Seq == r.Seq }) {
			out = append(out, r.CodiceFiscale)
		}
	}
	return out
}

// reloadCitizen opens again the citizen's page, when it is shown and of
// one of cfs: a PIN of theirs was revoked elsewhere, and the page showed
// it valid. The home shown reads its envelopes to hand over again: it
// offered them.
func (a *App) reloadCitizen(cfs []pinsede.CodiceFiscale) {
	if a.session == nil || len(cfs) == 0 {
		return
	}
	if h := a.home; h != nil && a.current.View == h.screen.View {
		h.handover.refresh()
	}
	if c := a.citizen; c != nil && a.current.View == c.screen.View && slices.Contains(cfs, c.page.Citizen.CF()) {
		a.showCitizen(c.page.Citizen.CF())
	}
}

// revokedDetails are the details' part on the envelopes revoked
// elsewhere: each with what to do and the button that takes its warning
// away, or, with no session, a note to log in (they name citizens).
func (s *syncStatus) revokedDetails() []fyne.CanvasObject {
	s.acks = nil
	if len(s.revoked) == 0 {
		return nil
	}
	objs := []fyne.CanvasObject{heading(lang.L("sync.revoked.title"))}
	if s.a.session == nil || s.a.lock.locked {
		return append(objs, note(lang.L("sync.revoked.login")))
	}
	for _, r := range s.revoked {
		ack := s.a.button(lang.L("sync.revoked.ack"), fynetheme.ConfirmIcon(), func() { s.acknowledge(r) })
		s.acks = append(s.acks, ack)
		objs = append(objs, note(revokedText(r)), container.NewHBox(ack))
	}
	return objs
}

// acknowledge takes away the warning of r, for the session's operator
// has done what it says.
func (s *syncStatus) acknowledge(r pinsede.RevokedSlip) {
	a, sess := s.a, s.a.session
	a.background(func() func() {
		err := a.desk.ForgetRevokedSlips(sess, []pinsede.RevokedSlip{r})
		return func() {
			if err != nil {
				a.logger().Warn("the envelope revoked elsewhere could not be acknowledged", "err", err)
			}
			s.loadRevoked(nil)
		}
	})
}

// revokedText tells r: which citizen and envelope, when and by whom its
// PIN was revoked and why, and what the clerk does about it.
func revokedText(r pinsede.RevokedSlip) string {
	who := string(r.CodiceFiscale)
	if r.Citizen != "" {
		who = r.Citizen + " (" + who + ")"
	}
	by := lang.L("sync.revoked.by.centrale")
	if r.Actor != pinsede.ActorCentrale {
		by = lang.L("sync.revoked.by.desk", map[string]any{"Desk": orDash(r.Desk), "Actor": r.Actor})
	}
	key, args := "sync.revoked.here", map[string]any{
		"Citizen": who, "Serial": r.SlipSerial, "At": when(r.At), "By": by, "Reason": r.Reason,
	}
	if !r.HandedOver.IsZero() {
		key, args["Handed"] = "sync.revoked.handed", when(r.HandedOver)
	}
	return lang.L(key, args)
}
