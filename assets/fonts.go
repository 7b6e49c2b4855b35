package assets

import _ "embed" // for the fonts

//go:generate go run ./gen/fonts -o fonts

// The typeface of the desk and the kiosk: Titillium Web, by the Accademia
// di Belle Arti di Urbino, SIL Open Font License 1.1 (fonts/OFL.txt, and
// NOTICE), as the npm package @expo-google-fonts/titillium-web ships it;
// the generator in gen/fonts fetches it at a pinned version and checks it.
// Its bold is the semibold (600), as Bootstrap Italia's labels, buttons and
// headings. It holds Latin only: ui/theme draws the rest with Fyne's font.
var (
	//go:embed fonts/TitilliumWeb-Regular.ttf
	TitilliumRegular []byte
	//go:embed fonts/TitilliumWeb-Italic.ttf
	TitilliumItalic []byte
	//go:embed fonts/TitilliumWeb-SemiBold.ttf
	TitilliumBold []byte
	//go:embed fonts/TitilliumWeb-SemiBoldItalic.ttf
	TitilliumBoldItalic []byte
)
