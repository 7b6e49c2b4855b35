package desk

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/sync/client"
)

// Ensure that the home screen's figures and lists follow the desk's day
// while a session stays open across midnight: a PIN issued at 23:50 and
// not handed over is no longer "issued today" nor among today's slips to
// hand over once the day has turned, whether the clerk stayed on the home
// screen or the session was locked in front of it, with no screen change
// to read them again.
func TestHomeAcrossMidnight(t *testing.T) {
	y, m, d := testNow.Date()
	for _, tc := range []struct {
		name string
		late time.Time // the issue, in the PC's zone, as the home's lists read the day
		lock bool
	}{
		{"home shown", time.Date(y, m, d, 23, 50, 0, 0, time.Local), false},
		{"locked", time.Date(y, m, d, 23, 50, 0, 0, time.Local), true},
		{"year end", time.Date(y, time.December, 31, 23, 50, 0, 0, time.Local), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := ready(t)
			h.now = tc.late
			h.toVerification(mario)
			h.fillVerification(passport)
			h.tap(h.app.verify.issue)
			if h.app.result == nil {
				t.Fatalf("no PIN issued at %s: %q", tc.late.Format(time.DateTime), h.app.verify.msg.text())
			}
			h.tap(h.app.header.home)
			home := h.app.home
			if got := home.issuedToday.Text; got != "1" {
				t.Fatalf("issued today at 23:50: %q, want 1", got)
			}
			if got := home.handover.count.Text; got != "1" {
				t.Fatalf("slips to hand over at 23:50: %q, want 1", got)
			}
			if tc.lock {
				h.app.lockSession()
			}
			h.now = tc.late.Add(10 * time.Minute) // 00:00 the next day
			h.app.everyTick()
			if got := home.issuedToday.Text; got != "0" {
				t.Errorf("issued today at %s: %q, want 0 (the day before's PIN)", h.now.Format(time.DateTime), got)
			}
			if got := home.handover.count.Text; got != "0" || home.handover.object.Visible() {
				t.Errorf("slips to hand over at %s: %q (shown %v), want none: the day before's listed as today's", h.now.Format(time.DateTime), got, home.handover.object.Visible())
			}
		})
	}
}

// Ensure that the status bar of a desk offline across midnight says since
// which day: a desk left on over a weekend, offline since Friday 18:05,
// said 'non in linea dalle 18:05' on Monday morning, as if since the
// evening before at most.
func TestOfflineSinceAcrossMidnight(t *testing.T) {
	h := ready(t)
	friday := time.Date(2026, time.March, 13, 18, 5, 0, 0, testNow.Location())
	h.now = friday.Add(time.Minute)
	states := make(chan client.State, 1)
	states <- client.State{Status: client.Offline, OfflineSince: friday, Pending: 2}
	h.app.UseSync(stateSync(states), "")
	if got, want := h.statusText(), lang.L("sync.offline", map[string]any{"Since": "18:05", "N": 2}); got != want {
		t.Errorf("on the day: %q, want %q", got, want)
	}
	h.now = friday.Add(62 * time.Hour) // Monday 08:05
	h.app.everyTick()
	if got, want := h.app.sync.button.Text, lang.L("sync.offline.day", map[string]any{"Day": "13/03/2026", "Since": "18:05", "N": 2}); got != want {
		t.Errorf("on Monday: %q, want %q", got, want)
	}
	shot(t, h, "statusbar-offline-since-friday")
}

// Ensure that the operators' list says on which day a lock-out ends when
// it is not today: a clerk locked out at 18:00 for 20 hours (lock-outs
// double up to a day) read 'Bloccato fino alle 14:00', an hour the
// supervisor took for today's, already past.
func TestOperatorLockedUntilTomorrow(t *testing.T) {
	h := ready(t)
	h.now = time.Date(2026, time.March, 10, 18, 0, 0, 0, testNow.Location())
	tomorrow := h.now.Add(20 * time.Hour)
	soon := h.now.Add(30 * time.Minute)
	for id, until := range map[string]time.Time{"g.verdi": tomorrow, "l.bianchi": soon} {
		if err := h.desk.AddOperator(h.app.session, pinsede.NewOperator{ID: id, Name: id, Role: pinsede.RoleOperatore, Password: "una-password-lunga"}); err != nil {
			t.Fatal(err)
		}
		err := h.store.Update(func(tx pinsede.Tx) error {
			op, err := tx.Operator(id)
			if err != nil {
				return err
			}
			op.FailedLogins, op.LockedUntil = pinsede.MaxFailedLogins, until
			return tx.PutOperator(op)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	h.tap(h.app.header.ops)
	shot(t, h, "operators-locked-until-tomorrow")
	text := h.screenText()
	for _, want := range []string{
		lang.L("operators.locked.day", map[string]any{"Day": "11/03", "Until": "14:00"}),
		lang.L("operators.locked", map[string]any{"Until": "18:30"}),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the operators' list lacks %q:\n%s", want, text)
		}
	}
}

// Ensure that what a colleague's Esci on the lock screen closed, told at
// the clerk's next login on this desk, says on which day: the desk stays
// on for days, and a revocation refused behind the lock on Friday evening
// was told on Monday as 'Alle 18:05', as if of that morning.
func TestLockLeftSaysTheDay(t *testing.T) {
	h, out := onMariosPage(t)
	h.now = time.Date(2026, time.March, 13, 18, 5, 0, 0, testNow.Location())
	h.tap(h.app.citizen.revokeCred[out.Credential.ID])
	d := h.app.citizen.revoke
	d.checked.SetChecked(true)
	h.typeIn(d.reason, "smarrito") // too short: refused
	test.Tap(d.confirm)
	h.app.lockSession()
	h.wait()                          // refused behind the lock
	h.tap(h.app.lock.logout)          // a colleague's Esci
	h.now = h.now.Add(62 * time.Hour) // Monday 08:05
	h.logIn("m.rossi", "password-di-prova")
	want := "Il 13/03/2026 alle 18:05 la tua sessione è stata chiusa"
	if got := strings.Join(strings.Fields(h.screenText()), " "); !strings.Contains(got, want) {
		t.Errorf("Monday's login does not say %q:\n%s", want, got)
	}
}
