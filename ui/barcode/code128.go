// Package barcode encodes the bar codes printed on the desk's and the
// kiosk's papers: Code 128 (ISO/IEC 15417) code set B, drawn by whoever
// prints it from the module widths returned here.
package barcode

import "fmt"

// code128 holds the Code 128 symbols (ISO/IEC 15417): for each value, the
// widths in modules of its bar, space, bar, space, bar and space. Value
// 104 is Start B; stop is the separate code128Stop.
var code128 = [106]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232",
}

// code128Stop is the stop symbol, with its final bar.
const code128Stop = "2331112"

// code128StartB is the value of Start B.
const code128StartB = 104

// Code128B returns the bar and space widths, in modules, of s encoded in
// Code 128 code set B: start, data, check symbol, stop, without the quiet
// zones. The first width is a bar. s must be printable ASCII (space to
// '~') and not empty.
func Code128B(s string) ([]int, error) {
	if s == "" {
		return nil, fmt.Errorf("code 128 B: empty text")
	}
	values := []int{code128StartB}
	sum := code128StartB
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' {
			return nil, fmt.Errorf("code 128 B: %q is not printable ASCII", c)
		}
		v := int(c - ' ')
		values = append(values, v)
		sum += (i + 1) * v
	}
	values = append(values, sum%103)
	var widths []int
	for _, v := range values {
		for _, w := range code128[v] {
			widths = append(widths, int(w-'0'))
		}
	}
	for _, w := range code128Stop {
		widths = append(widths, int(w-'0'))
	}
	return widths, nil
}
