package slip

import (
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/pinsede/pinsede"
)

// The security pattern keeps the PIN from being read through the paper,
// against the light, while the letter is folded in its envelope. It has
// three layers, all drawn in the colours of a tint:
//
//   - lines: in the PIN box a guilloche, bands of sine waves woven with
//     shifted phases; on the masks a dense cross-hatch. Their fine lines
//     cross every stroke of a character;
//   - noise: short strokes at random places and angles;
//   - decoys (on the masks only): random characters of the PIN alphabet,
//     in the PIN's font and size, so that the shadows of the real PIN mix
//     with characters of the same shapes.
//
// The PIN box carries the guilloche and the noise, light enough to read
// the PIN on the paper. The masks are printed where the other two panels
// of the folded sheet lie over the PIN box (see mirror), darker and with
// decoys. Everything random is drawn from a generator seeded with the slip's
// serial number, never with the PIN: the pattern tells nothing about it,
// and the same slip renders to the same bytes.

// Colours of the pattern.
var (
	tintLight = rgb{0xE4, 0xEC, 0xF6}
	tintLine  = rgb{0x9F, 0xB9, 0xD8}
	tintLine2 = rgb{0xC9, 0xA9, 0xC4}
	maskFill  = rgb{0xB7, 0xC3, 0xD0}
	maskLine  = rgb{0x5E, 0x71, 0x85}
	decoy     = rgb{0x6B, 0x7B, 0x8C}
)

// box is a rectangle on the page, in millimetres.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) w() float64 { return b.x1 - b.x0 }
func (b box) h() float64 { return b.y1 - b.y0 }

// patternRand returns the generator of the pattern of the slip with this
// serial number.
func patternRand(serial string, layer uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(serial))
	return rand.New(rand.NewPCG(h.Sum64(), layer))
}

// pinPattern draws the light pattern behind the PIN in b.
func pinPattern(d doc, b box, serial string) {
	d.fill(tintLight)
	d.Rect(b.x0, b.y0, b.w(), b.h(), "F")
	d.ClipRect(b.x0, b.y0, b.w(), b.h(), false)
	guilloche(d, b, 12, 2.4, 6, 2, 8, tintLine, 0.12)
	guilloche(d, b, 18, 3.6, 10, 2, -10, tintLine2, 0.1)
	noise(d, b, patternRand(serial, 1), 40, tintLine, 0.15)
	d.ClipEnd()
}

// maskPattern draws the dark masking pattern in b, with decoys of the
// PIN's font size.
func maskPattern(d doc, b box, serial string, pinSize float64) {
	d.fill(maskFill)
	d.Rect(b.x0, b.y0, b.w(), b.h(), "F")
	d.ClipRect(b.x0, b.y0, b.w(), b.h(), false)
	r := patternRand(serial, 2)
	d.SetFont(mono, "", pinSize)
	d.SetTextColor(decoy.r, decoy.g, decoy.b)
	cw := d.GetStringWidth("M")
	line := pinSize * 0.3528 * 1.05
	for y := b.y0 + line*0.85; y < b.y1+line*0.5; y += line * 0.62 {
		x := b.x0 - r.Float64()*cw
		row := make([]byte, int((b.x1-x)/cw)+1)
		for i := range row {
			row[i] = pinsede.PINAlphabet[r.IntN(len(pinsede.PINAlphabet))]
		}
		d.Text(x, y, string(row))
	}
	hatch(d, b, 1.3, maskLine, 0.22)
	noise(d, b, r, 30, maskLine, 0.3)
	d.ClipEnd()
}

// guilloche draws bands of sine waves across b, gap apart: in each band,
// a wave of the given period and amplitude (mm) drawn phases times, its
// phase shifted each time, so that the waves weave a rope. tilt bends the
// waves by that many millimetres across the box.
func guilloche(d doc, b box, period, amp, gap float64, phases int, tilt float64, c rgb, lineWidth float64) {
	d.draw(c, lineWidth)
	k := 2 * math.Pi / period
	step := period / 2 // one cubic Bézier per half wave
	for yc := b.y0 - max(tilt, 0) - amp; yc < b.y1-min(tilt, 0)+amp; yc += gap {
		for p := range phases {
			phase := 2 * math.Pi * float64(p) / float64(phases)
			y := func(x float64) float64 {
				return yc + tilt*(x-b.x0)/b.w() + amp*math.Sin(k*(x-b.x0)+phase)
			}
			slope := func(x float64) float64 {
				return tilt/b.w() + amp*k*math.Cos(k*(x-b.x0)+phase)
			}
			x := b.x0
			d.MoveTo(x, y(x))
			for ; x < b.x1; x += step {
				x1 := x + step
				t := step / 3
				d.CurveBezierCubicTo(x+t, y(x)+t*slope(x), x1-t, y(x1)-t*slope(x1), x1, y(x1))
			}
		}
	}
	d.DrawPath("D")
}

// hatch draws lines gap apart across b at 45 degrees both ways.
func hatch(d doc, b box, gap float64, c rgb, lineWidth float64) {
	d.draw(c, lineWidth)
	for o := -b.h(); o < b.w(); o += gap {
		d.MoveTo(b.x0+o, b.y0)
		d.LineTo(b.x0+o+b.h(), b.y1)
		d.MoveTo(b.x0+o, b.y1)
		d.LineTo(b.x0+o+b.h(), b.y0)
	}
	d.DrawPath("D")
}

// noise draws n short strokes at random places and angles in b.
func noise(d doc, b box, r *rand.Rand, n int, c rgb, lineWidth float64) {
	d.draw(c, lineWidth)
	for range n {
		x := b.x0 + r.Float64()*b.w()
		y := b.y0 + r.Float64()*b.h()
		a := r.Float64() * math.Pi
		l := 1 + r.Float64()*2.5
		d.MoveTo(x, y)
		d.LineTo(x+l*math.Cos(a), y+l*math.Sin(a))
	}
	d.DrawPath("D")
}
