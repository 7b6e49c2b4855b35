// Copyright ©2026 The go-pdf Authors. All rights reserved.
// Use of this source code is governed by a MIT-style
// license that can be found in the LICENSE file.

package fpdf

import "sync"

// utf8FontMetrics is what parsing a UTF-8 font yields for every document
// that uses it: the descriptor, the underline, the character widths and
// the font ID under each font key it was added as.
type utf8FontMetrics struct {
	desc   FontDescType
	up, ut int
	cw     []int             // shared by the documents: never written
	ids    map[string]string // font ID by font key (the ID hashes the key)
}

// utf8FontCacheSize is the number of UTF-8 fonts whose metrics are kept.
const utf8FontCacheSize = 16

// utf8FontCache keeps the metrics of the UTF-8 fonts parsed last, keyed by
// the content of the font file, so that a program that adds the same font
// to many documents parses it, and hashes its 65,536 widths into a font ID,
// once rather than for every document.
var utf8FontCache = struct {
	sync.Mutex
	fonts map[string]*utf8FontMetrics
}{fonts: make(map[string]*utf8FontMetrics)}

// utf8FontDef returns the definition of the UTF-8 font utf8Bytes added
// under fontKey, with a new utf8FontFile to embed its subset from. The
// font is parsed only when its metrics are not in utf8FontCache.
func (f *Fpdf) utf8FontDef(fontKey string, utf8Bytes []byte) (fontDefType, error) {
	utf8FontCache.Lock()
	m := utf8FontCache.fonts[string(utf8Bytes)]
	var id string
	if m != nil {
		id = m.ids[fontKey]
	}
	utf8FontCache.Unlock()

	if m == nil {
		utf8File := newUTF8Font(&fileReader{readerPosition: 0, array: utf8Bytes})
		if err := utf8File.parseFile(); err != nil {
			return fontDefType{}, err
		}
		m = &utf8FontMetrics{
			desc: FontDescType{
				Ascent:       int(utf8File.Ascent),
				Descent:      int(utf8File.Descent),
				CapHeight:    utf8File.CapHeight,
				Flags:        utf8File.Flags,
				FontBBox:     utf8File.Bbox,
				ItalicAngle:  utf8File.ItalicAngle,
				StemV:        utf8File.StemV,
				MissingWidth: round(utf8File.DefaultWidth),
			},
			up:  int(round(utf8File.UnderlinePosition)),
			ut:  round(utf8File.UnderlineThickness),
			cw:  utf8File.CharWidths,
			ids: make(map[string]string),
		}
	}

	var sbarr map[int]int
	if f.aliasNbPagesStr == "" {
		sbarr = makeSubsetRange(57)
	} else {
		sbarr = makeSubsetRange(32)
	}
	def := fontDefType{
		Tp:        "UTF8",
		Name:      fontKey,
		Desc:      m.desc,
		Up:        m.up,
		Ut:        m.ut,
		Cw:        m.cw,
		utf8File:  newUTF8Font(&fileReader{readerPosition: 0, array: utf8Bytes}),
		usedRunes: sbarr,
	}
	if id != "" {
		def.i = id
		return def, nil
	}
	def.i, _ = generateFontID(def)

	utf8FontCache.Lock()
	defer utf8FontCache.Unlock()
	if kept := utf8FontCache.fonts[string(utf8Bytes)]; kept != nil {
		m = kept // parsed meanwhile by another document
	} else {
		if len(utf8FontCache.fonts) >= utf8FontCacheSize {
			for k := range utf8FontCache.fonts { // drop any one
				delete(utf8FontCache.fonts, k)
				break
			}
		}
		utf8FontCache.fonts[string(utf8Bytes)] = m
	}
	m.ids[fontKey] = def.i
	return def, nil
}
