package desk

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/testdisk"
	"github.com/pinsede/pinsede/ui/cups"
)

// storeWrite is a screen that writes the desk's store, for
// TestStoreRefusedTold: open opens it on h, filled as the clerk fills it,
// and returns press, which sends it, msg, the screen's message, and lost,
// what of the entry the screen no longer shows ("" for nothing).
type storeWrite struct {
	name string
	open func(h *harness) (press func(), msg func() string, lost func() string)
}

// storeWrites are the screens that write the store other than the issue
// (issueRefusedTold): the revocation, the replacement of a slip, the
// handover of an envelope, a delegation on the citizen's page, a new
// operator, the reset of an operator's password, the operator's own
// password and the settings.
var storeWrites = []storeWrite{
	{"revoca", func(h *harness) (func(), func() string, func() string) {
		cred := h.issueMario()
		h.app.showCitizen(mario.CodiceFiscale)
		h.tap(h.app.citizen.revokeCred[cred.ID])
		d := h.app.citizen.revoke
		d.checked.SetChecked(true)
		h.typeIn(d.reason, "richiesta del cittadino")
		return func() { h.tap(d.confirm) }, d.msg.text, func() string {
			if h.app.citizen.revoke != d || d.reason.Text != "richiesta del cittadino" || !d.checked.Checked {
				return "the dialog, its reason or its check"
			}
			return ""
		}
	}},
	{"sostituzione", func(h *harness) (func(), func() string, func() string) {
		h.addOperator("c.bianchi", "Carla Bianchi", pinsede.RoleSupervisore, "password-bianchi")
		cred := h.issueMario()
		h.app.showCitizen(mario.CodiceFiscale)
		h.tap(h.app.citizen.replaceSlip[cred.ID])
		d := h.app.citizen.replace
		for _, c := range []interface{ SetChecked(bool) }{d.checkOriginal, d.checkPhoto, d.checkSigned} {
			c.SetChecked(true)
		}
		h.typeIn(d.supID, "c.bianchi")
		return func() {
				d.reason.SetSelected(reason(pinsede.ReasonSlipLost)) // in the language of the round
				h.typeIn(d.supPW, "password-bianchi")                // cleared at each try (approvalFields.take)
				h.tap(d.confirm)
			}, d.msg.text, func() string {
				if n := len(h.printer.printed()); n != 1 {
					return "the dialog printed a slip not recorded"
				}
				if h.app.citizen.replace != d || d.supID.Text != "c.bianchi" || d.reason.Selected != reason(pinsede.ReasonSlipLost) ||
					!d.checkSigned.Checked || d.doc.number.Text == "" {
					return "the dialog, its reason, approval, checks or document"
				}
				return ""
			}
	}},
	{"consegna", func(h *harness) (func(), func() string, func() string) {
		cred := h.issueMario()
		h.app.showCitizen(mario.CodiceFiscale)
		c := h.app.citizen
		return func() {
				h.tap(c.handover[cred.ID])
				h.tapDialogConfirm()
			}, c.msg.text, func() string {
				if h.app.citizen != c || c.handover[cred.ID] == nil {
					return "the page or its Registra consegna"
				}
				return ""
			}
	}},
	{"delega", func(h *harness) (func(), func() string, func() string) {
		h.issueMario()
		v := h.openDelegation()
		v.form.SetSelectedIndex(indexOf(pinsede.DelegationForms(), pinsede.FormAA09))
		other := verdi(h.t, 1)
		h.fillOther(v, other)
		h.typeIn(v.until, "31/12/2026")
		h.typeIn(v.certificate, "dott. Neri, ASL Roma 1, 2 marzo 2026")
		v.checked.SetChecked(true)
		return func() { h.tap(v.register) }, v.msg.text, func() string {
			if h.app.current.View != v.screen.View || v.otherCF.Text != string(other.CodiceFiscale) ||
				v.otherDoc.number.Text != other.Document.Number || v.certificate.Text == "" || !v.checked.Checked {
				return "the form or what was typed in it"
			}
			return ""
		}
	}},
	{"nuovo-operatore", func(h *harness) (func(), func() string, func() string) {
		h.app.showOperators()
		o := h.app.operators
		h.typeIn(o.id, "l.verdi")
		h.typeIn(o.name, "Luca Verdi")
		o.role.SetSelectedIndex(0)
		h.typeIn(o.pw, "temporanea-2026")
		h.typeIn(o.pwConfirm, "temporanea-2026")
		return func() { h.tap(o.add) }, o.msg.text, func() string {
			if o.id.Text != "l.verdi" || o.name.Text != "Luca Verdi" || o.pw.Text == "" || o.pwConfirm.Text == "" {
				return "the new operator's fields"
			}
			return ""
		}
	}},
	{"reimposta-password", func(h *harness) (func(), func() string, func() string) {
		h.addBianchi()
		h.app.showOperators()
		o := h.app.operators
		h.tap(o.reset["l.bianchi"])
		rd := o.resetDlg
		h.typeIn(rd.pw, "temporanea-2026")
		h.typeIn(rd.again, "temporanea-2026")
		return func() { h.tap(rd.confirm) }, rd.msg.text, func() string {
			if o.resetDlg != rd || rd.pw.Text == "" || rd.again.Text == "" {
				return "the reset's dialog or its passwords"
			}
			return ""
		}
	}},
	{"propria-password", func(h *harness) (func(), func() string, func() string) {
		c := h.ownPassword()
		h.typeIn(c.old, "password-di-prova")
		h.typeIn(c.pw, "la-mia-password-2026")
		h.typeIn(c.confirm, "la-mia-password-2026")
		return func() { h.tap(c.submit) }, c.msg.text, func() string {
			if h.app.current.View != c.screen.View || c.old.Text == "" || c.pw.Text == "" || c.confirm.Text == "" {
				return "the screen or its passwords"
			}
			return ""
		}
	}},
	{"impostazioni", func(h *harness) (func(), func() string, func() string) {
		h.tap(h.app.header.settings)
		st := h.app.settings
		h.wait()
		h.typeIn(st.queue, "sportello1")
		return func() { h.tap(st.save) }, st.msg.text, func() string {
			if h.app.current.View != st.screen.View || st.queue.Text != "sportello1" {
				return "the screen or the queue's name"
			}
			return ""
		}
	}},
}

// storeRefusal is a real cause of the store's writes refused: ready makes
// the harness, with its store where the cause can reach it, and refuse
// makes the store's writes fail until the function it returns.
type storeRefusal struct {
	name, key string
	ready     func(t *testing.T) (h *harness, refuse func() (undo func()))
}

// storeRefusals are the store made immutable as the desk runs (chattr
// +i: EPERM), its disk full (a 2 MiB tmpfs another program fills:
// ENOSPC), and its disk failing (an ext4 file system its kernel shuts
// down, as after its disk's errors: EIO, for good).
var storeRefusals = []storeRefusal{
	{"archivio-protetto", "err.store.denied", func(t *testing.T) (*harness, func() func()) {
		h := readyNoCUPS(t)
		testdisk.Immutable(t, h.store.Path())() // skips here, not in a language, unless it may
		return h, func() func() { return testdisk.Immutable(t, h.store.Path()) }
	}},
	{"disco-pieno", "err.store.full", func(t *testing.T) (*harness, func() func()) {
		dir := testdisk.Small(t, "2m")
		t.Setenv("TMPDIR", dir) // the harness's store on it
		h := readyNoCUPS(t)
		return h, func() func() {
			filler := testdisk.Fill(t, dir)
			return func() {
				if err := os.Remove(filler); err != nil {
					t.Fatal(err)
				}
			}
		}
	}},
	{"disco-guasto", "err.store.failing", func(t *testing.T) (*harness, func() func()) {
		dir, fail := testdisk.Failing(t)
		t.Setenv("TMPDIR", dir)
		t.TempDir() // the test's folders on the disk, removed last
		var once sync.Once
		heal := func() {}
		t.Cleanup(func() { heal() }) // once the store is closed
		h := readyNoCUPS(t)
		return h, func() func() {
			once.Do(func() { heal = fail() })
			return func() {}
		}
	}},
}

// readyNoCUPS is ready with a CUPS that does not answer: the settings
// offer the queue's name to type.
func readyNoCUPS(t *testing.T) *harness {
	noCUPS := filepath.Join(t.TempDir(), "cups.sock")
	return ready(t, func(_ *pinsede.Desk, c *Config) {
		c.Printers = func(ctx context.Context) ([]cups.Printer, error) { return cups.ListPrinters(ctx, noCUPS) }
	})
}

// Ensure that each screen that writes the desk's store, other than the
// issue's (TestIssueStoreDeniedTold and its kin), tells the clerk in
// each of the desk's languages that the desk's records could not be
// written, and what to do for the cause (give back the permission, free
// space, copy the records while they read), when the store's file is
// made immutable, its disk full or failing; and keeps what the clerk
// entered. Before, the immutable store and the failing disk read
// "Errore imprevisto: … operation not permitted / input/output error".
func TestStoreRefusedTold(t *testing.T) {
	for _, r := range storeRefusals {
		for _, w := range storeWrites {
			t.Run(r.name+"/"+w.name, func(t *testing.T) {
				h, refuse := r.ready(t)
				press, msg, lost := w.open(h)
				inEachLanguage(t, func(t *testing.T, language string) {
					undo := refuse()
					press()
					undo()
					if got, want := msg(), lang.L(r.key); got != want {
						t.Errorf("the store refusing: %q, want %q", got, want)
					}
					if l := lost(); l != "" {
						t.Errorf("the screen lost %s", l)
					}
					shot(t, h, r.name+"-"+w.name+"-"+language)
				})
			})
		}
	}
}

// Ensure that an issue on a failing disk (EIO: an ext4 file system its
// kernel shuts down) tells the clerk in each of the desk's languages that
// the PIN was not issued, no envelope printed, and to call support at
// once to copy the records; the form keeps what was typed. The disk
// stays failing: unlike TestIssueDiskFullTold, nothing is issued after.
func TestIssueDiskFailingTold(t *testing.T) {
	i := slices.IndexFunc(storeRefusals, func(r storeRefusal) bool { return r.key == "err.store.failing" })
	h, refuse := storeRefusals[i].ready(t)
	h.toVerification(mario)
	h.fillVerification(passport)
	inEachLanguage(t, func(t *testing.T, language string) {
		refuse()
		h.tap(h.app.verify.issue)
		if got, want := h.app.verify.msg.text(), lang.L("issue.disk.failing"); got != want {
			t.Errorf("Emetti PIN, the disk failing: %q, want %q", got, want)
		}
		shot(t, h, "verifica-disco-guasto-"+language)
	})
	if n := len(h.printer.printed()); n != 0 {
		t.Errorf("%d slips printed for a PIN the disk did not take, want none", n)
	}
	if v, r := h.app.verify, h.app.request; v.number.Text != passport.Number || !v.checkPhoto.Checked || r.cf.Text != string(mario.CodiceFiscale) {
		t.Errorf("the form lost what was typed: document %q, photo checked %v, codice fiscale %q", v.number.Text, v.checkPhoto.Checked, r.cf.Text)
	}
}
