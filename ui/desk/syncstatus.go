package desk

import (
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
	"github.com/pinsede/pinsede/ui/theme"
)

// SyncSource is what the desk shows of the sync with the central records:
// the sync client (*client.Client of sync/client).
type SyncSource interface {
	// Subscribe returns the states as they change, the current one first,
	// and a function that ends the subscription.
	Subscribe() (<-chan pinsede.SyncState, func())
}

// Syncer is a SyncSource a clerk may ask to sync now (the sync client):
// SyncNow asks for a sync at once, and returns the zero time, unless
// centrale holds the desk's pushes back (held) or the last attempt
// failed too recently to cut the back-off short: then it asks nothing
// and returns until when, on the desk's clock.
type Syncer interface {
	SyncNow() (until time.Time, held bool)
}

// syncStatus is the state of the link to centrale in a status bar at the
// foot of the window (the header bar has no room left): a button whose
// text says online or offline since when, how many events wait and when
// centrale last answered; it opens the details and the events not
// accepted.
type syncStatus struct {
	a   *App
	src SyncSource // nil: a desk without central records
	// sede is the sede of the desk's certificate, "" when unknown.
	sede  string
	state pinsede.SyncState
	// states are the states from src; unsubscribe ends them.
	states      <-chan pinsede.SyncState
	unsubscribe func()
	button      *button
	// clock shows the desk's date and time at the right of the bar.
	clock *widget.Label
	// bar holds the button and the clock (barLayout), which leaves the
	// button room px; notes are what the bar has to say, the gravest
	// first (barNotes).
	bar   *fyne.Container
	room  float32
	notes []barNote
	// details is the dialog open, nil when closed; detailsBox its content.
	details    dialog.Dialog
	detailsBox *fyne.Container
	// syncNow is the details' Sincronizza ora, for a source that is a
	// Syncer (nil otherwise), and syncMsg says what it did; both made
	// with the dialog.
	syncNow *button
	syncMsg *message
	// pendingMsg tells, on the result screen of an issue made offline, that
	// the PIN of credential pendingCred awaits activation; pendingSince is
	// when it was issued.
	pendingMsg   *message
	pendingCred  string
	pendingSince time.Time
	// revoked are the envelopes printed here whose PIN was revoked
	// elsewhere, told until a clerk acknowledges them (revokedslip.go).
	revoked []pinsede.RevokedSlip
	// acks are the details' buttons that take each one's warning away,
	// in its order; none while the details are closed.
	acks []*button
}

// UseSync shows the sync with the central records in a status bar at the
// foot of the window. src nil means this desk runs without central
// records, and the bar says so.
// sede is the code in the desk's certificate: the first-run set-up takes
// it and no other. Call it once, before Start.
func (a *App) UseSync(src SyncSource, sede string) {
	s := &syncStatus{a: a, src: src, sede: sede}
	a.sync = s
	s.button = a.button("", fynetheme.InfoIcon(), s.showDetails)
	s.button.Alignment = widget.ButtonAlignLeading
	s.clock = widget.NewLabel("")
	s.bar = container.New(barLayout{s}, s.button, s.clock)
	bar := container.NewStack(canvas.NewRectangle(theme.Dark), s.bar)
	footer := container.NewThemeOverride(bar, theme.Header())
	// The window's frame stays its content: the buttons' tips show in it
	// (tip.go).
	a.frame.Objects = []fyne.CanvasObject{canvas.NewRectangle(theme.Page),
		container.NewBorder(nil, footer, nil, nil, a.root)}
	a.frame.Refresh()
	s.render()
	s.showTime()
	if j, ok := src.(Joiner); ok && sede != "" {
		a.joiner, a.certSede = j, sede
	}
	if sede != "" {
		if need, err := a.desk.NeedsSetup(); err == nil && need {
			a.setup = a.newSetupScreen()
			a.setup.code.SetText(sede)
			a.setup.code.Disable()
		}
	}
	if src == nil {
		return
	}
	s.loadRevoked(nil)
	s.states, s.unsubscribe = src.Subscribe()
	if a.tick > 0 { // tests have no goroutines: they call poll
		go s.run()
	}
}

// run shows each new state until the app closes.
func (s *syncStatus) run() {
	defer s.unsubscribe()
	for {
		select {
		case <-s.a.stop:
			return
		case st := <-s.states:
			fyne.Do(s.a.live(func() { s.apply(st) }))
		}
	}
}

// poll shows the latest state, if a new one came, on the calling (UI)
// goroutine. Tests call it instead of run.
func (s *syncStatus) poll() {
	if s.states == nil {
		return
	}
	select {
	case st := <-s.states:
		s.apply(st)
	default:
	}
}

// apply shows a new state. On the UI goroutine. A new error goes to the
// log with its technical detail; the desk tells it in plain words.
func (s *syncStatus) apply(st pinsede.SyncState) {
	if st.LastError != "" && st.LastError != s.state.LastError {
		slog.Warn("sync with the central records failed", "fault", st.Fault.String(), "err", st.LastError)
	}
	if r := st.CentraleRestored; r != nil && r != s.state.CentraleRestored {
		slog.Warn("the central records were put back from a copy: events sent again, changes pulled again",
			"resent", r.Resent, "older_events_pruned", r.Pruned, "older_events_lost", r.Lost, "pull_from", r.From, "pull_cursor_was", r.Cursor)
	}
	if st.Changes != s.state.Changes { // a pull may have revoked a PIN of the sede
		s.loadRevoked(revokedByPull(st, s.state))
	}
	s.state = st
	s.render()
	if h := s.a.home; h != nil && s.a.session != nil {
		h.pendingSync.SetText(strconv.Itoa(st.Pending))
	}
	if s.pendingMsg != nil && st.Status == pinsede.SyncOnline && st.Pending == 0 && !st.LastSync.Before(s.pendingSince) {
		s.pendingMsg.set(msgSuccess, lang.L("issue.activated"))
		for _, n := range st.NotAccepted {
			if n.Event.Credential.ID == s.pendingCred && n.Event.Kind == pinsede.EventIssued {
				s.pendingMsg.set(msgError, lang.L("issue.notaccepted", map[string]any{"Verdict": verdictText(n.Verdict), "Reason": reasonText(n.Reason)}))
			}
		}
		s.pendingMsg = nil
	}
	if s.details != nil {
		s.fillDetails()
	}
}

// showTime writes the desk's date and time in the bar when the minute
// changed: the window is redrawn once a minute for it, not every tick. On
// the UI goroutine.
func (s *syncStatus) showTime() {
	if t := s.a.desk.Now().Format(dateTimeLayout); t != s.clock.Text {
		s.clock.SetText(t)
		s.render() // a clock put right, or gone back, changes what it says
	}
}

// barNote is one thing the status bar has to say: the link's state, or
// a warning, with its icon and its colour (its importance).
type barNote struct {
	text string
	icon fyne.Resource
	imp  widget.Importance
}

// gravity ranks an importance: the status bar shows the gravest note.
func gravity(imp widget.Importance) int {
	switch imp {
	case widget.DangerImportance:
		return 2
	case widget.WarningImportance:
		return 1
	}
	return 0
}

// render shows on the button the gravest of the notes (barNotes) and
// how many more warnings there are, fitted to the bar's width (fit).
func (s *syncStatus) render() {
	s.notes = s.barNotes()
	head := s.notes[0]
	s.button.SetIcon(head.icon)
	s.button.Importance = head.imp
	s.fit()
	if s.bar != nil {
		s.bar.Refresh() // the button's width follows its text
	}
}

// barNotes returns what the status bar has to say, the gravest first:
// the warnings that stop the desk's work before those that threaten it
// (the clock off, with which the desk issues no PIN; the certificate
// expired; envelopes whose PIN was revoked elsewhere; events refused;
// the copies failing; locks and logouts the audit did not record), then
// those that warn (offline, held back by centrale, the certificate soon
// to expire), then the link's state when it warns of nothing. Put one
// after the other on the bar, six warnings ran under the clock and
// widened the window past a 1024 px screen.
func (s *syncStatus) barNotes() []barNote {
	danger := func(text string) barNote {
		return barNote{text, fynetheme.ErrorIcon(), widget.DangerImportance}
	}
	var notes []barNote
	// The desk issues no PIN on a clock off either way (pinsede.Link).
	ahead, behind := s.clockOff()
	if ahead > 0 {
		notes = append(notes, danger(lang.L("sync.clock.ahead", map[string]any{"Ahead": i18n.Duration(ahead)})))
	}
	if behind > 0 {
		notes = append(notes, danger(lang.L("sync.clock.behind", map[string]any{"Behind": i18n.Duration(behind)})))
	}
	exp, soon := s.certExpiring()
	if s.certExpired() {
		notes = append(notes, danger(lang.L("sync.cert.expired.bar", map[string]any{"Date": exp.Format("02/01/2006")})))
	}
	if n := len(s.revoked); n > 0 {
		notes = append(notes, danger(lang.L("sync.revoked.count", map[string]any{"N": n})))
	}
	if n := len(s.state.NotAccepted); n > 0 {
		notes = append(notes, danger(lang.L("sync.notaccepted.count", map[string]any{"N": n})))
	}
	if b := s.a.backupBar(); b != "" {
		notes = append(notes, danger(b))
	}
	if u := s.a.unauditedBar(); u != "" {
		notes = append(notes, danger(u))
	}
	// A restored desk: it waits for centrale's operator, or did not get
	// back its records newer than the copy.
	if s.state.Fault == pinsede.FaultAuditFork {
		notes = append(notes, danger(lang.L("sync.auditfork.bar", s.deskArgs())))
	}
	if s.state.NotRecovered {
		notes = append(notes, danger(lang.L("sync.notrecovered.bar")))
	}
	// Centrale put back from a copy: the desk sent again what it keeps;
	// older events, pruned, the copy lacked too (Lost).
	if r := s.state.CentraleRestored; r != nil {
		if r.Lost {
			notes = append(notes, danger(lang.L("sync.centralerestored.lost", map[string]any{"N": r.Resent})))
		} else {
			notes = append(notes, barNote{lang.L("sync.centralerestored.bar", map[string]any{"N": r.Resent}), fynetheme.WarningIcon(), widget.WarningImportance})
		}
	}
	notes = append(notes, s.linkNote())
	if soon && !s.certExpired() {
		notes = append(notes, barNote{lang.L("sync.cert.expiring", map[string]any{"Date": exp.Format("02/01/2006")}), fynetheme.WarningIcon(), widget.WarningImportance})
	}
	slices.SortStableFunc(notes, func(x, y barNote) int { return gravity(y.imp) - gravity(x.imp) })
	if len(notes) > 1 && notes[len(notes)-1].imp == widget.MediumImportance {
		notes = notes[:len(notes)-1] // in linea: the details say it
	}
	return notes
}

// linkNote is the state of the link to centrale.
func (s *syncStatus) linkNote() barNote {
	st := s.state
	switch {
	case s.src == nil:
		return barNote{lang.L("sync.none"), fynetheme.InfoIcon(), widget.MediumImportance}
	case s.held():
		key, until := s.heldBack()
		return barNote{lang.L(key, map[string]any{"Until": s.untilText(until), "N": st.Pending}), fynetheme.WarningIcon(), widget.WarningImportance}
	case st.Status == pinsede.SyncOnline:
		return barNote{lang.L("sync.online", map[string]any{"N": st.Pending, "Last": s.onDesk(st.LastSync).Format("15:04")}), fynetheme.ConfirmIcon(), widget.MediumImportance}
	case st.Status == pinsede.SyncOffline:
		// The day too when it is not today's: a desk left on over a
		// weekend said 'dalle 18:05' on Monday.
		now := s.a.desk.Now()
		since := st.OfflineSince.In(now.Location())
		key, args := "sync.offline", map[string]any{"Since": since.Format("15:04"), "N": st.Pending}
		if pinsede.DateOf(since) != pinsede.DateOf(now) {
			key, args["Day"] = "sync.offline.day", since.Format("02/01/2006")
		}
		return barNote{lang.L(key, args), fynetheme.WarningIcon(), widget.WarningImportance}
	}
	return barNote{lang.L("sync.connecting"), fynetheme.InfoIcon(), widget.MediumImportance}
}

// held reports whether centrale, reached, refused the last sync's push
// or pull for now (busy, limiting this desk, or its database refusing
// it): the desk is connected but held back, its events waiting in the
// outbox.
func (s *syncStatus) held() bool {
	st := s.state
	return s.src != nil && st.Status == pinsede.SyncOnline && (st.Fault == pinsede.FaultLimited || st.Fault == pinsede.FaultBusy || st.Fault == pinsede.FaultStoreRefused)
}

// heldBack returns the key of the status bar's note of a desk held back
// and until when: centrale's database refusing it (no time), its pushes
// held back (or refused for now with no time given, zero), or only its
// pulls, its events going.
func (s *syncStatus) heldBack() (key string, until time.Time) {
	st := s.state
	switch {
	case st.Fault == pinsede.FaultStoreRefused: // until centrale's operators act
		return "sync.storerefused", time.Time{}
	case !st.PushHeldUntil.IsZero():
		return "sync.held", st.PushHeldUntil
	case !st.PullHeldUntil.IsZero():
		return "sync.held.pull", st.PullHeldUntil
	}
	return "sync.held.nountil", time.Time{}
}

// onDesk returns t in the desk's time zone: the sync client's clock may
// be in another.
func (s *syncStatus) onDesk(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(s.a.desk.Now().Location())
}

// untilText writes until on the desk's clock, in its zone: the time, and
// the day too when it is not today's.
func (s *syncStatus) untilText(until time.Time) string {
	now, until := s.a.desk.Now(), s.onDesk(until)
	args := map[string]any{"Time": until.Format("15:04"), "Day": until.Format("02/01/2006")}
	if pinsede.DateOf(until) != pinsede.DateOf(now) {
		return lang.L("sync.until.day", args)
	}
	return lang.L("sync.until", args)
}

// more says how many warnings the bar shows no more of, "" for none.
func (s *syncStatus) more() string {
	switch n := len(s.notes) - 1; n {
	case -1, 0:
		return ""
	case 1:
		return lang.L("sync.more.one")
	default:
		return lang.L("sync.more.many", map[string]any{"N": n})
	}
}

// fit writes on the button the gravest note and how many more there are,
// the note cut short with an ellipsis when both do not fit the room the
// bar leaves it beside the clock (barLayout): the details tell it whole.
func (s *syncStatus) fit() {
	if len(s.notes) == 0 {
		return // before the first render
	}
	head, more := s.notes[0].text, s.more()
	s.button.SetText(head + more)
	if s.room <= 0 {
		return // not laid out yet
	}
	room := s.room - s.buttonChrome()
	if s.textWidth(head+more) <= room {
		return
	}
	runes := []rune(head)
	cut := func(n int) string { return strings.TrimRight(string(runes[:n]), " ·:,") + "…" + more }
	n := sort.Search(len(runes)+1, func(n int) bool { return s.textWidth(cut(n)) > room }) - 1
	s.button.SetText(cut(max(n, 0)))
}

// textWidth is the width of text on the button (Fyne's buttons write in
// bold).
func (s *syncStatus) textWidth(text string) float32 {
	return fyne.MeasureText(text, s.button.Theme().Size(fynetheme.SizeNameText), fyne.TextStyle{Bold: true}).Width
}

// buttonChrome is the button's width but its text's: its icon and its
// padding.
func (s *syncStatus) buttonChrome() float32 {
	return s.button.MinSize().Width - s.textWidth(s.button.Text)
}

// barLayout lays the status bar out: the clock at the right, whole, and
// the state's button at the left, in the room left, which fit fills.
// The bar is as narrow as the clock and the button's ellipsis: it never
// widens the window.
type barLayout struct{ s *syncStatus }

// MinSize is the clock's width and the least of the button's.
func (l barLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	b, c := l.s.button.MinSize(), l.s.clock.MinSize()
	least := l.s.buttonChrome() + l.s.textWidth("…"+l.s.more())
	return fyne.NewSize(least+fynetheme.Padding()+c.Width, max(b.Height, c.Height))
}

// Layout puts the clock at the right and fits the button in what is left.
func (l barLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	s := l.s
	c := s.clock.MinSize().Width
	s.clock.Move(fyne.NewPos(size.Width-c, 0))
	s.clock.Resize(fyne.NewSize(c, size.Height))
	if room := size.Width - c - fynetheme.Padding(); room != s.room {
		s.room = room
		s.fit()
	}
	s.button.Move(fyne.NewPos(0, 0))
	s.button.Resize(fyne.NewSize(min(s.button.MinSize().Width, s.room), size.Height))
}

// clockOff returns how far this PC's clock runs ahead of centrale's, or
// behind, beyond what centrale takes, as far as the desk knows: by
// centrale's latest answer in the state, and by the desk's link, which
// Emetti PIN asks (pinsede.Desk's clockOff). The link knows more: a
// clock that reads earlier than the desk's certificate is behind
// (client.Config.NotBefore), though centrale, refused by TLS, never
// answers to say so.
func (s *syncStatus) clockOff() (ahead, behind time.Duration) {
	ahead, behind = s.state.Clock.Ahead(), s.state.Clock.Behind()
	if l := s.a.desk.Link; l != nil {
		ahead, behind = max(ahead, l.ClockAhead()), max(behind, l.ClockBehind())
	}
	return ahead, behind
}

// certNow is the time the desk's certificate is judged on: centrale's,
// when its latest answer measured this PC's clock off by more than it
// takes (the clock, told first, is what to put right: centrale takes a
// certificate that the PC's clock, ahead, reads as expired), and the
// PC's otherwise.
func (s *syncStatus) certNow() time.Time {
	now, r := s.a.desk.Now(), s.state.Clock
	if r.Ahead() > 0 || r.Behind() > 0 {
		return now.Add(-r.Offset)
	}
	return now
}

// certExpiring returns when the desk's certificate expires, and whether
// that is within CertWarning (or past), on certNow.
func (s *syncStatus) certExpiring() (time.Time, bool) {
	exp := s.a.cfg.CertExpires
	return exp, !exp.IsZero() && exp.Sub(s.certNow()) < CertWarning
}

// certExpired reports whether the desk's certificate has stopped
// working, on certNow.
func (s *syncStatus) certExpired() bool {
	exp := s.a.cfg.CertExpires
	return !exp.IsZero() && !s.certNow().Before(exp)
}

// statusText is the state's status in words.
func (s *syncStatus) statusText() string {
	switch {
	case s.src == nil:
		return lang.L("sync.none")
	case s.held():
		return lang.L("sync.status.held")
	case s.state.Status == pinsede.SyncOnline:
		return lang.L("sync.status.online")
	case s.state.Status == pinsede.SyncOffline:
		return lang.L("sync.status.offline")
	}
	return lang.L("sync.status.connecting")
}

// showDetails opens the dialog with the state and the events not accepted.
func (s *syncStatus) showDetails() {
	s.detailsBox = container.NewVBox()
	s.fillDetails()
	scroll := container.NewVScroll(s.detailsBox)
	scroll.SetMinSize(fyne.NewSize(720, 420))
	content := fyne.CanvasObject(scroll)
	sy, ok := s.src.(Syncer)
	if ok { // what Sincronizza ora did, above the details
		s.syncMsg = newMessage()
		content = container.NewBorder(s.syncMsg.box, nil, nil, nil, scroll)
	}
	d := s.a.newDialog(lang.L("sync.title"), lang.L("sync.close"), content)
	if ok { // Sincronizza ora, beside Chiudi
		s.syncNow = s.a.button(lang.L("sync.now"), fynetheme.ViewRefreshIcon(), func() { s.askSync(sy) })
		d.SetButtons([]fyne.CanvasObject{s.syncNow, s.a.button(lang.L("sync.close"), nil, d.Hide)})
	}
	s.details = d
	d.SetOnClosed(func() { s.details, s.detailsBox, s.syncNow, s.syncMsg = nil, nil, nil, nil })
	s.a.showOverLock(d)
}

// askSync is Sincronizza ora: it asks the sync client for a sync at
// once, but while centrale holds the desk's pushes back it sends
// nothing and says until when (the client syncs by itself then); so
// too, soon after a failed attempt, saying when the next may be (to the
// minute above, so that a press at that time goes).
func (s *syncStatus) askSync(sy Syncer) {
	until, held := sy.SyncNow()
	switch {
	case held:
		s.syncMsg.set(msgInfo, lang.L("sync.now.held", map[string]any{"Until": s.untilText(until)}))
		return
	case !until.IsZero():
		next := until.Truncate(time.Minute)
		if next.Before(until) {
			next = next.Add(time.Minute)
		}
		s.syncMsg.set(msgInfo, lang.L("sync.now.backoff", map[string]any{"Until": s.untilText(next)}))
		return
	}
	s.syncMsg.set(msgInfo, lang.L("sync.now.asked"))
}

// fillDetails writes the state and the events not accepted in the dialog.
func (s *syncStatus) fillDetails() {
	st := s.state
	var objs []fyne.CanvasObject
	if s.notes[0].imp != widget.MediumImportance {
		// Every warning of the bar, whole: it shows the gravest only,
		// cut to its width.
		objs = append(objs, heading(lang.L("sync.warnings")))
		for _, n := range s.notes {
			objs = append(objs, note(n.text))
		}
	}
	if s.held() { // what it means, and what to do if it lasts
		key, until := s.heldBack()
		objs = append(objs, note(lang.L(key+".note", map[string]any{"Until": s.untilText(until), "N": st.Pending})))
	}
	objs = append(objs, s.a.unauditedDetails()...)
	objs = append(objs, s.revokedDetails()...) // what to do, before the link's state
	objs = append(objs, rows(
		row(lang.L("sync.status"), s.statusText()),
		row(lang.L("sync.offlinesince"), when(s.onDesk(st.OfflineSince))),
		row(lang.L("sync.pending"), strconv.Itoa(st.Pending)),
		row(lang.L("sync.lastsync"), when(s.onDesk(st.LastSync))),
		row(lang.L("sync.lasterror"), orDash(s.faultText())),
		row(lang.L("sync.clock"), s.clockText()),
		row(lang.L("sync.cert"), s.certText()),
		row(lang.L("sync.backup"), orDash(s.a.backupText())),
		row(lang.L("sync.policy"), lang.L("sync.policy.version", map[string]any{"N": s.a.desk.CurrentPolicy().Version})),
	))
	if s.src == nil {
		objs = append(objs, note(lang.L("sync.none.note")))
	}
	objs = append(objs, heading(lang.L("sync.notaccepted.title")))
	if s.a.session == nil || s.a.lock.locked { // the events name citizens
		objs = append(objs, note(lang.L("sync.notaccepted.login")))
		s.detailsBox.Objects = objs
		s.detailsBox.Refresh()
		return
	}
	list := s.notAccepted()
	if len(list) == 0 {
		objs = append(objs, note(lang.L("sync.notaccepted.none")))
	}
	for i := len(list) - 1; i >= 0; i-- { // newest first
		objs = append(objs, note(notAcceptedText(list[i])))
	}
	s.detailsBox.Objects = objs
	s.detailsBox.Refresh()
}

// notAccepted returns every event not accepted that the desk keeps, or
// those of this session when they cannot be read; oldest first.
func (s *syncStatus) notAccepted() []pinsede.NotAccepted {
	if list, err := s.a.desk.NotAcceptedEvents(); err == nil {
		return list
	}
	return s.state.NotAccepted
}

// faultText is faultText of the state, but for a certificate refused,
// the desk's or centrale's, while the desk knows its clock behind: the
// clock is why, and the clerk has it put right rather than asking for a
// certificate.
func (s *syncStatus) faultText() string {
	if _, behind := s.clockOff(); behind > 0 && (s.state.Fault == pinsede.FaultCertificate || s.state.Fault == pinsede.FaultCentraleCertificate) {
		return lang.L("sync.fault.clock.behind", map[string]any{"Behind": i18n.Duration(behind)})
	}
	if s.state.Fault == pinsede.FaultCertificate && s.certExpired() {
		return lang.L("sync.fault.certificate.expired", map[string]any{"Date": s.a.cfg.CertExpires.Format("02/01/2006")})
	}
	if s.state.Fault == pinsede.FaultAuditFork {
		return lang.L("sync.fault.auditfork", s.deskArgs())
	}
	return faultText(s.state)
}

// deskArgs are the sede's code (a dash when unknown) and the desk's
// number, as centrale's operator names the desk ("senza numero" for a
// desk whose certificate names none), for the texts of a restored desk.
func (s *syncStatus) deskArgs() map[string]any {
	desk := s.a.desk.DeskID
	if desk == "" {
		desk = lang.L("sync.desk.none")
	}
	return map[string]any{"Sede": orDash(s.sede), "Desk": desk}
}

// clockText is clockText of the state's reading, or, when centrale has
// not measured it, the clock the desk knows behind by its certificate.
func (s *syncStatus) clockText() string {
	if _, behind := s.clockOff(); behind > 0 && s.state.Clock.At.IsZero() {
		return lang.L("sync.clock.behind.cert", map[string]any{"D": i18n.Duration(behind)})
	}
	r := s.state.Clock
	r.At = s.onDesk(r.At)
	return clockText(r)
}

// faultText tells why the last sync failed, in plain words: the
// technical detail is in the log only.
func faultText(st pinsede.SyncState) string {
	switch st.Fault {
	case pinsede.FaultNone:
		return ""
	case pinsede.FaultUnreachable:
		return lang.L("sync.fault.unreachable")
	case pinsede.FaultTimeout:
		return lang.L("sync.fault.timeout")
	case pinsede.FaultCertificate:
		return lang.L("sync.fault.certificate")
	case pinsede.FaultCentraleCertificate:
		return lang.L("sync.fault.centralecert")
	case pinsede.FaultServer:
		return lang.L("sync.fault.server", map[string]any{"Title": st.FaultTitle})
	case pinsede.FaultBusy:
		return lang.L("sync.fault.busy")
	case pinsede.FaultStoreRefused:
		return lang.L("sync.fault.storerefused")
	case pinsede.FaultLimited:
		return lang.L("sync.fault.limited")
	case pinsede.FaultAuditFork:
		return lang.L("sync.fault.auditfork", map[string]any{"Sede": "–", "Desk": "–"})
	case pinsede.FaultClock:
		if d := st.Clock.Ahead(); d > 0 {
			return lang.L("sync.fault.clock.ahead", map[string]any{"Ahead": i18n.Duration(d)})
		}
		return lang.L("sync.fault.clock")
	}
	return lang.L("sync.fault.other")
}

// notAcceptedText describes an event the central records did not accept.
func notAcceptedText(n pinsede.NotAccepted) string {
	c := n.Event.Credential
	cf := c.CodiceFiscale
	if d := n.Event.Delegation; d != nil {
		cf = d.Delegante.CodiceFiscale
	}
	if o := n.Event.Outcome; o != nil {
		cf = o.CodiceFiscale
	}
	return lang.L("sync.notaccepted.row", map[string]any{
		"When": when(n.Event.Time), "Kind": eventKindText(n.Event.Kind), "Serial": orDash(c.SlipSerial),
		"CF": string(cf), "Verdict": verdictText(n.Verdict), "Reason": reasonText(n.Reason),
	})
}

// eventKindText names an event kind.
func eventKindText(k pinsede.EventKind) string {
	switch k {
	case pinsede.EventIssued:
		return lang.L("sync.event.issued")
	case pinsede.EventRevoked:
		return lang.L("sync.event.revoked")
	case pinsede.EventHandedOver:
		return lang.L("sync.event.handedover")
	case pinsede.EventConverted:
		return lang.L("sync.event.converted")
	case pinsede.EventFormArchived:
		return lang.L("sync.event.formarchived")
	case pinsede.EventDelegationRegistered:
		return lang.L("sync.event.delegationregistered")
	case pinsede.EventDelegationRevoked:
		return lang.L("sync.event.delegationrevoked")
	case pinsede.EventDigitalIdentityChosen:
		return lang.L("sync.event.digitalidentity")
	case pinsede.EventRefused:
		return lang.L("sync.event.refused")
	case pinsede.EventTicketCalled:
		return lang.L("sync.event.ticketcalled")
	case pinsede.EventSedeSetUp:
		return lang.L("sync.event.setup")
	}
	if pinsede.OperatorEvent(k) {
		return lang.L("sync.event.operator")
	}
	return string(k)
}

// verdictText names a verdict.
func verdictText(v pinsede.Verdict) string {
	switch v {
	case pinsede.VerdictSuperseded:
		return lang.L("sync.verdict.superseded")
	case pinsede.VerdictRejected:
		return lang.L("sync.verdict.rejected")
	}
	return string(v)
}

// reasonText translates the reason centrale gave by its code
// (pinsede.ParseReason); one it does not know is shown as it came.
func reasonText(r string) string {
	code, detail := pinsede.ParseReason(r)
	key := ""
	switch code {
	case pinsede.ReasonOther:
		return detail
	case pinsede.RefusedBadEvent:
		return lang.L("sync.reason.badevent", map[string]any{"Detail": detail})
	case pinsede.RefusedSuperseded:
		key = "sync.reason.superseded"
	case pinsede.RefusedOtherSede:
		key = "sync.reason.othersede"
	case pinsede.RefusedUnknownKind:
		key = "sync.reason.unknownkind"
	case pinsede.RefusedUnknownCred:
		key = "sync.reason.unknowncred"
	case pinsede.RefusedCredExists:
		key = "sync.reason.credexists"
	case pinsede.RefusedCredOtherSede:
		key = "sync.reason.credothersede"
	case pinsede.RefusedFormTooLarge:
		key = "sync.reason.formtoolarge"
	case pinsede.RefusedNotConvertible:
		key = "sync.reason.notconvertible"
	case pinsede.RefusedUnknownDelegation:
		key = "sync.reason.unknowndelegation"
	case pinsede.RefusedDelegationExists:
		key = "sync.reason.delegationexists"
	case pinsede.RefusedDelegationOtherSede:
		key = "sync.reason.delegationothersede"
	case pinsede.RefusedSameParty:
		key = "sync.reason.sameparty"
	case pinsede.RefusedNoCertificate:
		key = "sync.reason.nocertificate"
	case pinsede.RefusedUntilBeforeFrom:
		key = "sync.reason.untilbeforefrom"
	case pinsede.RefusedDeleganteHasOne:
		key = "sync.reason.delegantehasone"
	case pinsede.RefusedDelegatoFull:
		key = "sync.reason.delegatofull"
	case pinsede.RefusedAlreadyHandedOver:
		key = "sync.reason.alreadyhandedover"
	case pinsede.RefusedCredNotActive:
		key = "sync.reason.notactive"
	default:
		return r
	}
	return lang.L(key)
}

// orDash returns s, or "–" when empty.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// pendingNote is the panel of the result screen of an issue made while
// the central records could not be reached: it says the PIN awaits
// activation, and turns to "active" when the outbox is empty again.
func (a *App) pendingNote(credentialID string) fyne.CanvasObject {
	m := newMessage()
	m.set(msgInfo, lang.L("issue.pending"))
	if a.sync != nil && a.sync.state.Fault == pinsede.FaultAuditFork {
		// Not when the sede is back online: when centrale's operator
		// confirms the restore. The clerk tells the citizen first.
		m.set(msgError, lang.L("issue.pending.restored", a.sync.deskArgs()))
	}
	if a.sync != nil {
		a.sync.pendingMsg, a.sync.pendingCred, a.sync.pendingSince = m, credentialID, a.desk.Now()
	}
	return m.box
}

// clockText tells how far this PC's clock was from centrale's at its
// latest answer, and when that was; a dash when unknown.
func clockText(r pinsede.ClockReading) string {
	if r.At.IsZero() {
		return "–"
	}
	at := r.At.Format("15:04")
	switch {
	case r.Offset.Abs() < time.Minute:
		return lang.L("sync.clock.ontime", map[string]any{"At": at})
	case r.Offset > 0:
		return lang.L("sync.clock.offset.ahead", map[string]any{"D": i18n.Duration(r.Offset), "At": at})
	}
	return lang.L("sync.clock.offset.behind", map[string]any{"D": i18n.Duration(r.Offset), "At": at})
}

// certText says when the desk's certificate expires, or expired and what
// to do, "–" without one.
func (s *syncStatus) certText() string {
	exp := s.a.cfg.CertExpires
	switch {
	case exp.IsZero():
		return "–"
	case s.certExpired():
		return lang.L("sync.cert.expired", map[string]any{"Date": exp.Format("02/01/2006")})
	}
	return lang.L("sync.cert.expires", map[string]any{"Date": exp.Format("02/01/2006")})
}
