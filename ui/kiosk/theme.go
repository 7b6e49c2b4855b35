package kiosk

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pinsede/pinsede/ui/theme"
)

// Text scales offered by the A- and A+ buttons.
var textScales = []float32{0.85, 1, 1.2, 1.4}

// defaultScale is the index of 1 in textScales.
const defaultScale = 1

// kioskTheme is the desk's palette at kiosk sizes (text readable from a
// standing position, touch targets of at least 48 px), with a high-contrast
// variant: white and yellow on black, as EN 301 549 and WCAG 1.4.6 (7:1)
// ask for.
type kioskTheme struct {
	base     fyne.Theme
	contrast bool
	scale    float32
}

var _ fyne.Theme = kioskTheme{}

func newTheme(contrast bool, scale float32) kioskTheme {
	return kioskTheme{base: theme.New(), contrast: contrast, scale: scale}
}

// yellow is the high-contrast theme's colour of buttons and focus.
var yellow = color.NRGBA{R: 0xFF, G: 0xE0, B: 0x00, A: 0xFF}

// Color returns the palette's colour, or the high-contrast one.
func (t kioskTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if !t.contrast {
		switch n {
		case fynetheme.ColorNameBackground:
			return theme.Page
		case fynetheme.ColorNameButton:
			return theme.Card
		case fynetheme.ColorNameInputBackground:
			return color.White
		case fynetheme.ColorNameInputBorder:
			return theme.Secondary
		}
		return t.base.Color(n, v)
	}
	switch n {
	case fynetheme.ColorNameBackground, fynetheme.ColorNameInputBackground, fynetheme.ColorNameMenuBackground,
		fynetheme.ColorNameOverlayBackground, fynetheme.ColorNameHeaderBackground, theme.ColorNamePage:
		return color.Black
	case fynetheme.ColorNameForeground, theme.ColorNameOnHeader, theme.ColorNameSecondary,
		fynetheme.ColorNamePlaceHolder, fynetheme.ColorNameInputBorder:
		return color.White
	case fynetheme.ColorNameButton, fynetheme.ColorNameDisabledButton:
		return color.NRGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xFF} // white on it: 12.6:1
	case fynetheme.ColorNameForegroundOnError, fynetheme.ColorNameForegroundOnWarning, fynetheme.ColorNameForegroundOnSuccess:
		return color.Black
	case fynetheme.ColorNameWarning:
		return color.NRGBA{R: 0xFF, G: 0xB0, B: 0x00, A: 0xFF}
	case fynetheme.ColorNamePrimary, fynetheme.ColorNameFocus, fynetheme.ColorNameHyperlink:
		return yellow
	case fynetheme.ColorNameForegroundOnPrimary:
		return color.Black
	case fynetheme.ColorNameHover, fynetheme.ColorNamePressed:
		return color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x40}
	case fynetheme.ColorNameError:
		return color.NRGBA{R: 0xFF, G: 0x80, B: 0x80, A: 0xFF}
	case fynetheme.ColorNameSelection:
		return color.NRGBA{R: 0xFF, G: 0xE0, B: 0x00, A: 0x60}
	case theme.ColorNameHeader:
		return color.Black
	}
	return t.base.Color(n, v)
}

// Font returns the desk theme's font.
func (t kioskTheme) Font(s fyne.TextStyle) fyne.Resource { return t.base.Font(s) }

// Icon returns the desk theme's icon.
func (t kioskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

// Size returns the kiosk's sizes: text of 28 px, headings of 46 px at the
// normal scale; borders thicker in high contrast. The kiosk keeps the
// desk's typeface, not its compact sizes. A larger scale makes the text
// larger, and the headings larger by half as many pixels (they are large
// already: at A+ they were 64 px, three lines of a question on a screen
// 1024 wide), and keeps the padding inside buttons and entries: room
// that shows nothing, which a low screen needs for the question.
func (t kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.scale
	grown := 28 * (s - 1) // what the scale adds to the text
	switch n {
	case fynetheme.SizeNameText:
		return 28 * s
	case fynetheme.SizeNameHeadingText:
		return 46 + grown/2
	case fynetheme.SizeNameSubHeadingText:
		return 34 + grown/2
	case fynetheme.SizeNameCaptionText:
		return 22 * s
	case fynetheme.SizeNameInlineIcon:
		return 32 * s
	case fynetheme.SizeNamePadding:
		return 8
	case fynetheme.SizeNameInnerPadding:
		return 16 * min(s, 1)
	case fynetheme.SizeNameInputBorder:
		if t.contrast {
			return 4
		}
		return 2
	case fynetheme.SizeNameInputRadius, fynetheme.SizeNameSelectionRadius:
		return 6
	case fynetheme.SizeNameScrollBar:
		return 24
	case fynetheme.SizeNameLineSpacing:
		return 4 // Fyne's: the desk's compact 2 is too tight for text read standing
	}
	return t.base.Size(n)
}

// steady shows its content under a theme of its own, as the
// container.ThemeOverride it holds, but applies the theme only when told
// (apply). Fyne applies an override's theme again on every Refresh of
// it, a container's around it included, and each time empties its
// measures of every text and its icons (cache.ResetThemeCaches, in
// Fyne's internal/cache/theme.go): every screen shown (show refreshes
// the window) measured all the screen's text again, HarfBuzz's shaping
// 45% of the kiosk's processor time.
type steady struct {
	widget.BaseWidget
	over *container.ThemeOverride
}

// newSteady shows content under th, applied once.
func newSteady(content fyne.CanvasObject, th fyne.Theme) *steady {
	s := &steady{over: container.NewThemeOverride(content, th)}
	s.ExtendBaseWidget(s)
	return s
}

// apply gives th to the content, the widgets added to it since the last
// apply included.
func (s *steady) apply(th fyne.Theme) {
	s.over.Theme = th
	s.over.Refresh()
}

// CreateRenderer shows the override.
func (s *steady) CreateRenderer() fyne.WidgetRenderer { return steadyRenderer{s} }

// steadyRenderer lays the override out over the whole of its steady.
type steadyRenderer struct{ s *steady }

func (r steadyRenderer) Destroy() {}

func (r steadyRenderer) Layout(size fyne.Size) {
	r.s.over.Move(fyne.Position{})
	r.s.over.Resize(size)
}

func (r steadyRenderer) MinSize() fyne.Size { return r.s.over.MinSize() }

func (r steadyRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.s.over} }

// Refresh redraws the override, without applying its theme again.
func (r steadyRenderer) Refresh() { canvas.Refresh(r.s.over) }

// sameTheme reports whether th is a kioskTheme with u's contrast and
// scale.
func sameTheme(th fyne.Theme, u kioskTheme) bool {
	t, ok := th.(kioskTheme)
	return ok && t.contrast == u.contrast && t.scale == u.scale
}
