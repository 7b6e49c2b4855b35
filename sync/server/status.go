package server

import (
	"cmp"
	"context"
	"crypto/x509"
	_ "embed"
	"errors"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/pinsede/pinsede/sync/central"
	"github.com/pinsede/pinsede/sync/pki"
)

// The status page: one HTML page rendered at the server, with its CSS and
// its chart (inline SVG) in it, no script. Its text is in Italian, or in
// English for a browser whose Accept-Language prefers it: the messages
// of assets.CentraleTranslations (statustext.go).

// StatusDays is how many days of PINs issued the status page shows.
const StatusDays = 30

// statusTimeout bounds the store's answer to the status page.
const statusTimeout = 10 * time.Second

// statusAtOnce is how many status pages are read from the store at once;
// more wait for their turn (within statusTimeout).
const statusAtOnce = 2

// The margins the status page warns within.
const (
	certWarn  = 30 * 24 * time.Hour
	crlWarn   = 7 * 24 * time.Hour
	staleSync = 24 * time.Hour
)

//go:embed status.html
var statusHTML string

// statusTmpl renders the status page.
var statusTmpl = template.Must(template.New("status").Parse(statusHTML))

// statusPage is what statusTmpl shows, in the language of its
// statusText, whose T and N the template calls.
type statusPage struct {
	statusText
	Now, Store string
	// Error says why the records could not be read: the page shows the
	// certificates and the copies all the same.
	Error string
	Certs []certRow
	// Backup is the section on the copies of the store, nil when
	// centrale makes none (Server.Backups).
	Backup *backupView
	// Limited are the desks whose pushes this replica refused for their
	// volume (PushVolume), the last first.
	Limited []limitedRow
	// OutOfStep are the desks this replica found out of step with the
	// store put back from a copy (epoch.go), the last first: each sent
	// again what it keeps, and pulled again.
	OutOfStep []outOfStepRow
	// Settings is this replica's settings fingerprint, Replicas the
	// other replicas on the store found with other settings
	// (settings.go).
	Settings string
	Replicas []replicaDiff
	// Sedi counts the sedi of Desks.
	Sedi      int
	Desks     []deskRow
	MoreDesks bool
	// Pending and Rejected are the totals of Desks.
	Pending, Rejected int
	Chart             chart
	Locked            []lockRow
	// LockedPermanent and LockedTemporary count the locks, "almeno N"
	// past the bound, which LockedAll then tells; Permanent and
	// Temporary are the numbers.
	LockedPermanent, LockedTemporary, LockedAll string
	Permanent, Temporary                        int
	// MoreLocked says Locked lists some of them only.
	MoreLocked bool
}

// certRow is a certificate or the revocation list, and when it ends.
type certRow struct{ Name, Detail, When, Left, Class string }

// deskRow is a desk of a sede.
type deskRow struct {
	Sede, Desk, Push, Pull, PushClass, PullClass, Pending, PendingClass string
	FirstOfSede                                                         bool
	DesksOfSede                                                         int
	Rejected                                                            int
	Reason, RejectedWhen                                                string
}

// limitedRow is a desk refused for the volume of its pushes, as the
// page shows it.
type limitedRow struct{ Sede, Desk, Events, Pushes, Last string }

// outOfStepRow is a desk found out of step with the store's epoch, as
// the page shows it.
type outOfStepRow struct{ Sede, Desk, When string }

// lockRow is a credential locked, as the page shows it.
type lockRow struct{ ID, Sede, Type, Until string }

// chart is the bar chart of the PINs issued per day, in SVG units.
type chart struct {
	Width, Height, Left, Top, PlotW, PlotH int
	Bars                                   []bar
	Grid                                   []gridLine
	Total, Max                             int
	From, To                               string
}

// bar is a day of the chart.
type bar struct {
	X, Y, W, H         float64
	Title, Label, Text string
	TextX, TextY       float64
	LabelX             float64
}

// gridLine is a horizontal line of the chart with its value.
type gridLine struct {
	Y     float64
	Label string
}

// statusHandler serves the status page: the overview of the store at
// s.Now, and the expiry of the certificates of m and of s.CRL, in the
// language of StatusLanguages the request's Accept-Language prefers.
func (s *Server) statusHandler(m Manage) http.HandlerFunc {
	slots := make(chan struct{}, statusAtOnce)
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), statusTimeout)
		defer cancel()
		now := s.Now()
		tx := newStatusText(r.Header.Get("Accept-Language"))
		p := statusPage{statusText: tx, Now: tx.time(now), Store: s.Store.Kind(), Certs: s.certRows(tx, m, now),
			Backup: s.Backups.view(tx, now)}
		for _, d := range s.volume.Load().limitedDesks() {
			p.Limited = append(p.Limited, limitedRow{Sede: d.Sede, Desk: cmp.Or(d.Desk, "—"), Events: strconv.Itoa(d.Events),
				Pushes: strconv.Itoa(d.Pushes), Last: tx.time(d.Last)})
		}
		p.Settings, p.Replicas = s.replicasDiffer()
		for _, d := range s.epochs.outOfStep() {
			p.OutOfStep = append(p.OutOfStep, outOfStepRow{Sede: d.sede, Desk: cmp.Or(d.desk, "—"), When: tx.time(d.at)})
		}
		select {
		case slots <- struct{}{}:
			o, err := s.Store.Overview(ctx, now, StatusDays)
			<-slots
			if err != nil {
				if !s.storeFailed(ctx, err) && s.Log != nil {
					s.Log.ErrorContext(ctx, "status page", "err", err)
				}
				p.Error = tx.T("status.error.store", "Store", s.Store.Kind())
			} else {
				p.fill(o, now)
			}
		case <-ctx.Done():
			p.Error = tx.T("status.error.busy")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Language", tx.Lang)
		w.Header().Set("Vary", "Accept-Language")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		if err := statusTmpl.Execute(w, p); err != nil && s.Log != nil {
			s.Log.ErrorContext(ctx, "status page", "err", err)
		}
	}
}

// certRows returns the server certificate, the CA and the revocation
// list with their expiry, in the language of tx, and the server
// certificate's files when they hold a pair refused, with why (in
// English, as centrale's log says it).
func (s *Server) certRows(tx statusText, m Manage, now time.Time) []certRow {
	var rows []certRow
	cert := func(name string, c func() *x509.Certificate) {
		if c == nil {
			return
		}
		crt := c()
		rows = append(rows, certRow{Name: name, Detail: crt.Subject.CommonName, When: tx.time(crt.NotAfter),
			Left: tx.relative(crt.NotAfter, now), Class: severity(crt.NotAfter.Sub(now), certWarn)})
	}
	cert(tx.T("status.cert.server"), m.Cert)
	if s.Cert != nil {
		if err := s.Cert.Status(); err != nil {
			name := tx.T("status.cert.server.unusable")
			if errors.Is(err, pki.ErrServerCertRefused) {
				name = tx.T("status.cert.server.refused")
			}
			rows = append(rows, certRow{Name: name, Detail: err.Error(), Left: tx.T("status.cert.replace"), Class: "bad"})
		}
	}
	cert(tx.T("status.cert.ca"), m.CA)
	if s.CRL != nil {
		next := s.CRL.NextUpdate()
		rows = append(rows, certRow{Name: tx.T("status.cert.crl"), Detail: tx.T("status.cert.crl.number", "Number", s.CRL.Number()),
			When: tx.time(next), Left: tx.relative(next, now), Class: severity(next.Sub(now), crlWarn)})
	}
	return rows
}

// severity is the class of a time left: bad when none, warn within warn.
func severity(left, warn time.Duration) string {
	switch {
	case left <= 0:
		return "bad"
	case left < warn:
		return "warn"
	}
	return "ok"
}

// fill puts the overview o, at now, in p, in p's language.
func (p *statusPage) fill(o central.Overview, now time.Time) {
	tx := p.statusText
	p.MoreDesks = o.MoreDesks
	perSede := map[string]int{}
	for _, d := range o.Desks {
		perSede[d.Sede]++
	}
	for i, d := range o.Desks {
		row := deskRow{Sede: d.Sede, Desk: d.Desk, Rejected: d.Rejected, Reason: d.LastReason}
		if row.Desk == "" {
			row.Desk = "—"
		}
		row.Push, row.PushClass = tx.since(d.LastPush, now)
		row.Pull, row.PullClass = tx.since(d.LastPull, now)
		row.Pending, row.PendingClass = strconv.Itoa(d.Pending), "ok"
		switch {
		case d.Pending > central.MaxPending:
			row.Pending, row.PendingClass = tx.T("status.more.than", "N", central.MaxPending), "warn"
		case d.Pending > 0:
			row.PendingClass = "warn"
		}
		if !d.LastRejected.IsZero() {
			row.RejectedWhen = tx.time(d.LastRejected)
		}
		if i == 0 || o.Desks[i-1].Sede != d.Sede { // the desks come by sede
			row.FirstOfSede, row.DesksOfSede = true, perSede[d.Sede]
			p.Sedi++
		}
		p.Pending += d.Pending
		p.Rejected += d.Rejected
		p.Desks = append(p.Desks, row)
	}
	p.Chart = issuedChart(tx, o.Issued)
	// With MoreLocked, counted among the locks that end last only.
	p.Permanent, p.Temporary = o.LockedPermanent, o.LockedTemporary
	p.LockedPermanent, p.LockedTemporary = tx.count(o.LockedPermanent, o.MoreLocked), tx.count(o.LockedTemporary, o.MoreLocked)
	if o.MoreLocked {
		p.LockedAll = tx.T("status.locks.all", "Max", central.MaxOverviewLocked)
	}
	p.MoreLocked = o.LockedPermanent+o.LockedTemporary > len(o.LockedList)
	for _, l := range o.LockedList {
		until := tx.T("status.lock.permanent")
		if !l.Permanent {
			until = tx.T("status.lock.until", "When", tx.time(l.Until))
		}
		p.Locked = append(p.Locked, lockRow{ID: l.CredentialID, Sede: l.Sede, Type: string(l.Type), Until: until})
	}
}

// issuedChart draws the PINs issued per day as bars, their dates in the
// language of tx.
func issuedChart(tx statusText, days []central.DayCount) chart {
	c := chart{Width: 760, Height: 230, Left: 44, Top: 16, PlotW: 700, PlotH: 170}
	if len(days) == 0 {
		return c
	}
	for _, d := range days {
		c.Total += d.Issued
		c.Max = max(c.Max, d.Issued)
	}
	top := niceCeil(c.Max)
	short, long := tx.T("status.day.short"), tx.T("status.day")
	c.From, c.To = days[0].Day.Format(short), days[len(days)-1].Day.Format(long)
	for _, v := range []int{0, top / 2, top} {
		c.Grid = append(c.Grid, gridLine{Y: float64(c.Top+c.PlotH) - float64(v)/float64(top)*float64(c.PlotH), Label: strconv.Itoa(v)})
	}
	slot := float64(c.PlotW) / float64(len(days))
	for i, d := range days {
		h := float64(d.Issued) / float64(top) * float64(c.PlotH)
		x := float64(c.Left) + float64(i)*slot + slot*0.15
		b := bar{X: x, W: slot * 0.7, H: h, Y: float64(c.Top+c.PlotH) - h,
			Title: tx.N("status.issued.bar", d.Issued, "Day", d.Day.Format(long))}
		b.TextX, b.TextY, b.LabelX = x+b.W/2, b.Y-3, x+b.W/2
		if d.Issued > 0 {
			b.Text = strconv.Itoa(d.Issued)
		}
		if (len(days)-1-i)%5 == 0 {
			b.Label = d.Day.Format(short)
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// niceCeil returns the least of 1, 2, 5 times a power of ten, and at
// least 2, that is n or more: the top of the chart's scale.
func niceCeil(n int) int {
	if n <= 2 {
		return 2
	}
	p := math.Pow(10, math.Floor(math.Log10(float64(n))))
	for _, m := range []float64{1, 2, 5, 10} {
		if v := int(m * p); v >= n {
			return v
		}
	}
	return n
}
