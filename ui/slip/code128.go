package slip

import "github.com/pinsede/pinsede/ui/barcode"

// barcode draws s as a Code 128 B bar code of height h whose right edge is
// at x1, with modules of 0.25 mm or narrower to keep it within maxW
// millimetres. The quiet zones (ten modules each side) are left to the
// layout.
func (d doc) barcode(x1, y, h, maxW float64, s string) error {
	widths, err := barcode.Code128B(s)
	if err != nil {
		return err
	}
	modules := 0
	for _, w := range widths {
		modules += w
	}
	module := min(0.25, maxW/float64(modules))
	d.fill(rgb{0, 0, 0})
	x := x1 - float64(modules)*module
	for i, w := range widths {
		if i%2 == 0 {
			d.Rect(x, y, float64(w)*module, h, "F")
		}
		x += float64(w) * module
	}
	return nil
}
