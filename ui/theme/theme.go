// Package theme is the look of the desk: Fyne's default theme with the
// palette of the Italian public administration (the colours of the AgID
// "Designers Italia" kit: primary #0066CC, dark #17324D, secondary #5C6F82),
// always in its light variant.
//
// It overrides only what it must: colours, a few names of its own that the
// screens use for the header bar and secondary text, the kit's typeface
// (Titillium Web, embedded by assets) and the sizes that make a form compact
// as Bootstrap Italia's are. Icons come from Fyne's default.
//
// # Caveats
//
// Titillium Web holds Latin only (every letter of the desk's and the
// kiosk's languages, Romanian's ș and ț included). Fyne draws a character
// the theme's font lacks with its own font, Noto Sans, glyph by glyph: a
// Greek or Cyrillic name shows in Noto Sans within a Titillium line.
// Monospaced text (the MRZ) and symbols stay Fyne's.
package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/pinsede/pinsede/assets"
)

// The colours of the palette.
var (
	// Primary is the blue of buttons and links: #0066CC.
	Primary = color.NRGBA{R: 0x00, G: 0x66, B: 0xCC, A: 0xFF}
	// Focus is blended over the widget that has the keyboard: a half
	// transparent dark blue, which shows on the grey buttons and entries
	// and on the blue primary ones alike (#004C99 there, not #0066CC: a
	// focus of the primary blue vanished on them).
	Focus = color.NRGBA{R: 0x00, G: 0x33, B: 0x66, A: 0x80}
	// Dark is the blue-black of the header bar: #17324D.
	Dark = color.NRGBA{R: 0x17, G: 0x32, B: 0x4D, A: 0xFF}
	// Secondary is the grey-blue of labels and secondary text: #5C6F82.
	Secondary = color.NRGBA{R: 0x5C, G: 0x6F, B: 0x82, A: 0xFF}
	// Danger is the red of errors and of the development-printer banner:
	// #CC334D.
	Danger = color.NRGBA{R: 0xCC, G: 0x33, B: 0x4D, A: 0xFF}
	// Success is the green of completed actions: #008055.
	Success = color.NRGBA{R: 0x00, G: 0x80, B: 0x55, A: 0xFF}
	// Warning is the amber of warnings: #A66300.
	Warning = color.NRGBA{R: 0xA6, G: 0x63, B: 0x00, A: 0xFF}
	// Page is the pale grey-blue behind the content cards: #F2F5F8.
	Page = color.NRGBA{R: 0xF2, G: 0xF5, B: 0xF8, A: 0xFF}
	// Card is the white of the content cards.
	Card = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xFF}
	// CardBorder is the thin border of the content cards: #D9DFE5.
	CardBorder = color.NRGBA{R: 0xD9, G: 0xDF, B: 0xE5, A: 0xFF}
)

// Colour names of this theme, beyond Fyne's.
const (
	// ColorNameHeader is the background of the header bar (Dark).
	ColorNameHeader fyne.ThemeColorName = "pinsede-header"
	// ColorNameOnHeader is the text on the header bar.
	ColorNameOnHeader fyne.ThemeColorName = "pinsede-on-header"
	// ColorNameSecondary is the colour of labels and secondary text.
	ColorNameSecondary fyne.ThemeColorName = "pinsede-secondary"
	// ColorNamePage is the background behind the content.
	ColorNamePage fyne.ThemeColorName = "pinsede-page"
	// ColorNameBanner is the background of warning banners (Danger).
	ColorNameBanner fyne.ThemeColorName = "pinsede-banner"
)

// Theme is the desk's theme. The zero value is ready to use.
type Theme struct{}

var _ fyne.Theme = Theme{}

// New returns the desk's theme.
func New() fyne.Theme { return Theme{} }

// Color returns the palette's colour for name, always in the light variant:
// the desk is used in lit offices and its screenshots go into manuals.
func (Theme) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	light := fynetheme.VariantLight
	switch name {
	case fynetheme.ColorNamePrimary, fynetheme.ColorNameHyperlink:
		return Primary
	case fynetheme.ColorNameFocus:
		return Focus
	case fynetheme.ColorNameSelection:
		return color.NRGBA{R: 0x00, G: 0x66, B: 0xCC, A: 0x3F}
	case fynetheme.ColorNameError:
		return Danger
	case fynetheme.ColorNameSuccess:
		return Success
	case fynetheme.ColorNameWarning:
		return Warning
	case fynetheme.ColorNameForeground:
		return color.NRGBA{R: 0x1A, G: 0x1A, B: 0x1A, A: 0xFF}
	case fynetheme.ColorNamePlaceHolder:
		return Secondary
	case fynetheme.ColorNameInputBorder:
		return color.NRGBA{R: 0x9E, G: 0xAB, B: 0xB8, A: 0xFF}
	case fynetheme.ColorNameHeaderBackground:
		return Page
	case ColorNameHeader:
		return Dark
	case ColorNameOnHeader:
		return color.White
	case ColorNameSecondary:
		return Secondary
	case ColorNamePage:
		return Page
	case ColorNameBanner:
		return Danger
	}
	return fynetheme.DefaultTheme().Color(name, light)
}

// The faces of Titillium Web, as Fyne resources.
var (
	titilliumRegular    = fyne.NewStaticResource("TitilliumWeb-Regular.ttf", assets.TitilliumRegular)
	titilliumItalic     = fyne.NewStaticResource("TitilliumWeb-Italic.ttf", assets.TitilliumItalic)
	titilliumBold       = fyne.NewStaticResource("TitilliumWeb-SemiBold.ttf", assets.TitilliumBold)
	titilliumBoldItalic = fyne.NewStaticResource("TitilliumWeb-SemiBoldItalic.ttf", assets.TitilliumBoldItalic)
)

// Font returns Titillium Web for text, its semibold for bold; Fyne's
// default font for monospaced text and symbols (see the package's caveats).
func (Theme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Monospace || s.Symbol:
		return fynetheme.DefaultTheme().Font(s)
	case s.Bold && s.Italic:
		return titilliumBoldItalic
	case s.Bold:
		return titilliumBold
	case s.Italic:
		return titilliumItalic
	}
	return titilliumRegular
}

// Icon returns Fyne's default icon.
func (Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return fynetheme.DefaultTheme().Icon(n) }

// Size returns the sizes of a compact form, after Bootstrap Italia's: text
// of 15 px (Titillium is smaller than Noto Sans at the same size, and its
// lines taller), labels of 13 px, inputs about 36 px high (Fyne's were 38
// with smaller text), less space inside widgets and between lines,
// slightly larger headings. Everything else is Fyne's default.
func (Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case fynetheme.SizeNameText:
		return 15
	case fynetheme.SizeNameCaptionText:
		return 13
	case fynetheme.SizeNameHeadingText:
		return 22
	case fynetheme.SizeNameSubHeadingText:
		return 17
	case fynetheme.SizeNameInnerPadding:
		return 6
	case fynetheme.SizeNameLineSpacing:
		return 2
	case fynetheme.SizeNamePadding:
		return 3
	}
	return fynetheme.DefaultTheme().Size(n)
}

// Header returns the theme of the header bar: white text and translucent
// buttons on Dark. Wrap the bar in container.NewThemeOverride with it.
func Header() fyne.Theme { return headerTheme{} }

// headerTheme is Theme turned light-on-dark.
type headerTheme struct{ Theme }

// Color returns the header's colours.
func (headerTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch name {
	case fynetheme.ColorNameForeground, ColorNameOnHeader:
		return color.White
	case fynetheme.ColorNameBackground, ColorNameHeader:
		return Dark
	case fynetheme.ColorNameButton:
		return color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x1F}
	case fynetheme.ColorNameHover:
		return color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x2F}
	case fynetheme.ColorNamePressed:
		return color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x4F}
	case fynetheme.ColorNameFocus:
		return color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0x66}
	case ColorNameSecondary:
		return color.NRGBA{R: 0xC5, G: 0xD0, B: 0xDB, A: 0xFF}
	}
	return Theme{}.Color(name, v)
}

// SecondaryText returns a theme whose text is Secondary: wrap the labels of
// read-only pages in container.NewThemeOverride with it.
func SecondaryText() fyne.Theme { return secondaryTheme{} }

// secondaryTheme is Theme with Secondary text.
type secondaryTheme struct{ Theme }

// Color returns Secondary for text, Theme's colour otherwise.
func (secondaryTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if name == fynetheme.ColorNameForeground {
		return Secondary
	}
	return Theme{}.Color(name, v)
}

// RadioIcons returns a theme that draws check boxes as radio buttons: wrap
// in container.NewThemeOverride with it a choice of one option made of
// check boxes.
func RadioIcons() fyne.Theme { return radioTheme{} }

// radioTheme is Theme with the radio buttons' icons for the check boxes'.
type radioTheme struct{ Theme }

// Icon returns the radio button's icons for the check box's.
func (radioTheme) Icon(n fyne.ThemeIconName) fyne.Resource {
	switch n {
	case fynetheme.IconNameCheckButton:
		n = fynetheme.IconNameRadioButton
	case fynetheme.IconNameCheckButtonChecked:
		n = fynetheme.IconNameRadioButtonChecked
	case fynetheme.IconNameCheckButtonFill:
		n = fynetheme.IconNameRadioButtonFill
	}
	return Theme{}.Icon(n)
}
