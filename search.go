package pinsede

import (
	"fmt"
	"strings"
)

// Search finds citizens by codice fiscale, or by surname and name (and birth
// date).
func (d *Desk) Search(s *Session, q SearchQuery) ([]Citizen, error) {
	q.Cognome, q.Nome = strings.TrimSpace(q.Cognome), strings.TrimSpace(q.Nome)
	if q.CodiceFiscale == "" && (q.Cognome == "" || q.Nome == "") {
		return nil, FieldErrors{{Field: FieldSearchQuery, Key: KeySearchTooShort}}
	}
	if q.CodiceFiscale != "" {
		cf, err := ParseCodiceFiscale(string(q.CodiceFiscale))
		if err != nil {
			return nil, FieldErrors{asFieldError(err, FieldCodiceFiscale)}
		}
		q.CodiceFiscale = cf
	}
	var found []Citizen
	err := d.view(s, func(tx Tx) (err error) { found, err = tx.FindCitizens(q); return err })
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return found, nil
}
