package ticket

import "fmt"

// code128Patterns are the bar and space widths of the 107 Code 128 symbols
// (ISO/IEC 15417), six modules each but the stop symbol's seven.
var code128Patterns = [107]string{
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
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

const (
	code128StartB = 104
	code128Stop   = 106
)

// Code128 returns the module widths of s encoded in Code 128 code set B:
// bar, space, bar... from the start symbol to the stop symbol, without the
// quiet zones. s must be printable ASCII.
func Code128(s string) ([]int, error) {
	if s == "" {
		return nil, fmt.Errorf("code 128: empty text")
	}
	symbols := []int{code128StartB}
	sum := code128StartB
	for i, c := range []byte(s) {
		if c < 32 || c > 126 {
			return nil, fmt.Errorf("code 128: character %q at %d is not printable ASCII", c, i)
		}
		v := int(c) - 32
		symbols = append(symbols, v)
		sum += v * (i + 1)
	}
	symbols = append(symbols, sum%103, code128Stop)
	var widths []int
	for _, sym := range symbols {
		for _, w := range code128Patterns[sym] {
			widths = append(widths, int(w-'0'))
		}
	}
	return widths, nil
}
