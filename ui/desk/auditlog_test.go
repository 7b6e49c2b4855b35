package desk

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/local"
	"github.com/pinsede/pinsede/sync/client"
	"github.com/pinsede/pinsede/ui/theme"
)

// Ensure that a supervisor opens the audit search from the home screen,
// finds the day's operations newest first, narrows them by operation, and
// that a filter's problems show under their fields with what was typed
// kept; an operator is not offered the screen.
func TestAuditSearch(t *testing.T) {
	h := ready(t)
	test.ApplyTheme(t, theme.New())
	h.app.showHome()
	if !h.app.home.audit.Visible() {
		t.Fatal("the supervisor is not offered the audit log")
	}
	h.tap(h.app.home.audit)
	s := h.app.audit
	if s == nil || h.app.current.View != s.screen.View {
		t.Fatalf("Registro: not on the audit screen:\n%s", h.screenText())
	}
	h.tap(s.search)
	if len(s.found) == 0 || !strings.Contains(s.msg.text(), "Operazioni trovate") {
		t.Fatalf("today's search: %d entries, %q", len(s.found), s.msg.text())
	}
	if got := s.found[0].Action; got != pinsede.ActionLogin {
		t.Errorf("newest entry %s, want the log-in", got)
	}
	s.action.SetSelectedIndex(slices.Index(s.actions, pinsede.ActionSetup))
	h.tap(s.search)
	if len(s.found) != 1 || s.found[0].Action != pinsede.ActionSetup {
		t.Errorf("set-ups found: %+v", s.found)
	}
	h.settle()
	assertScreen(t, h, "registro")

	for _, c := range []struct {
		from, to, cf string
		field, want  string
	}{
		{"31/02/2026", "10/03/2026", "", pinsede.FieldAuditFrom, "non esiste"},
		{"10/03/2026", "29/02/2027", "", pinsede.FieldAuditTo, "non esiste"},
		{"31-2-2026", "10/03/2026", "", pinsede.FieldAuditFrom, "gg/mm/aaaa"},
		{"10/03/2026", "01/03/2026", "", pinsede.FieldAuditTo, "viene prima"},
		{"01/01/2025", "10/03/2026", "", pinsede.FieldAuditTo, "366 giorni"},
		{"10/03/2026", "10/03/2026", "RSSMRA80A01H5", pinsede.FieldCodiceFiscale, "16"},
	} {
		s.from.SetText("")
		s.to.SetText("")
		s.subject.SetText("")
		h.typeIn(s.from, c.from)
		h.typeIn(s.to, c.to)
		h.typeIn(s.subject, c.cf)
		before := len(s.found)
		h.tap(s.search)
		got := s.fields[c.field].problemText()
		if !strings.Contains(got, c.want) || !strings.Contains(s.msg.text(), "Correggi") {
			t.Errorf("%s-%s %q: problem %q (message %q), want %q", c.from, c.to, c.cf, got, s.msg.text(), c.want)
		}
		if s.from.Text != c.from || s.to.Text != c.to || s.subject.Text != c.cf || len(s.found) != before {
			t.Errorf("%s-%s %q: the filter or the list changed: %q %q %q, %d entries", c.from, c.to, c.cf, s.from.Text, s.to.Text, s.subject.Text, len(s.found))
		}
	}

	h.addBianchi()
	h.app.logout()
	h.logIn("l.bianchi", "password-bianchi")
	if strings.Contains(h.screenText(), "Registro delle operazioni") {
		t.Errorf("an operator's home offers the audit log:\n%s", h.screenText())
	}
	h.app.showAudit()
	if h.app.audit != nil {
		t.Error("an operator opened the audit log")
	}
}

// Ensure that a filter's problem goes as soon as the clerk corrects the
// field, before any new search, and the call to correct the fields with
// the last problem; a problem of another field stays, and a new one waits
// for the search.
func TestAuditSearchProblemGoesWhenCorrected(t *testing.T) {
	h := ready(t)
	h.app.showAudit()
	s := h.app.audit
	for _, c := range []struct {
		name         string
		from, to, cf string
		bad          string // the field with the problem
		fix          *entry
		fixed        string
	}{
		{"from not a date", "31/02/2026", "10/03/2026", "", pinsede.FieldAuditFrom, s.from, "01/03/2026"},
		{"to before from, from corrected", "10/03/2026", "01/03/2026", "", pinsede.FieldAuditTo, s.from, "01/03/2026"},
		{"400 days", "10/03/2026", "14/04/2027", "", pinsede.FieldAuditTo, s.to, "14/03/2026"},
		{"codice fiscale", "10/03/2026", "10/03/2026", "RSSMRA80A01H501A", pinsede.FieldCodiceFiscale, s.subject, "RSSMRA80A01H501U"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.typeIn(s.from, c.from)
			h.typeIn(s.to, c.to)
			h.typeIn(s.subject, c.cf)
			h.tap(s.search)
			if s.fields[c.bad].problemText() == "" || !strings.Contains(s.msg.text(), "Correggi") {
				t.Fatalf("no problem shown for %s: %q, %q", c.bad, s.fields[c.bad].problemText(), s.msg.text())
			}
			h.typeIn(c.fix, c.fixed)
			for name, f := range s.fields {
				if got := f.problemText(); got != "" {
					t.Errorf("after the correction, %s still shows %q", name, got)
				}
			}
			if got := s.msg.text(); got != "" {
				t.Errorf("after the correction, the message %q stays", got)
			}
		})
	}

	// Two problems: correcting one leaves the other.
	h.typeIn(s.from, "aa")
	h.typeIn(s.to, "10/03/2026")
	h.typeIn(s.subject, "RSSMRA")
	h.tap(s.search)
	h.typeIn(s.from, "10/03/2026")
	if got := s.fields[pinsede.FieldAuditFrom].problemText(); got != "" {
		t.Errorf("Dal corrected still shows %q", got)
	}
	if s.fields[pinsede.FieldCodiceFiscale].problemText() == "" || !strings.Contains(s.msg.text(), "Correggi") {
		t.Errorf("the codice fiscale's problem went with Dal's: %q, %q", s.fields[pinsede.FieldCodiceFiscale].problemText(), s.msg.text())
	}
	// A new problem waits for the search: none shows as the clerk types.
	h.typeIn(s.to, "1")
	if got := s.fields[pinsede.FieldAuditTo].problemText(); got != "" {
		t.Errorf("Al shows %q while the clerk types, before a search", got)
	}
	h.tap(s.search)
	if s.fields[pinsede.FieldAuditTo].problemText() == "" {
		t.Error("the search did not show Al's problem")
	}
}

// Ensure that the supervisor searches the whole sede from the audit
// screen: at centrale, the entries of desk 01 (its issue, its failed
// login) are found from desk 02, each naming its desk, and the search
// is recorded at this desk; with centrale unreachable the screen says so
// and that this desk's own search works, and it does.
func TestAuditSearchSede(t *testing.T) {
	cen := startCentrale(t)
	ctx := context.Background()
	one, ls, sess := windowlessDesk(t, "01")
	one.Rand = rand.NewChaCha8([32]byte{'0', '1'}) // the slip's serial, on the screen
	if _, err := one.Login("l.bianchi", "password-sbagliata"); err == nil {
		t.Fatal("a wrong password logged in")
	}
	if _, err := one.Issue(ctx, sess, mario, foreignPassport); err != nil {
		t.Fatal(err)
	}
	c1 := cen.deskClient(t, "ROMA01", "01", ls, one)
	if err := c1.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	h, s := auditAtDesk02(t, cen)
	if s.scope.Selected != "Solo questo sportello" {
		t.Fatalf("scope %q, want this desk by default", s.scope.Selected)
	}
	s.scope.SetSelected("Tutta la sede")
	h.tap(s.search)
	if !strings.Contains(s.msg.text(), "in tutta la sede") {
		t.Fatalf("search of the sede: %q", s.msg.text())
	}
	found := map[string]int{}
	for _, e := range s.found {
		found[e.Desk+" "+string(e.Action)]++
	}
	for _, want := range []string{"01 credential.issued", "01 operator.login_failed", "01 operator.login", "02 operator.login"} {
		if found[want] != 1 {
			t.Errorf("%s found %d times in the sede's search, want once: %v", want, found[want], found)
		}
	}
	h.settle()
	assertScreen(t, h, "registro-sede")
	mine, err := h.desk.SearchAudit(h.app.session, pinsede.AuditFilter{From: pinsede.DateOf(h.now), To: pinsede.DateOf(h.now), Action: pinsede.ActionAuditSearched})
	if err != nil || len(mine.Entries) != 1 || !strings.HasPrefix(mine.Entries[0].Detail, pinsede.AuditSedeDetail) {
		t.Errorf("the search of the sede is not in this desk's audit: %+v, %v", mine.Entries, err)
	}

	// More than the screen lists: it says so, of the sede.
	appendSearches(t, ls, pinsede.MaxAuditSearchResults, h.now)
	if err := c1.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.tap(s.search)
	if got := s.msg.text(); len(s.found) != pinsede.MaxAuditSearchResults || !strings.Contains(got, "più recenti di tutta la sede") {
		t.Errorf("a search of the sede of more than %d: %d listed, %q", pinsede.MaxAuditSearchResults, len(s.found), got)
	}

	cen.http.Close()
	h.tap(s.search)
	if got := s.msg.text(); !strings.Contains(got, "Centrale non raggiungibile") || !strings.Contains(got, "Solo questo sportello") {
		t.Errorf("centrale unreachable: %q", got)
	}
	if len(s.found) == 0 || s.from.Text == "" {
		t.Errorf("the list or the filter was lost when centrale could not be reached")
	}
	s.scope.SetSelected("Solo questo sportello")
	h.tap(s.search)
	if !strings.Contains(s.msg.text(), "Operazioni trovate:") {
		t.Errorf("this desk's search offline: %q", s.msg.text())
	}
	// Desk 01's failed login is in desk 02's own log only as the act it
	// pulled and applied (the sede's count of failed logins), once.
	applied := 0
	for _, e := range s.found {
		if e.Action == pinsede.ActionLoginFailed {
			if e.Desk != "01" || !strings.HasPrefix(e.Detail, "sportello 01: ") {
				t.Errorf("a failed login in desk 02's own search that is not desk 01's, applied here: %+v", e)
			}
			applied++
		}
	}
	if applied != 1 {
		t.Errorf("desk 01's failed login %d times in desk 02's own search, want once, as applied here", applied)
	}
}

// Ensure that a search of the whole sede of more than a page offers
// Altri risultati, from the keyboard too, which adds the page that
// follows: after every page, the list holds each entry centrale held at
// the search once, with the entries another desk sent meanwhile that come
// after the pages read (older), and none of those newer than the first
// page (a new search finds them). A page that cannot be read keeps the
// list and says why, and the button tries again; a new search starts from
// the first page; the screen holds at most maxAuditHeld entries, then
// tells the clerk to narrow the filter.
func TestAuditSearchSedePages(t *testing.T) {
	cen := startCentrale(t)
	ctx := context.Background()
	one, ls1, _ := windowlessDesk(t, "01")
	appendSearches(t, ls1, pinsede.MaxAuditSearchResults+200, testNow)
	c1 := cen.deskClient(t, "ROMA01", "01", ls1, one)
	if err := c1.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	h, s := auditAtDesk02(t, cen)
	s.scope.SetSelected("Tutta la sede")
	type key struct {
		desk string
		seq  uint64
	}
	day := pinsede.DateOf(testNow)
	held := map[key]bool{} // what centrale holds as the search starts
	if _, err := h.desk.ExportSedeAudit(ctx, h.app.session, pinsede.AuditFilter{From: day, To: day}, func(_ int, es []pinsede.AuditEntry) error {
		for _, e := range es {
			held[key{e.Desk, e.Seq}] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	h.tap(s.search)
	if len(s.found) != pinsede.MaxAuditSearchResults || !s.moreRow.Visible() || !strings.Contains(s.msg.text(), "500 più recenti di tutta la sede, e ce ne sono altre") {
		t.Fatalf("the first page: %d listed, Altri risultati shown %v, %q", len(s.found), s.moreRow.Visible(), s.msg.text())
	}
	h.settle()
	assertScreen(t, h, "registro-sede-altri")

	// Meanwhile desk 03, offline since the morning, sends its acts of an
	// hour before, and desk 01 one of a minute after.
	three, ls3, _ := windowlessDesk(t, "03")
	appendSearches(t, ls3, 30, testNow.Add(-time.Hour))
	appendSearches(t, ls1, 5, testNow.Add(time.Minute))
	for _, c := range []*client.Client{cen.deskClient(t, "ROMA01", "03", ls3, three), c1} {
		if err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	later := map[key]bool{}
	err := ls3.View(func(tx pinsede.Tx) error {
		es, err := tx.AuditOn(day)
		for _, e := range es {
			if e.Time.Before(testNow) {
				later[key{"03", e.Seq}] = true
			}
		}
		return err
	})
	if err != nil || len(later) != 30 {
		t.Fatalf("desk 03's entries of the morning: %d, %v", len(later), err)
	}

	// A page centrale cannot give keeps the list, says why; the button
	// tries again.
	cen.down.Store(true)
	h.tap(s.more)
	if got := s.msg.text(); len(s.found) != pinsede.MaxAuditSearchResults || !s.moreRow.Visible() || !strings.Contains(got, "Altri risultati non caricati") || !strings.Contains(got, "Restano mostrate le 500") {
		t.Errorf("a page centrale could not give: %d listed, button %v, %q", len(s.found), s.moreRow.Visible(), got)
	}
	if *shots != "" {
		writeShots(t, h, "registro-sede-altri-errore")
	}
	cen.down.Store(false)

	// From the keyboard: Tab from Cerca reaches Altri risultati, Enter
	// presses it.
	c := h.win.Canvas()
	c.Focus(s.search)
	for range 10 {
		if c.Focused() == s.more {
			break
		}
		c.FocusNext()
	}
	if c.Focused() != s.more {
		t.Fatalf("Tab from Cerca does not reach Altri risultati: %T", c.Focused())
	}
	for s.moreRow.Visible() {
		s.more.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		h.wait()
	}
	listed := map[key]bool{}
	for i, e := range s.found {
		k := key{e.Desk, e.Seq}
		if listed[k] {
			t.Errorf("desk %s's entry %d listed twice", e.Desk, e.Seq)
		}
		listed[k] = true
		if i > 0 && e.Time.After(s.found[i-1].Time) {
			t.Errorf("entry %d (%v) after a newer one (%v)", i, e.Time, s.found[i-1].Time)
		}
		if !held[k] && !later[k] {
			t.Errorf("desk %s's entry %d at %v listed: not at centrale at the search, nor older than its first page", e.Desk, e.Seq, e.Time)
		}
	}
	for k := range held {
		if !listed[k] {
			t.Errorf("desk %s's entry %d, at centrale at the search, not listed", k.desk, k.seq)
		}
	}
	for k := range later {
		if !listed[k] {
			t.Errorf("desk 03's entry %d of the morning, sent between the pages, not listed", k.seq)
		}
	}
	if want := len(held) + len(later); len(s.found) != want || !strings.Contains(s.msg.text(), fmt.Sprintf("in tutta la sede: %d", want)) {
		t.Errorf("after the last page: %d listed, want %d; %q", len(s.found), want, s.msg.text())
	}
	if c.Focused() != s.list {
		t.Errorf("the keyboard is on %T after the last page, want the list", c.Focused())
	}

	// A new search starts from the first page; the screen holds at most
	// maxAuditHeld entries.
	appendSearches(t, ls1, maxAuditHeld, testNow)
	if err := c1.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.tap(s.search)
	if len(s.found) != pinsede.MaxAuditSearchResults || !s.found[0].Time.Equal(testNow.Add(time.Minute)) || !s.moreRow.Visible() {
		t.Fatalf("a new search: %d listed, the newest at %v, Altri risultati %v", len(s.found), s.found[0].Time, s.moreRow.Visible())
	}
	for s.moreRow.Visible() {
		h.tap(s.more)
	}
	if got := s.msg.text(); len(s.found) != maxAuditHeld || !strings.Contains(got, "il massimo che lo sportello tiene") || !strings.Contains(got, "restringi") {
		t.Errorf("past what the screen holds: %d listed, %q", len(s.found), got)
	}
}

// auditAtDesk02 is desk 02 of ROMA01 linked to cen, synced, its
// supervisor on the audit screen.
func auditAtDesk02(t *testing.T, cen *centrale) (*harness, *auditScreen) {
	t.Helper()
	h := ready(t)
	test.ApplyTheme(t, theme.New())
	h.desk.DeskID = "02"
	h.store.SetDesk("02")
	c2 := cen.deskClient(t, "ROMA01", "02", h.store, h.desk)
	h.desk.Central = c2
	if err := c2.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.app.showAudit()
	return h, h.app.audit
}

// appendSearches records n searches of l.bianchi at at in ls's audit.
func appendSearches(t *testing.T, ls *local.Store, n int, at time.Time) {
	t.Helper()
	err := ls.Update(func(tx pinsede.Tx) error {
		for range n {
			if _, err := tx.AppendAudit(pinsede.AuditEntry{Time: at, Sede: "ROMA01", Actor: "l.bianchi", Action: pinsede.ActionCitizenSearched}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Ensure that the audit log shows an act of another desk of the sede,
// pulled, at the time that desk did it (AuditEntry.At), not when this
// desk pulled it: an offline desk's revocation showed hours late.
func TestAuditShowsWhenActed(t *testing.T) {
	h := ready(t)
	acted := h.now.Add(-3 * time.Hour)
	if err := h.store.Update(func(tx pinsede.Tx) error {
		_, err := tx.AppendAudit(pinsede.AuditEntry{Time: h.now, At: acted, Sede: "ROMA01", Desk: "02", Actor: "m.rossi",
			Action: pinsede.ActionRevoked, Detail: "sportello 02"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	h.app.showAudit()
	s := h.app.audit
	h.tap(s.search)
	i := slices.IndexFunc(s.found, func(e pinsede.AuditEntry) bool { return e.Desk == "02" })
	if i < 0 {
		t.Fatalf("the pulled entry is not found: %+v", s.found)
	}
	row := s.list.CreateItem()
	s.list.UpdateItem(i, row)
	if got, want := row.(*fyne.Container).Objects[0].(*widget.Label).Text, when(acted); got != want {
		t.Errorf("the pulled revocation shows at %q, want %q, when desk 02 did it", got, want)
	}
}
