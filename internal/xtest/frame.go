package xtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sync"
)

// framebuffers maps the display of each X server StartXvfb started to
// the file of its screen's memory (Xvfb -fbdir): Frame reads it in a few
// milliseconds, where ImageMagick's import takes about 200.
var framebuffers sync.Map // display → file

// Frame returns the screen of display as drawn now: read from the X
// server's framebuffer file when StartXvfb started it, else by import.
func Frame(display string) (*image.RGBA, error) {
	if fb, ok := framebuffers.Load(display); ok {
		return readXWD(fb.(string))
	}
	dir, err := os.MkdirTemp("", "xtest-frame")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	img, err := Capture(display, filepath.Join(dir, "frame.png"))
	if err != nil {
		return nil, err
	}
	rgba := image.NewRGBA(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	return rgba, nil
}

// readXWD reads the screen Xvfb keeps in file, an XWD image (the format
// of xwd: a header of big-endian 32-bit fields, a colour map, then the
// pixels), of 32 bits a pixel in the server's byte order.
func readXWD(file string) (*image.RGBA, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("framebuffer: %w", err)
	}
	if len(b) < 100 {
		return nil, fmt.Errorf("framebuffer %s: %d bytes, too short for an XWD header", file, len(b))
	}
	field := func(i int) int { return int(binary.BigEndian.Uint32(b[4*i:])) }
	headerSize, version, format := field(0), field(1), field(2)
	width, height := field(4), field(5)
	byteOrder, bitsPerPixel, bytesPerLine := field(7), field(11), field(12)
	ncolours := field(19)
	if version != 7 || format != 2 || bitsPerPixel != 32 {
		return nil, fmt.Errorf("framebuffer %s: XWD version %d, format %d, %d bits a pixel; want 7, ZPixmap (2), 32",
			file, version, format, bitsPerPixel)
	}
	start := headerSize + 12*ncolours
	if start+bytesPerLine*height > len(b) || bytesPerLine < 4*width {
		return nil, errors.New("framebuffer " + file + ": shorter than its header says")
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		row := b[start+y*bytesPerLine:]
		out := img.Pix[y*img.Stride:]
		for x := range width {
			p := row[4*x : 4*x+4]
			if byteOrder == 0 { // LSBFirst: B, G, R, unused
				out[4*x], out[4*x+1], out[4*x+2] = p[2], p[1], p[0]
			} else { // MSBFirst: unused, R, G, B
				out[4*x], out[4*x+1], out[4*x+2] = p[1], p[2], p[3]
			}
			out[4*x+3] = 0xff
		}
	}
	return img, nil
}
