package desk

import (
	"context"
	"errors"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede"
	"github.com/pinsede/pinsede/ui/i18n"
)

// Connector reads, tries and saves the desk's connection to centrale for
// the settings screen: cmd/sportello implements it (the certificate
// files, sportello.toml), so that the desk's UI knows no file layout and
// no TLS.
type Connector interface {
	// ReadBundle reads the certificate bundle at path and says whose
	// its certificate is; a bundle that cannot be used (unreadable, not
	// a bundle, a key not the certificate's, a certificate its CA did
	// not sign) is a *pinsede.Problem that says why.
	ReadBundle(path string) (pinsede.DeskCert, error)
	// Try calls centrale at c.CentraleURL with the bundle's certificate,
	// and returns why it did not answer, or nil.
	Try(ctx context.Context, c pinsede.Connection) error
	// Save writes the connection where the desk's next start reads it.
	Save(c pinsede.Connection) error
}

// tryTimeout bounds a try of the connection.
const tryTimeout = 15 * time.Second

// connSection is the settings' part that connects the desk to centrale:
// its address and the certificate bundle of the desk. It takes effect at
// the next start of the app (the desk id of the certificate is stamped on
// every audit entry and outbox event from the start on).
type connSection struct {
	a      *App
	url    *entry
	bundle *entry
	try    *button
	save   *button
	msg    *message
	fields fields
	// object is the section of the fields; foot is Prova and Salva il
	// collegamento, at the foot of the settings (footedPage), msg just
	// above them.
	object, foot fyne.CanvasObject
}

func (st *settingsScreen) newConnSection() *connSection {
	a := st.a
	c := &connSection{a: a, fields: fields{}, msg: newMessage()}
	c.url = a.newEntry(lang.L("settings.conn.url.placeholder"))
	c.bundle = a.newEntry(lang.L("settings.conn.bundle.placeholder"))
	c.bundle.OnSubmitted = func(string) { c.doSave() }
	c.try = a.button(lang.L("settings.conn.try"), fynetheme.MediaPlayIcon(), c.doTry)
	c.save = a.primaryButton(lang.L("settings.conn.save"), fynetheme.DocumentSaveIcon(), c.doSave)
	current := lang.L("settings.conn.offline")
	if a.cfg.CentraleURL != "" {
		current = lang.L("settings.conn.current", map[string]any{"URL": a.cfg.CentraleURL})
	}
	c.object = section(lang.L("settings.conn"),
		note(lang.L("settings.conn.intro")),
		note(current),
		c.fields.add(newField(pinsede.FieldCentraleURL, lang.L("settings.conn.url"), c.url)).object,
		c.fields.add(newField(pinsede.FieldBundle, lang.L("settings.conn.bundle"), c.bundle)).object,
	)
	c.foot = container.NewHBox(layout.NewSpacer(), c.try, c.save)
	return c
}

// connection returns the connection as typed.
func (c *connSection) connection() pinsede.Connection {
	return pinsede.Connection{CentraleURL: c.url.Text, BundlePath: c.bundle.Text}
}

// check reads the bundle and checks the connection, showing the problems
// under their fields; it returns the certificate when all is right.
func (c *connSection) check() (pinsede.DeskCert, bool) {
	conn := c.connection()
	cert, err := c.a.cfg.Connector.ReadBundle(conn.BundlePath)
	es := c.a.desk.CheckConnection(conn, cert)
	if err != nil { // what the bundle's reader found comes first
		es = append(pinsede.FieldErrors{bundleProblem(err)}, slices.DeleteFunc(es, func(fe pinsede.FieldError) bool {
			return fe.Field == pinsede.FieldBundle
		})...)
	}
	if len(es) > 0 {
		c.fields.show(es, true)
		c.say(msgError, lang.L("form.haserrors"))
		return cert, false
	}
	c.fields.show(nil, false)
	return cert, true
}

// doTry calls centrale with the connection as typed, off the UI
// goroutine, and says whether it answered. Saving does not need it.
func (c *connSection) doTry() {
	if _, ok := c.check(); !ok {
		return
	}
	conn := c.connection()
	c.say(msgInfo, lang.L("settings.conn.trying", map[string]any{"URL": conn.CentraleURL}))
	c.try.Disable()
	c.a.background(func() func() {
		ctx, cancel := context.WithTimeout(context.Background(), tryTimeout)
		defer cancel()
		err := c.a.cfg.Connector.Try(ctx, conn)
		return func() {
			c.try.Enable()
			if err != nil {
				c.a.logger().Warn("settings: try of centrale", "url", conn.CentraleURL, "err", err)
				c.say(msgError, lang.L("settings.conn.tryfailed", map[string]any{"URL": conn.CentraleURL, "Err": i18n.Message(err)}))
				return
			}
			c.say(msgSuccess, lang.L("settings.conn.tryok", map[string]any{"URL": conn.CentraleURL}))
		}
	})
}

// doSave writes the connection for the next start, and audits it.
func (c *connSection) doSave() {
	a := c.a
	if a.session == nil {
		return
	}
	cert, ok := c.check()
	if !ok {
		return
	}
	conn := c.connection()
	old := pinsede.Connection{CentraleURL: a.cfg.CentraleURL}
	err := a.desk.SaveConnection(a.session, old, conn, cert, a.cfg.Connector.Save)
	var fes pinsede.FieldErrors
	switch {
	case errors.As(err, &fes):
		c.fields.show(fes, true)
		c.say(msgError, lang.L("form.haserrors"))
		return
	case err != nil:
		a.logger().Error("settings: save the connection", "err", err)
		c.say(msgError, lang.L("settings.conn.savefailed", map[string]any{"Err": i18n.Message(err)}))
		return
	}
	c.say(msgSuccess, lang.L("settings.conn.saved", map[string]any{"URL": conn.CentraleURL}))
}

// say shows text in the section's message line, and scrolls the
// settings to the bottom, where the section ends: its problems, the
// message and its buttons show. The settings are taller than the window,
// and the buttons pressed, the message and the last field's problem were
// left below it (issue 17, found by real keys).
func (c *connSection) say(kind messageKind, text string) {
	c.msg.set(kind, text)
	if st := c.a.settings; st != nil && c.a.current.View == st.screen.View {
		if sc := c.a.currentScroll(); sc != nil {
			sc.Refresh() // the content resized to the problems just shown: the scroll reads its size
			sc.ScrollToBottom()
		}
	}
}

// bundleProblem is the problem of a bundle that could not be read, under
// its field: the Problem's sentence, or the error's text.
func bundleProblem(err error) pinsede.FieldError {
	var p *pinsede.Problem
	if errors.As(err, &p) {
		return pinsede.FieldError{Field: pinsede.FieldBundle, Key: p.Key, Args: p.Args}
	}
	return pinsede.FieldError{Field: pinsede.FieldBundle, Key: "err.unexpected", Args: map[string]any{"Err": err.Error()}}
}
