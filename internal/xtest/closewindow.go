package xtest

import (
	"fmt"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// CloseWindow asks the app's viewable window to close as a window
// manager does when its user clicks the window's close button: the
// client message WM_PROTOCOLS with WM_DELETE_WINDOW (ICCCM 4.2.8.1),
// which the program answers as it chooses (GLFW, hence Fyne, closes the
// window). It does not wait for the program's answer: Done does.
func (a *App) CloseWindow() error {
	w, err := a.windowsOf()
	if err != nil {
		return err
	}
	id, _, ok := w.find(a.TitlePrefix)
	if !ok {
		return fmt.Errorf("%s: no viewable window to close", a.name)
	}
	protocols, err := atom(w.conn, "WM_PROTOCOLS")
	if err != nil {
		return err
	}
	del, err := atom(w.conn, "WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	ev := xproto.ClientMessageEvent{Format: 32, Window: id, Type: protocols,
		Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(del), xproto.TimeCurrentTime, 0, 0, 0})}
	if err := xproto.SendEventChecked(w.conn, false, id, xproto.EventMaskNoEvent, string(ev.Bytes())).Check(); err != nil {
		return fmt.Errorf("%s: close its window: %w", a.name, err)
	}
	return nil
}

// atom returns the atom named name on conn.
func atom(conn *xgb.Conn, name string) (xproto.Atom, error) {
	r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
	if err != nil {
		return 0, fmt.Errorf("atom %s: %w", name, err)
	}
	return r.Atom, nil
}
