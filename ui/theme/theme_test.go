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
