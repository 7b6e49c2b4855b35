package desk

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/internal/diskerr"
	"github.com/pinsede/pinsede/internal/testclock"
	"github.com/pinsede/pinsede/internal/testdisk"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/ui/cups"
	"github.com/pinsede/pinsede/ui/ticket"
)

// storeWrite is a screen that writes the desk's store, for
// TestStoreRefusedTold: open opens it on h, filled as the clerk fills it.
// Its write records action in the audit chain, with what it writes, in
// one transaction; an issue's screen (issue) says the issue's messages
// (storeRefusal's issueKey).
//
// A full disk refuses the store's commits that need more of it, not
// those that fit in the pages its file holds free (fitsFreed): the
// revocation of a delegation and a ticket taken write little after the
// writes that open them, which freed as much.
type storeWrite struct {
	name             string
	action           pinsede.AuditAction
	issue, fitsFreed bool
	open             func(h *harness) storeForm
}

// storeForm is a screen of storeWrite, open and filled: press sends it,
// msg is the screen's message, and lost what of the entry the screen no
// longer shows ("" for nothing).
type storeForm struct {
	press     func()
	msg, lost func() string
}

// storeWrites are the screens that write the store other than the issue
// of a PIN dispositivo (issueRefusedTold): the revocation, the
// replacement of a slip, the handover of an envelope, a delegation on the
// citizen's page and its revocation, the conversion of a PIN ordinario,
// the choice of SPID, CIE or CNS, the issue of a PIN telefonico, a kiosk
// ticket of centrale's taken by its code, a new operator, an operator
// disabled, the reset of an operator's password, the operator's own
// password and the settings.
var storeWrites = []storeWrite{
	{"revoca", pinsede.ActionRevoked, false, false, func(h *harness) storeForm {
		cred := h.issueMario()
		h.app.showCitizen(mario.CodiceFiscale)
		h.tap(h.app.citizen.revokeCred[cred.ID])
		d := h.app.citizen.revoke
		d.checked.SetChecked(true)
		h.typeIn(d.reason, "richiesta del cittadino")
		return storeForm{func() { h.tap(d.confirm) }, d.msg.text, func() string {
			if h.app.citizen.revoke != d || d.reason.Text != "richiesta del cittadino" || !d.checked.Checked {
				return "the dialog, its reason or its check"
			}
			return ""
		}}
	}},
	{"sostituzione", pinsede.ActionSlipReplaced, false, false, func(h *harness) storeForm {
		h.addOperator("c.bianchi", "Carla Bianchi", pinsede.RoleSupervisore, "password-bianchi")
		cred := h.issueMario()
		h.app.showCitizen(mario.CodiceFiscale)
		h.tap(h.app.citizen.replaceSlip[cred.ID])
		d := h.app.citizen.replace
		for _, c := range []interface{ SetChecked(bool) }{d.checkOriginal, d.checkPhoto, d.checkSigned} {
			c.SetChecked(true)
		}
		h.typeIn(d.supID, "c.bianchi")
		return storeForm{func() {
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
		}}
	}},
	{"consegna", pinsede.ActionHandedOver, false, false, func(h *harness) storeForm {
		cred := h.issueMario()
		h.app.showCitizen(mario.CodiceFiscale)
		c := h.app.citizen
		return storeForm{func() {
			h.tap(c.handover[cred.ID])
			h.tapDialogConfirm()
		}, c.msg.text, func() string {
			if h.app.citizen != c || c.handover[cred.ID] == nil {
				return "the page or its Registra consegna"
			}
			return ""
		}}
	}},
	{"delega", pinsede.ActionDelegationRegistered, false, false, func(h *harness) storeForm {
		h.issueMario()
		v := h.openDelegation()
		v.form.SetSelectedIndex(indexOf(pinsede.DelegationForms(), pinsede.FormAA09))
		other := verdi(h.t, 1)
		h.fillOther(v, other)
		h.typeIn(v.until, "31/12/2026")
		h.typeIn(v.certificate, "dott. Neri, ASL Roma 1, 2 marzo 2026")
		v.checked.SetChecked(true)
		return storeForm{func() { h.tap(v.register) }, v.msg.text, func() string {
			if h.app.current.View != v.screen.View || v.otherCF.Text != string(other.CodiceFiscale) ||
				v.otherDoc.number.Text != other.Document.Number || v.certificate.Text == "" || !v.checked.Checked {
				return "the form or what was typed in it"
			}
			return ""
		}}
	}},
	{"revoca-delega", pinsede.ActionDelegationRevoked, false, true, func(h *harness) storeForm {
		h.issueMario()
		dl, err := h.desk.RegisterDelegation(h.app.session, pinsede.Delegation{Form: pinsede.FormAA08,
			Delegante: pinsede.Party{CodiceFiscale: mario.CodiceFiscale, Cognome: mario.Cognome, Nome: mario.Nome, Document: passport},
			Delegato:  verdi(h.t, 1)})
		if err != nil {
			h.t.Fatal(err)
		}
		h.app.showCitizen(mario.CodiceFiscale)
		c := h.app.citizen
		h.tap(c.revokeDelegation[dl.ID])
		d := c.revokeDeleg
		h.typeIn(d.reason, "richiesta del delegante")
		d.checked.SetChecked(true)
		return storeForm{func() { h.tap(d.confirm) }, d.msg.text, func() string {
			if h.app.citizen != c || c.revokeDeleg != d || d.reason.Text != "richiesta del delegante" || !d.checked.Checked {
				return "the dialog, its reason or its check"
			}
			return ""
		}}
	}},
	{"conversione", pinsede.ActionConverted, false, false, func(h *harness) storeForm {
		ord := h.putOrdinario("ord1")
		h.app.showCitizen(mario.CodiceFiscale)
		h.tap(h.app.citizen.convertCred[ord.ID])
		v := h.app.citizen.convertScreen
		h.fillDocument(v.doc, passport)
		for _, c := range []interface{ SetChecked(bool) }{v.checkOriginal, v.checkPhoto, v.checkSigned} {
			c.SetChecked(true)
		}
		return storeForm{func() { h.tap(v.convert) }, v.msg.text, func() string {
			if h.app.current.View != v.screen.View || v.doc.number.Text != passport.Number || v.doc.authority.Text != passport.Authority ||
				!v.checkPhoto.Checked || !v.checkSigned.Checked {
				return "the screen, its document or its checks"
			}
			return ""
		}}
	}},
	{"identita-digitale", pinsede.ActionDigitalIdentity, false, false, func(h *harness) storeForm {
		h.toVerification(mario)
		v := h.app.verify
		h.tap(v.digital)
		d := v.digitalDialog
		d.choice.SetSelected("CIE")
		return storeForm{func() { h.tap(d.confirm) }, d.msg.text, func() string {
			if h.app.verify != v || v.digitalDialog != d || d.choice.Selected != "CIE" || h.app.request == nil ||
				h.app.request.cf.Text != string(mario.CodiceFiscale) {
				return "the dialog, its choice or the request"
			}
			return ""
		}}
	}},
	{"pin-telefonico", pinsede.ActionIssued, true, false, func(h *harness) storeForm {
		h.toVerification(mario)
		h.fillVerification(passport)
		v := h.app.verify
		v.choice.kind.SetSelected(v.choice.kind.Options[1])
		v.choice.duration.SetSelectedIndex(1)
		return storeForm{func() { h.tap(v.issue) }, v.msg.text, func() string {
			if n := len(h.printer.printed()); n != 0 {
				return "nothing: it printed a slip not recorded"
			}
			if h.app.current.View != v.screen.View || !v.choice.telephone() || v.choice.duration.SelectedIndex() != 1 ||
				v.number.Text != passport.Number || !v.checkPhoto.Checked || h.app.request.cf.Text != string(mario.CodiceFiscale) {
				return "the screen, the PIN telefonico's duration, the document or the request"
			}
			return ""
		}}
	}},
	{"biglietto", pinsede.ActionTicketCalled, false, true, func(h *harness) storeForm {
		code := h.centraleTicket(giulia(h.t))
		h.app.logout() // the home screen, with the queue, is built again at the next login
		h.logIn("m.rossi", "password-di-prova")
		q := h.app.home.queue
		return storeForm{func() {
			if q.code.Text == "" { // typed again only if the desk forgot it
				h.typeIn(q.code, code)
			}
			h.tap(q.open)
		}, q.msg.text, func() string {
			if h.app.current.View != h.app.home.screen.View || q.code.Text != code {
				return "the home screen or the ticket's code"
			}
			return ""
		}}
	}},
	{"nuovo-operatore", pinsede.ActionOperatorAdded, false, false, func(h *harness) storeForm {
		h.app.showOperators()
		o := h.app.operators
		h.typeIn(o.id, "l.verdi")
		h.typeIn(o.name, "Luca Verdi")
		o.role.SetSelectedIndex(0)
		h.typeIn(o.pw, "temporanea-2026")
		h.typeIn(o.pwConfirm, "temporanea-2026")
		return storeForm{func() { h.tap(o.add) }, o.msg.text, func() string {
			if o.id.Text != "l.verdi" || o.name.Text != "Luca Verdi" || o.pw.Text == "" || o.pwConfirm.Text == "" {
				return "the new operator's fields"
			}
			return ""
		}}
	}},
	{"disattiva-operatore", pinsede.ActionOperatorOff, false, false, func(h *harness) storeForm {
		h.addBianchi()
		h.app.showOperators()
		o := h.app.operators
		return storeForm{func() {
			h.tap(o.disable["l.bianchi"])
			h.tapDialogConfirm()
		}, o.listMsg.text, func() string {
			if h.app.operators != o || h.app.current.View != o.screen.View || o.disable["l.bianchi"] == nil {
				return "the page or the operator's Disattiva"
			}
			return ""
		}}
	}},
	{"reimposta-password", pinsede.ActionPasswordReset, false, false, func(h *harness) storeForm {
		h.addBianchi()
		h.app.showOperators()
		o := h.app.operators
		h.tap(o.reset["l.bianchi"])
		rd := o.resetDlg
		h.typeIn(rd.pw, "temporanea-2026")
		h.typeIn(rd.again, "temporanea-2026")
		return storeForm{func() { h.tap(rd.confirm) }, rd.msg.text, func() string {
			if o.resetDlg != rd || rd.pw.Text == "" || rd.again.Text == "" {
				return "the reset's dialog or its passwords"
			}
			return ""
		}}
	}},
	{"propria-password", pinsede.ActionPasswordChanged, false, false, func(h *harness) storeForm {
		c := h.ownPassword()
		h.typeIn(c.old, "password-di-prova")
		h.typeIn(c.pw, "la-mia-password-2026")
		h.typeIn(c.confirm, "la-mia-password-2026")
		return storeForm{func() { h.tap(c.submit) }, c.msg.text, func() string {
			if h.app.current.View != c.screen.View || c.old.Text == "" || c.pw.Text == "" || c.confirm.Text == "" {
				return "the screen or its passwords"
			}
			return ""
		}}
	}},
	{"impostazioni", pinsede.ActionSettingsChanged, false, false, func(h *harness) storeForm {
		h.tap(h.app.header.settings)
		st := h.app.settings
		h.wait()
		h.typeIn(st.queue, "sportello1")
		return storeForm{func() { h.tap(st.save) }, st.msg.text, func() string {
			if h.app.current.View != st.screen.View || st.queue.Text != "sportello1" {
				return "the screen or the queue's name"
			}
			return ""
		}}
	}},
}

// centraleTicket links the desk to a source of centrale's news, as the
// sync does, and keeps a kiosk ticket of req that centrale handed the
// desk, issued today; it returns the ticket's code.
func (h *harness) centraleTicket(req pinsede.Request) string {
	h.t.Helper()
	h.app.UseSync(fakeSync{client.State{Status: client.Online, LastSync: h.now}}, "")
	tk := pinsede.Ticket{Code: ticket.NewCode(), Number: "K007", Service: "request", Issued: h.now.Add(-time.Minute), Language: "it", Request: req}
	if err := h.store.Update(func(tx pinsede.Tx) error { return tx.PutTicket(tk) }); err != nil {
		h.t.Fatal(err)
	}
	return tk.Code
}

// storeRefusal is a real cause of the store's writes refused: ready makes
// the harness, with its store where the cause can reach it; refuse makes
// the store's writes fail until the function it returns, and repair,
// when undoing is not enough (nil otherwise), closes the desk, repairs
// the disk and opens the store again into the harness, as it then is on
// the disk. The screens say key, the issue's screen issueKey.
type storeRefusal struct {
	name, key, issueKey string
	ready               func(t *testing.T) (h *harness, refuse func() (undo func()), repair func())
}

// storeRefusals are the store made immutable as the desk runs (chattr
// +i: EPERM), its disk full (a 2 MiB tmpfs another program fills:
// ENOSPC), and its disk failing (an ext4 file system its kernel shuts
// down, as after its disk's errors: EIO, for good).
var storeRefusals = []storeRefusal{
	{"archivio-protetto", "err.store.denied", "issue.disk.denied", func(t *testing.T) (*harness, func() func(), func()) {
		h := readyNoCUPS(t)
		testdisk.Immutable(t, h.store.Path())() // skips here, not in a language, unless it may
		return h, func() func() { return testdisk.Immutable(t, h.store.Path()) }, nil
	}},
	{"disco-pieno", "err.store.full", "issue.disk.full", func(t *testing.T) (*harness, func() func(), func()) {
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
		}, nil
	}},
	{"disco-guasto", "err.store.failing", "issue.disk.failing", func(t *testing.T) (*harness, func() func(), func()) {
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
			}, func() {
				h.wait()
				h.app.Close()
				if err := h.store.Close(); err != nil {
					t.Fatal(err)
				}
				heal()
				heal = func() {}
				path := h.store.Path()
				s, err := local.Open(path, filepath.Join(filepath.Dir(path), "store.key"))
				if err != nil {
					t.Fatalf("the store, its disk repaired: %v", err)
				}
				t.Cleanup(func() { s.Close() })
				h.store = s
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
// issue of a PIN dispositivo (TestIssueStoreDeniedTold and its kin),
// tells the clerk in each of the desk's languages that the desk's
// records could not be written, and what to do for the cause (give back
// the permission, free space, copy the records while they read), when
// the store's file is made immutable, its disk full or failing; keeps
// what the clerk entered; leaves nothing of the write in the store (its
// audit entry and outbox event not there, the audit chain whole); and
// writes it once the cause is gone, at the same button. Before, the
// immutable store and the failing disk read "Errore imprevisto: …
// operation not permitted / input/output error".
func TestStoreRefusedTold(t *testing.T) {
	testclock.RealDayOnly(t, "store refusals (14 screens x 3 disks, 40 s a pass)")
	for _, r := range storeRefusals {
		for _, w := range storeWrites {
			t.Run(r.name+"/"+w.name, func(t *testing.T) {
				if r.key == "err.store.full" && w.fitsFreed {
					t.Skip("a full disk does not refuse a write that fits in the pages the store freed")
				}
				h, refuse, repair := r.ready(t)
				f := w.open(h)
				key := r.key
				if w.issue {
					key = r.issueKey
				}
				audited, events := h.written(w.action)
				inEachLanguage(t, func(t *testing.T, language string) {
					undo := refuse()
					f.press()
					h.wait()
					undo()
					if got, want := f.msg(), lang.L(key); got != want {
						t.Errorf("the store refusing: %q, want %q", got, want)
					}
					if l := f.lost(); l != "" {
						t.Errorf("the screen lost %s", l)
					}
					shot(t, h, r.name+"-"+w.name+"-"+language)
				})
				if repair != nil {
					repair() // the disk fails until then
				}
				if a, e := h.written(w.action); a != audited || e != events {
					t.Errorf("after the refusals: %d entries %s, %d events in the outbox; want %d and %d, as before", a, w.action, e, audited, events)
				}
				h.assertChainWhole()
				if repair != nil {
					return // the desk closed to repair its disk: what was typed is gone
				}
				f.press()
				h.wait()
				if a, _ := h.written(w.action); a <= audited {
					t.Errorf("the cause gone: %d entries %s, want more than %d (%q)", a, w.action, audited, f.msg())
				}
				h.assertChainWhole()
			})
		}
	}
}

// written counts the audit entries of action and the events waiting in
// the store's outbox.
func (h *harness) written(action pinsede.AuditAction) (audited, events int) {
	h.t.Helper()
	err := h.store.AuditEntries(0, func(e pinsede.AuditEntry) error {
		if e.Action == action {
			audited++
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	items, err := h.store.Outbox(1000)
	if err != nil {
		h.t.Fatal(err)
	}
	return audited, len(items)
}

// assertChainWhole fails the test unless the store's audit chain is
// whole (local.Store.VerifyAudit).
func (h *harness) assertChainWhole() {
	h.t.Helper()
	rep, err := h.store.VerifyAudit()
	if err != nil || len(rep.Problems) > 0 {
		h.t.Errorf("the audit chain: %+v, %v; want it whole", rep.Problems, err)
	}
}

// Ensure that an issue on a failing disk (EIO: an ext4 file system its
// kernel shuts down) tells the clerk in each of the desk's languages that
// the PIN was not issued, no envelope printed, and to call support at
// once to copy the records; the form keeps what was typed. The disk
// stays failing: unlike TestIssueDiskFullTold, nothing is issued after.
func TestIssueDiskFailingTold(t *testing.T) {
	testclock.RealDayOnly(t, "a failing disk at the issue")
	i := slices.IndexFunc(storeRefusals, func(r storeRefusal) bool { return r.key == "err.store.failing" })
	h, refuse, _ := storeRefusals[i].ready(t)
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

// Ensure that once a write the failing disk refused has left the store
// unreadable (bbolt could not map its file grown: every read after it
// fails, until the desk restarts), the screens that read it say, in each
// of the desk's languages, that the disk is failing and what to do: the
// home screen's search, the operators' list and the audit search's. The
// audit search itself, whose entry is not written, says so as the writes
// do. Before: "Errore imprevisto: … database isn't correctly mapped".
func TestStoreUnreadableTold(t *testing.T) {
	testclock.RealDayOnly(t, "an unreadable store")
	i := slices.IndexFunc(storeRefusals, func(r storeRefusal) bool { return r.key == "err.store.failing" })
	h, refuse, _ := storeRefusals[i].ready(t)
	refuse()
	// A write that grows the store's file past bbolt's map, which it
	// maps again: the failing disk refuses that map.
	err := h.store.Update(func(tx pinsede.Tx) error {
		return tx.PutSettings(pinsede.Settings{PrinterQueue: strings.Repeat("a", 1<<20)})
	})
	if diskerr.Of(err) != diskerr.Failing {
		t.Fatalf("a write of 1 MiB on the failing disk: %v, want refused, failing", err)
	}
	inEachLanguage(t, func(t *testing.T, language string) {
		want := lang.L("err.store.read.failing")
		home := h.searchCF(mario.CodiceFiscale)
		h.wait()
		if got := home.searchMsg.text(); got != want {
			t.Errorf("the search: %q, want %q", got, want)
		}
		if home.cf.Text != string(mario.CodiceFiscale) {
			t.Errorf("the search lost the codice fiscale typed: %q", home.cf.Text)
		}
		shot(t, h, "archivio-illeggibile-ricerca-"+language)
		h.app.showOperators()
		if got := h.app.operators.listMsg.text(); got != want {
			t.Errorf("the operators' list: %q, want %q", got, want)
		}
		h.app.audit = nil // the screen built again, in the language
		h.app.showAudit()
		if got := h.app.audit.msg.text(); got != want {
			t.Errorf("the audit search's operators: %q, want %q", got, want)
		}
		shot(t, h, "archivio-illeggibile-registro-"+language)
		// The search writes its own audit entry first: not recorded.
		h.tap(h.app.audit.search)
		if got, want := h.app.audit.msg.text(), lang.L("err.store.failing"); got != want {
			t.Errorf("the audit search: %q, want %q", got, want)
		}
	})
}
