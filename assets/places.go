package assets

import _ "embed" // for the places table

//go:generate go run ./gen/places -o places/places.tsv.gz

// Places is the table of places of birth: every codice catastale (Belfiore
// code) of the Italian comuni, current and ceased, and of the foreign states,
// with its name, province (or the state's ISO 3166-1 alpha-2 code) and
// validity dates. It is gzip'd TSV, written by the generator in gen/places,
// whose doc comment describes the columns; read it through the domain's
// LookupPlace and SearchPlaces. Data: ISTAT, Ministero dell'Interno (ANPR),
// Agenzia delle Entrate, CC BY, through two npm packages; the table is CC
// BY-SA 4.0 (see NOTICE).
//
//go:embed places/places.tsv.gz
var Places []byte
