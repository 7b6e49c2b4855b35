// Copyright ©2026 The go-pdf Authors. All rights reserved.
// Use of this source code is governed by a MIT-style
// license that can be found in the LICENSE file.

package fpdf

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/font/gofont/goregular"
)

// resetUTF8FontCache empties the cache of parsed UTF-8 fonts, so that the
// next document parses its fonts again.
func resetUTF8FontCache() {
	utf8FontCache.Lock()
	defer utf8FontCache.Unlock()
	utf8FontCache.fonts = make(map[string]*utf8FontMetrics)
}

// utf8Doc returns a one-page document that writes text in the UTF-8 font
// ttf, added under family, and the width fpdf measured for text. With a
// non-empty dir, the font is added from a file in dir rather than from
// bytes.
func utf8Doc(t *testing.T, ttf []byte, family, dir, text string) ([]byte, float64) {
	t.Helper()
	pdf := New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC))
	pdf.SetModificationDate(time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC))
	if dir != "" {
		pdf.SetFontLocation(dir)
		pdf.AddUTF8Font(family, "", "font.ttf")
	} else {
		pdf.AddUTF8FontFromBytes(family, "", ttf)
	}
	pdf.AddPage()
	pdf.SetFont(family, "", 12)
	w := pdf.GetStringWidth(text)
	pdf.Cell(w, 10, text)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w
}

// Ensure that a UTF-8 font taken from the cache makes the same document,
// byte for byte, as the same font parsed anew, whether it is added from
// bytes or from a file, under the family it was parsed as or another.
func TestUTF8FontCacheSameDocument(t *testing.T) {
	const text = "Grüße, Ελένη – Фёдор"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "font.ttf"), goregular.TTF, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, family, dir string
	}{
		{"bytes", "GoRegular", ""},
		{"bytes, other family", "GoOther", ""},
		{"file", "GoRegular", dir},
	} {
		t.Run(c.name, func(t *testing.T) {
			resetUTF8FontCache()
			want, wantW := utf8Doc(t, goregular.TTF, c.family, c.dir, text)

			resetUTF8FontCache()
			utf8Doc(t, goregular.TTF, "GoRegular", "", text) // fills the cache
			for i := 0; i < 2; i++ {
				got, gotW := utf8Doc(t, goregular.TTF, c.family, c.dir, text)
				if !bytes.Equal(got, want) {
					t.Errorf("document %d with the cached font differs from the one with the font parsed anew", i+1)
				}
				if gotW != wantW {
					t.Errorf("document %d measures %q %g mm wide, want %g", i+1, text, gotW, wantW)
				}
			}
		})
	}
}

// Ensure that documents sharing a cached UTF-8 font can be made
// concurrently (run with -race).
func TestUTF8FontCacheConcurrent(t *testing.T) {
	const text = "Ærøskøbing Ψ Ж"
	resetUTF8FontCache()
	want, _ := utf8Doc(t, goregular.TTF, "GoRegular", "", text)
	resetUTF8FontCache()
	var wg sync.WaitGroup
	docs := make([][]byte, 8)
	for i := range docs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			docs[i], _ = utf8Doc(t, goregular.TTF, "GoRegular", "", text)
		}(i)
	}
	wg.Wait()
	for i, got := range docs {
		if !bytes.Equal(got, want) {
			t.Errorf("document %d differs from the one made alone", i)
		}
	}
}

// Ensure that the cache keeps at most utf8FontCacheSize fonts, and that a
// font dropped from it is parsed again.
func TestUTF8FontCacheSize(t *testing.T) {
	resetUTF8FontCache()
	want, _ := utf8Doc(t, goregular.TTF, "GoRegular", "", "abc")
	for i := 1; i <= 2*utf8FontCacheSize; i++ {
		// Bytes after the tables make another file of the same font.
		ttf := append(bytes.Clone(goregular.TTF), make([]byte, i)...)
		utf8Doc(t, ttf, "GoRegular", "", "abc")
	}
	utf8FontCache.Lock()
	n := len(utf8FontCache.fonts)
	utf8FontCache.Unlock()
	if n > utf8FontCacheSize {
		t.Errorf("%d fonts in the cache, want at most %d", n, utf8FontCacheSize)
	}
	if got, _ := utf8Doc(t, goregular.TTF, "GoRegular", "", "abc"); !bytes.Equal(got, want) {
		t.Error("document with the font parsed again differs from the first")
	}
}
