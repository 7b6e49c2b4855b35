// Package cacheclean tells the Fyne programs of internal/xtest's testdata
// when Fyne cleans its render caches: a clean that drops what expired
// (internal/cache.Clean, at a frame that refreshed something, at most
// every 10 s) has no event of its own.
package cacheclean

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Sentinel is a widget kept out of any window: nothing renews its
// renderer in the cache, and Fyne destroys it, expired, at the first clean
// that drops what expired, before it drops the expired canvases.
type Sentinel struct {
	widget.BaseWidget
	destroyed func()
}

// Watch returns a sentinel whose renderer, made now, calls destroyed on the
// main goroutine when it is destroyed: at the first clean after the
// caches' lifetime (FYNE_CACHE) from now.
func Watch(destroyed func()) *Sentinel {
	s := &Sentinel{destroyed: destroyed}
	s.ExtendBaseWidget(s)
	s.MinSize() // makes its renderer
	return s
}

// CreateRenderer returns the renderer that calls the function given to
// Watch when it is destroyed.
func (s *Sentinel) CreateRenderer() fyne.WidgetRenderer { return renderer{s} }

type renderer struct{ s *Sentinel }

func (r renderer) Destroy()                     { r.s.destroyed() }
func (r renderer) Layout(fyne.Size)             {}
func (r renderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r renderer) Objects() []fyne.CanvasObject { return nil }
func (r renderer) Refresh()                     {}
