package local

import (
	"strings"
	"unicode"
)

// foldLatin spells each letter from U+00C0 to U+017F (Latin-1 Supplement
// and Latin Extended-A) without its accent, upper case; "" for the two
// symbols in the range (× and ÷).
var foldLatin = [0x180 - 0xC0]string{
	// U+00C0 ÀÁÂÃÄÅÆÇ ÈÉÊËÌÍÎÏ ÐÑÒÓÔÕÖ× ØÙÚÛÜÝÞß
	"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
	"D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "SS",
	// U+00E0 àáâãäåæç èéêëìíîï ðñòóôõö÷ øùúûüýþÿ
	"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
	"D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "Y",
	// U+0100 ĀāĂăĄąĆćĈĉĊċČčĎď
	"A", "A", "A", "A", "A", "A", "C", "C", "C", "C", "C", "C", "C", "C", "D", "D",
	// U+0110 ĐđĒēĔĕĖėĘęĚěĜĝĞğ
	"D", "D", "E", "E", "E", "E", "E", "E", "E", "E", "E", "E", "G", "G", "G", "G",
	// U+0120 ĠġĢģĤĥĦħĨĩĪīĬĭĮį
	"G", "G", "G", "G", "H", "H", "H", "H", "I", "I", "I", "I", "I", "I", "I", "I",
	// U+0130 İıĲĳĴĵĶķĸĹĺĻļĽľĿ
	"I", "I", "IJ", "IJ", "J", "J", "K", "K", "K", "L", "L", "L", "L", "L", "L", "L",
	// U+0140 ŀŁłŃńŅņŇňŉŊŋŌōŎŏ
	"L", "L", "L", "N", "N", "N", "N", "N", "N", "N", "N", "N", "O", "O", "O", "O",
	// U+0150 ŐőŒœŔŕŖŗŘřŚśŜŝŞş
	"O", "O", "OE", "OE", "R", "R", "R", "R", "R", "R", "S", "S", "S", "S", "S", "S",
	// U+0160 ŠšŢţŤťŦŧŨũŪūŬŭŮů
	"S", "S", "T", "T", "T", "T", "T", "T", "U", "U", "U", "U", "U", "U", "U", "U",
	// U+0170 ŰűŲųŴŵŶŷŸŹźŻżŽžſ
	"U", "U", "U", "U", "W", "W", "Y", "Y", "Y", "Z", "Z", "Z", "Z", "Z", "Z", "S",
}

// normName is the form of a surname or a name that the search compares:
// upper case, Latin accents folded (Nicolò, NICOLO' and Nicolo are one
// name), and everything but letters and digits dropped (spaces,
// apostrophes, hyphens, dots: D'Angelo, D Angelo and DANGELO are one
// surname). Letters of other scripts are kept, upper-cased.
func normName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xC0 && r < 0x180:
			b.WriteString(foldLatin[r-0xC0])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}
