package theme

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
)

// Ensure that the palette's colours come out in both variants: the desk is
// always light.
func TestPalette(t *testing.T) {
	test.NewTempApp(t)
	light := fynetheme.DefaultTheme().Color(fynetheme.ColorNameBackground, fynetheme.VariantLight)
	for _, v := range []fyne.ThemeVariant{fynetheme.VariantLight, fynetheme.VariantDark} {
		for _, c := range []struct {
			name      string
			got, want color.Color
		}{
			{"primary", New().Color(fynetheme.ColorNamePrimary, v), Primary},
			{"header", New().Color(ColorNameHeader, v), Dark},
			{"secondary", New().Color(ColorNameSecondary, v), Secondary},
			{"error", New().Color(fynetheme.ColorNameError, v), Danger},
			{"background", New().Color(fynetheme.ColorNameBackground, v), light},
			{"header bar", Header().Color(fynetheme.ColorNameBackground, v), Dark},
			{"header text", Header().Color(fynetheme.ColorNameForeground, v), color.White},
			{"secondary text", SecondaryText().Color(fynetheme.ColorNameForeground, v), Secondary},
		} {
			if !same(c.got, c.want) {
				t.Errorf("variant %d: %s is %v, want %v", v, c.name, c.got, c.want)
			}
		}
	}
}

func same(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

// Ensure that the focus shows on every kind of button: blended over the
// primary blue, over a grey button and over the page, it changes the
// colour by a visible step. Blended over the primary blue, the old focus
// (the primary blue itself) changed nothing.
func TestFocusShowsOnEveryButton(t *testing.T) {
	test.NewTempApp(t)
	th := New()
	page := th.Color(fynetheme.ColorNameBackground, fynetheme.VariantLight)
	focus := th.Color(fynetheme.ColorNameFocus, fynetheme.VariantLight)
	for name, bg := range map[string]color.Color{
		"primary button": th.Color(fynetheme.ColorNamePrimary, fynetheme.VariantLight),
		"grey button":    over(th.Color(fynetheme.ColorNameButton, fynetheme.VariantLight), page),
		"page":           page,
	} {
		if d := distance(over(focus, bg), bg); d < 40 {
			t.Errorf("%s: focus changes the colour by %d of 255, want at least 40", name, d)
		}
	}
}

// over blends a (with its alpha) over the opaque b.
func over(a, b color.Color) color.Color {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	mix := func(x, y uint32) uint8 { return uint8((x + y*(0xFFFF-aa)/0xFFFF) >> 8) }
	return color.NRGBA{R: mix(ar, br), G: mix(ag, bg), B: mix(ab, bb), A: 0xFF}
}

// distance is the largest difference of one channel, in 0-255.
func distance(a, b color.Color) int {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := 0
	for _, p := range [][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}} {
		x := int(p[0]>>8) - int(p[1]>>8)
		if x < 0 {
			x = -x
		}
		d = max(d, x)
	}
	return d
}
